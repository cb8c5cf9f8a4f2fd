#!/bin/sh
# The production shape on one machine, on loopback (make cluster):
#
#   https://127.0.0.1:8443 ── nginx (TLS, HTTP/2, static files, microcache)
#        ├── Kore node 1 (127.0.0.1:8891, /metrics on 127.0.0.1:9891)
#        └── Kore node 2 (127.0.0.1:8892, /metrics on 127.0.0.1:9892)
#                 └── PgBouncer (127.0.0.1:6432, transaction pooling)
#                       ├── shop         → PostgreSQL primary
#                       └── shop_replica → PostgreSQL streaming replica
#   WAL archive and backups: pgBackRest, repository under the cluster
#
# Every program is Debian's and every configuration file is conf/'s own
# (nginx.conf, pgbouncer.ini, postgresql.conf, pgbackrest.conf,
# kore.production.conf), with only ports and paths changed.  Everything
# lives under var/cluster/ (CLUSTER_DIR), and is stopped by PID.
#
#   conf/cluster.sh up                  start (creating what is missing)
#   conf/cluster.sh down                stop everything
#   conf/cluster.sh status              what runs
#   conf/cluster.sh backup              a pgBackRest backup and the keys
#   conf/cluster.sh restore TIME        the primary as it was at TIME,
#                                       a new replica, the keys
# and for the fault tests (tests/cluster/):
#   node-start N | node-kill N | node-stop N
#   pgbouncer-start | pgbouncer-stop | pgbouncer-point PRIMARY REPLICA
#   replica-start | replica-stop | primary-start | primary-crash
#   failover                            promote the replica, repoint
#   psql ROLE [DB] [ARGS...]            psql as shop_owner, postgres...
#
# As root, PostgreSQL and PgBouncer run as the "postgres" user and nginx
# as "www-data" (Kore stays root with -r, like make run); when those users
# cannot reach the checkout, the cluster lives in
# /var/tmp/shop-cluster-<hash> and var/cluster is a link to it.
#
# Ports (environment): HTTPS_PORT (8443), HTTP_PORT (8480, redirects),
# NODE1_PORT (8891), NODE2_PORT (8892), METRICS1_PORT (9891),
# METRICS2_PORT (9892), PGB_PORT (6432); CHECKPOINT_SECONDS (60): the
# nodes' job and checkpoint period.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PSQL="$PGBIN/psql"
DIR=${CLUSTER_DIR:-var/cluster}
cmd=${1:-}
[ $# -gt 0 ] && shift

if [ "$(id -u)" = 0 ]; then
	PG_USER=postgres
	WWW_USER=www-data
else
	PG_USER=$(id -un)
	WWW_USER=$(id -un)
fi

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

as_www() {
	if [ "$(id -u)" = 0 ]; then runuser -u www-data -- "$@"; else "$@"; fi
}

say() {
	echo "cluster: $*" >&2
}

die() {
	echo "cluster: $*" >&2
	exit 1
}

# --- where it lives ------------------------------------------------------

# R: the cluster's real directory (see the top).
locate() {
	if [ -L "$DIR" ] || [ -d "$DIR" ]; then
		R=$(readlink -f "$DIR")
		return 0
	fi
	R=""
}

make_root() {
	locate
	[ -z "$R" ] || return 0
	mkdir -p "$DIR"
	if [ "$(id -u)" = 0 ] && ! { runuser -u postgres -- test -x "$DIR" &&
	    runuser -u www-data -- test -x "$DIR"; }; then
		rmdir "$DIR"
		h=$(printf '%s' "$(realpath -m "$DIR")" | sha256sum | cut -c1-12)
		R="/var/tmp/shop-cluster-$h"
		rm -rf "$R"
		mkdir -p "$R"
		ln -sfn "$R" "$DIR"
	fi
	chmod 755 "$DIR"
	R=$(readlink -f "$DIR")
}

# The ports and paths of this cluster, kept in $R/env on its first start
# (later commands use them whatever the environment says).
load_env() {
	locate
	[ -n "$R" ] || die "no cluster in $DIR (make cluster)"
	[ -f "$R/env" ] || die "$R/env missing"
	. "$R/env"
}

write_env() {
	cat >"$R/env" <<ENV
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8480}
NODE1_PORT=${NODE1_PORT:-8891}
NODE2_PORT=${NODE2_PORT:-8892}
METRICS1_PORT=${METRICS1_PORT:-9891}
METRICS2_PORT=${METRICS2_PORT:-9892}
PGB_PORT=${PGB_PORT:-6432}
CHECKPOINT_SECONDS=${CHECKPOINT_SECONDS:-60}
ENV
}

