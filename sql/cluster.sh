#!/bin/sh
# A private PostgreSQL 15 cluster for one checkout (or one test run).
#
#   sql/cluster.sh init  VAR   create it under VAR/pg (idempotent)
#   sql/cluster.sh start VAR   start it (idempotent)
#   sql/cluster.sh stop  VAR   stop it (fast shutdown)
#   sql/cluster.sh crash VAR   stop it as a crash would (immediate: no
#                              checkpoint, recovery from the WAL at start)
#   sql/cluster.sh wipe  VAR   stop it and delete it
#   sql/cluster.sh sock  VAR   print the socket directory
#
# PG_EXTRA_CONF=file: init appends that file to postgresql.conf (make
# cluster: replication and archiving, conf/postgresql.conf).
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" user of Debian's package.  That user may not be able to enter
# the checkout (a clone under /root is mode 700): then the cluster lives in
# /var/tmp/shop-pg-<hash of VAR> and VAR/pg is a symbolic link to it.
# The server listens on a unix socket in its own directory only, so it
# never clashes with a system PostgreSQL.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: cluster.sh init|start|stop|crash|wipe|sock VAR}
var=$(realpath -m "${2:?VAR directory missing}")
link="$var/pg"

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

root_dir() {
	if [ -e "$link" ]; then
		readlink -f "$link"
	else
		echo ""
	fi
}

do_init() {
	mkdir -p "$var"
	root=$(root_dir)
	if [ -n "$root" ] && [ -f "$root/data/PG_VERSION" ]; then
		return 0
	fi
	if [ "$(id -u)" = 0 ]; then
		if runuser -u postgres -- test -x "$var" -a -r "$var"; then
			root="$link"
			mkdir -p "$root"
		else
			h=$(printf '%s' "$var" | sha256sum | cut -c1-12)
			root="/var/tmp/shop-pg-$h"
			rm -rf "$root"
			mkdir -p "$root"
			ln -sfn "$root" "$link"
		fi
		chown postgres:postgres "$root"
	else
		root="$link"
		mkdir -p "$root"
	fi
	chmod 700 "$root"
	root=$(readlink -f "$root")
	as_pg mkdir -p "$root/run"
	as_pg "$PGBIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 \
	    --locale=C.UTF-8 >"$var/initdb.log" 2>&1 || {
		cat "$var/initdb.log" >&2
		exit 1
	}
	# Tuned for a 2-core development machine; FAST=1 (tests) trades
	# durability for speed, which a throwaway cluster does not need.
	as_pg sh -c "cat >> '$root/data/postgresql.conf'" <<CONF
listen_addresses = ''
unix_socket_directories = '$root/run'
unix_socket_permissions = 0700
max_connections = 120
shared_buffers = 256MB
work_mem = 8MB
timezone = 'Asia/Shanghai'
log_timezone = 'Asia/Shanghai'
log_min_duration_statement = -1
# Two cores serve PostgreSQL and the web workers together: a query that
# starts workers of its own only takes them from the other requests.
max_parallel_workers_per_gather = 0
CONF
	if [ "${FAST:-0}" = 1 ]; then
		as_pg sh -c "cat >> '$root/data/postgresql.conf'" <<CONF
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
	fi
	if [ -n "${PG_EXTRA_CONF:-}" ]; then
		as_pg sh -c "cat >> '$root/data/postgresql.conf'" <"$PG_EXTRA_CONF"
	fi
	do_start
	sock="$root/run"
	"$PGBIN/psql" -X -q -h "$sock" -U postgres -d postgres \
	    -v ON_ERROR_STOP=1 <<SQL
create role shop_owner login;
create role shop_app login;
alter role shop_app set statement_timeout = '5s';
alter role shop_app set idle_in_transaction_session_timeout = '10s';
-- api.fail keeps a refusal (SQLSTATE SHnnn) out of the server's log.
grant set on parameter log_min_messages to shop_owner;
create database shop owner shop_owner encoding 'UTF8'
    lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' template template0;
\c shop
revoke all on schema public from public;
alter schema public owner to shop_owner;
grant usage on schema public to shop_app;
SQL
}

do_start() {
	root=$(root_dir)
	[ -n "$root" ] || { echo "no cluster in $var; run init" >&2; exit 1; }
	if as_pg "$PGBIN/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
		return 0
	fi
	as_pg "$PGBIN/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
	    start >/dev/null || { cat "$root/server.log" >&2; exit 1; }
}

do_stop() {
	root=$(root_dir)
	[ -n "$root" ] || return 0
	if as_pg "$PGBIN/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$root/data" -m "${1:-fast}" -w stop \
		    >/dev/null
	fi
}

case "$cmd" in
init)	do_init ;;
start)	do_start ;;
stop)	do_stop ;;
crash)	do_stop immediate ;;
wipe)	do_stop; root=$(root_dir); [ -z "$root" ] || rm -rf "$root"; rm -rf "$link" ;;
sock)	root=$(root_dir); echo "$root/run" ;;
*)	echo "unknown command $cmd" >&2; exit 2 ;;
esac
