-- Organisations and accounts, for admins (everything) and staff (their
-- organisation's subtree).

create function api.org_kind_name(p_kind text, p_lang text)
returns text language sql immutable as $$
	select case p_kind
	    when 'city' then api.l(p_lang, '市团委', 'city committee')
	    when 'town' then api.l(p_lang, '镇团委', 'town branch')
	    when 'unit' then api.l(p_lang, '市直单位团委', 'unit branch')
	    when 'college' then api.l(p_lang, '高校团委', 'college branch')
	    when 'school' then api.l(p_lang, '学校', 'school')
	    else api.l(p_lang, '爱心组织', 'caring organisation') end
$$;

create function api.role_name(p_role text, p_lang text)
returns text language sql immutable as $$
	select case p_role
	    when 'admin' then api.l(p_lang, '管理员', 'administrator')
	    when 'staff' then api.l(p_lang, '工作人员', 'staff')
	    else api.l(p_lang, '爱心人士', 'donor') end
$$;

-- The organisations the caller may see: admins all, staff their subtree,
-- as a list in tree order (depth for indentation).
create function api.orgs_visible(p_user users, p_lang text)
returns json language sql stable as $$
	with recursive tree(id, depth, path) as (
		select id, 0, array[id] from orgs
		 where case when p_user.role = 'admin' then parent_id is null
		       else id = p_user.org_id end
		union all
		select o.id, t.depth + 1, t.path || o.id
		  from orgs o join tree t on o.parent_id = t.id
	)
	select coalesce(json_agg(json_build_object(
	    'id', o.id, 'parent_id', o.parent_id, 'kind', o.kind,
	    'kind_name', api.org_kind_name(o.kind, p_lang),
	    'name', o.name, 'name_en', o.name_en, 'depth', t.depth,
	    'disabled', o.disabled_at is not null,
	    'town', (select slug from towns where id = o.town_id),
	    'staff', (select count(*) from users u where u.org_id = o.id
	        and u.role <> 'donor' and u.disabled_at is null))
	    order by t.path), '[]')
	from tree t join orgs o on o.id = t.id
$$;

-- Accounts the caller (an admin or staff) may manage: admins all staff
-- and admins, staff the staff of the organisations below their own.
create function api.accounts_visible(p_user users, p_lang text)
returns json language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'id', u.id, 'role', u.role,
	    'role_name', api.role_name(u.role, p_lang),
	    'display_name', u.display_name, 'email', u.email,
	    'phone', u.phone, 'org_id', u.org_id, 'org_name', o.name,
	    'disabled', u.disabled_at is not null,
	    'invited', u.password_hash is null,
	    'is_self', u.id = p_user.id,
	    'is_admin', u.role = 'admin',
	    'admin_edits', p_user.role = 'admin' and u.id <> p_user.id,
	    'created_on', api.day(u.created_at)) order by o.id, u.id), '[]')
	from users u join orgs o on o.id = u.org_id
	where u.role <> 'donor' and api.above_org(p_user, o.id)
$$;