# Where each PostgreSQL cluster keeps its data and socket.
primary_data() { echo "$R/primary/pg/data"; }
primary_sock() { echo "$R/primary/pg/run"; }
replica_data() { echo "$R/replica/pg/data"; }
replica_sock() { echo "$R/replica/pg/run"; }
pgb_sock() { echo "$R/pgbouncer"; }

owner_db() { echo "host=$(pgb_sock) port=$PGB_PORT dbname=shop user=shop_owner"; }

# --- TLS: a local CA and the server's certificate -------------------------

make_tls() {
	t="$R/tls"
	[ -f "$t/server.pem" ] && return 0
	say "making a local CA and a certificate for 127.0.0.1 and localhost"
	mkdir -p "$t"
	chmod 755 "$t"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$t/ca.key" -out "$t/ca.pem" -days 3650 \
	    -subj "/O=shop cluster/CN=shop cluster local CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$t/server.key" -out "$t/server.csr" \
	    -subj "/O=shop cluster/CN=localhost" 2>/dev/null
	cat >"$t/server.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" \
	    -CAkey "$t/ca.key" -CAcreateserial -out "$t/server.pem" \
	    -days 397 -extfile "$t/server.ext" 2>/dev/null
	cat "$t/server.pem" "$t/ca.pem" >"$t/fullchain.pem"
	chmod 600 "$t/ca.key" "$t/server.key"
	chown "$WWW_USER" "$t/server.key"
	rm -f "$t/server.csr"
}

# --- keys: the log's signing key and the data key, shared by the nodes ----

make_keys() {
	k="$R/keys"
	mkdir -p "$k"
	chmod 700 "$k"
	if [ ! -f "$k/log_ed25519.pem" ]; then
		(umask 077 && openssl genpkey -algorithm ed25519 \
		    -out "$k/log_ed25519.pem")
	fi
	# The data key is made by shop-admin when it seals the demo
	# children's private parts (make_demo).
}

# --- PostgreSQL -----------------------------------------------------------

# conf/postgresql.conf with this cluster's pgBackRest configuration and
# the data directory it archives from.
pg_conf() {
	sed -e "s|/etc/pgbackrest/pgbackrest.conf|$R/pgbackrest/pgbackrest.conf|" \
	    -e "s|--stanza=shop archive-push|--stanza=shop --pg1-path=$1 archive-push|" \
	    conf/postgresql.conf
}

make_pgbackrest() {
	b="$R/pgbackrest"
	mkdir -p "$b/repo" "$b/log" "$b/lock" "$b/spool"
	sed -e "s|^repo1-path=.*|repo1-path=$b/repo|" \
	    -e "s|^log-path=.*|log-path=$b/log|" \
	    -e "s|^lock-path=.*|lock-path=$b/lock|" \
	    -e "s|^spool-path=.*|spool-path=$b/spool|" \
	    -e "s|^pg1-path=.*|pg1-path=$(primary_data)|" \
	    -e "s|^pg1-socket-path=.*|pg1-socket-path=$(primary_sock)|" \
	    conf/pgbackrest.conf >"$b/pgbackrest.conf"
	chown -R "$PG_USER" "$b"
	chmod 700 "$b/repo"
}

