#!/bin/sh
# make bench: the shelf under load, against a throwaway cluster holding the
# demo data and 100,000 generated needs (sql/demo/large.sql), in one run:
#
#   api     wrk  GET /api/v1/needs   the query mix of tests/bench/mix.mjs
#   html    wrk  GET /needs          the same query strings, as pages
#   static  wrk  GET /static/style.css
#   pgbench      the statement the API sends for each query string of the
#                mix, with the same weights, as shop_app, through the same
#                protocol (libpq's PQsendQueryParams: pgbench -M extended)
#   pgbench8     the same with 8 clients: as many database sessions as
#                Kore's pool holds (2 workers x pgsql_conn_max 4)
#   pledge  wrk  POST /api/v1/needs/{id}/pledges: 1 unit to one of 40
#                bench needs, as one of 16 donors signed in (Bearer)
#   pgpledge     the same function (api.pledge_create) with the same
#                sessions and needs, through pgbench -M extended
#   pgpledge8    the same with 8 clients (Kore's pool)
#
# wrk and pgbench both run 2 threads and 64 connections.  It prints
# requests/s, p50 and p99 for each, the ratios api/pgbench and api/static,
# and where the CPU went (load generator, Kore, PostgreSQL) per request:
# the machine has two cores, shared by all three.  Everything it starts
# it stops by PID.  Not part of make test.
#
# Environment: DURATION (seconds measured per step, 12), WARMUP (3).
set -eu
cd "$(dirname "$0")/../.."
PGBIN=/usr/lib/postgresql/15/bin
DURATION=${DURATION:-12}
WARMUP=${WARMUP:-3}
HZ=$(getconf CLK_TCK)

T=$(mktemp -d /tmp/shop-bench.XXXXXX)
chmod 755 "$T"
PORT=$(node -e "const s=require('net').createServer();
  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
kpid=""

cleanup() {
	status=$?
	trap - EXIT INT TERM
	if [ -n "$kpid" ] && kill -0 "$kpid" 2>/dev/null; then
		kill -TERM "$kpid" 2>/dev/null || true
		# Kore 4.1 can hang on exit after a worker died (its access
		# log lock): give it 10 s, then kill it and its workers.
		i=0
		while kill -0 "$kpid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$kpid" 2>/dev/null; then
			for p in $(ps -o pid= --ppid "$kpid"); do
				kill -KILL "$p" 2>/dev/null || true
			done
			kill -KILL "$kpid" 2>/dev/null || true
		fi
		wait "$kpid" 2>/dev/null || true
	fi
	sql/cluster.sh wipe "$T" >/dev/null 2>&1 || true
	if [ "$status" != 0 ] && [ -f "$T/kore.log" ]; then
		echo "--- last lines of the server log ---"
		tail -n 20 "$T/kore.log"
	fi
	rm -rf "$T"
	exit "$status"
}
trap cleanup EXIT INT TERM

echo "== $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores" \
    "($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load$(uptime |
    sed 's/.*load average//')"

echo "== database: throwaway cluster, demo data, 100,000 generated needs"
FAST=1 sql/cluster.sh init "$T"
SOCK=$(sql/cluster.sh sock "$T")
OWNER_DB="host=$SOCK dbname=shop user=shop_owner"
APP_DB="host=$SOCK dbname=shop user=shop_app"
sql/migrate.sh "$OWNER_DB"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$OWNER_DB" -f sql/demo/seed.sql
start=$(date +%s)
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$OWNER_DB" -f sql/demo/large.sql
echo "   large.sql loaded in $(($(date +%s) - start)) s"

sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $PORT|" \
    -e "s|var/kore.pid|$T/kore.pid|" \
    -e "s|var/access.log|$T/access.log|" conf/kore.conf > "$T/kore.conf"
SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" stdbuf -oL -eL kore -f -n -r \
    -c "$T/kore.conf" >"$T/kore.log" 2>&1 &
kpid=$!
i=0
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$kpid" 2>/dev/null; then
		echo "the server did not start"
		exit 1
	fi
	sleep 0.1
done
workers=$(ps -o pid= --ppid "$kpid" | tr -s ' \n' ' ')
echo "== server: kore on 127.0.0.1:$PORT, workers $workers"

node tests/bench/mix.mjs "$T/mix"
# Every query string of the mix answers 200 before anything is measured.
while IFS= read -r qs; do
	for path in /api/v1/needs /needs; do
		code=$(curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$PORT$path$qs")
		if [ "$code" != 200 ]; then
			echo "GET $path$qs answered $code"
			exit 1
		fi
	done
done < "$T/mix/paths.txt"

# Busy CPU ticks of the machine, and user+system ticks of Kore's workers.
cpu_busy() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
cpu_kore() {
	t=0
	for p in $workers; do
		if [ ! -r "/proc/$p/stat" ]; then
			echo "worker $p is gone" >&2
			exit 1
		fi
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# A latency as wrk prints it (850.00us, 12.34ms, 1.02s) in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) printf "%.2f", v / 1000;
		else if (v ~ /ms$/) printf "%.2f", v + 0;
		else if (v ~ /s$/) printf "%.2f", v * 1000;
		else print "?" }'
}

