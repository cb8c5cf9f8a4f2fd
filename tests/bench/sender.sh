#!/bin/sh
# The outbox's sender under load (issue 12), against a throwaway cluster
# with the demo data, one Kore node and a local SMTP server (smtp-server,
# tests/lib/mail.mjs, accepting everything, not parsing):
#
#   throughput  COUNT messages (2,000) queued at once, one build/shop-sender
#               draining them by SMTP: messages/s from the first claim to
#               the last one marked sent;
#   latency     a Kore worker's request latency (wrk, 2 threads, 16
#               connections, GET /api/v1/needs?per_page=20) for DURATION
#               seconds with the sender idle, then the same while it
#               drains a queue large enough to keep it busy throughout.
#
# Run: tests/bench/sender.sh (after make all and the test dependencies);
# make bench runs it too.  Everything it starts it stops by PID.  Not part
# of make test.  Environment: COUNT (2000), DURATION (10).
set -eu
cd "$(dirname "$0")/../.."
PGBIN=/usr/lib/postgresql/15/bin
COUNT=${COUNT:-2000}
DURATION=${DURATION:-10}

T=$(mktemp -d /tmp/shop-sbench.XXXXXX)
chmod 755 "$T"
free_port() {
	node -e "const s=require('net').createServer();
	  s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
PORT=$(free_port)
kpid=""
mpid=""
spid=""

cleanup() {
	status=$?
	trap - EXIT INT TERM
	for p in $spid $mpid $kpid; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	sql/cluster.sh wipe "$T" >/dev/null 2>&1 || true
	rm -rf "$T"
	exit "$status"
}
trap cleanup EXIT INT TERM

echo "== $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores"
FAST=1 sql/cluster.sh init "$T" >/dev/null
SOCK=$(sql/cluster.sh sock "$T")
OWNER_DB="host=$SOCK dbname=shop user=shop_owner"
APP_DB="host=$SOCK dbname=shop user=shop_app"
sql/migrate.sh "$OWNER_DB" 2>/dev/null
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$OWNER_DB" -f sql/demo/seed.sql \
    -f sql/demo/log_seed.sql -f sql/demo/programmes.sql -f sql/demo/offers.sql
psql_() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$OWNER_DB" "$@"; }

sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $PORT|" \
    -e "s|var/kore.pid|$T/kore.pid|" \
    -e "s|var/access.log|$T/access.log|" conf/kore.conf > "$T/kore.conf"
SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" SHOP_LOG_CHECKPOINT_SECONDS=60 \
    stdbuf -oL -eL kore -f -n -r -c "$T/kore.conf" >"$T/kore.log" 2>&1 &
kpid=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.1; done

# The SMTP server: prints its port, counts what it accepts.
node --input-type=module -e "
import { smtpServer } from './tests/lib/mail.mjs';
const s = await smtpServer({ parse: false });
console.log(s.port);
process.on('SIGTERM', async () => { await s.close(); process.exit(0); });
" >"$T/smtp.port" &
mpid=$!
until [ -s "$T/smtp.port" ]; do sleep 0.1; done
SMTP_PORT=$(cat "$T/smtp.port")

# queue N: N messages to the demo donors, pending now.
queue() {
	psql_ -c "insert into notifications (user_id, channel, kind, params)
	    select 1 + i % 8, 'email', 'pledge_made', jsonb_build_object(
	        'need_title', '冬季棉衣 ' || i, 'amount', '2 件',
	        'due_on', '2026-12-31', 'receipt_code', 'ABCD-EFGH',
	        'org_name', '坡头镇中心小学', 'path', '/me/pledges/' || i)
	      from generate_series(1, $1) i"
}
sender() {
	SHOP_DATABASE="$APP_DB" SHOP_VAR="$T" SHOP_PUBLIC_URL="http://127.0.0.1:$PORT" \
	    SHOP_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" SHOP_MAIL_FROM="noreply@shop.test" \
	    SHOP_SENDER_INTERVAL=1 build/shop-sender >>"$T/sender.log" 2>&1 &
	spid=$!
}
pending() { psql_ -c "select count(*) from notifications where status = 'pending'"; }
latency() {
	wrk -t2 -c16 -d"${DURATION}s" --latency \
	    "http://127.0.0.1:$PORT/api/v1/needs?per_page=20" |
	    awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
	        END { printf "%s req/s, p50 %s, p99 %s\n", rps, p50, p99 }'
}

echo "== throughput: $COUNT messages by SMTP (one sender)"
queue "$COUNT"
start=$(date +%s.%N)
sender
while [ "$(pending)" != 0 ]; do sleep 0.05; done
end=$(date +%s.%N)
kill -TERM "$spid"; wait "$spid" 2>/dev/null || true; spid=""
sent=$(psql_ -c "select count(*) from notifications where status = 'sent'")
echo "sent $sent of $COUNT in $(echo "$end - $start" | bc -l | cut -c1-5) s:" \
    "$(echo "$sent / ($end - $start)" | bc -l | cut -d. -f1) messages/s" \
    "(process start and connection included)"

echo "== latency of GET /api/v1/needs, sender idle"
latency
echo "== the same while the sender drains a queue"
queue $((COUNT * 10))
sender
latency
left=$(pending)
kill -TERM "$spid"; wait "$spid" 2>/dev/null || true; spid=""
echo "(the sender sent $((COUNT * 10 - left)) messages during the run)"