pgbackrest_() {
	as_pg pgbackrest --config="$R/pgbackrest/pgbackrest.conf" --stanza=shop \
	    "$@"
}

make_primary() {
	if [ -f "$(primary_data)/PG_VERSION" ]; then
		primary_start
		return 0
	fi
	say "PostgreSQL primary (initdb, migrations, demo data)"
	mkdir -p "$R/primary"
	chmod 755 "$R/primary"
	make_pgbackrest
	pg_conf "$(readlink -f "$R/primary")/pg/data" >"$R/primary.conf"
	PG_EXTRA_CONF="$R/primary.conf" sql/cluster.sh init "$R/primary"
	rm -f "$R/primary.conf"
	# The replica's slot, and rights for the monitoring user of
	# PgBouncer's stats (none in this cluster).
	"$PSQL" -X -q -h "$(primary_sock)" -U postgres -d postgres \
	    -c "select pg_create_physical_replication_slot('replica1')" \
	    >/dev/null
	pgbackrest_ stanza-create >/dev/null
}

make_demo() {
	odb="host=$(primary_sock) dbname=shop user=shop_owner"
	sql/migrate.sh "$odb"
	if [ -z "$("$PSQL" -X -At "$odb" -c 'select 1 from orgs limit 1')" ]; then
		"$PSQL" -X -q -v ON_ERROR_STOP=1 "$odb" -f sql/demo/seed.sql \
		    -f sql/demo/log_seed.sql -f sql/demo/programmes.sql \
		    -f sql/demo/offers.sql
		OWNER_DATABASE="$odb" build/shop-admin demo-passwords \
		    "$R/demo-accounts.txt" >/dev/null
		OWNER_DATABASE="$odb" SHOP_VAR="$R/keys" build/shop-admin \
		    demo-private >/dev/null
	fi
}

primary_start() {
	sql/cluster.sh start "$R/primary"
}

primary_stop() {
	[ -f "$(primary_data)/PG_VERSION" ] || return 0
	sql/cluster.sh stop "$R/primary"
}

# Crash: the postmaster and its processes killed, nothing flushed.
primary_crash() {
	as_pg "$PGBIN/pg_ctl" -D "$(primary_data)" -m immediate -w stop \
	    >/dev/null 2>&1 || true
}

# A new replica from the current primary (whichever data directory that
# is: $1), streaming from its slot.
make_replica() {
	src_sock=${1:-$(primary_sock)}
	[ -f "$(replica_data)/PG_VERSION" ] && { replica_start; return 0; }
	say "PostgreSQL streaming replica (pg_basebackup -R)"
	mkdir -p "$R/replica/pg"
	chmod 755 "$R/replica"
	chown "$PG_USER" "$R/replica/pg"
	chmod 700 "$R/replica/pg"
	as_pg mkdir -p "$(replica_sock)"
	"$PSQL" -X -q -h "$src_sock" -U postgres -d postgres -c "select
	    pg_create_physical_replication_slot('replica1') where not exists
	    (select 1 from pg_replication_slots where slot_name = 'replica1')" \
	    >/dev/null
	as_pg "$PGBIN/pg_basebackup" -h "$src_sock" -U postgres \
	    -D "$(replica_data)" -R -S replica1 -X stream -c fast
	# A standby follows its primary: no recovery target of a restore.
	as_pg sed -i '/^recovery_target/d' "$(replica_data)/postgresql.auto.conf"
	{
		echo "# The replica's own socket and archive (conf/cluster.sh)."
		echo "unix_socket_directories = '$(replica_sock)'"
		pg_conf "$(replica_data)" | grep '^archive_command'
	} | as_pg sh -c "cat >> '$(replica_data)/postgresql.conf'"
	replica_start
}

replica_start() {
	as_pg "$PGBIN/pg_ctl" -D "$(replica_data)" status >/dev/null 2>&1 &&
	    return 0
	as_pg "$PGBIN/pg_ctl" -D "$(replica_data)" -l "$R/replica/pg/server.log" \
	    -w -t 60 start >/dev/null || {
		tail -n 20 "$R/replica/pg/server.log" >&2
		exit 1
	}
}

