# shellcheck shell=sh
# Sourced by tests/bench/run.sh and tests/bench/pledge_profile.sh: the
# sessions they make and the pledge path both measure.  The caller sets
# PGBIN, OWNER_DB and T.

# Sessions made in SQL, a day long, for the users whose ids the query
# $1 selects: one line each, the email, a tab and the token.  The
# database keeps the token's SHA-256, as sign-in does.
mint_sessions() {
	"$PGBIN/psql" -X -q -At -F '	' -v ON_ERROR_STOP=1 "$OWNER_DB" <<SQL
with t as (select u.id, u.email,
    encode(sha256(gen_random_uuid()::text::bytea), 'hex') as token
  from users u where u.id in ($1)),
s as (insert into sessions (token_hash, user_id, idle_limit, expires_at)
  select sha256(convert_to(token, 'UTF8')), id, '7 days',
      now() + interval '1 day' from t returning 1)
select email, token from t, (select count(*) from s) x;
SQL
}

# The pledge path: 40 needs that never fill up, 16 verified donors (an
# unverified one may hold only a few open pledges) with a session each.
# Writes $T/tokens.txt (one token a line, for tests/bench/pledge.lua),
# $T/range (the needs' first and last id), $T/pledgeN.sql (one
# pgbench script a donor: 1 unit to one of the needs, as the API calls
# api.pledge_create) and $T/floor.sql, the floor of a pledge: one call
# of bench_pledge_floor (made here, in the throwaway cluster), which
# writes only the three rows every pledge must write, through the same
# tables, triggers and indexes (the need's count and its stored JSON,
# the pledge with its codes, its public log entry), without the
# session, the checks, the pledge's event or the messages.
pledge_path() {
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$OWNER_DB" <<'SQL' > "$T/pledge.ids"
insert into needs (org_id, town_id, kind, category, title, unit, quantity,
    deadline, status, opened_at)
select o.id, o.town_id, 'goods', 'books', '压测图书 ' || g, '本', 2000000000,
    current_date + 60, 'open', now()
  from orgs o, generate_series(1, 40) g
 where o.id = (select min(id) from orgs where kind = 'school');
select api.log_need_opened(id) from needs where title like '压测图书 %';
insert into users (role, display_name, email, email_verified_at)
select 'donor', '压测捐赠人' || g, 'bench' || g || '@example.com', now()
  from generate_series(1, 16) g;
select min(id) || ' ' || max(id) from needs where title like '压测图书 %';
select min(id) || ' ' || max(id) from users
 where email like 'bench%@example.com';
-- The floor, one call as a pledge is (this throwaway cluster only).
create function bench_pledge_floor(p_need bigint, p_donor bigint)
returns bigint language plpgsql as $f$
declare
	v	bigint;
begin
	update needs set pledged = pledged + 1, updated_at = now()
	 where id = p_need and status = 'open';
	insert into pledges (need_id, donor_id, quantity, anonymous, due_at,
	    receipt_code)
	values (p_need, p_donor, 1, false, now() + interval '14 days',
	    api.receipt_code())
	returning id into v;
	perform api.log_append('pledge_made', p_need,
	    api.log_pledge_fields('pledge_made', v));
	return v;
end $f$;
grant execute on function bench_pledge_floor(bigint, bigint) to shop_app;
SQL
	mint_sessions "select id from users
	    where email like 'bench%@example.com'" | cut -f2 > "$T/tokens.txt"
	tail -2 "$T/pledge.ids" | head -1 > "$T/range"
	read -r nfirst nlast < "$T/range"
	read -r dfirst dlast <<DONORS
$(tail -1 "$T/pledge.ids")
DONORS
	printf '\\set need random(%s, %s)\n\\set donor random(%s, %s)\nselect bench_pledge_floor(:need, :donor);\n' \
	    "$nfirst" "$nlast" "$dfirst" "$dlast" > "$T/floor.sql"
	i=0
	while read -r tok; do
		i=$((i + 1))
		sid=$(printf '%s' "$tok" | sha256sum | cut -c1-64)
		printf '\\set need random(%s, %s)\nselect api.pledge_create('"'"'%s'"'"', :need, 1, false, null, null);\n' \
		    "$nfirst" "$nlast" "$sid" > "$T/pledge$i.sql"
	done < "$T/tokens.txt"
}
