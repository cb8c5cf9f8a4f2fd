#!/bin/sh
# make bench: the shelf and the pledge path under load, against a
# throwaway cluster holding the demo data (and its public log), grown
# through SIZES generated needs (sql/demo/large.sql: 1,000, 10,000,
# 100,000 and 1,000,000 needs, each with its events and log entries).
# Two Kore servers on the same database: one as configured (the
# microcache on), one with SHOP_PAGE_CACHE=0 ("uncached"); both load
# build/bench.so, a bare constant handler (/bench/bare), the ceiling.
#
# At every size (uncached server):
#   mixN     wrk  GET /api/v1/needs   the query mix of tests/bench/mix.mjs
#   searchN  wrk  the same, only its query strings with a word (q=)
#   firstN   wrk  GET /api/v1/needs   the first page, no filter
# At 100,000 needs, in addition:
#   minimal  pgbench -c 16 of the issue's minimal listing (the reference
#                of the shelf: what the data of a page cost)
#   api, html     the mix uncached, as API and as pages
#   pgbench, pgbench8   the API's statements of the mix, -c 64 and -c 8
#   static, bare  GET /static/style.css and the bare handler answering
#                 the same bytes
#   cshelf, cneed, chome   cached (anonymous): GET /needs with the mix,
#                 GET /needs/{id}, GET /
#   staff    the pages an admin, a town and the busiest school open,
#            each timed alone (tests/bench/staff_pages.mjs): the slowest
#            ten and how many took over 300 ms
#   pledge   wrk  POST /api/v1/needs/{id}/pledges: 1 unit to one of 40
#                 bench needs, as one of 16 donors signed in (Bearer)
#   pgpledge, pgpledge8   api.pledge_create through pgbench -M extended
#   pgfloor  the floor of a pledge: the need's update, the pledge's row
#            and its log entry alone (tests/bench/pledge_path.sh), -c 8
# Then a pledge on a generated need and logverify over the whole log,
# which must verify.
#
# wrk runs 2 threads and 64 connections.  It prints requests/s, p50 and
# p99 for each, and where the CPU went per request: the load generator,
# Kore's workers, PostgreSQL (the CPU of the backends serving the
# requests; for pgbench, whose backends exit before they can be read, in
# "rest" with the kernel), and
# the rest of the machine; then each target with its reference, measured
# in the same run (the machine's two cores are shared with whatever else
# runs: figures are noisy, ratios less so).  Everything it starts it
# stops by PID.  Not part of make test.
#
# Environment: DURATION (seconds measured per step, 8), WARMUP (2),
# SIZES ("1000 10000 100000 1000000"), SIZE_DURATION (5), MAIN_SIZE
# (100000: the size at which everything else is measured), PLEDGE_ONLY
# (1: only the pledge path's four steps, at MAIN_SIZE).
set -eu
cd "$(dirname "$0")/../.."
PGBIN=/usr/lib/postgresql/15/bin
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
SIZE_DURATION=${SIZE_DURATION:-5}
SIZES=${SIZES:-1000 10000 100000 1000000}
MAIN_SIZE=${MAIN_SIZE:-100000}
PLEDGE_ONLY=${PLEDGE_ONLY:-0}
HZ=$(getconf CLK_TCK)