replica_stop() {
	[ -f "$(replica_data)/PG_VERSION" ] || return 0
	if as_pg "$PGBIN/pg_ctl" -D "$(replica_data)" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$(replica_data)" -m fast -w stop \
		    >/dev/null
	fi
}

# --- PgBouncer -------------------------------------------------------------

# conf/pgbouncer.ini with this cluster's ports, paths and servers: $1 the
# primary's socket directory, $2 the replica's.
pgb_conf() {
	b="$R/pgbouncer"
	sed -e "s|^shop = host=[^ ]*|shop = host=$1|" \
	    -e "s|^shop_replica = host=[^ ]*|shop_replica = host=$2|" \
	    -e "s|^listen_port = .*|listen_port = $PGB_PORT|" \
	    -e "s|^unix_socket_dir = .*|unix_socket_dir = $b|" \
	    -e "s|^logfile = .*|logfile = $b/pgbouncer.log|" \
	    -e "s|^pidfile = .*|pidfile = $b/pgbouncer.pid|" \
	    -e "s|^auth_type = .*|auth_type = trust|" \
	    -e "s|^auth_file = .*|auth_file = $b/userlist.txt|" \
	    conf/pgbouncer.ini >"$b/pgbouncer.ini.new"
	chown "$PG_USER" "$b/pgbouncer.ini.new"
	mv "$b/pgbouncer.ini.new" "$b/pgbouncer.ini"
}

pgbouncer_start() {
	b="$R/pgbouncer"
	if [ -f "$b/pgbouncer.pid" ] && kill -0 "$(cat "$b/pgbouncer.pid")" \
	    2>/dev/null; then
		return 0
	fi
	if [ ! -f "$b/pgbouncer.ini" ]; then
		mkdir -p "$b"
		chown "$PG_USER" "$b"
		chmod 755 "$b"
		printf '"shop_app" ""\n"shop_owner" ""\n"postgres" ""\n' \
		    >"$b/userlist.txt"
		chown "$PG_USER" "$b/userlist.txt"
		pgb_conf "$(primary_sock)" "$(replica_sock)"
	fi
	as_pg pgbouncer -q -d "$b/pgbouncer.ini"
	wait_for "PgBouncer" sh -c "[ -S '$b/.s.PGSQL.$PGB_PORT' ]"
	# Started means answering on the nodes' address (a socket file alone
	# came up before the TCP listener answered); the replica's database
	# is asked once, when there is a replica yet, to open its link.
	wait_for "PgBouncer" "$PSQL" -X -At \
	    "host=127.0.0.1 port=$PGB_PORT dbname=shop user=shop_app" -c 'select 1'
	"$PSQL" -X -At "host=127.0.0.1 port=$PGB_PORT dbname=shop_replica \
	    user=shop_app connect_timeout=2" -c 'select 1' >/dev/null 2>&1 || true
}

# Stops it at once (its clients' connections drop): the fault test.
pgbouncer_stop() {
	stop_pidfile "$R/pgbouncer/pgbouncer.pid" TERM
}

# Points "shop" and "shop_replica" at other servers, then RELOAD: what a
# failover does.  Clients keep their connections to PgBouncer.
pgbouncer_point() {
	pgb_conf "$1" "$2"
	"$PSQL" -X -q -h "$(pgb_sock)" -p "$PGB_PORT" -U postgres pgbouncer \
	    -c "RELOAD" >/dev/null
}

# --- nginx -------------------------------------------------------------------

