-- Children (beneficiaries) for staff and admins: the census of a branch or
-- school.  The private part reaches the database only sealed (see
-- src/private.c): these functions store, hand out and log it, and never
-- see what it says.
--
-- Who may do what:
--   see a child's record and its private part: admins, and staff of the
--     child's organisation or of a branch above it (every hand-out of the
--     private part is written to the audit log as child_private_read);
--   register a child: staff, for their own organisation;
--   edit, archive: staff of the child's own organisation, and admins.
-- Anyone else: 404 for staff (the child's existence does not leak), 403
-- for donors, 401 without a session.

create function api.cause_name(p_cause text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_cause
	    when 'illness' then api.l(p_lang, '因病', 'illness')
	    when 'disability' then api.l(p_lang, '因残', 'disability')
	    when 'labour' then api.l(p_lang, '缺劳动力', 'lack of labour')
	    when 'education' then api.l(p_lang, '因学', 'education costs')
	    when 'disaster' then api.l(p_lang, '因灾', 'disaster')
	    when 'left_behind' then api.l(p_lang, '留守', 'left-behind child')
	    when 'orphan' then api.l(p_lang, '孤儿', 'orphan')
	    else api.l(p_lang, '其他', 'other') end
$$;

create function api.level_name(p_level text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_level
	    when 'extreme' then api.l(p_lang, '特困', 'extreme poverty')
	    when 'poor' then api.l(p_lang, '贫困', 'poor')
	    else api.l(p_lang, '困难', 'struggling') end
$$;

create function api.child_field_name(p_field text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_field
	    when 'alias' then api.l(p_lang, '化名', 'alias')
	    when 'birth_year' then api.l(p_lang, '出生年份', 'year of birth')
	    when 'gender' then api.l(p_lang, '性别', 'gender')
	    when 'town' then api.l(p_lang, '镇', 'town')
	    when 'school_stage' then api.l(p_lang, '学段', 'school stage')
	    when 'poverty_causes' then api.l(p_lang, '致贫原因', 'poverty causes')
	    when 'poverty_level' then api.l(p_lang, '困难程度', 'poverty level')
	    when 'left_behind' then api.l(p_lang, '留守儿童', 'left behind')
	    when 'consent_on' then api.l(p_lang, '同意日期', 'consent date')
	    when 'private' then api.l(p_lang, '隐私信息', 'private part')
	    when 'real_name' then api.l(p_lang, '真实姓名', 'real name')
	    when 'id_number' then api.l(p_lang, '身份证号', 'ID number')
	    when 'guardian' then api.l(p_lang, '监护人', 'guardian')
	    when 'guardian_relation' then api.l(p_lang, '与监护人关系',
	        'relation of the guardian')
	    when 'phone' then api.l(p_lang, '联系电话', 'phone')
	    when 'address' then api.l(p_lang, '家庭住址', 'address')
	    when 'notes' then api.l(p_lang, '备注', 'notes')
	    else p_field end
$$;

-- The choices of the child form: towns, school stages, causes, levels.
create function api.child_choices(p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'town', (select json_agg(json_build_object('value', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort, id)
	      from towns),
	    'school_stage', (select json_agg(json_build_object('value', s,
	        'name', api.stage_name(s, p_lang)) order by k)
	      from unnest(array['preschool', 'primary', 'junior', 'senior',
	          'vocational', 'college', 'none']) with ordinality u(s, k)),
	    'poverty_level', (select json_agg(json_build_object('value', s,
	        'name', api.level_name(s, p_lang)) order by k)
	      from unnest(array['extreme', 'poor', 'struggling'])
	          with ordinality u(s, k)),
	    'gender', json_build_array(
	        json_build_object('value', 'f', 'name', api.l(p_lang, '女', 'girl')),
	        json_build_object('value', 'm', 'name', api.l(p_lang, '男', 'boy'))),
	    'causes', (select json_agg(json_build_object('value', s,
	        'field', 'cause_' || s, 'name', api.cause_name(s, p_lang))
	        order by k)
	      from unnest(array['illness', 'disability', 'labour', 'education',
	          'disaster', 'left_behind', 'orphan', 'other'])
	          with ordinality u(s, k)))
$$;

-- A child's record as staff see it (never the private part).
create function api.child_json(b beneficiaries, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', b.id,
	    'alias', b.alias,
	    'birth_year', b.birth_year,
	    'age', api.age(b.birth_year),
	    'gender', b.gender,
	    'gender_name', case b.gender when 'f' then api.l(p_lang, '女', 'girl')
	        else api.l(p_lang, '男', 'boy') end,
	    'town', t.slug,
	    'town_name', api.l(p_lang, t.name_zh, t.name_en),
	    'school_stage', b.school_stage,
	    'school_stage_name', api.stage_name(b.school_stage, p_lang),
	    'poverty_causes', to_json(b.poverty_causes),
	    'poverty_cause_names', (select coalesce(json_agg(
	        api.cause_name(c, p_lang)), '[]') from unnest(b.poverty_causes) c),
	    'poverty_level', b.poverty_level,
	    'poverty_level_name', api.level_name(b.poverty_level, p_lang),
	    'left_behind', b.left_behind,
	    'org_id', b.org_id,
	    'org_name', api.l(p_lang, o.name, o.name_en),
	    'consent_on', to_char(b.consent_on, 'YYYY-MM-DD'),
	    'consent_recorded_by', (select display_name from users
	        where id = b.consent_recorded_by),
	    'archived', b.archived_at is not null,
	    'archived_on', api.day(b.archived_at),
	    'consent_withdrawn_on', api.day(b.consent_withdrawn_at),
	    'private_purge_on', api.day(b.private_purge_after),
	    'private_purged', b.private_purged_at is not null,
	    'created_on', api.day(b.created_at),
	    'updated_on', api.day(b.updated_at),
	    'has_private', exists (select 1 from beneficiary_private p
	        where p.beneficiary_id = b.id))
	from towns t, orgs o
	where t.id = b.town_id and o.id = b.org_id
$$;

-- The child's public fields as the edit form shows them.
create function api.child_form(b beneficiaries)
returns json language sql stable as $$
	select (jsonb_build_object('alias', b.alias, 'birth_year', b.birth_year,
	    'gender', b.gender,
	    'town', (select slug from towns where id = b.town_id),
	    'school_stage', b.school_stage, 'poverty_level', b.poverty_level,
	    'left_behind', b.left_behind,
	    'consent_on', to_char(b.consent_on, 'YYYY-MM-DD'),
	    'consent', b.consent_on is not null)
	    || coalesce((select jsonb_object_agg('cause_' || c, true)
	        from unnest(b.poverty_causes) c), '{}'::jsonb))::json
$$;

-- The child p_id for the caller, locked when p_lock: 404 unless the
-- caller sees it.
create function api.child_find(p_u users, p_id bigint, p_lock boolean)
returns beneficiaries language plpgsql as $$
declare
	v_b	beneficiaries;
begin
	if p_lock then
		select * into v_b from beneficiaries where id = p_id for update;
	else
		select * into v_b from beneficiaries where id = p_id;
	end if;
	if v_b.id is null or not api.sees_org(p_u, v_b.org_id) then
		perform api.fail(404, 'not_found');
	end if;
	return v_b;
end $$;

-- Child p_id, locked, for a change by p_u: 404 when the caller does not
-- see it, 403 when they see it but may not change it.
create function api.child_for_change(p_u users, p_id bigint)
returns beneficiaries language plpgsql as $$
declare
	v_b	beneficiaries;
begin
	v_b := api.child_find(p_u, p_id, true);
	if not api.child_can_edit(p_u, v_b) then
		perform api.fail(403, 'forbidden');
	end if;
	return v_b;
end $$;

-- Whether the caller may change the child's record.
create function api.child_can_edit(p_u users, p_b beneficiaries)
returns boolean language sql stable as $$
	select p_u.role = 'admin'
	    or (p_u.role = 'staff' and p_u.org_id = p_b.org_id)
$$;

-- Checks the public fields of a child (p_public: alias, birth_year,
-- gender, town, school_stage, poverty_causes, poverty_level, left_behind,
-- consent_on) for organisation p_org; 400 naming the field.
create function api.child_check(p_public json, p_org orgs)
returns beneficiaries language plpgsql stable as $$
declare
	v_b	beneficiaries;
	v_town	text := p_public ->> 'town';
	v_year	int := (p_public ->> 'birth_year')::int;
	v_stage	text := p_public ->> 'school_stage';
	v_level	text := coalesce(p_public ->> 'poverty_level', 'poor');
begin
	v_b.org_id := p_org.id;
	v_b.alias := p_public ->> 'alias';
	if v_b.alias is null or length(v_b.alias) not between 1 and 20 then
		perform api.fail(400, 'required', '{"field":"alias"}');
	end if;
	if v_year is null or v_year < 1990
	    or v_year > extract(year from api.today()) then
		perform api.fail(400, 'bad_number', '{"field":"birth_year"}');
	end if;
	v_b.birth_year := v_year;
	v_b.gender := p_public ->> 'gender';
	if v_b.gender is null or v_b.gender not in ('f', 'm') then
		perform api.fail(400, 'unknown_value', '{"field":"gender"}');
	end if;
	if v_town is not null then
		v_b.town_id := api.slug_lookup('town', v_town);
	else
		v_b.town_id := p_org.town_id;
		if v_b.town_id is null then
			perform api.fail(400, 'required', '{"field":"town"}');
		end if;
	end if;
	if v_stage is null or v_stage not in ('preschool', 'primary', 'junior',
	    'senior', 'vocational', 'college', 'none') then
		perform api.fail(400, 'unknown_value', '{"field":"school_stage"}');
	end if;
	v_b.school_stage := v_stage;
	if v_level not in ('extreme', 'poor', 'struggling') then
		perform api.fail(400, 'unknown_value', '{"field":"poverty_level"}');
	end if;
	v_b.poverty_level := v_level;
	v_b.poverty_causes := coalesce((select array_agg(c order by c)
	    from json_array_elements_text(p_public -> 'poverty_causes') c), '{}');
	if not v_b.poverty_causes <@ array['illness', 'disability', 'labour',
	    'education', 'disaster', 'left_behind', 'orphan', 'other'] then
		perform api.fail(400, 'unknown_value', '{"field":"poverty_causes"}');
	end if;
	v_b.left_behind := coalesce((p_public ->> 'left_behind')::boolean, false);
	v_b.consent_on := (p_public ->> 'consent_on')::date;
	if v_b.consent_on is null then
		perform api.fail(400, 'consent_required', '{"field":"consent"}');
	end if;
	if v_b.consent_on > api.today() then
		perform api.fail(400, 'bad_date', '{"field":"consent_on"}');
	end if;
	return v_b;
end $$;

-- POST, first step: a number for the new child, so that its private part
-- can be sealed to it before anything is written.  Staff only.
create function api.child_new_id(p_sid text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	return json_build_object('id',
	    nextval(pg_get_serial_sequence('beneficiaries', 'id')))::text;
end $$;

-- Writes the children p_rows ([{"id", "public", "key_id", "nonce",
-- "sealed"}]: the public fields as api.child_check reads them, checked
-- here for organisation p_org, and the private part sealed to the
-- child's number, in hex) registered by p_u, with their history's first
-- entries: a child typed in (api.child_create, one row) and an import
-- (api.child_import_confirm, thousands: hence one statement for all,
-- not a statement a row).  Returns how many.
create function api.children_insert(p_u users, p_org orgs, p_rows jsonb)
returns int language plpgsql as $$
declare
	v_n	int;
begin
	with r as materialized (
		select (e ->> 'id')::bigint as id, e ->> 'key_id' as key_id,
		    e ->> 'nonce' as nonce, e ->> 'sealed' as sealed,
		    api.child_check((e -> 'public')::json, p_org) as b
		  from jsonb_array_elements(p_rows) with ordinality x(e, k)
	), ins as (
		insert into beneficiaries (id, org_id, alias, birth_year,
		    gender, town_id, school_stage, poverty_causes, poverty_level,
		    left_behind, consent_on, consent_recorded_by, created_by)
		overriding system value
		select r.id, (r.b).org_id, (r.b).alias, (r.b).birth_year,
		    (r.b).gender, (r.b).town_id, (r.b).school_stage,
		    (r.b).poverty_causes, (r.b).poverty_level, (r.b).left_behind,
		    (r.b).consent_on, p_u.id, p_u.id
		  from r
		returning id
	), priv as (
		insert into beneficiary_private (beneficiary_id, key_id, nonce,
		    sealed)
		select r.id, r.key_id, decode(r.nonce, 'hex'),
		    decode(r.sealed, 'hex')
		  from r
	), hist as (
		insert into beneficiary_history (beneficiary_id, actor_id,
		    action, changed)
		select r.id, p_u.id, 'create', array['alias', 'birth_year',
		    'gender', 'town', 'school_stage', 'poverty_causes',
		    'poverty_level', 'left_behind', 'consent_on', 'private']
		  from r
	)
	select count(*) into v_n from ins;
	return v_n;
end $$;

-- POST /api/v1/branch/children: registers a child of the caller's own
-- organisation, with its sealed private part (key id, nonce and sealed
-- value in hex), in one transaction.
create function api.child_create(p_sid text, p_id bigint, p_public json,
    p_key_id text, p_nonce text, p_sealed text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	orgs;
begin
	v_u := api.require_user(p_sid, array['staff']);
	select * into v_org from orgs where id = v_u.org_id;
	perform api.org_require_enabled(v_org.id);
	perform api.children_insert(v_u, v_org, jsonb_build_array(
	    jsonb_build_object('id', p_id, 'public', p_public, 'key_id', p_key_id,
	        'nonce', p_nonce, 'sealed', p_sealed)));
	perform api.audit(v_u, 'child_create', 'beneficiary', p_id, p_ip);
	return json_build_object('id', p_id)::text;
end $$;

-- POST, first step of an edit: the sealed private part as it is, for the
-- module to tell which private fields the edit changes.  Nothing is
-- shown, so nothing is logged here; the edit itself is.
create function api.child_for_edit(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_b := api.child_find(v_u, p_id, false);
	if not api.child_can_edit(v_u, v_b) then
		perform api.fail(403, 'forbidden');
	end if;
	if v_b.archived_at is not null then
		perform api.fail(409, 'child_archived');
	end if;
	return coalesce((select json_build_object('key_id', key_id,
	    'nonce', encode(nonce, 'hex'), 'sealed', encode(sealed, 'hex'))
	  from beneficiary_private where beneficiary_id = p_id), '{}')::text;
end $$;

-- POST /api/v1/branch/children/{id}: new public fields and a newly sealed
-- private part; p_private_changed names the private fields that changed
-- (comma-separated, possibly empty).  The history keeps the former public
-- values and the former private part, still sealed.
create function api.child_update(p_sid text, p_id bigint, p_public json,
    p_key_id text, p_nonce text, p_sealed text, p_private_changed text,
    p_ip text)
returns text language plpgsql as $$
declare
	v_u		users;
	v_old		beneficiaries;
	v_new		beneficiaries;
	v_priv		beneficiary_private;
	v_changed	text[] := '{}';
	v_before	jsonb := '{}';
	v_pchanged	text[] := coalesce(string_to_array(
			    nullif(p_private_changed, ''), ','), '{}');
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_old := api.child_find(v_u, p_id, true);
	if not api.child_can_edit(v_u, v_old) then
		perform api.fail(403, 'forbidden');
	end if;
	if v_old.archived_at is not null then
		perform api.fail(409, 'child_archived');
	end if;
	v_new := api.child_check(p_public, (select o from orgs o
	    where o.id = v_old.org_id));
	select array_agg(k), jsonb_object_agg(k, o) into v_changed, v_before
	  from (values
	    ('alias', to_jsonb(v_old.alias), v_old.alias = v_new.alias),
	    ('birth_year', to_jsonb(v_old.birth_year),
	        v_old.birth_year = v_new.birth_year),
	    ('gender', to_jsonb(v_old.gender), v_old.gender = v_new.gender),
	    ('town', to_jsonb((select slug from towns where id = v_old.town_id)),
	        v_old.town_id = v_new.town_id),
	    ('school_stage', to_jsonb(v_old.school_stage),
	        v_old.school_stage = v_new.school_stage),
	    ('poverty_causes', to_jsonb(v_old.poverty_causes),
	        v_old.poverty_causes = v_new.poverty_causes),
	    ('poverty_level', to_jsonb(v_old.poverty_level),
	        v_old.poverty_level = v_new.poverty_level),
	    ('left_behind', to_jsonb(v_old.left_behind),
	        v_old.left_behind = v_new.left_behind),
	    ('consent_on', to_jsonb(v_old.consent_on),
	        v_old.consent_on is not distinct from v_new.consent_on)
	  ) f(k, o, same) where not same;
	v_changed := coalesce(v_changed, '{}');
	v_before := coalesce(v_before, '{}');
	if not v_pchanged <@ array['real_name', 'id_number', 'guardian',
	    'guardian_relation', 'phone', 'address', 'notes'] then
		perform api.fail(400, 'bad_request');
	end if;
	if cardinality(v_changed) = 0 and cardinality(v_pchanged) = 0 then
		return json_build_object('id', p_id, 'changed', '[]'::json)::text;
	end if;

	update beneficiaries set alias = v_new.alias,
	    birth_year = v_new.birth_year, gender = v_new.gender,
	    town_id = v_new.town_id, school_stage = v_new.school_stage,
	    poverty_causes = v_new.poverty_causes,
	    poverty_level = v_new.poverty_level,
	    left_behind = v_new.left_behind, consent_on = v_new.consent_on,
	    consent_recorded_by = case when v_old.consent_on
	        is distinct from v_new.consent_on then v_u.id
	        else consent_recorded_by end,
	    updated_at = now()
	 where id = p_id;
	if cardinality(v_pchanged) > 0 then
		select * into v_priv from beneficiary_private
		 where beneficiary_id = p_id for update;
		insert into beneficiary_private (beneficiary_id, key_id, nonce,
		    sealed)
		values (p_id, p_key_id, decode(p_nonce, 'hex'),
		    decode(p_sealed, 'hex'))
		on conflict (beneficiary_id) do update set
		    key_id = excluded.key_id, nonce = excluded.nonce,
		    sealed = excluded.sealed, updated_at = now();
	end if;
	insert into beneficiary_history (beneficiary_id, actor_id, action,
	    changed, before, prev_key_id, prev_nonce, prev_sealed)
	values (p_id, v_u.id, 'update', v_changed || v_pchanged, v_before,
	    v_priv.key_id, v_priv.nonce, v_priv.sealed);
	perform api.audit(v_u, 'child_update', 'beneficiary', p_id, p_ip,
	    jsonb_build_object('changed', v_changed || v_pchanged));
	return json_build_object('id', p_id,
	    'changed', to_json(v_changed || v_pchanged))::text;
end $$;

-- The private part, sealed, for the module to open and show: written to
-- the audit log (child_private_read) in the same statement.  {} when the
-- child has none.
create function api.child_private(p_sid text, p_id bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_b := api.child_find(v_u, p_id, false);
	perform api.audit(v_u, 'child_private_read', 'beneficiary', p_id, p_ip);
	return coalesce((select json_build_object('id', p_id,
	    'key_id', key_id, 'nonce', encode(nonce, 'hex'),
	    'sealed', encode(sealed, 'hex'))
	  from beneficiary_private where beneficiary_id = p_id),
	  json_build_object('id', p_id))::text;
end $$;

-- GET /api/v1/branch/children/{id}: the record, its history and its
-- needs (not the private part).
create function api.child_get(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_b := api.child_find(v_u, p_id, false);
	return json_build_object(
	    'child', api.child_json(v_b, p_lang),
	    'title', v_b.alias,
	    'can_edit', api.child_can_edit(v_u, v_b) and v_b.archived_at is null,
	    -- A need for this child: its school's staff (api.need_check).
	    'can_post_need', v_u.role = 'staff' and v_u.org_id = v_b.org_id
	        and v_b.archived_at is null,
	    'can_archive', api.child_can_edit(v_u, v_b),
	    'form', api.child_form(v_b),
	    'choices', api.child_choices(p_lang),
	    'history', (select coalesce(json_agg(json_build_object(
	        'at', api.minute(h.at),
	        'actor', u.display_name,
	        'action', h.action,
	        'action_name', case h.action
	            when 'create' then api.l(p_lang, '登记', 'registered')
	            when 'update' then api.l(p_lang, '修改', 'edited')
	            when 'archive' then api.l(p_lang, '归档', 'archived')
	            when 'consent_withdrawn' then api.l(p_lang,
	                '监护人撤回同意', 'guardian withdrew consent')
	            when 'private_purged' then api.l(p_lang, '隐私信息已清除',
	                'private part erased')
	            else api.l(p_lang, '恢复', 'restored') end,
	        'changed', to_json(h.changed),
	        'changed_names', (select coalesce(json_agg(
	            api.child_field_name(c, p_lang)), '[]')
	          from unnest(h.changed) c),
	        'before', h.before) order by h.id desc), '[]')
	      from beneficiary_history h left join users u on u.id = h.actor_id
	     where h.beneficiary_id = p_id),
	    'needs', (select coalesce(json_agg(json_build_object(
	        'id', n.id, 'title', n.title, 'status', n.status,
	        'status_name', api.status_name(n.status, p_lang),
	        'deadline', to_char(n.deadline, 'YYYY-MM-DD'))
	        order by n.id desc), '[]')
	      from needs n where n.beneficiary_id = p_id))::text;
end $$;

-- The children of the register the caller p_u sees (admins: all; staff:
-- their organisation's subtree), current or archived, narrowed by the
-- filters that are not null: town (slug), school (the child's
-- organisation), school stage, one poverty cause, level, left behind, and
-- a piece of the alias (q, as typed: no pattern characters).
create function api.children_filtered(p_u users, p_archived boolean,
    p_town text, p_school bigint, p_stage text, p_cause text, p_level text,
    p_left_behind boolean, p_q text)
returns setof beneficiaries language sql stable as $$
	select b.* from beneficiaries b
	 where (p_u.role = 'admin'
	        or b.org_id in (select api.org_subtree(p_u.org_id)))
	   and (b.archived_at is not null) = coalesce(p_archived, false)
	   and (p_town is null
	        or b.town_id = (select id from towns where slug = p_town))
	   and (p_school is null or b.org_id = p_school)
	   and (p_stage is null or b.school_stage = p_stage)
	   and (p_cause is null or p_cause = any (b.poverty_causes))
	   and (p_level is null or b.poverty_level = p_level)
	   and (p_left_behind is null or b.left_behind = p_left_behind)
	   and (p_q is null or strpos(lower(b.alias), lower(p_q)) > 0)
$$;

-- The filters' choices, each option marked when it is the one chosen.
create function api.children_filter_choices(p_u users, p_lang text,
    p_town text, p_school bigint, p_stage text, p_cause text, p_level text,
    p_left_behind boolean)
returns json language sql stable as $$
	select json_build_object(
	    'left_behind', json_build_array(
	        json_build_object('value', '1', 'name', api.l(p_lang, '留守',
	            'left behind'), 'selected', p_left_behind is true),
	        json_build_object('value', '0', 'name', api.l(p_lang, '非留守',
	            'not left behind'), 'selected', p_left_behind is false)),
	    'town', (select json_agg(json_build_object('value', t.slug,
	        'name', api.l(p_lang, t.name_zh, t.name_en),
	        'selected', t.slug is not distinct from p_town) order by t.sort, t.id)
	      from towns t),
	    'school', (select coalesce(json_agg(json_build_object(
	        'value', o.id::text, 'name', api.l(p_lang, o.name, o.name_en),
	        'selected', o.id is not distinct from p_school) order by o.name), '[]')
	      from orgs o
	     where o.kind = 'school' and (p_u.role = 'admin'
	        or o.id in (select api.org_subtree(p_u.org_id)))),
	    'school_stage', (select json_agg(json_build_object('value', s,
	        'name', api.stage_name(s, p_lang), 'selected', s is not distinct from p_stage)
	        order by k)
	      from unnest(array['preschool', 'primary', 'junior', 'senior',
	          'vocational', 'college', 'none']) with ordinality u(s, k)),
	    'cause', (select json_agg(json_build_object('value', s,
	        'name', api.cause_name(s, p_lang), 'selected', s is not distinct from p_cause)
	        order by k)
	      from unnest(array['illness', 'disability', 'labour', 'education',
	          'disaster', 'left_behind', 'orphan', 'other'])
	          with ordinality u(s, k)),
	    'poverty_level', (select json_agg(json_build_object('value', s,
	        'name', api.level_name(s, p_lang), 'selected', s is not distinct from p_level)
	        order by k)
	      from unnest(array['extreme', 'poor', 'struggling'])
	          with ordinality u(s, k)))
$$;

-- GET /api/v1/branch/children: the children the caller sees, filtered
-- (api.children_filtered), 50 a page, newest first.  A filter's value
-- that names nothing (an unknown town, a school outside the caller's
-- subtree) finds no child.
create function api.children_list(p_sid text, p_lang text, p_archived boolean,
    p_page int, p_town text default null, p_school bigint default null,
    p_stage text default null, p_cause text default null,
    p_level text default null, p_left_behind boolean default null,
    p_q text default null)
returns text language plpgsql as $$
declare
	v_u	users;
	v_total	bigint;
	v_page	int := coalesce(p_page, 1);
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	p_q := nullif(btrim(p_q), '');
	select count(*) into v_total
	  from api.children_filtered(v_u, p_archived, p_town, p_school, p_stage,
	      p_cause, p_level, p_left_behind, p_q);
	return json_build_object(
	    'items', (select coalesce(json_agg(api.child_json(b, p_lang)
	        order by b.id desc), '[]')
	      from (select * from api.children_filtered(v_u, p_archived, p_town,
	             p_school, p_stage, p_cause, p_level, p_left_behind, p_q) b
	             order by b.id desc
	             limit 50 offset (v_page - 1) * 50) b),
	    'total', v_total,
	    'page', v_page,
	    'pages', greatest(1, (v_total + 49) / 50),
	    'prev', case when v_page > 1 then v_page - 1 end,
	    'next', case when v_page::bigint * 50 < v_total then v_page + 1 end,
	    'archived', coalesce(p_archived, false),
	    'filters', json_build_object('town', p_town, 'school', p_school,
	        'stage', p_stage, 'cause', p_cause, 'level', p_level,
	        'left_behind', p_left_behind, 'q', p_q),
	    'filter_choices', api.children_filter_choices(v_u, p_lang, p_town,
	        p_school, p_stage, p_cause, p_level, p_left_behind),
	    'title', api.l(p_lang, '儿童档案', 'Children'),
	    'can_create', v_u.role = 'staff',
	    'choices', api.child_choices(p_lang),
	    'form', json_build_object('town', (select t.slug from orgs o
	        join towns t on t.id = o.town_id where o.id = v_u.org_id),
	        'poverty_level', 'poor', 'consent_on', to_char(api.today(),
	        'YYYY-MM-DD')))::text;
end $$;

-- POST /api/v1/branch/children/{id}/archive and /unarchive.  A child with
-- a need still under way cannot be archived.
create function api.child_archive(p_sid text, p_id bigint, p_archive boolean,
    p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_b := api.child_for_change(v_u, p_id);
	if (v_b.archived_at is not null) = p_archive then
		return json_build_object('id', p_id, 'archived', p_archive)::text;
	end if;
	if not p_archive and v_b.consent_withdrawn_at is not null then
		perform api.fail(409, 'consent_withdrawn');
	end if;
	if p_archive and exists (select 1 from needs where beneficiary_id = p_id
	    and status = any (api.need_under_way())) then
		perform api.fail(409, 'child_has_needs');
	end if;
	update beneficiaries set archived_at = case when p_archive then now() end,
	    updated_at = now() where id = p_id;
	insert into beneficiary_history (beneficiary_id, actor_id, action)
	values (p_id, v_u.id, case when p_archive then 'archive'
	    else 'unarchive' end);
	perform api.audit(v_u, case when p_archive then 'child_archive'
	    else 'child_unarchive' end, 'beneficiary', p_id, p_ip);
	return json_build_object('id', p_id, 'archived', p_archive)::text;
end $$;
