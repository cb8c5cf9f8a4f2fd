-- Children imported from a spreadsheet (issue 18; the table:
-- sql/031_child_imports.sql; the file is read in src/child_import.c).
--
-- The module reads the file's rows and checks their private cells itself
-- (they never reach the database in the clear); the public cells come
-- here as typed, in Chinese as a school writes them (男, 小学, 因病、留守,
-- 是) or as the API's values (m, primary, illness), and every problem of
-- every row is listed (api.child_import_check), nothing written.  A
-- clean file gets its children's numbers reserved; the module seals each
-- private part to its number and keeps the import (api.child_import_save)
-- until staff confirm it (api.child_import_confirm): all rows in one
-- transaction, each checked again by api.child_check and written by
-- api.children_insert, as a child typed in one by one; one entry in the
-- audit log (child_import).  Staff of the importing organisation only
-- (they register its children); 401 without a session, 403 for others,
-- 404 for another organisation's import.

-- What an import's cells may say, once per file: {"stage": {typed:
-- value}, "level": ..., "cause": ..., "town": ...}, each typed text (a
-- value, its Chinese or English name) lower-cased.
create function api.import_names()
returns jsonb language sql stable as $$
	with c(kind, v) as (
		select 'stage', unnest(array['preschool', 'primary', 'junior',
		    'senior', 'vocational', 'college', 'none'])
		union all
		select 'level', unnest(array['extreme', 'poor', 'struggling'])
		union all
		select 'cause', unnest(array['illness', 'disability', 'labour',
		    'education', 'disaster', 'left_behind', 'orphan', 'other'])
	), n(kind, name, v) as (
		select kind, v, v from c
		union
		select kind, lower(case kind when 'stage' then api.stage_name(v, l)
		    when 'level' then api.level_name(v, l)
		    else api.cause_name(v, l) end), v
		  from c, unnest(array['zh', 'en']) l
		union
		select 'town', t.slug, t.slug from towns t
		union
		select 'town', t.name_zh, t.slug from towns t
		union
		select 'town', lower(t.name_en), t.slug from towns t
	)
	select jsonb_object_agg(kind, m) from (select kind,
	    jsonb_object_agg(name, v) as m from n group by kind) k
$$;

-- One row's public cells (p_raw: alias, birth_year, gender, town,
-- school_stage, poverty_level, poverty_causes, left_behind, consent_on
-- as typed; consent_on already YYYY-MM-DD when the module could read
-- it) for organisation p_org, names read with p_names
-- (api.import_names), dates up to p_today: {"public": what
-- api.child_check reads, "problems": [{"field", "code"}]}.
create function api.child_import_row(p_org orgs, p_names jsonb,
    p_today date, p_raw json)
returns json language plpgsql stable as $$
declare
	v_p	jsonb := '{}';
	v_pr	jsonb := '[]';
	v	text;
	v_c	text;
	v_cs	text[] := '{}';
