-- The plan's programmes (issue 7): what staff and admins share when they
-- keep programme records, and what each target's figure counts.
--
-- Scope: admins act on every record, staff on the records of their
-- organisation's subtree; donors and the public on none (only the public
-- summary of the targets, api.targets_public).  Every write is audited.

-- The organisations whose records p_user may see and change.
create function api.prog_scope(p_user users)
returns table (org_id bigint) language sql stable as $$
	select id from orgs where p_user.role = 'admin'
	union all
	select s.org_id from api.org_subtree(p_user.org_id) s(org_id)
	 where p_user.role = 'staff'
$$;

-- Each organisation and the branch it reports under: the town, unit or
-- college branch it is or sits below.  The city committee and caring
-- organisations have none.
create function api.org_branches()
returns table (org_id bigint, branch_id bigint) language sql stable as $$
	with recursive t(id, branch) as (
		select id, id from orgs where kind in ('town', 'unit', 'college')
		union all
		select o.id, t.branch from orgs o join t on o.parent_id = t.id
	)
	select id, branch from t
$$;

-- The signed-in staff member or admin who keeps programme records.
create function api.prog_user(p_sid text)
returns users language sql as $$
	select api.require_user(p_sid, array['admin', 'staff'])
$$;

-- The record p_id of the programme table whose row type p_kind names
-- (null::loans, null::trainings, null::leaders, null::poverty_exits,
-- null::quarterly_reports), locked for update when p_lock; 404 unless
-- it exists and its organisation is in the caller's scope.  The table
-- comes from the type the calling code writes, never from input.
create function api.prog_find(p_user users, p_kind anyelement, p_id bigint,
    p_lock boolean)
returns anyelement language plpgsql as $$
declare
	v_r	record;
	v_n	bigint;
begin
	execute format('select * from %s where id = $1%s', pg_typeof(p_kind),
	    case when p_lock then ' for update' end)
	   into v_r using p_id;
	get diagnostics v_n = row_count;
	if v_n = 0 or v_r.org_id not in (select api.prog_scope(p_user)) then
		perform api.fail(404, 'not_found');
	end if;
	return v_r;
end $$;

-- The day a record says something happened (null stays null): 400
-- 'future_date' naming p_field when it is after today.  Its syntax (a
-- real day, from 2000) is the handler's (form.c's FIELD_DATE), and an
-- amount comes in fen whether it was typed in yuan or not (FIELD_YUAN).
create function api.prog_day(p_day date, p_field text)
returns date language plpgsql stable as $$
begin
	if p_day > api.today() then
		perform api.fail(400, 'future_date', json_build_object('field', p_field));
	end if;
	return p_day;
end $$;

-- A list of ids typed as "12, 15 16" (null or empty: none).
create function api.prog_ids(p_text text, p_field text)
returns bigint[] language plpgsql immutable as $$
begin
	if p_text is null or btrim(p_text) = '' then
		return '{}';
	end if;
	if p_text !~ '^[0-9 ,]+$' or p_text ~ '[0-9]{16}' then
		perform api.fail(400, 'bad_list', json_build_object('field', p_field));
	end if;
	return array(select distinct x::bigint
	    from regexp_split_to_table(btrim(p_text, ' ,'), '[ ,]+') x);
end $$;

-- The organisation a new record belongs to: the one given, or the
-- caller's own; 400 when it does not exist or cannot hold records, 403
-- when it is outside the caller's scope.
create function api.prog_org(p_user users, p_org bigint)
returns bigint language plpgsql stable as $$
declare
	v_org	bigint := coalesce(p_org, p_user.org_id);
begin
	if not exists (select 1 from orgs where id = v_org and kind <> 'caring') then
		perform api.fail(400, 'unknown_value', '{"field":"org_id"}');
	end if;
	if v_org not in (select api.prog_scope(p_user)) then
		perform api.fail(403, 'forbidden', '{"field":"org_id"}');
	end if;
	return v_org;
end $$;

