#!/bin/sh
# Bring a database up to date:
#   1. every numbered migration sql/NNN_name.sql not yet applied runs once,
#      in its own transaction, and is recorded in schema_migrations;
#   2. the "api" schema (the functions and views the platform calls, in
#      sql/api/*.sql) is rebuilt in one transaction when its checksum
#      changed.  Triggers and constraints live in migrations, never in api,
#      because api is dropped and recreated.
#
# usage: sql/migrate.sh "conninfo of the owner role" [app role name]
set -eu
db=${1:?usage: migrate.sh OWNER_CONNINFO [APP_ROLE]}
app=${2:-shop_app}
here=$(dirname "$0")
PSQL=${PSQL:-/usr/lib/postgresql/15/bin/psql}

psql_() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 "$db" "$@"
}

psql_ -c "create table if not exists schema_migrations (
    version    integer primary key,
    name       text not null,
    applied_at timestamptz not null default now());
  create table if not exists schema_state (
    key   text primary key,
    value text not null);
  grant select on schema_migrations, schema_state to $app;" 2>&1 | grep -v 'already exists, skipping' >&2 || true

for f in "$here"/[0-9][0-9][0-9]_*.sql; do
	name=$(basename "$f")
	v=$(echo "$name" | sed 's/^0*\([0-9]\)/\1/; s/_.*//')
	done_=$(psql_ -At -c "select 1 from schema_migrations where version = $v")
	[ -z "$done_" ] || continue
	echo "migrate: applying $name" >&2
	{
		echo "set client_min_messages = warning;"
		cat "$f"
		echo "insert into schema_migrations (version, name) values ($v, '$name');"
	} | psql_ -1 -f -
done

sum=$("$here/api-checksum.sh")
have=$(psql_ -At -c "select value from schema_state where key = 'api_checksum'")
if [ "$sum" != "$have" ]; then
	echo "migrate: rebuilding schema api ($sum)" >&2
	{
		echo "set client_min_messages = warning;"
		echo "drop schema if exists api cascade;"
		echo "create schema api;"
		for f in "$here"/api/*.sql; do cat "$f"; echo; done
		echo "grant usage on schema api to $app;"
		echo "grant execute on all functions in schema api to $app;"
		echo "grant select on all tables in schema api to $app;"
		echo "insert into schema_state values ('api_checksum', '$sum')
		      on conflict (key) do update set value = excluded.value;"
	} | psql_ -1 -f -
fi
