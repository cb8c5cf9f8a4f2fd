#!/bin/sh
# make test, after the build and the unit tests: a throwaway PostgreSQL
# cluster and a Kore server on a free port (sandbox on), then the API
# tests and the browser tests over real HTTP.  Everything it starts it
# stops by PID, and it fails if a worker died of a sandbox violation.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

T=$(mktemp -d /tmp/shop-test.XXXXXX)
chmod 755 "$T"
PORT=$(node -e "const s=require('net').createServer();
  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
kpid=""
k2pid=""
spid=""

# stop_kore PID: TERM, then after 10 s KILL it and its workers (or the
# sender, which has none).  Kore can
# hang on exit (KORE.md; in the sanitizer build every process deadlocks
# in libp11-kit's exit handler on glibc's locale lock).
stop_kore() {
	kill -0 "$1" 2>/dev/null || return 0
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null || true)
	kill -TERM "$1" 2>/dev/null || true
	( sleep 10; kill -KILL "$1" $kids 2>/dev/null ) &
	watchdog=$!
	wait "$1" 2>/dev/null || true
	kill "$watchdog" 2>/dev/null || true
	kill -KILL $kids 2>/dev/null || true
}

cleanup() {
	status=$?
	trap - EXIT INT TERM
	if [ "${KEEP:-0}" = 1 ]; then
		# A developer's look at what a failing test left: nothing is
		# stopped; stop it with sql/cluster.sh wipe and kill by PID.
		echo "kept: BASE_URL=http://127.0.0.1:$PORT OWNER_DB='host=$(sql/cluster.sh sock "$T") dbname=shop user=shop_owner' kore pid $kpid"
		# What a test file needs to run again against what was kept:
		# . $T/env.sh && node --test tests/...
		export -p | grep -E " (BASE_URL|SECOND_URL|METRICS_URL|[A-Z]+_DB|TEST_VAR|DEMO_ACCOUNTS|SHOP_ROOT|KORE2?_PID)=" \
		    > "$T/env.sh" || true
		echo "kept: its environment in $T/env.sh"
		exit "$status"
	fi
	for p in $spid $kpid $k2pid; do
		stop_kore "$p"
	done
	sql/cluster.sh wipe "$T" >/dev/null 2>&1 || true
	if [ "$status" != 0 ]; then
		cat "$T"/san.* 2>/dev/null || true
	fi
	if [ "$status" != 0 ] && [ -f "$T/kore.log" ]; then
		echo "--- last lines of the server log ---"
		tail -n 30 "$T/kore.log"
	fi
	if [ "$status" != 0 ] && [ -s "$T/failures.txt" ]; then
		echo "--- what failed ---"
		tail -n 40 "$T/failures.txt"
	fi
	rm -rf "$T"
	exit "$status"
}
trap cleanup EXIT INT TERM

echo "== database (throwaway cluster in $T)"
FAST=1 tests/demo-db.sh "$T"
SOCK=$(sql/cluster.sh sock "$T")
OWNER_DB="host=$SOCK dbname=shop user=shop_owner"
APP_DB="host=$SOCK dbname=shop user=shop_app"

# With SANITIZE=1 the module was built with ASan and UBSan: Kore, not
# instrumented itself, gets their runtimes preloaded, and every report is
# written to $T/san.PID (checked at the end: any report fails the run).
# Leaks are looked for by the unit tests (make unit), not here: the
# server's and the command-line tools' allocations live until exit.  The
# tools the tests run (logverify, shop-admin) report on stderr and fail.
san_env=""
if [ "${SANITIZE:-0}" = 1 ]; then
	export ASAN_OPTIONS=detect_leaks=0:log_path=$T/san
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$T/san
	san_env="LD_PRELOAD=$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:log_path=$T/san
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$T/san"
fi

# start_node PORT NAME METRICS: a Kore node on PORT with this run's
# database and keys (the same SHOP_VAR: the same log and data keys, as
# nodes behind one proxy share them), and its /metrics on METRICS (as in
# production, a server of its own), logging to $T/NAME.log; its PID in
# $started.
start_node() {
	sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $1|" \
	    -e "s|var/kore.pid|$T/$2.pid|" \
	    -e "s|var/access.log|$T/$2-access.log|" conf/kore.conf > "$T/$2.conf"
	printf 'server metrics {\n\tbind 127.0.0.1 %s\n\ttls no\n}\n%s\n' \
	    "$3" 'domain * {
	attach metrics
	route /metrics metrics
	route ^/.*$ not_found
}' >> "$T/$2.conf"
	# The public log is signed every second, so a test can see it
	# happen; /transparency shows the verification commands with the
	# first node's address.
	SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" SHOP_LOG_CHECKPOINT_SECONDS=1 \
	    SHOP_MATCH_CACHE_SECONDS=1 SHOP_PUBLIC_URL="http://127.0.0.1:$PORT" \
	    env $san_env stdbuf -oL -eL kore -f -n -r -c "$T/$2.conf" >"$T/$2.log" 2>&1 &
	started=$!
	i=0
	until curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$started" 2>/dev/null; then
			echo "the server on port $1 did not start"
			exit 1
		fi
		sleep 0.1
	done
}

