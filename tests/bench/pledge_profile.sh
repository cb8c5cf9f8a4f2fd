#!/bin/sh
# What a pledge spends, statement by statement: api.pledge_create as
# make bench calls it (tests/bench/run.sh: 1 unit to one of 40 needs, as
# one of 16 verified donors), through pgbench -M extended on a
# throwaway cluster with the demo data and SIZE generated needs, with
# pg_stat_statements (every nested statement) and track_functions on.
# Prints pgbench's rate, the PostgreSQL CPU per pledge (the postmaster's
# reaped children: the backends, and any autovacuum worker that ended
# meanwhile), then per pledge the statements (execution and planning
# time, µs, and how often each was planned: a statement of a function
# planned at every call is a SQL function PostgreSQL could not inline,
# or a custom plan it preferred to the generic one), and
# the functions (self and total time, µs), the most expensive first;
# then the floor of a pledge (the three rows it must write, alone:
# tests/bench/pledge_path.sh), its rate and CPU the same way.
# With C=1 the times are the backend's own work; with more clients they
# include waiting for locks.  Not part of make test.
#
#   tests/bench/pledge_profile.sh            SIZE=10000 C=1 SECS=15
set -eu
cd "$(dirname "$0")/../.."
PGBIN=/usr/lib/postgresql/15/bin
SIZE=${SIZE:-10000}
C=${C:-1}
SECS=${SECS:-15}
TOP=${TOP:-30}

T=$(mktemp -d /tmp/shop-pprof.XXXXXX)
chmod 755 "$T"
trap 'sql/cluster.sh wipe "$T" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT INT TERM

cat > "$T/extra.conf" <<CONF
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
pg_stat_statements.track_planning = on
track_functions = all
CONF
FAST=1 PG_EXTRA_CONF="$T/extra.conf" sql/cluster.sh init "$T" >/dev/null
SOCK=$(sql/cluster.sh sock "$T")
OWNER_DB="host=$SOCK dbname=shop user=shop_owner"
APP_DB="host=$SOCK dbname=shop user=shop_app"
ADMIN="$PGBIN/psql -X -q -h $SOCK -U postgres -d shop"
sql/migrate.sh "$OWNER_DB" >/dev/null
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$OWNER_DB" -f sql/demo/seed.sql \
    -f sql/demo/log_seed.sql >/dev/null
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -v total="$SIZE" "$OWNER_DB" \
    -f sql/demo/large.sql >/dev/null
$ADMIN -c 'create extension pg_stat_statements' >/dev/null

# The bench's needs, donors and pgbench scripts.
. tests/bench/pledge_path.sh
pledge_path
files=""
for f in "$T"/pledge[0-9]*.sql; do
	files="$files -f $f@1"
done

# shellcheck disable=SC2086
"$PGBIN/pgbench" -n -M extended -c "$C" -j 1 -T 3 $files "$APP_DB" \
    >/dev/null 2>&1
$ADMIN -c 'select pg_stat_statements_reset(), pg_stat_reset()' >/dev/null
pm=$(head -1 "$SOCK/../data/postmaster.pid")
c0=$(awk '{ print $16 + $17 }' "/proc/$pm/stat")
# shellcheck disable=SC2086
"$PGBIN/pgbench" -n -M extended -c "$C" -j 1 -T "$SECS" $files "$APP_DB" \
    > "$T/pgbench.out" 2>&1
sleep 1		# the backends are reaped
c1=$(awk '{ print $16 + $17 }' "/proc/$pm/stat")
n=$(sed -n 's/.*transactions actually processed: \([0-9]*\).*/\1/p' \
    "$T/pgbench.out")
echo "== $(date '+%Y-%m-%d %H:%M %Z'), $SIZE generated needs, $C client(s)," \
    "load$(uptime | sed 's/.*load average//')"
echo "pledges/s: $(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$T/pgbench.out")" \
    "($n in $SECS s)"
echo "PostgreSQL CPU per pledge: $(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) / n )) µs"
$ADMIN <<SQL
select round((total_exec_time / $n * 1000)::numeric, 1) as "µs a pledge",
    round((total_plan_time / $n * 1000)::numeric, 1) as "planning µs",
    round(calls::numeric / $n, 1) as calls,
    round(plans::numeric / $n, 1) as plans,
    left(regexp_replace(query, '\s+', ' ', 'g'), 100) as statement
  from pg_stat_statements order by total_exec_time + total_plan_time desc
 limit $TOP;
select funcname as function, round(calls::numeric / $n, 1) as calls,
    round((self_time / $n * 1000)::numeric, 1) as "self µs",
    round((total_time / $n * 1000)::numeric, 1) as "total µs"
  from pg_stat_user_functions where calls > 0
 order by self_time desc limit $TOP;
SQL

# The floor (tests/bench/pledge_path.sh): the three rows alone, the same
# clients and seconds, for the share of a pledge the rest takes.
"$PGBIN/pgbench" -n -M extended -c "$C" -j 1 -T 3 -f "$T/floor.sql" \
    "$APP_DB" >/dev/null 2>&1
c0=$(awk '{ print $16 + $17 }' "/proc/$pm/stat")
"$PGBIN/pgbench" -n -M extended -c "$C" -j 1 -T "$SECS" -f "$T/floor.sql" \
    "$APP_DB" > "$T/floor.out" 2>&1
sleep 1
c1=$(awk '{ print $16 + $17 }' "/proc/$pm/stat")
n=$(sed -n 's/.*transactions actually processed: \([0-9]*\).*/\1/p' \
    "$T/floor.out")
grep -q "number of failed transactions: 0 " "$T/floor.out" ||
    { cat "$T/floor.out"; exit 1; }
echo "the floor (the need, the pledge and its log entry alone):" \
    "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$T/floor.out")/s," \
    "$(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) / n )) µs of PostgreSQL CPU each"