T=$(mktemp -d /tmp/shop-bench.XXXXXX)
chmod 755 "$T"
free_port() {
	node -e "const s=require('net').createServer();
	  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
PORT=$(free_port)
PORT0=$(free_port)
MPORT=$(free_port)
kpids=""

# stop_kore PID: TERM, then after 10 s KILL it and its workers (Kore 4.1
# can hang on exit after a worker died: its access log lock).
stop_kore() {
	kill -0 "$1" 2>/dev/null || return 0
	kids=$(ps -o pid= --ppid "$1" | tr -s ' \n' ' ')
	kill -TERM "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		# shellcheck disable=SC2086
		kill -KILL "$1" $kids 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

cleanup() {
	status=$?
	trap - EXIT INT TERM
	for p in $kpids; do
		stop_kore "$p"
	done
	sql/cluster.sh wipe "$T" >/dev/null 2>&1 || true
	if [ "$status" != 0 ]; then
		for f in "$T"/kore*.log; do
			[ -f "$f" ] || continue
			echo "--- last lines of $f ---"
			tail -n 20 "$f"
		done
	fi
	rm -rf "$T"
	exit "$status"
}
trap cleanup EXIT INT TERM

echo "== $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores" \
    "($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load$(uptime |
    sed 's/.*load average//')"

echo "== database: throwaway cluster, demo data and its log"
FAST=1 sql/cluster.sh init "$T"
SOCK=$(sql/cluster.sh sock "$T")
OWNER_DB="host=$SOCK dbname=shop user=shop_owner"
APP_DB="host=$SOCK dbname=shop user=shop_app"
sql/migrate.sh "$OWNER_DB"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$OWNER_DB" -f sql/demo/seed.sql \
    -f sql/demo/log_seed.sql
postmaster=$(head -1 "$(dirname "$SOCK")/data/postmaster.pid")
. tests/bench/pledge_path.sh

# start_node PORT NAME [ENV...]: a Kore node with the bench's handler;
# the first also with its /metrics on MPORT (as tests/run.sh does).
start_node() {
	port=$1
	name=$2
	shift 2
	sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $port|" \
	    -e "s|var/kore.pid|$T/$name.pid|" \
	    -e "s|var/access.log|$T/$name-access.log|" \
	    -e "s|^load\(\s*\)./build/shop.so|load\1./build/shop.so\nload\1./build/bench.so|" \
	    -e "s|^\(\s*\)route\(\s*\)/healthz\(\s*\)health|&\n\1route\2/bench/bare\3bench_bare|" \
	    conf/kore.conf > "$T/$name.conf"
	if [ "$port" = "$PORT" ]; then
		printf 'server metrics {\n\tbind 127.0.0.1 %s\n\ttls no\n}\n%s\n' \
		    "$MPORT" 'domain * {
	attach metrics
	route /metrics metrics
	route ^/.*$ not_found
}' >> "$T/$name.conf"
	fi
	env SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" "$@" stdbuf -oL -eL \
	    kore -f -n -r -c "$T/$name.conf" >"$T/$name.log" 2>&1 &
	started=$!
	kpids="$kpids $started"
	i=0
	until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$started" 2>/dev/null; then
			echo "the server $name did not start"
			exit 1
		fi
		sleep 0.1
	done
}
start_node "$PORT" kore
kpid=$started
start_node "$PORT0" kore0 SHOP_PAGE_CACHE=0
kpid0=$started
workers=$(ps -o pid= --ppid "$kpid" | tr -s ' \n' ' ')
workers0=$(ps -o pid= --ppid "$kpid0" | tr -s ' \n' ' ')
echo "== servers: kore on 127.0.0.1:$PORT (cached), 127.0.0.1:$PORT0" \
    "(SHOP_PAGE_CACHE=0)"