make_nginx() {
	n="$R/nginx"
	mkdir -p "$n/www/static" "$n/cache" "$n/tmp"
	# The hashed assets of this build, and nginx's own error answers, as
	# a deployment installs them.
	cp build/static/* "$n/www/static/"
	cp -r build/errors/_error "$n/www/"
	sed -e "s|^\(\s*server \)127.0.0.1:8888 |\1127.0.0.1:$NODE1_PORT |" \
	    -e "s|^\(\s*server \)127.0.0.1:8889 |\1127.0.0.1:$NODE2_PORT |" \
	    -e "s|/var/cache/nginx/shop|$n/cache|" \
	    -e "/listen \[::\]/d" \
	    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
	    -e "s|https://\$host\$request_uri|https://\$host:$HTTPS_PORT\$request_uri|" \
	    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
	    -e "s|/etc/letsencrypt/live/youth-shop.jiyuan.example/fullchain.pem|$R/tls/fullchain.pem|" \
	    -e "s|/etc/letsencrypt/live/youth-shop.jiyuan.example/privkey.pem|$R/tls/server.key|" \
	    -e "s|/etc/letsencrypt/live/youth-shop.jiyuan.example/chain.pem|$R/tls/ca.pem|" \
	    -e "s|/var/log/nginx/shop.access.jsonl|$n/access.jsonl|" \
	    -e "s|root /usr/share/shop;|root $n/www;|" \
	    conf/nginx.conf >"$n/shop.conf"
	cat >"$n/nginx.conf" <<NGINX
# make cluster's nginx: Debian's nginx.conf reduced to what runs here,
# around conf/nginx.conf (shop.conf).
worker_processes 1;
pid $n/nginx.pid;
error_log $n/error.log warn;
events {
	worker_connections 1024;
}
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	server_tokens off;
	client_body_temp_path $n/tmp/body;
	proxy_temp_path $n/tmp/proxy;
	fastcgi_temp_path $n/tmp/fastcgi;
	uwsgi_temp_path $n/tmp/uwsgi;
	scgi_temp_path $n/tmp/scgi;
	include $n/shop.conf;
}
NGINX
	chown -R "$WWW_USER" "$n"
}

nginx_start() {
	n="$R/nginx"
	if [ -f "$n/nginx.pid" ] && kill -0 "$(cat "$n/nginx.pid")" 2>/dev/null
	then
		return 0
	fi
	as_www nginx -q -t -e "$n/error.log" -p "$n" -c "$n/nginx.conf" ||
	    die "nginx refuses its configuration"
	as_www nginx -e "$n/error.log" -p "$n" -c "$n/nginx.conf"
	wait_for "nginx" sh -c "[ -s '$n/nginx.pid' ]"
}

nginx_stop() {
	stop_pidfile "$R/nginx/nginx.pid" QUIT
}

# --- Kore nodes -------------------------------------------------------------

node_port() { eval "echo \$NODE$1_PORT"; }
metrics_port() { eval "echo \$METRICS$1_PORT"; }

# Node N: conf/kore.production.conf with its ports and paths, the shared
# keys and origin, through PgBouncer, public pages from the replica.
node_start() {
	d="$R/node$1"
	if [ -f "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$d"
	sed -e "s|^\(\s*bind\s*\)127.0.0.1 8888|\1127.0.0.1 $(node_port "$1")|" \
	    -e "s|^\(\s*bind\s*\)127.0.0.1 9888|\1127.0.0.1 $(metrics_port "$1")|" \
	    -e "s|/usr/lib/shop/shop.so|$ROOT/build/shop.so|" \
	    -e "s|/run/shop/kore.pid|$d/kore.pid|" \
	    conf/kore.production.conf >"$d/kore.conf"
	pgb="host=127.0.0.1 port=$PGB_PORT user=shop_app"
	SHOP_DATABASE="$pgb dbname=shop application_name=shop-node$1" \
	SHOP_READ_DATABASE="$pgb dbname=shop_replica application_name=shop-node$1" \
	SHOP_VAR="$d" SHOP_LOG_KEY="$R/keys/log_ed25519.pem" \
	SHOP_DATA_KEY_FILE="$R/keys/data.key" \
	SHOP_LOG_ORIGIN="127.0.0.1:$HTTPS_PORT/log" \
	SHOP_LOG_CHECKPOINT_SECONDS="$CHECKPOINT_SECONDS" \
	SHOP_TLS=1 SHOP_TRUST_PROXY=1 \
	SHOP_PUBLIC_URL="https://127.0.0.1:$HTTPS_PORT" \
	SHOP_ACCESS_LOG="$d/access.jsonl" SHOP_NODE="node$1" \
	    stdbuf -oL -eL kore -f -n -r -c "$d/kore.conf" >>"$d/kore.log" 2>&1 &
	echo $! >"$d/pid"
	wait_for "node $1" curl -fsS -o /dev/null \
	    "http://127.0.0.1:$(node_port "$1")/healthz"
}

# The node's parent and its workers, by PID: TERM, then KILL after 10 s
# (Kore can hang on exit after a worker died).
node_stop() {
	d="$R/node$1"
	[ -f "$d/pid" ] || return 0
	p=$(cat "$d/pid")
	kids=$(pgrep -P "$p" 2>/dev/null || true)
	if kill -TERM "$p" 2>/dev/null; then
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	fi
	for k in $kids; do
		kill -KILL "$k" 2>/dev/null || true
	done
	rm -f "$d/pid"
}

# The fault: the node's parent and workers killed at once, mid-request.
node_kill() {
	d="$R/node$1"
	[ -f "$d/pid" ] || return 0
	p=$(cat "$d/pid")
	kids=$(pgrep -P "$p" 2>/dev/null || true)
	kill -KILL "$p" $kids 2>/dev/null || true
	rm -f "$d/pid"
}

# --- helpers -------------------------------------------------------------

wait_for() {
	what=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 300 ] || die "$what did not start"
		sleep 0.1
	done
}

# Sends signal $2 to the PID in file $1 and waits for it to go.
stop_pidfile() {
	[ -f "$1" ] || return 0
	p=$(cat "$1")
	if kill "-$2" "$p" 2>/dev/null; then
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	fi
	rm -f "$1"
}

# Seconds from $1 to $2 (date +%s.%N), one decimal.
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

running() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# --- commands ------------------------------------------------------------

do_up() {
	[ -f build/shop.so ] && [ -d build/static ] || die "build first (make all)"
	make_root
	[ -f "$R/env" ] || write_env
	. "$R/env"
	make_tls
	make_keys
	make_primary
	make_demo
	pgbouncer_start
	make_replica
	make_nginx
	nginx_start
	node_start 1
	node_start 2
	wait_for "https" curl -fsS --cacert "$R/tls/ca.pem" -o /dev/null \
	    "https://127.0.0.1:$HTTPS_PORT/healthz"
	say "serving https://127.0.0.1:$HTTPS_PORT (CA: $DIR/tls/ca.pem;" \
	    "demo accounts: $DIR/demo-accounts.txt)"
}

do_down() {
	locate
	[ -n "$R" ] && [ -f "$R/env" ] || return 0
	. "$R/env"
	node_stop 1
	node_stop 2
	nginx_stop
	pgbouncer_stop
	replica_stop
	primary_stop
	say "stopped"
}

do_status() {
	load_env
	for f in node1/pid node2/pid nginx/nginx.pid pgbouncer/pgbouncer.pid; do
		if running "$R/$f"; then s=running; else s=stopped; fi
		echo "$(dirname "$f"): $s"
	done
	for c in primary replica; do
		if as_pg "$PGBIN/pg_ctl" -D "$R/$c/pg/data" status >/dev/null 2>&1
		then s=running; else s=stopped; fi
		echo "$c: $s"
	done
}

# A backup (full the first time, then incremental) of the primary, and a
# copy of the keys beside it: what the drill restores.
do_backup() {
	load_env
	t0=$(date +%s.%N)
	pgbackrest_ --log-level-console=warn backup
	mkdir -p "$R/backup-keys"
	chmod 700 "$R/backup-keys"
	cp -p "$R/keys/data.key" "$R/keys/log_ed25519.pem" "$R/backup-keys/"
	t1=$(date +%s.%N)
	say "backup done in $(secs "$t0" "$t1") s"
	pgbackrest_ info | sed -n '/full backup\|incr backup/,+1p' | tail -n 2 >&2
}

# The primary as it was at TIME (PostgreSQL's timestamptz syntax), then a
# new replica from it, the keys back from the backup's copy, and the
# nodes started again.  Stops the nodes while it runs.
do_restore() {
	target=${1:?usage: cluster.sh restore TIME}
	load_env
	t0=$(date +%s.%N)
	# A primary still running archives the WAL in progress first, so the
	# restore can reach the latest commits (after a lost disk it cannot).
	if as_pg "$PGBIN/pg_ctl" -D "$(primary_data)" status >/dev/null 2>&1; then
		pgbackrest_ check >/dev/null
	fi
	node_stop 1
	node_stop 2
	replica_stop
	primary_stop
	pgbackrest_ --log-level-console=warn --delta --type=time \
	    "--target=$target" --target-action=promote restore
	as_pg "$PGBIN/pg_ctl" -D "$(primary_data)" -l "$R/primary/pg/server.log" \
	    -w -t 300 start >/dev/null || {
		tail -n 20 "$R/primary/pg/server.log" >&2
		exit 1
	}
	# The recovery target pgBackRest wrote is done with: a replica copied
	# from this data directory would otherwise stop and promote itself
	# there.  restore_command stays (a replica may use the archive).
	"$PSQL" -X -q -h "$(primary_sock)" -U postgres -d postgres \
	    -c "alter system reset recovery_target_time" \
	    -c "alter system reset recovery_target_action" >/dev/null
	# The keys, as a disk that died would need them.
	mkdir -p "$R/keys"
	chmod 700 "$R/keys"
	cp -p "$R/backup-keys/data.key" "$R/backup-keys/log_ed25519.pem" \
	    "$R/keys/"
	as_pg rm -rf "$(replica_data)"
	make_replica
	"$PSQL" -X -q -h "$(pgb_sock)" -p "$PGB_PORT" -U postgres pgbouncer \
	    -c "RECONNECT" >/dev/null || true
	node_start 1
	node_start 2
	t1=$(date +%s.%N)
	say "restored to $target in $(secs "$t0" "$t1") s"
}

# The primary is gone: the replica becomes the primary, PgBouncer sends
# both databases there, and a later make_replica can follow it.
do_failover() {
	load_env
	as_pg "$PGBIN/pg_ctl" -D "$(replica_data)" -w -t 60 promote >/dev/null
	pgbouncer_point "$(replica_sock)" "$(replica_sock)"
}

case "$cmd" in
up)		do_up ;;
down)		do_down ;;
status)		do_status ;;
backup)		do_backup ;;
restore)	do_restore "$@" ;;
failover)	do_failover ;;
node-start)	load_env; node_start "$1" ;;
node-stop)	load_env; node_stop "$1" ;;
node-kill)	load_env; node_kill "$1" ;;
pgbouncer-start) load_env; pgbouncer_start ;;
pgbouncer-stop)	load_env; pgbouncer_stop ;;
replica-start)	load_env; replica_start ;;
replica-stop)	load_env; replica_stop ;;
primary-start)	load_env; primary_start ;;
primary-crash)	load_env; primary_crash ;;
dir)		load_env; echo "$R" ;;
psql)
	load_env
	role=${1:?usage: cluster.sh psql ROLE [DB] [psql args]}
	shift
	db=${1:-shop}
	[ $# -gt 0 ] && shift
	case "$role" in
	postgres)	exec "$PSQL" -X -h "$(primary_sock)" -U postgres -d "$db" "$@" ;;
	replica)	exec "$PSQL" -X -h "$(replica_sock)" -U postgres -d "$db" "$@" ;;
	*)		exec "$PSQL" -X -h "$(pgb_sock)" -p "$PGB_PORT" -U "$role" -d "$db" "$@" ;;
	esac ;;
*)
	sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 2 ;;
esac
