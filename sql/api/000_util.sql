-- Helpers shared by the api functions.
--
-- Errors: every api function reports a user error with
--   raise exception using errcode = 'SH4xx', message = '<code>',
--       detail = '<json object>'
-- where 4xx is the HTTP status, <code> a stable key the module turns into
-- a sentence in the reader's language (assets/messages_*.json, "err.<code>")
-- and detail its arguments, e.g. {"field": "town"}.

--
-- Such a refusal is the platform working, not failing: PostgreSQL is told
-- not to log it (a 404 or a wrong password is no ERROR of the server's;
-- they buried the real errors, issue 14).  log_min_messages is raised for
-- the rest of the transaction, which the exception ends (or a caller's
-- exception block, which reverts it).  Setting it takes the owner's right
-- to, granted by the superuser (sql/cluster.sh: grant set on parameter
-- log_min_messages to shop_owner); without it refusals are logged as
-- before.  Every other error is still logged, by the server and by the
-- module (src/db.c).
create function api.fail(p_status int, p_code text, p_detail json default '{}')
returns void language plpgsql immutable security definer
set search_path = pg_catalog, pg_temp as $$
begin
	if has_parameter_privilege('log_min_messages', 'SET') then
		perform set_config('log_min_messages', 'log', true);
	end if;
	raise exception using errcode = 'SH' || p_status::text,
	    message = p_code, detail = p_detail::text;
end $$;

-- A name in the reader's language.
create function api.l(p_lang text, p_zh text, p_en text)
returns text language sql immutable parallel safe as $$
	select case when p_lang = 'en' then coalesce(p_en, p_zh) else p_zh end
$$;