if [ "$(curl -s "http://127.0.0.1:$PORT/bench/bare" | sha256sum)" != \
    "$(curl -s "http://127.0.0.1:$PORT/static/style.css" | sha256sum)" ]; then
	echo "the bare handler does not answer what the static route does"
	exit 1
fi

node tests/bench/mix.mjs "$T/mix"
grep 'q=' "$T/mix/paths.txt" > "$T/mix/search.txt"

# Busy CPU ticks of the machine; user+system ticks of processes (Kore's
# workers; PostgreSQL: the backends of shop_app, i.e. of the requests,
# not autovacuum nor the writers).
cpu_busy() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
cpu_of() {
	t=0
	for p in "$@"; do
		if [ -r "/proc/$p/stat" ]; then
			t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" \
			    2>/dev/null || echo 0)))
		fi
	done
	echo "$t"
}
cpu_kore() {
	# shellcheck disable=SC2086
	cpu_of $workers $workers0
}
# "pid ticks" of each backend serving shop_app, into file $1.
cpu_pg_snap() {
	for p in $(ps -o pid=,args= --ppid "$postmaster" |
	    awk '/postgres: shop_app / { print $1 }'); do
		awk -v p="$p" '{ print p, $14 + $15 }' "/proc/$p/stat" \
		    2>/dev/null || true
	done > "$1"
}
# The ticks the backends of snapshot $2 spent since snapshot $1, each
# against its own earlier figure (0 if it is new): a backend that ends
# during a step takes its ticks with it (they count in "rest"), instead
# of making the sum go down (a pool closing connections gave negative
# figures, and a growth ratio "met" on one).
cpu_pg_delta() {
	awk 'NR == FNR { t[$1] = $2; next }
	    { d += $2 - ($1 in t ? t[$1] : 0) } END { print d + 0 }' "$1" "$2"
}
# The CPU of the postmaster's children that exited (pgbench's backends,
# reaped by the postmaster: its cutime and cstime).
cpu_reaped() {
	awk '{ print $16 + $17 }' "/proc/$postmaster/stat"
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
# ("busy kore pg client" in ticks; client in seconds from time).
measure() {
	name=$1
	shift
	b0=$(cpu_busy)
	k0=$(cpu_kore)
	cpu_pg_snap "$T/$name.pg0"
	r0=$(cpu_reaped)
	/usr/bin/time -f '%U %S' -o "$T/$name.time" "$@" >"$T/$name.out" 2>&1
	b1=$(cpu_busy)
	k1=$(cpu_kore)
	cpu_pg_snap "$T/$name.pg1"
	r1=$(cpu_reaped)
	echo "$((b1 - b0)) $((k1 - k0))" \
	    "$(cpu_pg_delta "$T/$name.pg0" "$T/$name.pg1")" \
	    "$(cat "$T/$name.time") $((r1 - r0))" > "$T/$name.cpu"
}

# The cached node's microcache so far: "hits fetches waits" (src/obs.c).
cache_counts() {
	curl -fs "http://127.0.0.1:$MPORT/metrics" | awk '
	    /^shop_page_cache_total\{result="hit"\}/ { h = $2 }
	    /^shop_page_cache_total\{result="fetch"\}/ { f = $2 }
	    /^shop_page_cache_total\{result="wait"\}/ { w = $2 }
	    END { print h + 0, f + 0, w + 0 }'
}

# wrk_run NAME SECONDS PORT PATH [PATHS-FILE]: wrk on PATH, or with PATH
# as the prefix of each query string of the file (mix.lua).  Until
# 2026-12-07 the file was read from $5 after "set --" had replaced the
# arguments: every step with a file measured PATH alone (the mix, its
# searches, the pages against the API and the cached shelf were all the
# unfiltered first page).  mix.lua now says how many query strings it
# drew from; a step with a file that does not say so fails.
wrk_run() {
	name=$1
	secs=$2
	port=$3
	path=$4
	paths=${5:-}
	if [ -n "$paths" ]; then
		set -- -t2 -c64 -s tests/bench/mix.lua "http://127.0.0.1:$port" \
		    -- "$paths" "$path"
	else
		set -- -t2 -c64 "http://127.0.0.1:$port$path"
	fi
	wrk -d"${WARMUP}s" "$@" >/dev/null 2>&1
	[ "$port" != "$PORT" ] || cache_counts > "$T/$name.mc0"
	measure "$name" wrk -d"${secs}s" --latency "$@"
	[ "$port" != "$PORT" ] || cache_counts > "$T/$name.mc1"
	# A wrong answer or a broken connection stops the bench; requests
	# slower than wrk's 2 s are a figure (the searches at a million
	# needs), said and kept with the step's.
	if grep -E "Non-2xx|Socket errors: connect [1-9]|read [1-9]|write [1-9]" \
	    "$T/$name.out"; then
		echo "$name: errors under load (see above)"
		exit 1
	fi
	slow=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' "$T/$name.out")
	if [ -n "$slow" ] && [ "$slow" -gt 0 ]; then
		echo "   $name: $slow requests took over 2 s (wrk gave up on them)"
	fi
	if [ -n "$paths" ] && ! grep -q "^mix: $(wc -l < "$paths") query strings" \
	    "$T/$name.out"; then
		echo "$name: wrk did not draw from $paths"
		exit 1
	fi
	echo "$name wrk" >> "$T/steps"
}

# pg_run NAME CLIENTS ARGS: pgbench, latencies logged per call.
pg_run() {
	name=$1
	clients=$2
	shift 2
	pgbench -n -M extended -c "$clients" -j 2 -T "$WARMUP" "$@" "$APP_DB" \
	    >/dev/null 2>&1
	mkdir "$T/$name.log"
	measure "$name" pgbench -n -M extended -c "$clients" -j 2 \
	    -T "$DURATION" -l --log-prefix="$T/$name.log/tx" "$@" "$APP_DB"
	if ! grep -q "number of failed transactions: 0 " "$T/$name.out"; then
		grep -E "failed|error" "$T/$name.out" | head -5
		echo "$name: failed transactions"
		exit 1
	fi
	echo "$name pgbench" >> "$T/steps"
}

# Every query string of the mix answers 200 (both servers, both paths).
check_mix() {
	while IFS= read -r qs; do
		for port in "$PORT" "$PORT0"; do
			for path in /api/v1/needs /needs; do
				code=$(curl -s -o /dev/null -w '%{http_code}' \
				    "http://127.0.0.1:$port$path$qs")
				if [ "$code" != 200 ]; then
					echo "GET $path$qs answered $code"
					exit 1
				fi
			done
		done
	done < "$T/mix/paths.txt"
}

# The pages staff open (issue 19: every list within 300 ms at this
# scale): signed in as the admin, a town and the school with the most
# pledges (sessions made here, as for the pledge path below), each page
# timed alone by tests/bench/staff_pages.mjs against the uncached node.
staff_pages() {
	mint_sessions "select id from users
	    where email in ('admin@example.com', 'wangwu@example.com',
	        (select 'org' || n.org_id || '@example.com'
	           from pledges p join needs n on n.id = p.need_id
	           join users u on u.email = 'org' || n.org_id || '@example.com'
	          group by n.org_id order by count(*) desc limit 1))" \
	    > "$T/staff.sessions"
	BASE_URL="http://127.0.0.1:$PORT0" OWNER_DB="$OWNER_DB" \
	    SESSIONS="$T/staff.sessions" node tests/bench/staff_pages.mjs \
	    > "$T/staff.out"
	sed 's/^/   /' "$T/staff.out"
}

: > "$T/steps"
: > "$T/sizes"
for size in $SIZES; do
	echo "== $size needs"
	start=$(date +%s)
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -v total="$size" "$OWNER_DB" \
	    -f sql/demo/large.sql > "$T/large.out"
	echo "   large.sql: $(tail -3 "$T/large.out" | head -1 | tr -s ' ')" \
	    "in $(($(date +%s) - start)) s"
	if [ "$PLEDGE_ONLY" = 1 ]; then
		[ "$size" = "$MAIN_SIZE" ] || continue
	else
		check_mix
		wrk_run "mix$size" "$SIZE_DURATION" "$PORT0" /api/v1/needs \
		    "$T/mix/paths.txt"
		wrk_run "search$size" "$SIZE_DURATION" "$PORT0" /api/v1/needs \
		    "$T/mix/search.txt"
		wrk_run "first$size" "$SIZE_DURATION" "$PORT0" /api/v1/needs
		echo "$size" >> "$T/sizes"
	fi
	[ "$size" = "$MAIN_SIZE" ] || continue

	echo "== measuring at $size needs, ${DURATION} s each after" \
	    "${WARMUP} s of warm-up"
	if [ "$PLEDGE_ONLY" != 1 ]; then
		cat > "$T/minimal.sql" <<'SQL'
select json_agg(t) from (select id, title, kind, category, town_id, quantity,
    pledged from needs where status = 'open'
    order by urgency desc, deadline, id limit 20) t;
SQL
		pg_run minimal 16 -f "$T/minimal.sql"
		wrk_run api "$DURATION" "$PORT0" /api/v1/needs "$T/mix/paths.txt"
		wrk_run html "$DURATION" "$PORT0" /needs "$T/mix/paths.txt"
		# shellcheck disable=SC2046
		pg_run pgbench 64 $(cat "$T/mix/pg.args")
		# shellcheck disable=SC2046
		pg_run pgbench8 8 $(cat "$T/mix/pg.args")
		wrk_run static "$DURATION" "$PORT" /static/style.css
		wrk_run bare "$DURATION" "$PORT" /bench/bare
		need=$("$PGBIN/psql" -X -At "$OWNER_DB" -c "select min(id) from needs
		    where status = 'open' and id > (select count(*) / 2 from needs)")
		wrk_run cshelf "$DURATION" "$PORT" /needs "$T/mix/paths.txt"
		wrk_run cneed "$DURATION" "$PORT" "/needs/$need"
		wrk_run chome "$DURATION" "$PORT" /
		staff_pages
	fi

	# The pledge path (tests/bench/pledge_path.sh).
	pledge_path
	read -r nfirst nlast < "$T/range"
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
	echo "pledge wrk" >> "$T/steps"
	# shellcheck disable=SC2046
	pg_run pgpledge 64 $(for f in "$T"/pledge[0-9]*.sql; do
		printf ' -f %s@1' "$f"; done)
	# shellcheck disable=SC2046
	pg_run pgpledge8 8 $(for f in "$T"/pledge[0-9]*.sql; do
		printf ' -f %s@1' "$f"; done)
	pg_run pgfloor 8 -f "$T/floor.sql"
done

# One line per step: name, requests/s, p50, p99 (ms), requests.
: > "$T/results"
while read -r name tool; do
	if [ "$tool" = wrk ]; then
		rps=$(awk '/^Requests\/sec:/ { print $2 }' "$T/$name.out")
		p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$T/$name.out")")
		p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$T/$name.out")")
		n=$(awk '/requests in/ { print $1 }' "$T/$name.out")
	else
		rps=$(awk '/^tps = / { print $3; exit }' "$T/$name.out")
		cat "$T/$name.log"/tx* | awk '{ print $3 }' | sort -n \
		    > "$T/$name.lat"
		n=$(wc -l < "$T/$name.lat")
		p50=$(awk -v n="$n" 'NR == int(n * 0.50 + 0.5) {
		    printf "%.2f", $1 / 1000 }' "$T/$name.lat")
		p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.5) {
		    printf "%.2f", $1 / 1000 }' "$T/$name.lat")
	fi
	echo "$name $tool $rps $p50 $p99 $n" >> "$T/results"