# measure NAME COMMAND...: runs the command under /usr/bin/time, keeps
# its output in $T/NAME.out and the CPU it used in $T/NAME.cpu
# ("busy kore client" in ticks; client in seconds from time).
measure() {
	name=$1
	shift
	b0=$(cpu_busy)
	k0=$(cpu_kore)
	/usr/bin/time -f '%U %S' -o "$T/$name.time" "$@" >"$T/$name.out" 2>&1
	b1=$(cpu_busy)
	k1=$(cpu_kore)
	echo "$((b1 - b0)) $((k1 - k0)) $(cat "$T/$name.time")" > "$T/$name.cpu"
}

# wrk_run NAME PATH [PREFIX]: wrk on PATH, or with PREFIX on the query
# strings of the mix after it (mix.lua).
wrk_run() {
	name=$1
	url=http://127.0.0.1:$PORT$2
	prefix=${3:-}
	set -- -t2 -c64
	if [ -n "$prefix" ]; then
		set -- "$@" -s tests/bench/mix.lua "$url" -- "$T/mix/paths.txt" \
		    "$prefix"
	else
		set -- "$@" "$url"
	fi
	wrk -d"${WARMUP}s" "$@" >/dev/null 2>&1
	measure "$name" wrk -d"${DURATION}s" --latency "$@"
	if grep -E "Non-2xx|Socket errors" "$T/$name.out"; then
		echo "$name: errors under load (see above)"
		exit 1
	fi
}

echo "== measuring ${DURATION} s each after ${WARMUP} s of warm-up"
wrk_run api "" /api/v1/needs
wrk_run html "" /needs
wrk_run static /static/style.css

# -D name=value and -f script@1 for each query string (no spaces in them).
pgargs=$(cat "$T/mix/pg.args")

# pg_run NAME CLIENTS: pgbench on the mix, latencies logged per call.
pg_run() {
	# shellcheck disable=SC2086
	pgbench -n -M extended -c "$2" -j 2 -T "$WARMUP" $pgargs "$APP_DB" \
	    >/dev/null 2>&1
	mkdir "$T/$1.log"
	# shellcheck disable=SC2086
	measure "$1" pgbench -n -M extended -c "$2" -j 2 -T "$DURATION" \
	    -l --log-prefix="$T/$1.log/tx" $pgargs "$APP_DB"
	if ! grep -q "number of failed transactions: 0 " "$T/$1.out"; then
		grep -E "failed|error" "$T/$1.out" | head -5
		echo "$1: failed transactions"
		exit 1
	fi
}
pg_run pgbench 64
pg_run pgbench8 8

# The pledge path: 40 needs that never fill up, 16 donors with a session
# each (tokens made here; the database keeps their SHA-256, as at sign-in).
"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$OWNER_DB" <<'SQL' > "$T/pledge.ids"
insert into needs (org_id, town_id, kind, category, title, unit, quantity,
    deadline, status, opened_at)
select o.id, o.town_id, 'goods', 'books', '压测图书 ' || g, '本', 2000000000,
    current_date + 60, 'open', now()
  from orgs o, generate_series(1, 40) g
 where o.id = (select min(id) from orgs where kind = 'school');
select api.log_need_opened(id) from needs where title like '压测图书 %';
-- Verified donors: an unverified one may hold only a few open pledges.
insert into users (role, display_name, email, email_verified_at)
select 'donor', '压测捐赠人' || g, 'bench' || g || '@example.com', now()
  from generate_series(1, 16) g;
select min(id) || ' ' || max(id) from needs where title like '压测图书 %';
SQL
"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$OWNER_DB" <<'SQL' > "$T/tokens.txt"
with t as (select u.id, encode(sha256(gen_random_uuid()::text::bytea) ||
    sha256(gen_random_uuid()::text::bytea), 'hex') as token
  from users u where u.email like 'bench%@example.com'),
s as (insert into sessions (token_hash, user_id, idle_limit, expires_at)
  select sha256(convert_to(left(token, 64), 'UTF8')), id, '7 days',
      now() + interval '1 day' from t returning 1)
