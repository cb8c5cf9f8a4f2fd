#!/bin/sh
# The periodic jobs on a backlog: calls one job's batch function as the
# app role (so under its statement timeout), batch after batch as
# src/jobs.c does, until no backlog is left; prints each batch's time
# and what it reported, then the number of batches, the slowest, and the
# time the whole backlog took.  It changes the database (that is the
# point): run it on a fresh `make demo-large`, e.g.
#
#   make demo-large VAR=/tmp/v PORT=18931
#   tests/bench/jobs_drain.sh "host=$(sql/cluster.sh sock /tmp/v) dbname=shop user=shop_app"
#
# usage: jobs_drain.sh APP_CONNINFO [FUNCTION (api.pledges_tick)] [BATCH (100)]
set -eu
db=${1:?usage: jobs_drain.sh APP_CONNINFO [FUNCTION] [BATCH]}
fn=${2:-api.pledges_tick}
batch=${3:-100}
PSQL=/usr/lib/postgresql/15/bin/psql

case "$fn" in
api.[a-z_]*) ;;
*) echo "jobs_drain: FUNCTION must be api.something" >&2; exit 2 ;;
esac
case "$batch" in
''|*[!0-9]*) echo "jobs_drain: BATCH must be a number" >&2; exit 2 ;;
esac

echo "statement_timeout of the role: $("$PSQL" -X -At "$db" -c 'show statement_timeout')"
start=$(date +%s%N)
n=0
slowest=0
while :; do
	t0=$(date +%s%N)
	r=$("$PSQL" -X -At -v ON_ERROR_STOP=1 "$db" -c "select $fn($batch)")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	n=$((n + 1))
	[ "$ms" -le "$slowest" ] || slowest=$ms
	echo "batch $n: $ms ms $r"
	case "$r" in
	*'"done" : 0,'*|*'"backlog" : 0}'*|*'"backlog" : 0,'*) break ;;
	esac
done
echo "$fn($batch): $n batches, slowest $slowest ms, backlog drained in $(( ($(date +%s%N) - start) / 1000000 )) ms"