done < "$T/steps"

label() {
	case $1 in
	mix*)		echo "GET /api/v1/needs mix, ${1#mix} needs" ;;
	search*)	echo "  the mix's searches, ${1#search}" ;;
	first*)		echo "  first page, ${1#first}" ;;
	minimal)	echo "pgbench -c 16, minimal listing" ;;
	api)		echo "GET /api/v1/needs (mix)" ;;
	html)		echo "GET /needs (mix, HTML)" ;;
	pgbench)	echo "pgbench -c 64, the API's calls" ;;
	pgbench8)	echo "pgbench -c 8 (Kore's pool)" ;;
	static)		echo "GET /static/style.css" ;;
	bare)		echo "GET /bench/bare (same bytes)" ;;
	cshelf)		echo "cached GET /needs (mix)" ;;
	cneed)		echo "cached GET /needs/{id}" ;;
	chome)		echo "cached GET /" ;;
	pledge)		echo "POST .../pledges (wrk)" ;;
	pgpledge)	echo "pgbench -c 64, api.pledge_create" ;;
	pgpledge8)	echo "pgbench -c 8, api.pledge_create" ;;
	pgfloor)	echo "pgbench -c 8, a pledge's 3 rows alone" ;;
	*)		echo "$1" ;;
	esac
}

