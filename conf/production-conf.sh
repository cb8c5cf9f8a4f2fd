#!/bin/sh
# Prints conf/kore.production.conf as it should be: its own head (up to
# the marker line) and then the validator, domain and routes of
# conf/kore.conf, less the development access log.  After adding a route
# to conf/kore.conf:
#	conf/production-conf.sh > conf/kore.production.conf.new &&
#	    mv conf/kore.production.conf.new conf/kore.production.conf
# make cluster-test fails while the two differ.
set -eu
cd "$(dirname "$0")"
marker='# --- below: the routes of conf/kore.conf (conf/production-conf.sh) ---'
grep -qxF "$marker" kore.production.conf || {
	echo "kore.production.conf has lost its marker line" >&2; exit 1; }
awk -v m="$marker" '{ print } $0 == m { exit }' kore.production.conf
echo
sed -n '/^# The only Kore validator/,$p' kore.conf | grep -v '^\s*accesslog\s'