-- Today on the Shanghai calendar: the one place SQL says which day it
-- is (src/lib/day.c is C's).
create function api.today()
returns date language sql stable parallel safe as $$
	select (now() at time zone 'Asia/Shanghai')::date
$$;

-- Age in whole years from a birth year, on the Shanghai calendar.
create function api.age(p_birth_year smallint)
returns int language sql stable parallel safe as $$
	select extract(year from api.today())::int - p_birth_year
$$;

create function api.day(p_t timestamptz)
returns text language sql stable parallel safe as $$
	select to_char(p_t at time zone 'Asia/Shanghai', 'YYYY-MM-DD')
$$;

create function api.stage_name(p_stage text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_stage
	    when 'preschool' then api.l(p_lang, '学前', 'preschool')
	    when 'primary' then api.l(p_lang, '小学', 'primary school')
	    when 'junior' then api.l(p_lang, '初中', 'junior middle school')
	    when 'senior' then api.l(p_lang, '高中', 'senior high school')
	    when 'vocational' then api.l(p_lang, '职业学校', 'vocational school')
	    when 'college' then api.l(p_lang, '大学', 'college')
	    else api.l(p_lang, '未在读', 'not in school') end
$$;

-- Whether a need in this status is public: in its notice (公示, public
-- so that anyone may object), open, fully pledged or fulfilled.  Anything
-- else (draft, submitted, verified, rejected, cancelled, expired) shows
-- nothing of itself to the public.  The one statement of the rule in api
-- (the migrations' need_public triggers hold the same four); SQL and
-- immutable, so the planner inlines it and a WHERE on it still uses the
-- indexes a literal IN list would.
create function api.need_is_public(p_status text)
returns boolean language sql immutable parallel safe as $$
	select p_status in ('notice', 'open', 'fully_pledged', 'fulfilled')
$$;

-- The kinds of need and offer, in the order forms list them: the one
-- list of them in api (C's is need_kinds in src/lib/match.c; the tables'
-- CHECKs hold the same four, the last line of defence).
create function api.need_kinds()
returns text[] language sql immutable parallel safe as $$
	select array['goods', 'money', 'scholarship', 'service']
$$;

-- The name of a kind of need or offer (one of api.need_kinds()).
create function api.kind_name(p_kind text, p_lang text)
returns text language sql immutable parallel safe as $$
	select api.l(p_lang, case p_kind when 'goods' then '物资'
	    when 'money' then '资金' when 'scholarship' then '助学金'
	    else '服务' end, initcap(p_kind))
$$;

create function api.pledge_status_name(p_status text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_status
	    when 'pledged' then api.l(p_lang, '已认捐', 'pledged')
	    when 'delivered' then api.l(p_lang, '已送出', 'delivered')
	    when 'received' then api.l(p_lang, '已收到', 'received')
	    when 'disputed' then api.l(p_lang, '核实中', 'being checked')
	    when 'cancelled' then api.l(p_lang, '已取消', 'cancelled')
	    else api.l(p_lang, '已过期', 'expired') end
$$;

-- A setting of the settings table as an integer, or p_default.
-- (plpgsql, here and in the other small functions a pledge calls: a SQL
-- function that cannot be inlined is planned again on every call, a
-- plpgsql one keeps its plans for the session.)
create function api.setting_int(p_key text, p_default int)
returns int language plpgsql stable as $$
declare
	v	int;
begin
	select value::int into v from settings where key = p_key;
	return coalesce(v, p_default);
end $$;

-- An amount shown to people, as data: {"fen": n} for money, else
-- {"quantity": n, "unit": u}.  SQL never writes money as text: the
-- pages, the messages and the error messages write these as people read
-- them (fmt_amount in src/lib/fmt.c: ¥1,200.50, 1,200 件), and API
-- clients get the numbers.  Stable, as json_build_object is: an
-- immutable SQL function with a stable body is never inlined, and is
-- planned again at every call.
create function api.amount(p_money boolean, p_n bigint, p_unit text)
returns json language sql stable parallel safe as $$
	select case when p_money then json_build_object('fen', p_n)
	    else json_build_object('quantity', p_n, 'unit', p_unit) end
$$;

create function api.minute(p_t timestamptz)
returns text language sql stable parallel safe as $$
	select to_char(p_t at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
$$;

-- The organisations of the subtree at p_root (p_root included).
create function api.org_subtree(p_root bigint)
returns setof bigint language sql stable as $$
	with recursive sub(id) as (
		select id from orgs where id = p_root
		union all
		select o.id from orgs o join sub on o.parent_id = sub.id
	)
	select id from sub
$$;

-- A reference list's entry named by its slug, as filters and forms give
-- it: the id of the town or campaign (null for a category, which has
-- none), null for a null slug; 400 unknown_value naming the list (town,
-- campaign, category) as the field for a slug it does not hold.
create function api.slug_lookup(p_list text, p_slug text)
returns smallint language plpgsql stable as $$
declare
	v_id	smallint;
begin
	if p_slug is null then
		return null;
	end if;
	case p_list
	when 'town' then
		select id into v_id from towns where slug = p_slug;
	when 'campaign' then
		select id into v_id from campaigns where slug = p_slug;
	when 'category' then
		perform 1 from categories where slug = p_slug;
	end case;
	if not found then
		perform api.fail(400, 'unknown_value',
		    json_build_object('field', p_list));
	end if;
	return v_id;
end $$;

-- A code a person can read out and type: p_groups groups of 4 characters
-- joined by dashes (no 0/O, 1/I), 5 bits a character from the CSPRNG
-- behind gen_random_uuid (bytes 0-5 and 16-21 of two UUIDs: none of the
-- version and variant bits).  A pledge's receipt code has 2 groups, an
-- objection's follow-up code 3.  plpgsql: a SQL function of a query is
-- planned at every call.
create function api.readable_code(p_groups int)
returns text language plpgsql volatile as $$
declare
	v_r	bytea := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
	v_s	text := '';
	v_i	int;
begin
	foreach v_i in array (array[0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 20,
	    21])[1:4 * p_groups] loop
		if v_s <> '' and length(replace(v_s, '-', '')) % 4 = 0 then
			v_s := v_s || '-';
		end if;
		v_s := v_s || substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
		    get_byte(v_r, v_i) % 32 + 1, 1);
	end loop;
	return v_s;
end $$;