echo
echo "== results: 64 connections (pgbench: as said), 2 threads;" \
    "uncached = SHOP_PAGE_CACHE=0"
printf '%-36s %9s %8s %8s %7s %7s %7s %7s\n' "" "req/s" "p50 ms" "p99 ms" \
    "client" "kore" "pg" "rest"
printf '%-36s %9s %8s %8s %7s %7s %7s %7s\n' "" "" "" "" "us/req" "us/req" \
    "us/req" "us/req"
while read -r name tool rps p50 p99 n; do
	read -r busy kore pg cu cs reaped < "$T/$name.cpu"
	# A sum that went down is a measurement lost, never a figure (a
	# worker that ended during the step: its ticks left the sum).
	if [ "$kore" -lt 0 ] || [ "$pg" -lt 0 ]; then
		echo "$name: CPU went down during the step (kore $kore," \
		    "PostgreSQL $pg ticks): not a figure"
		exit 1
	fi
	# pgbench's backends exit before their CPU can be read: the
	# postmaster's reaped children's time is theirs (and any other
	# process that exited meanwhile, an autovacuum worker's).
	[ "$tool" = wrk ] || pg=$reaped
	awk -v l="$(label "$name")" -v r="$rps" -v a="$p50" -v b="$p99" \
	    -v n="$n" -v busy="$busy" -v kore="$kore" -v pg="$pg" -v cu="$cu" \
	    -v cs="$cs" -v hz="$HZ" 'BEGIN {
		client = (cu + cs) * 1e6 / n;
		k = kore * 1e6 / hz / n;
		p = pg * 1e6 / hz / n;
		rest = busy * 1e6 / hz / n - client - k - p;
		printf "%-36s %9.0f %8s %8s %7.0f %7.0f %7.0f %7.0f\n", l, r,
		    a, b, client, k, p, rest < 0 ? 0 : rest }'