-- GET /admin: the organisation tree, the accounts, the latest audit.
create function api.admin_home(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin']);
	return json_build_object(
	    'orgs', api.orgs_visible(v_u, p_lang),
	    'accounts', api.accounts_visible(v_u, p_lang),
	    'from', 'admin',
	    'org_choices', (select json_agg(json_build_object('id', id,
	        'name', name) order by id) from orgs where kind <> 'caring'
	        and disabled_at is null),
	    'towns', (select json_agg(json_build_object('slug', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort)
	      from towns),
	    'parents', (select json_agg(json_build_object('id', id,
	        'name', name, 'kind', kind) order by id)
	      from orgs where kind in ('city', 'town') and disabled_at is null),
	    'audit', (select coalesce(json_agg(json_build_object(
	        'at', api.minute(a.at),
	        'actor', u.display_name, 'action', a.action,
	        'action_name', api.audit_action_name(a.action, p_lang),
	        'target_type', a.target_type,
	        'target_name', api.audit_target_name(a.target_type, p_lang),
	        'target_id', a.target_id,
	        'ip', host(a.ip)) order by a.id desc), '[]')
	      from (select * from audit_log order by id desc limit 50) a
	      left join users u on u.id = a.actor_id))::text;
end $$;

-- GET /branch: the staff member's organisation, what is below it, and
-- the accounts they manage.
create function api.branch_home(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	return json_build_object(
	    'org', (select json_build_object('id', id, 'name', name,
	        'kind', kind, 'kind_name', api.org_kind_name(kind, p_lang))
	      from orgs where id = v_u.org_id),
	    'orgs', api.orgs_visible(v_u, p_lang),
	    'from', 'branch',
	    'org_choices', (select coalesce(json_agg(json_build_object('id', id,
	        'name', name) order by id), '[]')
	      from orgs where api.org_within(id, v_u.org_id)
	        and id <> v_u.org_id),
	    'accounts', api.accounts_visible(v_u, p_lang))::text;
end $$;

-- GET /api/v1/orgs
create function api.orgs_list(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	return json_build_object('items', api.orgs_visible(v_u, p_lang))::text;
end $$;

-- POST /api/v1/orgs (admins): town, unit and college branches sit under
-- the city committee, schools under a town branch, caring organisations
-- beside the tree.
create function api.org_create(p_sid text, p_kind text, p_parent bigint,
    p_name text, p_name_en text, p_town text, p_ip text)
returns text language plpgsql as $$
declare
	v_u		users;
	v_parent	orgs;
	v_town		smallint;
	v_id		bigint;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_kind = 'caring' then
		if p_parent is not null then
			perform api.fail(400, 'bad_parent', '{"field":"parent_id"}');
		end if;
	else
		select * into v_parent from orgs where id = p_parent;
		if not found or v_parent.kind is distinct from
		    (array['city', 'town'])[(p_kind = 'school')::int + 1] then
			perform api.fail(400, 'bad_parent', '{"field":"parent_id"}');
		end if;
	end if;
	v_town := api.slug_lookup('town', p_town);
	if p_kind = 'school' then
		v_town := coalesce(v_town, v_parent.town_id);
	end if;
	insert into orgs (parent_id, kind, name, name_en, town_id)
	values (p_parent, p_kind, p_name, p_name_en, v_town)
	returning id into v_id;
	perform api.audit(v_u, 'org_create', 'org', v_id, p_ip,
	    jsonb_build_object('kind', p_kind, 'name', p_name));
	return json_build_object('id', v_id)::text;
end $$;

-- GET /api/v1/users: the accounts the caller manages.
create function api.accounts_list(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	return json_build_object('items', api.accounts_visible(v_u, p_lang))::text;
end $$;

-- Whether an account of role p_role may belong to organisation p_org:
-- admins sit at the city committee (400 admin_city_only), nobody is
-- staff of a caring organisation (400 no_staff_for_caring).
create function api.account_org_check(p_role text, p_org orgs)
returns void language plpgsql immutable as $$
begin
	if p_role = 'admin' and p_org.kind <> 'city' then
		perform api.fail(400, 'admin_city_only', '{"field":"org_id"}');
	end if;
	if p_org.kind = 'caring' then
		perform api.fail(400, 'no_staff_for_caring', '{"field":"org_id"}');
	end if;
end $$;

-- POST /api/v1/users: admins invite staff of any organisation and admins
-- of the city committee; staff invite staff of the organisations below
-- their own.  The account has no password: an invitation (a link to
-- /password/reset?token=…&invite=1, p_link with its token's hash p_hash,
-- valid 7 days; sql/api/032_recovery.sql) lets its owner choose one,
-- which also verifies the address it reached.
create function api.account_create(p_sid text, p_role text, p_org bigint,
    p_name text, p_email text, p_phone text, p_hash text, p_link text,
    p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	orgs;
	v_t	users;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	select * into v_org from orgs where id = p_org;
	if not found then
		perform api.fail(400, 'unknown_value', '{"field":"org_id"}');
	end if;
	if v_u.role = 'staff' and (p_role <> 'staff'
	    or not api.above_org(v_u, v_org.id)) then
		perform api.fail(403, 'forbidden');
	end if;
	perform api.account_org_check(p_role, v_org);
	perform api.org_require_enabled(v_org.id);
	if p_email is null and p_phone is null then
		perform api.fail(400, 'contact_required', '{"field":"email"}');
	end if;
	if exists (select 1 from users where email = lower(p_email)
	    or phone = p_phone) then
		perform api.fail(409, 'account_exists');
	end if;
	insert into users (role, org_id, display_name, email, phone,
	    created_by)
	values (p_role, p_org, p_name, lower(p_email), p_phone, v_u.id)
	returning * into v_t;
	perform api.token_issue(v_t.id, 'invite', p_hash, v_u.id, p_ip);
	perform api.invite_notify(v_t, v_u, p_link);
	perform api.audit(v_u, 'account_create', 'user', v_t.id, p_ip,
	    jsonb_build_object('role', p_role, 'org_id', p_org,
	        'invited', true));
	return json_build_object('id', v_t.id, 'invited', true)::text;
end $$;

-- Account p_id as one p_u manages: admins any, staff the staff of the
-- organisations below their own; 404 for any other (the caller may not
-- even see it).  What every change to another's account checks first.
create function api.account_manageable(p_u users, p_id bigint)
returns users language plpgsql stable as $$
declare
	v_t	users;
begin
	select * into v_t from users where id = p_id;
	if not found or (p_u.role = 'staff' and (v_t.role <> 'staff'
	    or not api.above_org(p_u, v_t.org_id))) then
		perform api.fail(404, 'not_found');
	end if;
	return v_t;
end $$;

-- POST /api/v1/users/{id}/disable and /enable.  A disabled account's
-- sessions end at once, and the links sent to it die.  Nobody disables
-- themselves; 404 for accounts the caller may not manage
-- (api.account_manageable).
create function api.account_set_disabled(p_sid text, p_id bigint,
    p_disabled boolean, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	users;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_t := api.account_manageable(v_u, p_id);
	if v_t.id = v_u.id then
		perform api.fail(400, 'not_yourself');
	end if;
	if not p_disabled and v_t.role = 'staff' then
		perform api.org_require_enabled(v_t.org_id);
	end if;
	if v_t.deleted_at is not null then
		perform api.fail(409, 'account_deleted');
	end if;
	update users set disabled_at = case when p_disabled
	    then coalesce(disabled_at, now()) end, updated_at = now()
	 where id = p_id;
	if p_disabled then
		delete from sessions where user_id = p_id;
		delete from account_tokens where user_id = p_id
		   and used_at is null;
	end if;
	perform api.audit(v_u, case when p_disabled then 'account_disable'
	    else 'account_enable' end, 'user', p_id, p_ip);
	return json_build_object('id', p_id, 'disabled', p_disabled)::text;
end $$;