select left(token, 64) from t, (select count(*) from s) x;
SQL
tail -1 "$T/pledge.ids" > "$T/range"
read -r nfirst nlast < "$T/range"
i=0
while read -r tok; do
	i=$((i + 1))
	sid=$(printf '%s' "$tok" | sha256sum | cut -c1-64)
	printf '\\set need random(%s, %s)\nselect api.pledge_create('"'"'%s'"'"', :need, 1, false, null, null);\n' \
	    "$nfirst" "$nlast" "$sid" > "$T/pledge$i.sql"
done < "$T/tokens.txt"
wrk -d"${WARMUP}s" -t2 -c64 -s tests/bench/pledge.lua \
    "http://127.0.0.1:$PORT" -- "$T/tokens.txt" "$nfirst" "$nlast" \
    >/dev/null 2>&1
measure pledge wrk -d"${DURATION}s" --latency -t2 -c64 \
    -s tests/bench/pledge.lua "http://127.0.0.1:$PORT" -- \
    "$T/tokens.txt" "$nfirst" "$nlast"
if grep -E "Non-2xx|Socket errors" "$T/pledge.out"; then
	echo "pledge: errors under load (see above)"
	exit 1
fi
pgargs=$(for f in "$T"/pledge[0-9]*.sql; do printf ' -f %s@1' "$f"; done)
pg_run pgpledge 64
pg_run pgpledge8 8

# One line per step: name, requests/s, p50, p99 (ms), requests.
for name in api html static pledge; do
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$T/$name.out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$T/$name.out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$T/$name.out")")
	n=$(awk '/requests in/ { print $1 }' "$T/$name.out")
	echo "$name $rps $p50 $p99 $n"
done > "$T/results"
for name in pgbench pgbench8 pgpledge pgpledge8; do
	rps=$(awk '/^tps = / { print $3; exit }' "$T/$name.out")
	cat "$T/$name.log"/tx* | awk '{ print $3 }' | sort -n > "$T/$name.lat"
	n=$(wc -l < "$T/$name.lat")
	p50=$(awk -v n="$n" 'NR == int(n * 0.50 + 0.5) {
	    printf "%.2f", $1 / 1000 }' "$T/$name.lat")
	p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.5) {
	    printf "%.2f", $1 / 1000 }' "$T/$name.lat")
	echo "$name $rps $p50 $p99 $n" >> "$T/results"
done

echo
echo "== results: 64 connections, 2 threads, ${DURATION} s each"
echo "(pgbench -c 8: 8 clients, as many database sessions as Kore's pool)"
printf '%-32s %10s %9s %9s %8s %8s %8s\n' "" "req/s" "p50 ms" "p99 ms" \
    "client" "kore" "pg+rest"
printf '%-32s %10s %9s %9s %8s %8s %8s\n' "" "" "" "" "us/req" "us/req" \
    "us/req"
while read -r name rps p50 p99 n; do
	case $name in
	api)	label="GET /api/v1/needs (mix)" ;;
	html)	label="GET /needs (mix, HTML)" ;;
	static)	label="GET /static/style.css" ;;
	pgbench) label="pgbench -c 64, same calls" ;;
	pgbench8) label="pgbench -c 8 (Kore's pool)" ;;
	pledge)	label="POST .../pledges (wrk)" ;;
	pgpledge) label="pgbench -c 64, api.pledge_create" ;;
	pgpledge8) label="pgbench -c 8, api.pledge_create" ;;
	esac
	# CPU per request: the load generator (from time), Kore's workers,
	# and the rest of the machine's busy time (PostgreSQL, the kernel).
	read -r busy kore cu cs < "$T/$name.cpu"
	awk -v l="$label" -v r="$rps" -v a="$p50" -v b="$p99" -v n="$n" \
	    -v busy="$busy" -v kore="$kore" -v cu="$cu" -v cs="$cs" -v hz="$HZ" \
	    'BEGIN {
		client = (cu + cs) * 1e6 / n;
		k = kore * 1e6 / hz / n;
		rest = busy * 1e6 / hz / n - client - k;
		printf "%-32s %10.0f %9s %9s %8.0f %8.0f %8.0f\n", l, r, a, b,
		    client, k, rest < 0 ? 0 : rest }'
done < "$T/results"
awk '{ r[$1] = $2 } END {
	printf "\napi / pgbench -c 64 = %.2f    api / pgbench -c 8 = %.2f\n",
	    r["api"] / r["pgbench"], r["api"] / r["pgbench8"];
	printf "api / static = %.3f    html / api = %.2f\n",
	    r["api"] / r["static"], r["html"] / r["api"];
	printf "pledges / pgbench -c 64 = %.2f    pledges / pgbench -c 8 = %.2f\n",
	    r["pledge"] / r["pgpledge"], r["pledge"] / r["pgpledge8"] }' "$T/results"

if grep -E "sandbox violation|\) gone|restarting worker" "$T/kore.log"; then
	echo "FAIL: a worker died (see above)"
	exit 1
fi
