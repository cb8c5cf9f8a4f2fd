#!/bin/sh
# make cluster-test: a cluster of its own (make cluster's shape, under
# var/cluster-test, on free ports, signing checkpoints every 2 s), the
# tests of tests/cluster/ one file after another (each breaks something
# and mends it; the failover runs last), the figures they measured, then
# everything stopped and deleted.  KEEP=1 leaves it running to look at
# (conf/cluster.sh with CLUSTER_DIR=var/cluster-test stops it).
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
export CLUSTER_DIR=var/cluster-test

cleanup() {
	status=$?
	trap - EXIT INT TERM
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept: CLUSTER_DIR=$CLUSTER_DIR conf/cluster.sh down"
		exit "$status"
	fi
	if [ "$status" != 0 ] && [ -n "${R:-}" ]; then
		for f in node1/kore.log node2/kore.log nginx/error.log \
		    pgbouncer/pgbouncer.log; do
			echo "--- last lines of $f"
			tail -n 15 "$R/$f" 2>/dev/null || true
		done
		if [ -s "$R/failures.txt" ]; then
			echo "--- what failed"
			tail -n 40 "$R/failures.txt"
		fi
	fi
	conf/cluster.sh down >/dev/null 2>&1 || true
	if [ -n "${R:-}" ]; then
		rm -rf "$R"
	fi
	rm -rf "$CLUSTER_DIR"
	exit "$status"
}
trap cleanup EXIT INT TERM

# A cluster left by an interrupted run.
conf/cluster.sh down >/dev/null 2>&1 || true
if [ -e "$CLUSTER_DIR" ]; then
	rm -rf "$(readlink -f "$CLUSTER_DIR")" "$CLUSTER_DIR"
fi

# Seven free ports on 127.0.0.1.
set -- $(node -e "
  const net = require('net'); const ports = []; let n = 0;
  const next = () => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => {
    ports.push(s.address().port); s.close(() => ++n < 7 ? next() : console.log(ports.join(' '))); }); };
  next();")
export HTTPS_PORT=$1 HTTP_PORT=$2 NODE1_PORT=$3 NODE2_PORT=$4
export METRICS1_PORT=$5 METRICS2_PORT=$6 PGB_PORT=$7 CHECKPOINT_SECONDS=2

echo "== make cluster's shape on https://127.0.0.1:$HTTPS_PORT"
t0=$(date +%s)
conf/cluster.sh up
R=$(conf/cluster.sh dir)
echo "== up in $(($(date +%s) - t0)) s"

export CLUSTER_ROOT="$R" SHOP_ROOT="$root"
export BASE_URL="https://127.0.0.1:$HTTPS_PORT"
export NODE_EXTRA_CA_CERTS="$R/tls/ca.pem"
# Each failure's message again at the very end (tests/lib/failures_reporter.mjs).
node --test --test-concurrency=1 --test-reporter=spec \
    --test-reporter-destination=stdout \
    --test-reporter=./tests/lib/failures_reporter.mjs \
    --test-reporter-destination="$R/failures.txt" \
    ${CLUSTER_TESTS:-tests/cluster/*.test.mjs}

if grep -E "sandbox violation|restarting worker" "$R/node1/kore.log" \
    "$R/node2/kore.log"; then
	echo "FAIL: a worker died (see above)"
	exit 1
fi
echo "== figures (make cluster-test, $(nproc) cores)"
sed 's/^/  /' "$R/figures.txt" 2>/dev/null || true
echo "== done in $(($(date +%s) - t0)) s"
