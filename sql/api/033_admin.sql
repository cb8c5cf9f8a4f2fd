-- The city committee's administration (issue 18, item 1): organisations
-- edited, moved in the tree and disabled; accounts' role and
-- organisation changed; the audit log searched, paged and exported
-- (sql/api/098_list_exports.sql: api.export_audit).  Admins only; every
-- change is audit-logged.  The handlers are src/admin.c's.
--
-- A disabled organisation (orgs.disabled_at), with its whole subtree:
--   - it is refused while a need of the subtree is under way (submitted,
--     verified, in its public notice, open or fully pledged): those are
--     finished or cancelled first, so that no donor's pledge is left on
--     a need nobody answers for;
--   - its staff accounts are disabled with it and their sessions end;
--   - it posts no new need, registers no child, gets no new account, and
--     its staff cannot be enabled again until it is (409 org_disabled);
--   - it is no longer offered as a parent or an organisation to choose.
-- Enabling it again enables the organisation only: its accounts are
-- enabled one by one.

-- The states of a need under way: asked for, and not yet done with.
create function api.need_under_way()
returns text[] language sql immutable as $$
	select array['submitted', 'verified', 'notice', 'open', 'fully_pledged']
$$;

-- 409 org_disabled when organisation p_org is disabled.
create function api.org_require_enabled(p_org bigint)
returns void language plpgsql stable as $$
begin
	if exists (select 1 from orgs where id = p_org
	    and disabled_at is not null) then
		perform api.fail(409, 'org_disabled');
	end if;
end $$;

-- Organisation p_id, locked for a change; 404 when there is none.
create function api.org_find(p_id bigint)
returns orgs language plpgsql as $$
declare
	v_o	orgs;
begin
	select * into v_o from orgs where id = p_id for update;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return v_o;
end $$;

-- The parent an organisation of kind p_kind must have: town, unit and
-- college branches the city committee, schools a town branch, caring
-- organisations none (as api.org_create).
create function api.org_parent_fits(p_kind text, p_parent orgs)
returns boolean language sql immutable as $$
	select case when p_kind = 'caring' then p_parent.id is null
	    else p_parent.kind is not distinct from
	        (array['city', 'town'])[(p_kind = 'school')::int + 1] end
$$;