begin
	v := btrim(coalesce(p_raw ->> 'alias', ''));
	if v = '' then
		v_pr := v_pr || jsonb_build_object('field', 'alias', 'code', 'required');
	elsif length(v) > 20 then
		v_pr := v_pr || jsonb_build_object('field', 'alias', 'code', 'too_long');
	end if;
	v_p := v_p || jsonb_build_object('alias', v);

	v := btrim(coalesce(p_raw ->> 'birth_year', ''));
	if v !~ '^[0-9]{4}$' then
		v_pr := v_pr || jsonb_build_object('field', 'birth_year',
		    'code', case when v = '' then 'required' else 'bad_number' end);
	elsif v::int < 1990 or v::int > extract(year from p_today) then
		v_pr := v_pr || jsonb_build_object('field', 'birth_year',
		    'code', 'bad_number');
	else
		v_p := v_p || jsonb_build_object('birth_year', v::int);
	end if;

	v := lower(btrim(coalesce(p_raw ->> 'gender', '')));
	v_c := case when v in ('男', 'm', 'male', 'boy') then 'm'
	    when v in ('女', 'f', 'female', 'girl') then 'f' end;
	if v_c is null then
		v_pr := v_pr || jsonb_build_object('field', 'gender',
		    'code', case when v = '' then 'required' else 'unknown_value' end);
	end if;
	v_p := v_p || jsonb_build_object('gender', v_c);

	v := btrim(coalesce(p_raw ->> 'town', ''));
	if v <> '' then
		v_c := p_names -> 'town' ->> lower(v);
		if v_c is null then
			v_pr := v_pr || jsonb_build_object('field', 'town',
			    'code', 'unknown_value');
		end if;
		v_p := v_p || jsonb_build_object('town', v_c);
	elsif p_org.town_id is null then
		v_pr := v_pr || jsonb_build_object('field', 'town', 'code', 'required');
	end if;

	v := btrim(coalesce(p_raw ->> 'school_stage', ''));
	v_c := p_names -> 'stage' ->> lower(v);
	if v_c is null then
		v_pr := v_pr || jsonb_build_object('field', 'school_stage',
		    'code', case when v = '' then 'required' else 'unknown_value' end);
	end if;
	v_p := v_p || jsonb_build_object('school_stage', v_c);

	v := btrim(coalesce(p_raw ->> 'poverty_level', ''));
	v_c := case when v = '' then 'poor'
	    else p_names -> 'level' ->> lower(v) end;
	if v_c is null then
		v_pr := v_pr || jsonb_build_object('field', 'poverty_level',
		    'code', 'unknown_value');
	end if;
	v_p := v_p || jsonb_build_object('poverty_level', v_c);

	foreach v in array regexp_split_to_array(btrim(coalesce(
	    p_raw ->> 'poverty_causes', '')), '\s*[、,，;；/|]\s*|\s+') loop
		continue when v = '';
		v_c := p_names -> 'cause' ->> lower(v);
		if v_c is null then
			v_pr := v_pr || jsonb_build_object('field', 'poverty_causes',
			    'code', 'unknown_value');
			exit;
		end if;
		v_cs := array_append(v_cs, v_c);
	end loop;
	v_p := v_p || jsonb_build_object('poverty_causes',
	    to_jsonb(array(select distinct c from unnest(v_cs) c order by c)));

	v := lower(btrim(coalesce(p_raw ->> 'left_behind', '')));
	if v in ('是', '留守', '1', 'y', 'yes', 'true') then
		v_p := v_p || jsonb_build_object('left_behind', true);
	elsif v in ('', '否', '非留守', '0', 'n', 'no', 'false') then
		v_p := v_p || jsonb_build_object('left_behind', false);
	else
		v_pr := v_pr || jsonb_build_object('field', 'left_behind',
		    'code', 'unknown_value');
	end if;

	v := btrim(coalesce(p_raw ->> 'consent_on', ''));
	if v = '' then
		v_pr := v_pr || jsonb_build_object('field', 'consent_on',
		    'code', 'consent_required');
	elsif v !~ '^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}$' then
		v_pr := v_pr || jsonb_build_object('field', 'consent_on',
		    'code', 'bad_date');
	elsif substr(v, 9, 2)::int not between 1 and extract(day from
	    make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, 1)
	    + interval '1 month' - interval '1 day') then
		-- (no cast of 2026-02-31: it would be an error, not a problem)
		v_pr := v_pr || jsonb_build_object('field', 'consent_on',
		    'code', 'bad_date');
	elsif v::date > p_today then
		v_pr := v_pr || jsonb_build_object('field', 'consent_on',
		    'code', 'bad_date');
	else
		v_p := v_p || jsonb_build_object('consent_on', v);
	end if;
	return json_build_object('public', v_p, 'problems', v_pr);
end $$;