done < "$T/results"

# What the microcache did in the cached steps: the readers who asked the
# database for the others (a fetch each key, worker and second, ahead of
# its end) and those who slept for such an answer.  Fetching readers wait
# for a query; from about 0.5% of the answers they set the p99
# (docs/benchmarks.md, run O).
if [ -f "$T/cshelf.mc1" ]; then
	echo
	echo "== the microcache in the cached steps (its counters in /metrics)"
	printf '%-36s %9s %9s %7s %9s %7s\n' "" "answers" "fetched" "" \
	    "waited" ""
	for name in cshelf cneed chome; do
		read -r h0 f0 w0 < "$T/$name.mc0"
		read -r h1 f1 w1 < "$T/$name.mc1"
		awk -v l="$(label "$name")" -v h=$((h1 - h0)) -v f=$((f1 - f0)) \
		    -v w=$((w1 - w0)) 'BEGIN {
			a = h + f;
			printf "%-36s %9d %9d %6.2f%% %9d %6.2f%%\n", l, a, f,
			    a ? 100 * f / a : 0, w, a ? 100 * w / a : 0 }'
	done
fi

# The targets of issue 15, each with the reference it is measured
# against in this run.
echo
echo "== targets (issue 15), ratios of this run"
awk -v main="$MAIN_SIZE" -v sizes="$(tr '\n' ' ' < "$T/sizes")" -v hz="$HZ" -v dir="$T" '
function cpu(name,   f, busy, kore, pg, line) {
	f = dir "/" name ".cpu";
	getline line < f; close(f);
	split(line, c, " ");
	return c[3] * 1e6 / hz / n[name];
}
function reaped(name,   f, line) {
	f = dir "/" name ".cpu";
	getline line < f; close(f);
	split(line, c, " ");
	return c[6] * 1e6 / hz / n[name];
}
function row(what, v, ref, target, ok) {
	printf "%-46s %9s   %-28s %s\n", what, v, ref,
	    ok ? "met" : "NOT met";
}
{ r[$1] = $3; p99[$1] = $5; n[$1] = $6 }
END {
	m = r["minimal"];
	if (m > 0) {
		row("first page uncached / minimal listing",
		    sprintf("%.2f", r["first" main] / m),
		    sprintf("(%d / %d)", r["first" main], m),
		    ">= 0.5", r["first" main] / m >= 0.5);
		row("query mix uncached / minimal listing",
		    sprintf("%.3f", r["api"] / m),
		    sprintf("(%d / %d)", r["api"], m),
		    "", r["api"] / m >= 3 * 0.062);
		printf "%-46s %9s\n", "  target: 3 x the issue'"'"'s 1,226 / 19,766",
		    ">= 0.186";
		# The branch point ratio, 0.25, measured by this bench before
		# a67cb68, was of its first page: no mix figure of it exists.
	}
	s = r["static"];
	if (s > 0) {
		split("cshelf cneed chome", c, " ");
		for (i = 1; i <= 3; i++)
			row(sprintf("%s / static (p99 %s ms, <= 20)", c[i],
			    p99[c[i]]), sprintf("%.2f", r[c[i]] / s),
			    sprintf("(%d / %d)", r[c[i]], s), ">= 0.6",
			    r[c[i]] / s >= 0.6 && p99[c[i]] <= 20);
		row("static / bare handler",
		    sprintf("%.2f", s / r["bare"]),
		    sprintf("(%d / %d)", s, r["bare"]), ">= 0.6",
		    s / r["bare"] >= 0.6);
		row("GET /needs / GET /api/v1/needs (mix)",
		    sprintf("%.2f", r["html"] / r["api"]),
		    sprintf("(%d / %d)", r["html"], r["api"]), ">= 0.8",
		    r["html"] / r["api"] >= 0.8);
	}
	if (r["pledge"] > 0) {
		pc = cpu("pledge");
		row("PostgreSQL CPU per pledge (us, <= 800)",
		    sprintf("%.0f", pc), "", "", pc <= 800);
		pc = reaped("pgpledge8");
		row("  the same, pgbench -c 8 (us, <= 800)",
		    sprintf("%.0f", pc), "", "", pc <= 800);
		fc = reaped("pgfloor");
		row("  its floor: 3 rows alone, -c 8 (us, <= 800)",
		    sprintf("%.0f", fc), sprintf("(the pledge: %.1f x)",
		    pc / fc), "", fc <= 800);
		row("POST pledges / 2 x 763 (the issue'"'"'s)",
		    sprintf("%.2f", r["pledge"] / 1526),
		    sprintf("(%d / 1526)", r["pledge"]), ">= 1",
		    r["pledge"] >= 1526);
		row("POST pledges / pgbench -c 8",
		    sprintf("%.2f", r["pledge"] / r["pgpledge8"]),
		    sprintf("(%d / %d)", r["pledge"], r["pgpledge8"]), "", 1);
	}
	ns = split(sizes, sz, " ");
	if (ns >= 2) {
		lo = sz[1]; hi = sz[ns];
		split("mix search first", k, " ");
		for (i = 1; i <= 3; i++) {
			a = cpu(k[i] lo); b = cpu(k[i] hi);
			row(sprintf("%s: PostgreSQL us/req at %d / at %d", k[i],
			    hi, lo), sprintf("%.2f", b / a),
			    sprintf("(%.0f / %.0f us)", b, a), "<= 1.2",
			    b / a <= 1.2);
		}
	}
}' "$T/results"

