#!/bin/sh
# Serves the platform in the foreground (make run), with the outbox's
# sender beside it (build/shop-sender: with no SHOP_SMTP_URL it writes
# each message as $VAR/mail/outbox-<id>.eml).  Ctrl-C stops both, then
# the private database this checkout started.
set -eu
VAR=${VAR:-var}
PORT=${PORT:-8888}
mkdir -p "$VAR"
conf="$VAR/kore.conf"
# The checked-in configuration, with this run's port and paths.
sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $PORT|" \
    -e "s|var/kore.pid|$VAR/kore.pid|" \
    -e "s|var/access.log|$VAR/access.log|" conf/kore.conf > "$conf"

stop() {
	trap - INT TERM EXIT
	for p in ${spid:-} ${kpid:-}; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -f "$VAR/sender.pid"
	rm -f "$VAR/kore.pid"
	if [ "${PRIVATE_DB:-yes}" = yes ]; then
		sql/cluster.sh stop "$VAR" && echo "database stopped"
	fi
}
trap stop INT TERM EXIT

echo "serving on http://127.0.0.1:$PORT (Ctrl-C stops it)"
SHOP_DATABASE="$SHOP_DATABASE" SHOP_VAR="$VAR" \
    SHOP_PUBLIC_URL="${SHOP_PUBLIC_URL:-http://127.0.0.1:$PORT}" \
    build/shop-sender &
spid=$!
echo "$spid" > "$VAR/sender.pid"
SHOP_DATABASE="$SHOP_DATABASE" SHOP_VAR="$VAR" \
    SHOP_PUBLIC_URL="${SHOP_PUBLIC_URL:-http://127.0.0.1:$PORT}" \
    stdbuf -oL -eL kore -f -n -r -c "$conf" &
kpid=$!
wait "$kpid"