-- POST /api/v1/branch/children-import, the check of a chunk of rows (the
-- module sends a large file a thousand rows a statement): p_rows the
-- rows' public cells ([{"row", ...}]); p_reserve, on the last chunk when
-- nothing was wrong before it, the number of children to number.
-- {"publics": [per row, in order], "problems": [{"row", "field",
-- "code"}], "ids": [p_reserve numbers] when this chunk is clean too}.
-- Writes nothing but the numbers' sequence.
create function api.child_import_check(p_sid text, p_rows json,
    p_reserve int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	orgs;
	v_pubs	json;
	v_prs	json;
	v_names	jsonb := api.import_names();
begin
	v_u := api.require_user(p_sid, array['staff']);
	select * into v_org from orgs where id = v_u.org_id;
	-- One pass, set-based: a row at a time into an array is quadratic.
	with x as materialized (
		select k, (r ->> 'row')::int as row,
		    api.child_import_row(v_org, v_names, api.today(), r) as one
		  from json_array_elements(p_rows) with ordinality e(r, k)
	)
	select (select json_agg(x.one -> 'public' order by x.k) from x),
	    (select coalesce(json_agg(p::jsonb || jsonb_build_object('row', x.row)
	        order by x.k), '[]')
	      from x, json_array_elements(x.one -> 'problems') p)
	  into v_pubs, v_prs;
	return json_build_object('publics', coalesce(v_pubs, '[]'),
	    'problems', v_prs,
	    'ids', case when p_reserve > 0 and json_array_length(v_prs) = 0 then
	        (select json_agg(nextval(pg_get_serial_sequence('beneficiaries',
	            'id')) order by i)
	           from generate_series(1, least(p_reserve, 10000)) i) end)::text;
end $$;

-- The import as staff see it before and after confirming: the first 100
-- rows' public fields, named.
create function api.child_import_json(p_i child_imports, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', p_i.id,
	    'filename', p_i.filename,
	    'encoding', p_i.encoding,
	    'rows', p_i.row_count,
	    'confirmed', p_i.confirmed_at is not null,
	    'confirmed_at', api.minute(p_i.confirmed_at),
	    'warnings', p_i.warnings,
	    'preview', (select coalesce(json_agg(json_build_object(
	        'row', (r ->> 'row')::int,
	        'alias', r -> 'public' ->> 'alias',
	        'birth_year', (r -> 'public' ->> 'birth_year')::int,
	        'gender_name', case r -> 'public' ->> 'gender'
	            when 'f' then api.l(p_lang, '女', 'girl')
	            else api.l(p_lang, '男', 'boy') end,
	        'town_name', coalesce((select api.l(p_lang, t.name_zh, t.name_en)
	            from towns t where t.slug = r -> 'public' ->> 'town'),
	            (select api.l(p_lang, t.name_zh, t.name_en) from orgs o
	              join towns t on t.id = o.town_id where o.id = p_i.org_id)),
	        'school_stage_name', api.stage_name(r -> 'public' ->> 'school_stage',
	            p_lang),
	        'poverty_level_name', api.level_name(r -> 'public' ->> 'poverty_level',
	            p_lang),
	        'poverty_cause_names', (select coalesce(json_agg(
	            api.cause_name(c, p_lang)), '[]')
	          from jsonb_array_elements_text(r -> 'public' -> 'poverty_causes') c),
	        'left_behind', (r -> 'public' ->> 'left_behind')::boolean)
	        order by k), '[]')
	      from jsonb_array_elements(p_i.rows) with ordinality e(r, k)
	     where k <= 100))
$$;

-- The import p_id of the caller's organisation (404 otherwise).
create function api.child_import_find(p_u users, p_id bigint, p_lock boolean)
returns child_imports language plpgsql as $$
declare
	v_i	child_imports;
begin
	if p_lock then
		select * into v_i from child_imports where id = p_id for update;
	else
		select * into v_i from child_imports where id = p_id;
	end if;
	if v_i.id is null or v_i.org_id is distinct from p_u.org_id then
		perform api.fail(404, 'not_found');
	end if;
	return v_i;
end $$;

-- POST, the keeping of a clean file: its rows as they will be written
-- (p_rows: [{"row", "id", "public", "key_id", "nonce", "sealed"}]) and
-- the aliases that looked like names ([{"row", "code"}]).  The
-- organisation's imports left unconfirmed for a day go.  {"id"}.
create function api.child_import_save(p_sid text, p_lang text,
    p_filename text, p_encoding text, p_rows json, p_warnings json)
returns text language plpgsql as $$
declare
	v_u	users;
	v_i	child_imports;
begin
	v_u := api.require_user(p_sid, array['staff']);
	delete from child_imports where org_id = v_u.org_id
	   and confirmed_at is null and created_at < now() - interval '1 day';
	insert into child_imports (org_id, created_by, filename, encoding,
	    row_count, rows, warnings)
	values (v_u.org_id, v_u.id, left(coalesce(p_filename, ''), 200),
	    p_encoding, json_array_length(p_rows), p_rows::jsonb,
	    coalesce(p_warnings::jsonb, '[]'))
	returning * into v_i;
	return (api.child_import_json(v_i, p_lang)::jsonb
	    || jsonb_build_object('ok', true, 'problems', '[]'::jsonb))::text;
end $$;

-- GET /branch/children-import: the upload form and the latest imports.
create function api.child_import_home(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	return json_build_object(
	    'title', api.l(p_lang, '批量导入儿童', 'Import children'),
	    'home', true,
	    'recent', (select coalesce(json_agg(json_build_object('id', i.id,
	        'filename', i.filename, 'rows', i.row_count,
	        'created_at', api.minute(i.created_at),
	        'confirmed', i.confirmed_at is not null) order by i.id desc), '[]')
	      from (select * from child_imports where org_id = v_u.org_id
	             order by id desc limit 10) i))::text;
end $$;

-- GET /api/v1/branch/children-import/{id}.
create function api.child_import_get(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	return (api.child_import_json(api.child_import_find(v_u, p_id, false),
	    p_lang)::jsonb || jsonb_build_object('title',
	    api.l(p_lang, '批量导入儿童', 'Import children')))::text;
end $$;

-- POST /api/v1/branch/children-import/{id}/confirm: every row written,
-- or none (any refusal undoes the rows before it).  409 when it was
-- confirmed already or is more than a day old.
create function api.child_import_confirm(p_sid text, p_id bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	orgs;
	v_i	child_imports;
begin
	v_u := api.require_user(p_sid, array['staff']);
	v_i := api.child_import_find(v_u, p_id, true);
	if v_i.confirmed_at is not null then
		perform api.fail(409, 'import_confirmed');
	end if;
	if v_i.created_at < now() - interval '1 day' then
		perform api.fail(409, 'import_expired');
	end if;
	select * into v_org from orgs where id = v_i.org_id;
	perform api.org_require_enabled(v_org.id);
	perform api.children_insert(v_u, v_org, v_i.rows);
	update child_imports set rows = '[]', confirmed_at = now(),
	    confirmed_by = v_u.id where id = p_id;
	perform api.audit(v_u, 'child_import', 'child_import', p_id, p_ip,
	    jsonb_build_object('rows', v_i.row_count, 'filename', v_i.filename,
	        'encoding', v_i.encoding));
	return json_build_object('id', p_id, 'imported', v_i.row_count)::text;
end $$;
