#!/bin/sh
# A throwaway database with the demo data, for tests/run.sh and for the
# fault tests that need a cluster of their own (tests/faults/long/):
#
#   tests/demo-db.sh DIR     a private cluster under DIR (sql/cluster.sh),
#                            migrated, with the demo data, the demo
#                            accounts' passwords in DIR/demo-accounts.txt
#                            and the children's private parts sealed with
#                            DIR/data.key
#
# FAST=1 (as sql/cluster.sh): durability off, for speed.  The cluster's
# socket directory: sql/cluster.sh sock DIR.
set -eu
cd "$(dirname "$0")/.."
dir=${1:?usage: tests/demo-db.sh DIR}
sql/cluster.sh init "$dir"
owner="host=$(sql/cluster.sh sock "$dir") dbname=shop user=shop_owner"
sql/migrate.sh "$owner"
/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 "$owner" \
    -f sql/demo/seed.sql -f sql/demo/log_seed.sql -f sql/demo/programmes.sql \
    -f sql/demo/offers.sql
OWNER_DATABASE="$owner" build/shop-admin demo-passwords \
    "$dir/demo-accounts.txt" >/dev/null
OWNER_DATABASE="$owner" SHOP_VAR="$dir" build/shop-admin demo-private \
    >/dev/null