-- A registered youth the caller may link a record to, and when p_org is
-- given, a youth of that organisation or one below it (a record of one
-- school never names another school's child): 400 naming the field when
-- there is none (the same answer whether the youth exists elsewhere or
-- not).
create function api.prog_youth(p_user users, p_id bigint, p_field text,
    p_org bigint default null)
returns beneficiaries language plpgsql stable as $$
declare
	v_b	beneficiaries;
begin
	if p_id is null then
		perform api.fail(400, 'required', json_build_object('field', p_field));
	end if;
	select * into v_b from beneficiaries
	 where id = p_id and archived_at is null
	   and org_id in (select api.prog_scope(p_user))
	   and (p_org is null or api.org_within(org_id, p_org));
	if not found then
		perform api.fail(400, 'unknown_youth', json_build_object('field', p_field));
	end if;
	return v_b;
end $$;

-- A registered youth as staff see them in a list: the public part only
-- (alias, gender, age, school) and the number.
create function api.youth_label(p_id bigint, p_lang text)
returns text language sql stable as $$
	select b.alias || api.l(p_lang, '（', ' (')
	    || case b.gender when 'f' then api.l(p_lang, '女', 'girl')
	       else api.l(p_lang, '男', 'boy') end
	    || api.l(p_lang, '，', ', ') || api.age(b.birth_year)
	    || api.l(p_lang, '岁）', ')') || ' · '
	    || api.l(p_lang, o.name, o.name_en) || ' · #' || b.id
	  from beneficiaries b join orgs o on o.id = b.org_id
	 where b.id = p_id
$$;

create function api.youth_json(p_id bigint, p_lang text)
returns json language sql stable as $$
	select json_build_object('id', p_id, 'label', api.youth_label(p_id, p_lang))
$$;

-- The youths and organisations a caller's forms offer.
-- The forms' choices.  The youths (a borrower, one who left poverty, one
-- a leader helps or a training had) are a picker when the caller's scope
-- holds at most 300; beyond that (a town of thousands, the city's 12,000
-- at the 100,000-need scale: 700 KB and 0.3-0.5 s a page, on every
-- programme page, issue 19) youths is null, youths_total says how many,
-- and the form asks for the youth's number in the register (#id).
create function api.prog_choices(p_user users, p_lang text)
returns json language sql stable as $$
	with y as (select count(*) n from beneficiaries b
	     where b.archived_at is null
	       and b.org_id in (select api.prog_scope(p_user)))
	select json_build_object(
	    'youths_total', (select n from y),
	    'youths_many', (select n from y) > 300,
	    'youths', case when (select n from y) <= 300 then
	      (select coalesce(json_agg(json_build_object('id', b.id,
	        'label', api.youth_label(b.id, p_lang)) order by b.org_id, b.id),
	        '[]')
	      from beneficiaries b
	     where b.archived_at is null
	       and b.org_id in (select api.prog_scope(p_user))) end,
	    'orgs', (select coalesce(json_agg(json_build_object('id', o.id,
	        'name', api.l(p_lang, o.name, o.name_en),
	        'own', o.id = p_user.org_id) order by o.id), '[]')
	      from orgs o
	     where o.kind <> 'caring' and o.id in (select api.prog_scope(p_user))),
	    'towns', (select json_agg(json_build_object('slug', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort) from towns),
	    'today', to_char(api.today(), 'YYYY-MM-DD'))
$$;

create function api.org_name(p_id bigint, p_lang text)
returns text language sql stable as $$
	select api.l(p_lang, name, name_en) from orgs where id = p_id
$$;

create function api.user_name(p_id bigint)
returns text language sql stable as $$
	select display_name from users where id = p_id
$$;

-- A list's pages, p_per records a page: the records page p_page (null:
-- the first) skips, and its links, page, prev and next (null at either
-- end).
create function api.prog_offset(p_page int, p_per int)
returns int language sql immutable as $$
	select (coalesce(p_page, 1) - 1) * p_per
$$;

create function api.prog_pager(p_page int, p_per int, p_total bigint)
returns json language sql immutable as $$
	select json_build_object('page', p, 'total', p_total,
	    'prev', case when p > 1 then p - 1 end,
	    'next', case when p::bigint * p_per < p_total then p + 1 end)
	  from coalesce(p_page, 1) p
$$;

-- GET /programmes: what each kind of record holds in the caller's scope.
create function api.programmes_home(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.prog_user(p_sid);
	return json_build_object(
	    'title', api.l(p_lang, '帮扶项目', 'Programmes'),
	    'loans', (select count(*) from loans
	        where org_id in (select api.prog_scope(v_u))),
	    'loans_amount', (select coalesce(sum(amount), 0) from loans
	        where org_id in (select api.prog_scope(v_u))
	          and disbursed_on is not null),
	    'trainings', (select count(*) from trainings
	        where org_id in (select api.prog_scope(v_u))),
	    'attendance', (select coalesce(sum(attendance), 0) from trainings
	        where org_id in (select api.prog_scope(v_u))),
	    'leaders', (select count(*) from leaders
	        where org_id in (select api.prog_scope(v_u))),
	    'exits', (select count(*) from poverty_exits
	        where org_id in (select api.prog_scope(v_u))
	          and status = 'verified'),
	    'exits_waiting', (select count(*) from poverty_exits
	        where org_id in (select api.prog_scope(v_u))
	          and status = 'recorded'))::text;
end $$;