free_port() {
	node -e "const s=require('net').createServer();
	  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
MPORT=$(free_port)
echo "== server on 127.0.0.1:$PORT (/metrics on $MPORT)"
start_node "$PORT" kore "$MPORT"
kpid=$started
# A second node on the same database (tests/api/scaleout.test.mjs): nodes
# are stateless, so sessions, idempotency and the cap hold across them.
PORT2=$(node -e "const s=require('net').createServer();
  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
echo "== second node on 127.0.0.1:$PORT2"
start_node "$PORT2" kore2 "$(free_port)"
k2pid=$started

# The outbox's sender beside the nodes, as make run starts it: no SMTP
# server, so every message becomes $T/mail/outbox-<id>.eml.  Its PID is
# in $T/sender.pid: tests/api/outbox.test.mjs stops it to run its own
# against a real SMTP server and SMS relay.
SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" SHOP_PUBLIC_URL="http://127.0.0.1:$PORT" \
    SHOP_SENDER_INTERVAL=1 build/shop-sender >"$T/sender.log" 2>&1 &
spid=$!
echo "$spid" > "$T/sender.pid"

# SUPER_DB: the cluster's superuser, for tests that play an attacker
# with full access to the database (tests/api/log.test.mjs).
SUPER_DB="host=$SOCK dbname=shop user=postgres"
export BASE_URL="http://127.0.0.1:$PORT" OWNER_DB APP_DB SUPER_DB TEST_VAR="$T"
export METRICS_URL="http://127.0.0.1:$MPORT/metrics"
export DEMO_ACCOUNTS="$T/demo-accounts.txt" SECOND_URL="http://127.0.0.1:$PORT2"
export SHOP_ROOT="$root"

# Test files run one after another: some stop the database on purpose.
# API_TESTS / E2E_TESTS / FAULT_TESTS choose files (a developer's
# shortcut, which leaves out the fault tests unless named; CI runs all).
# SUITE=faults (make faults): the fault tests, the long ones too
# (tests/faults/long/); SUITE=soak (make soak): the soak alone.
export KORE_PID=$kpid KORE2_PID=$k2pid
# Each failure is also written, message only, to $T/failures.txt: printed
# last when the run fails (tests/lib/failures_reporter.mjs).
REPORT="--test-reporter=spec --test-reporter-destination=stdout
    --test-reporter=./tests/lib/failures_reporter.mjs
    --test-reporter-destination=$T/failures.txt"
run_files() {
	[ -z "$*" ] || node --test --test-concurrency=1 $REPORT "$@"
}
case "${SUITE:-all}" in
all)
	echo "== API tests"
	# Every answer an API test receives is checked against
	# docs/openapi.yaml (tests/lib/check_responses.mjs): the contract
	# cannot drift.
	node --import ./tests/lib/check_responses.mjs --test \
	    --test-concurrency=1 $REPORT \
	    ${API_TESTS:-tests/api/*.test.mjs}
	echo "== browser tests"
	run_files ${E2E_TESTS:-tests/e2e/*.test.mjs}
	echo "== fault tests"
	if [ -n "${FAULT_TESTS:-}" ]; then
		run_files $FAULT_TESTS
	elif [ -z "${API_TESTS:-}${E2E_TESTS:-}" ]; then
		run_files tests/faults/*.test.mjs
	fi
	;;
faults)
	echo "== fault tests, the long ones too"
	run_files ${FAULT_TESTS:-tests/faults/*.test.mjs tests/faults/long/*.test.mjs}
	;;
soak)
	echo "== soak"
	node tests/faults/soak.mjs
	;;
*)
	echo "unknown SUITE $SUITE"
	exit 2
	;;
esac
if [ -s "$T/figures.txt" ]; then
	echo "== figures ($(nproc) cores)"
	sed 's/^/  /' "$T/figures.txt"
fi

if grep -E "sandbox violation|\) gone|restarting worker" "$T/kore.log" \
    "$T/kore2.log"; then
	echo "FAIL: a worker died (see above)"
	exit 1
fi
echo "== server log: no worker died"
if [ "${SANITIZE:-0}" = 1 ]; then
	if ls "$T"/san.* >/dev/null 2>&1; then
		cat "$T"/san.*
		echo "FAIL: a sanitizer report (see above)"
		exit 1
	fi
	echo "== sanitizers: no report"
fi