-- POST /orgs/{id}, /api/v1/orgs/{id} (admins): a new name, English name,
-- town or parent (a move in the tree).  A field left out stays as it
-- is.  400 bad_parent when the parent does not fit the kind, or lies in
-- the organisation's own subtree (itself included); 404 for an unknown
-- organisation.  The city committee is not moved.
create function api.org_update(p_sid text, p_id bigint, p_name text,
    p_name_en text, p_town text, p_parent bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u		users;
	v_o		orgs;
	v_parent	orgs;
	v_town		smallint;
	v_new		orgs;
begin
	v_u := api.require_user(p_sid, array['admin']);
	v_o := api.org_find(p_id);
	if p_parent is not null and p_parent is distinct from v_o.parent_id then
		if v_o.kind in ('city', 'caring') or api.org_within(p_parent, p_id)
		then
			perform api.fail(400, 'bad_parent', '{"field":"parent_id"}');
		end if;
		select * into v_parent from orgs where id = p_parent;
		if v_parent.id is null or not api.org_parent_fits(v_o.kind, v_parent)
		then
			perform api.fail(400, 'bad_parent', '{"field":"parent_id"}');
		end if;
	end if;
	if p_town is not null then
		v_town := api.slug_lookup('town', p_town);
		if v_town is null then
			perform api.fail(400, 'unknown_value', '{"field":"town"}');
		end if;
	end if;
	update orgs set name = coalesce(p_name, name),
	    name_en = coalesce(p_name_en, name_en),
	    town_id = coalesce(v_town, town_id),
	    parent_id = coalesce(p_parent, parent_id)
	 where id = p_id returning * into v_new;
	perform api.audit(v_u, case when v_new.parent_id is distinct from
	    v_o.parent_id then 'org_move' else 'org_update' end, 'org', p_id,
	    p_ip, jsonb_strip_nulls(jsonb_build_object(
	        'name', case when v_new.name <> v_o.name then v_new.name end,
	        'name_en', case when v_new.name_en is distinct from v_o.name_en
	            then v_new.name_en end,
	        'town_id', case when v_new.town_id is distinct from v_o.town_id
	            then v_new.town_id end,
	        'parent_from', case when v_new.parent_id is distinct from
	            v_o.parent_id then v_o.parent_id end,
	        'parent_to', case when v_new.parent_id is distinct from
	            v_o.parent_id then v_new.parent_id end)));
	return json_build_object('id', p_id, 'name', v_new.name,
	    'parent_id', v_new.parent_id)::text;
end $$;

-- POST /orgs/{id}/disable, /enable (and /api/v1/orgs/{id}/…; admins):
-- see the top of this file.  409 org_has_needs while a need of the
-- subtree is under way; 400 for the city committee.
create function api.org_set_disabled(p_sid text, p_id bigint,
    p_disabled boolean, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_o	orgs;
	v_orgs	bigint[];
	v_staff	int;
begin
	v_u := api.require_user(p_sid, array['admin']);
	v_o := api.org_find(p_id);
	if v_o.kind = 'city' then
		perform api.fail(400, 'not_yourself');
	end if;
	if not p_disabled then
		update orgs set disabled_at = null where id = p_id;
		perform api.audit(v_u, 'org_enable', 'org', p_id, p_ip);
		return json_build_object('id', p_id, 'disabled', false)::text;
	end if;
	v_orgs := array(select api.org_subtree(p_id));
	if exists (select 1 from needs where org_id = any (v_orgs)
	    and status = any (api.need_under_way())) then
		perform api.fail(409, 'org_has_needs');
	end if;
	update orgs set disabled_at = coalesce(disabled_at, now())
	 where id = any (v_orgs);
	with d as (
		update users set disabled_at = now(), updated_at = now()
		 where org_id = any (v_orgs) and role = 'staff'
		   and disabled_at is null
		returning id)
	select count(*) into v_staff from d;
	delete from sessions where user_id in (select id from users
	    where org_id = any (v_orgs) and role = 'staff');
	delete from account_tokens where used_at is null and user_id in
	    (select id from users where org_id = any (v_orgs) and role = 'staff');
	perform api.audit(v_u, 'org_disable', 'org', p_id, p_ip,
	    jsonb_build_object('orgs', to_jsonb(v_orgs),
	        'staff_disabled', v_staff));
	return json_build_object('id', p_id, 'disabled', true,
	    'orgs', cardinality(v_orgs), 'staff_disabled', v_staff)::text;
end $$;

-- POST /accounts/{id}/edit, /api/v1/users/{id} (admins): an account's
-- role (staff or admin) and organisation.  Admins sit at the city
-- committee; nobody is staff of a caring organisation or of a disabled
-- one.  When the change takes rights away (an admin made staff, or
-- staff moved to another organisation) the account's sessions end.  400
-- not_yourself (an admin keeps their own rights), admin_city_only,
-- no_staff_for_caring; 404 for a donor's account or an unknown one; 409
-- org_disabled.  Audit-logged with what changed.
create function api.account_update(p_sid text, p_id bigint, p_role text,
    p_org bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	users;
	v_org	orgs;
	v_role	text;
	v_ended	boolean;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_t from users where id = p_id for update;
	if not found or v_t.role = 'donor' then
		perform api.fail(404, 'not_found');
	end if;
	if v_t.id = v_u.id then
		perform api.fail(400, 'not_yourself');
	end if;
	v_role := coalesce(p_role, v_t.role);
	select * into v_org from orgs where id = coalesce(p_org, v_t.org_id);
	if v_org.id is null then
		perform api.fail(400, 'unknown_value', '{"field":"org_id"}');
	end if;
	perform api.account_org_check(v_role, v_org);
	if v_org.id <> v_t.org_id then
		perform api.org_require_enabled(v_org.id);
	end if;
	v_ended := (v_t.role = 'admin' and v_role = 'staff')
	    or v_org.id <> v_t.org_id;
	update users set role = v_role, org_id = v_org.id, updated_at = now()
	 where id = p_id;
	if v_ended then
		delete from sessions where user_id = p_id;
	end if;
	perform api.audit(v_u, 'account_update', 'user', p_id, p_ip,
	    jsonb_build_object('role_from', v_t.role, 'role_to', v_role,
	        'org_from', v_t.org_id, 'org_to', v_org.id,
	        'sessions_ended', v_ended));
	return json_build_object('id', p_id, 'role', v_role,
	    'org_id', v_org.id, 'sessions_ended', v_ended)::text;
end $$;

-- The audit entries matching the search: p_actor an account's number,
-- or part of its name or its e-mail address; p_action an action (as
-- written, e.g. account_disable); p_type and p_target the record; p_from
-- and p_to the days (Shanghai), both included.
create function api.audit_match(p_a audit_log, p_actor text, p_action text,
    p_type text, p_target bigint, p_from date, p_to date)
returns boolean language sql stable as $$
	select (p_actor is null or (case when p_actor ~ '^[0-9]{1,18}$'
	        then p_a.actor_id = p_actor::bigint
	        else exists (select 1 from users u where u.id = p_a.actor_id
	            and (strpos(lower(u.display_name), lower(p_actor)) > 0
	              or u.email = lower(p_actor))) end))
	   and (p_action is null or p_a.action = p_action)
	   and (p_type is null or p_a.target_type = p_type)
	   and (p_target is null or p_a.target_id = p_target)
	   and (p_from is null
	        or p_a.at >= p_from::timestamp at time zone 'Asia/Shanghai')
	   and (p_to is null
	        or p_a.at < (p_to + 1)::timestamp at time zone 'Asia/Shanghai')
$$;

-- GET /admin/audit, /api/v1/audit (admins): the search of api.audit_match,
-- newest first, 50 a page, with the total and the actions to choose from.
create function api.audit_search(p_sid text, p_lang text, p_actor text,
    p_action text, p_type text, p_target bigint, p_from date, p_to date,
    p_page int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_page	int := greatest(coalesce(p_page, 1), 1);
	v_total	bigint;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_from > p_to then
		perform api.fail(400, 'bad_range', '{"field":"to"}');
	end if;
	select count(*) into v_total from audit_log a
	 where api.audit_match(a, p_actor, p_action, p_type, p_target, p_from,
	     p_to);
	return json_build_object(
	    'items', (select coalesce(json_agg(json_build_object('id', a.id,
	        'at', to_char(a.at at time zone 'Asia/Shanghai',
	            'YYYY-MM-DD"T"HH24:MI:SS'),
	        'actor_id', a.actor_id, 'actor', u.display_name,
	        'actor_role', a.actor_role,
	        'action', a.action,
	        'action_name', api.audit_action_name(a.action, p_lang),
	        'target_type', a.target_type,
	        'target_name', api.audit_target_name(a.target_type, p_lang),
	        'target_id', a.target_id, 'ip', host(a.ip),
	        'detail', a.detail) order by a.id desc), '[]')
	      from (select * from audit_log a
	             where api.audit_match(a, p_actor, p_action, p_type,
	                 p_target, p_from, p_to)
	             order by id desc limit 50 offset (v_page - 1) * 50) a
	      left join users u on u.id = a.actor_id),
	    'page', v_page, 'total', v_total,
	    'pages', greatest(ceil(v_total / 50.0)::int, 1),
	    'prev', case when v_page > 1 then v_page - 1 end,
	    'next', case when v_page * 50 < v_total then v_page + 1 end,
	    'form', json_build_object('actor', p_actor, 'action', p_action,
	        'target_type', p_type, 'target_id', p_target::text,
	        'from', to_char(p_from, 'YYYY-MM-DD'),
	        'to', to_char(p_to, 'YYYY-MM-DD')),
	    'choices', json_build_object('action', (select coalesce(json_agg(
	        json_build_object('value', action,
	            'name', api.audit_action_name(action, p_lang))
	        order by api.audit_action_name(action, p_lang)), '[]')
	      from (select distinct action from audit_log) x)))::text;
end $$;

-- An audit entry's action in words (issue 19: "pledge_receive" stood
-- raw on Chinese pages); an action not listed here shows as its code, and
-- tests/api/audit_words.test.mjs fails for it.
create function api.audit_action_name(p_action text, p_lang text)
returns text language sql immutable as $$
	select coalesce((select api.l(p_lang, zh, en) from (values
	    ('login', '登录', 'signed in'),
	    ('logout', '退出', 'signed out'),
	    ('account_create', '新建账号', 'account created'),
	    ('account_update', '修改账号', 'account changed'),
	    ('account_disable', '停用账号', 'account disabled'),
	    ('account_enable', '启用账号', 'account enabled'),
	    ('account_delete', '注销账号', 'account deleted'),
	    ('contact_change', '更换联系方式', 'contact changed'),
	    ('password_change', '修改密码', 'password changed'),
	    ('password_link_sent', '发送设置密码链接', 'password link sent'),
	    ('password_reset_requested', '申请重设密码', 'password reset asked'),
	    ('password_reset', '重设密码', 'password reset'),
	    ('invite_accepted', '接受邀请', 'invitation accepted'),
	    ('org_create', '新建单位', 'organisation created'),
	    ('org_update', '修改单位', 'organisation changed'),
	    ('org_move', '调整上级单位', 'organisation moved'),
	    ('org_disable', '停用单位', 'organisation disabled'),
	    ('org_enable', '启用单位', 'organisation enabled'),
	    ('org_contact_update', '修改收件信息', 'delivery details changed'),
	    ('child_create', '登记孩子', 'child registered'),
	    ('child_update', '修改孩子档案', 'child’s record changed'),
	    ('child_import', '批量导入孩子', 'children imported'),
	    ('child_private_read', '查看孩子的保密信息', 'child’s private details read'),
	    ('child_archive', '归档孩子档案', 'child’s record archived'),
	    ('child_unarchive', '恢复孩子档案', 'child’s record restored'),
	    ('child_consent_withdraw', '监护人撤回同意', 'guardian withdrew consent'),
	    ('child_private_purge', '删除孩子的保密信息', 'child’s private details purged'),
	    ('need_create', '发布需求', 'need posted'),
	    ('need_edit', '修改需求', 'need edited'),
	    ('need_submit', '提交需求', 'need submitted'),
	    ('need_verify', '核实需求', 'need checked'),
	    ('need_reject', '退回需求', 'need turned down'),
	    ('need_publish', '需求上架', 'need put on the shelf'),
	    ('need_redraft', '需求退回草稿', 'need back to draft'),
	    ('need_cancel', '撤销需求', 'need withdrawn'),
	    ('objection_dismiss', '异议不成立', 'objection dismissed'),
	    ('objection_uphold', '异议成立', 'objection upheld'),
	    ('campaign_create', '新建活动', 'campaign created'),
	    ('campaign_edit', '修改活动', 'campaign edited'),
	    ('pledge_receive', '确认收到', 'receipt confirmed'),
	    ('pledge_dispute', '报告未收到', 'reported not arrived'),
	    ('pledge_resolve', '处理未收到的认捐', 'not-arrived settled'),
	    ('message_moderate', '审核给孩子的留言', 'message to a child moderated'),
	    ('photo_add', '上传交接照片', 'hand-over photo added'),
	    ('proposal_create', '推荐捐赠意向', 'offer proposed'),
	    ('pairing_end', '结束结对', 'pairing ended'),
	    ('fund_payout', '登记拨付', 'pay-out recorded'),
	    ('fund_statement_import', '导入银行流水', 'bank statement imported'),
	    ('fund_line_confirm', '确认流水到账', 'statement line confirmed'),
	    ('fund_line_ignore', '忽略流水', 'statement line ignored'),
	    ('loan_create', '登记贷款', 'loan recorded'),
	    ('loan_payment', '登记还款', 'repayment recorded'),
	    ('loan_approve', '批准贷款', 'loan approved'),
	    ('loan_reject', '拒绝贷款', 'loan turned down'),
	    ('loan_disburse', '发放贷款', 'loan paid out'),
	    ('loan_default', '贷款违约', 'loan defaulted'),
	    ('training_create', '登记培训', 'training recorded'),
	    ('training_update', '修改培训', 'training changed'),
	    ('training_attendees', '登记培训学员', 'trainees recorded'),
	    ('leader_create', '登记带头人', 'leader recorded'),
	    ('leader_helps', '登记带头人帮扶对象', 'leader’s youths recorded'),
	    ('exit_record', '登记脱贫', 'exit recorded'),
	    ('exit_verify', '核实脱贫', 'exit verified'),
	    ('exit_reject', '退回脱贫登记', 'exit turned down'),
	    ('report_create', '新建季度报告', 'report started'),
	    ('report_save', '保存季度报告', 'report saved'),
	    ('report_submit', '提交季度报告', 'report submitted'),
	    ('report_revise', '修改已提交的报告', 'report revised'),
	    ('report_settings', '修改报告设置', 'report settings changed'),
	    ('report_deadline', '设置报告截止日', 'report deadline set'),
	    ('report_remind', '催交季度报告', 'report reminder sent'),
	    ('settings_change', '修改平台设置', 'settings changed'),
	    ('target_update', '修改目标', 'target changed'),
	    ('outbox_retry', '重发消息', 'message sent again')
	    ) a(code, zh, en) where code = p_action), p_action)
$$;

-- The kind of record an audit entry is about, in words.
create function api.audit_target_name(p_type text, p_lang text)
returns text language sql immutable as $$
	select coalesce((select api.l(p_lang, zh, en) from (values
	    ('user', '账号', 'account'),
	    ('org', '单位', 'organisation'),
	    ('beneficiary', '孩子', 'child'),
	    ('child_import', '导入', 'import'),
	    ('need', '需求', 'need'),
	    ('objection', '异议', 'objection'),
	    ('campaign', '活动', 'campaign'),
	    ('pledge', '认捐', 'pledge'),
	    ('pairing', '结对', 'pairing'),
	    ('fund_statement', '银行流水', 'bank statement'),
	    ('fund_statement_line', '流水行', 'statement line'),
	    ('loan', '贷款', 'loan'),
	    ('training', '培训', 'training'),
	    ('leader', '带头人', 'leader'),
	    ('poverty_exit', '脱贫登记', 'exit'),
	    ('report', '季度报告', 'report'),
	    ('report_settings', '报告设置', 'report settings'),
	    ('settings', '平台设置', 'settings'),
	    ('target', '目标', 'target'),
	    ('notification', '消息', 'message')
	    ) t(code, zh, en) where code = p_type), p_type)
$$;