# A pledge on a generated need, then logverify over the whole log.
echo
echo "== a pledge on a generated need, then logverify"
gen=$("$PGBIN/psql" -X -At "$OWNER_DB" -c "select max(id) from needs
    where status = 'open' and title not like '压测图书 %'")
tok=$(head -1 "$T/tokens.txt" 2>/dev/null || true)
if [ -n "$tok" ]; then
	code=$(curl -s -o "$T/pledge1.json" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	    -d '{"quantity":1}' "http://127.0.0.1:$PORT/api/v1/needs/$gen/pledges")
	echo "   POST /api/v1/needs/$gen/pledges: $code"
	[ "$code" = 201 ] || { cat "$T/pledge1.json"; exit 1; }
fi
start=$(date +%s)
if ! build/logverify -q "http://127.0.0.1:$PORT" > "$T/logverify.out" 2>&1; then
	cat "$T/logverify.out"
	echo "FAIL: logverify"
	exit 1
fi
echo "   logverify: the log of $("$PGBIN/psql" -X -At "$OWNER_DB" -c \
    'select size from log_head') entries verifies ($(($(date +%s) - start)) s)"

if grep -E "sandbox violation|\) gone|restarting worker" "$T"/kore*.log; then
	echo "FAIL: a worker died (see above)"
	exit 1
fi
