-- The life of a need, for staff and admins: drafting, submitting,
-- verification by the branch above, the public notice (公示) with its
-- objections, the shelf, and the end (rejected, cancelled, expired).
--
--   draft ──submit──▶ submitted ──verify──▶ verified ──publish──▶ notice
--     ▲                 │  │                   │                    │
--     └──redraft────────┘  └──reject──▶ rejected ◀── objection upheld┘
--                                                                   │
--   notice ──(period over, no open objection: needs_tick)──▶ open ──▶ pledges
--   draft … open ──cancel──▶ cancelled;  submitted … open ──deadline──▶ expired
--
-- Who: the need's own organisation drafts, submits, redrafts, publishes
-- and cancels; a branch above it (or an admin) verifies, rejects,
-- publishes, cancels and answers objections, never for a need its own
-- member posted.  fully_pledged and fulfilled are pledges' business: no
-- action here leads there (and the needs_status_guard trigger refuses
-- any move sql/004 does not list).

create function api.status_name(p_status text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_status
	    when 'draft' then api.l(p_lang, '草稿', 'draft')
	    when 'submitted' then api.l(p_lang, '待核实', 'awaiting verification')
	    when 'verified' then api.l(p_lang, '已核实', 'verified')
	    when 'notice' then api.l(p_lang, '公示中', 'public notice')
	    when 'open' then api.l(p_lang, '认捐中', 'open')
	    when 'fully_pledged' then api.l(p_lang, '已认满', 'fully pledged')
	    when 'fulfilled' then api.l(p_lang, '已完成', 'fulfilled')
	    when 'rejected' then api.l(p_lang, '未通过', 'rejected')
	    when 'cancelled' then api.l(p_lang, '已撤销', 'cancelled')
	    else api.l(p_lang, '已过期', 'expired') end
$$;

create function api.action_name(p_action text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_action
	    when 'create' then api.l(p_lang, '创建', 'created')
	    when 'edit' then api.l(p_lang, '修改', 'edited')
	    when 'submit' then api.l(p_lang, '提交核实', 'submitted')
	    when 'verify' then api.l(p_lang, '核实通过', 'verified')
	    when 'reject' then api.l(p_lang, '驳回', 'rejected')
	    when 'publish' then api.l(p_lang, '开始公示', 'notice started')
	    when 'redraft' then api.l(p_lang, '退回草稿', 'back to draft')
	    when 'cancel' then api.l(p_lang, '撤销', 'cancelled')
	    when 'notice_ended' then api.l(p_lang, '公示期满上架',
	        'notice over, on the shelf')
	    when 'deadline_passed' then api.l(p_lang, '超过截止日期',
	        'deadline passed')
	    when 'objection' then api.l(p_lang, '收到异议', 'objection received')
	    when 'objection_dismissed' then api.l(p_lang, '异议不成立，继续公示',
	        'objection dismissed')
	    when 'objection_upheld' then api.l(p_lang, '异议成立', 'objection upheld')
	    else p_action end
$$;

-- The one way the api changes a need's status: the trigger on needs
-- writes the event (who, what, why) from these settings, in this
-- transaction.  Leaving the notice clears its pause; the shelf date is
-- set the first time a need opens.
create function api.need_set_status(p_id bigint, p_to text, p_actor users,
    p_action text, p_note text)
returns void language plpgsql as $$
begin
	perform set_config('shop.actor_id', coalesce(p_actor.id::text, ''), true);
	perform set_config('shop.actor_role', coalesce(p_actor.role, 'system'),
	    true);
	perform set_config('shop.action', p_action, true);
	perform set_config('shop.note', coalesce(p_note, ''), true);
	update needs set status = p_to, updated_at = now(),
	    opened_at = case when p_to = 'open' then coalesce(opened_at, now())
	        else opened_at end,
	    notice_paused_at = case when p_to = 'notice' then notice_paused_at end
	 where id = p_id;
	perform set_config('shop.actor_id', '', true);
	perform set_config('shop.actor_role', '', true);
	perform set_config('shop.action', '', true);
	perform set_config('shop.note', '', true);
end $$;

-- An event that is not a change of status (an edit, an objection).
create function api.need_event(p_id bigint, p_actor users, p_role text,
    p_action text, p_note text)
returns void language sql as $$
	insert into need_events (need_id, actor_id, actor_role, action,
	    from_status, to_status, note)
	select n.id, p_actor.id, coalesce(p_actor.role, p_role), p_action,
	    n.status, n.status, coalesce(p_note, '')
	  from needs n where n.id = p_id
$$;

-- What the caller may do with need n now.
create function api.need_actions(n needs, p_u users)
returns text[] language sql stable as $$
	with r as (select p_u.role = 'staff' and p_u.org_id = n.org_id as own,
	    api.above_org(p_u, n.org_id) as above)
	select array_remove(array[
	    case when own and n.status = 'draft' then 'edit' end,
	    case when own and n.status = 'draft' then 'submit' end,
	    case when own and n.status in ('submitted', 'rejected')
	        then 'redraft' end,
	    case when above and n.status = 'submitted'
	        and n.created_by is distinct from p_u.id then 'verify' end,
	    case when above and n.status in ('submitted', 'verified')
	        then 'reject' end,
	    case when (own or above) and n.status = 'verified' then 'publish' end,
	    case when (own or above) and n.status in ('draft', 'submitted',
	        'verified', 'notice', 'open') and n.pledged = 0
	        then 'cancel' end,
	    case when above and n.status = 'notice' then 'resolve' end], null)
	from r
$$;

-- The need p_id for the caller, locked when p_lock: 404 unless the caller
-- sees the records of its organisation.
create function api.need_find(p_u users, p_id bigint, p_lock boolean)
returns needs language plpgsql as $$
declare
	v_n	needs;
begin
	if p_lock then
		select * into v_n from needs where id = p_id for update;
	else
		select * into v_n from needs where id = p_id;
	end if;
	if v_n.id is null or not api.sees_org(p_u, v_n.org_id) then
		perform api.fail(404, 'not_found');
	end if;
	return v_n;
end $$;

-- A need as staff see it: the public view, the story, and what only
-- staff see (status, verification, notice, who may do what).
create function api.need_staff_json(n needs, p_u users, p_lang text)
returns json language sql stable as $$
	select (api.need_public(n, p_lang)::jsonb || jsonb_build_object(
	    'status_name', api.status_name(n.status, p_lang),
	    'is_public', api.need_is_public(n.status),
	    'story', n.story,
	    'org_id', n.org_id,
	    'beneficiary_id', n.beneficiary_id,
	    'created_by', (select display_name from users where id = n.created_by),
	    'created_on', api.day(n.created_at),
	    'updated_at', api.minute(n.updated_at),
	    'verify_note', n.verify_note,
	    'verified_by', (select display_name from users
	        where id = n.verified_by),
	    'verified_at', api.minute(n.verified_at),
	    'notice_ends_at', api.minute(n.notice_ends_at),
	    'notice_paused', n.notice_paused_at is not null,
	    'objections_open', (select count(*) from objections o
	        where o.need_id = n.id and o.status = 'open'),
	    'actions', to_jsonb(x.actions),
	    'can', (select coalesce(jsonb_object_agg(a, true), '{}')
	        from unnest(x.actions) a)))::json
	  from (select api.need_actions(n, p_u) as actions) x
$$;

-- 123450 fen as "1234.5" (what a person would type back).
create function api.yuan_text(p_fen bigint)
returns text language sql immutable parallel safe as $$
	select (p_fen / 100)::text || case when p_fen % 100 = 0 then ''
	    when p_fen % 10 = 0 then '.' || ((p_fen % 100) / 10)::text
	    else '.' || lpad((p_fen % 100)::text, 2, '0') end
$$;

-- The fields of the need form as they are now (strings, amounts in yuan).
create function api.need_form_values(n needs)
returns json language sql stable as $$
	select json_build_object('kind', n.kind, 'category', n.category,
	    'campaign', (select slug from campaigns where id = n.campaign_id),
	    'title', n.title, 'item', n.item, 'spec', n.spec, 'unit', n.unit,
	    'quantity', case when n.kind in ('goods', 'service')
	        then n.quantity::text end,
	    'amount', case when n.kind = 'money'
	        then api.yuan_text(n.quantity) end,
	    'unit_amount', case when n.kind = 'scholarship'
	        then api.yuan_text(n.unit_amount) end,
	    'terms', case when n.kind = 'scholarship' then n.quantity::text end,
	    'urgency', n.urgency::text,
	    'deadline', to_char(n.deadline, 'YYYY-MM-DD'),
	    'story', n.story,
	    'beneficiary_id', n.beneficiary_id::text,
	    'town', (select slug from towns where id = n.town_id))
$$;

-- The choices of the need form for the caller's organisation.
create function api.need_choices(p_u users, p_org bigint, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'kind', (select json_agg(json_build_object('value', k,
	        'name', api.kind_name(k, p_lang)) order by i)
	      from unnest(api.need_kinds()) with ordinality u(k, i)),
	    'category', (select json_agg(json_build_object('value', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort)
	      from categories),
	    'campaign', (select coalesce(json_agg(json_build_object(
	        'value', slug, 'name', api.l(p_lang, name_zh, name_en))
	        order by starts_on desc, id), '[]')
	      from campaigns where ends_on >= api.today()),
	    'urgency', json_build_array(
	        json_build_object('value', '3', 'name', api.l(p_lang, '急需', 'urgent')),
	        json_build_object('value', '2', 'name', api.l(p_lang, '一般', 'normal')),
	        json_build_object('value', '1', 'name', api.l(p_lang, '不急', 'can wait'))),
	    'town', (select json_agg(json_build_object('value', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort, id)
	      from towns),
	    'beneficiary_id', (select coalesce(json_agg(json_build_object(
	        'value', b.id::text, 'name', b.alias || ' · ' ||
	        api.age(b.birth_year) || api.l(p_lang, '岁', ' years'))
	        order by b.alias collate public.natural_zh, b.id), '[]')
	      from beneficiaries b where b.org_id = p_org
	        and b.archived_at is null))
$$;

-- Checks the fields of a need for organisation p_org (p_f: kind,
-- category, campaign, title, item, spec, unit, quantity, amount (fen),
-- unit_amount (fen), terms, urgency, deadline, story, beneficiary_id,
-- town); 400 naming the field.  Returns the row to write.  The syntax
-- and the lengths of the fields are checked before, by their typed
-- fields in src/need_work.c (need_fields), and again by the table's
-- CHECKs; here: what names something in the database, what depends on
-- the kind or on today.
create function api.need_check(p_f json, p_org orgs)
returns needs language plpgsql stable as $$
declare
	v_n		needs;
	v_child		beneficiaries;
	v_camp		campaigns;
	v_town		text := p_f ->> 'town';
begin
	v_n.org_id := p_org.id;
	v_n.kind := p_f ->> 'kind';
	v_n.category := p_f ->> 'category';
	if v_n.category is null or not exists (select 1 from categories
	    where slug = v_n.category) then
		perform api.fail(400, 'unknown_value', '{"field":"category"}');
	end if;
	if p_f ->> 'campaign' is not null then
		select * into v_camp from campaigns where slug = p_f ->> 'campaign';
		if v_camp.id is null then
			perform api.fail(400, 'unknown_value', '{"field":"campaign"}');
		end if;
		if v_camp.ends_on < api.today() then
			perform api.fail(400, 'campaign_over', '{"field":"campaign"}');
		end if;
		v_n.campaign_id := v_camp.id;
	end if;
	v_n.title := p_f ->> 'title';
	v_n.story := coalesce(p_f ->> 'story', '');
	v_n.urgency := coalesce((p_f ->> 'urgency')::smallint, 2);
	v_n.deadline := (p_f ->> 'deadline')::date;
	if v_n.deadline is null then
		perform api.fail(400, 'required', '{"field":"deadline"}');
	end if;
	if v_n.deadline < api.today() then
		perform api.fail(400, 'deadline_past', '{"field":"deadline"}');
	end if;
	if v_n.deadline > api.today() + 730 then
		perform api.fail(400, 'deadline_far', '{"field":"deadline"}');
	end if;

	-- A child of this organisation, still on its register.
	if p_f ->> 'beneficiary_id' is not null then
		select * into v_child from beneficiaries
		 where id = (p_f ->> 'beneficiary_id')::bigint
		   and org_id = p_org.id and archived_at is null;
		if v_child.id is null then
			perform api.fail(400, 'unknown_value',
			    '{"field":"beneficiary_id"}');
		end if;
		v_n.beneficiary_id := v_child.id;
	end if;
	-- The need's town: the child's, else the one named, else the
	-- organisation's.
	if v_child.id is not null then
		v_n.town_id := v_child.town_id;
	elsif v_town is not null then
		v_n.town_id := api.slug_lookup('town', v_town);
	else
		v_n.town_id := p_org.town_id;
	end if;
	if v_n.town_id is null then
		perform api.fail(400, 'required', '{"field":"town"}');
	end if;

	v_n.item := '';
	v_n.spec := '';
	case v_n.kind
	when 'goods' then
		v_n.item := coalesce(p_f ->> 'item', '');
		v_n.spec := coalesce(p_f ->> 'spec', '');
		v_n.unit := p_f ->> 'unit';
		v_n.quantity := (p_f ->> 'quantity')::int;
		if v_n.item = '' then
			perform api.fail(400, 'required', '{"field":"item"}');
		end if;
		if v_n.unit is null then
			perform api.fail(400, 'required', '{"field":"unit"}');
		end if;
		if v_n.quantity is null then
			perform api.fail(400, 'required', '{"field":"quantity"}');
		end if;
	when 'money' then
		v_n.unit := '元';
		v_n.quantity := (p_f ->> 'amount')::int;
		if v_n.quantity is null then
			perform api.fail(400, 'required', '{"field":"amount"}');
		end if;
	when 'scholarship' then
		v_n.unit := '学期';
		v_n.unit_amount := (p_f ->> 'unit_amount')::int;
		v_n.quantity := (p_f ->> 'terms')::int;
		if v_n.unit_amount is null then
			perform api.fail(400, 'required', '{"field":"unit_amount"}');
		end if;
		if v_n.quantity is null then
			perform api.fail(400, 'required', '{"field":"terms"}');
		end if;
	else
		v_n.item := coalesce(p_f ->> 'item', '');
		v_n.spec := coalesce(p_f ->> 'spec', '');
		v_n.unit := coalesce(p_f ->> 'unit', '名额');
		v_n.quantity := (p_f ->> 'quantity')::int;
		if v_n.quantity is null then
			perform api.fail(400, 'required', '{"field":"quantity"}');
		end if;
	end case;
	return v_n;
end $$;

-- POST /api/v1/branch/needs: a draft need of the caller's organisation.
create function api.need_create(p_sid text, p_f json, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	orgs;
	v_n	needs;
	v_id	bigint;
begin
	v_u := api.require_user(p_sid, array['staff']);
	select * into v_org from orgs where id = v_u.org_id;
	perform api.org_require_enabled(v_org.id);
	v_n := api.need_check(p_f, v_org);
	perform set_config('shop.actor_id', v_u.id::text, true);
	perform set_config('shop.actor_role', v_u.role, true);
	perform set_config('shop.action', 'create', true);
	insert into needs (org_id, beneficiary_id, town_id, kind, category,
	    campaign_id, title, item, spec, unit, quantity, unit_amount,
	    urgency, deadline, story, created_by)
	values (v_n.org_id, v_n.beneficiary_id, v_n.town_id, v_n.kind,
	    v_n.category, v_n.campaign_id, v_n.title, v_n.item, v_n.spec,
	    v_n.unit, v_n.quantity, v_n.unit_amount, v_n.urgency, v_n.deadline,
	    v_n.story, v_u.id)
	returning id into v_id;
	perform set_config('shop.actor_id', '', true);
	perform set_config('shop.actor_role', '', true);
	perform set_config('shop.action', '', true);
	perform api.audit(v_u, 'need_create', 'need', v_id, p_ip);
	return json_build_object('id', v_id, 'status', 'draft')::text;
end $$;

-- POST /api/v1/branch/needs/{id}: a new version of a draft, by its own
-- organisation.
create function api.need_update(p_sid text, p_id bigint, p_f json, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_old	needs;
	v_n	needs;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_old := api.need_find(v_u, p_id, true);
	if not (v_u.role = 'staff' and v_u.org_id = v_old.org_id) then
		perform api.fail(403, 'forbidden');
	end if;
	if v_old.status <> 'draft' then
		perform api.fail(409, 'bad_state');
	end if;
	v_n := api.need_check(p_f, (select o from orgs o
	    where o.id = v_old.org_id));
	update needs set beneficiary_id = v_n.beneficiary_id,
	    town_id = v_n.town_id, kind = v_n.kind, category = v_n.category,
	    campaign_id = v_n.campaign_id, title = v_n.title, item = v_n.item,
	    spec = v_n.spec, unit = v_n.unit, quantity = v_n.quantity,
	    unit_amount = v_n.unit_amount, urgency = v_n.urgency,
	    deadline = v_n.deadline, story = v_n.story, updated_at = now()
	 where id = p_id;
	perform api.need_event(p_id, v_u, null, 'edit', '');
	perform api.audit(v_u, 'need_edit', 'need', p_id, p_ip);
	return json_build_object('id', p_id, 'status', 'draft')::text;
end $$;

-- POST /api/v1/branch/needs/{id}/{action}: one step of the life above.
-- 404 for a need the caller does not see; 400 for an unknown action or a
-- missing note (verify: how it was checked; reject, cancel: why); 409
-- when the need's state does not allow the action (or it has pledges,
-- for cancel); 403 when the state allows it but not for the caller.
-- verify with p_publish also starts the notice at once.
create function api.need_transition(p_sid text, p_id bigint, p_action text,
    p_note text, p_publish boolean, p_ip text)
returns text language plpgsql as $$
declare
	v_u		users;
	v_n		needs;
	v_from		text[];
	v_note		text := nullif(btrim(coalesce(p_note, '')), '');
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_n := api.need_find(v_u, p_id, true);
	v_from := case p_action
	    when 'submit' then array['draft']
	    when 'verify' then array['submitted']
	    when 'reject' then array['submitted', 'verified']
	    when 'publish' then array['verified']
	    when 'redraft' then array['submitted', 'rejected']
	    when 'cancel' then array['draft', 'submitted', 'verified', 'notice',
	        'open'] end;
	if v_from is null then
		perform api.fail(400, 'unknown_value', '{"field":"action"}');
	end if;
	if not v_n.status = any (v_from) then
		perform api.fail(409, 'bad_state');
	end if;
	if p_action = 'cancel' and v_n.pledged > 0 then
		perform api.fail(409, 'need_has_pledges');
	end if;
	if not p_action = any (api.need_actions(v_n, v_u)) then
		perform api.fail(403, case when p_action = 'verify'
		    and v_n.created_by = v_u.id
		    and api.above_org(v_u, v_n.org_id) then 'verify_own'
		    else 'forbidden' end);
	end if;
	if v_note is null and p_action in ('verify', 'reject', 'cancel') then
		perform api.fail(400, 'required', '{"field":"note"}');
	end if;

	case p_action
	when 'submit' then
		if v_n.deadline < api.today() then
			perform api.fail(400, 'deadline_past', '{"field":"deadline"}');
		end if;
		perform api.need_set_status(p_id, 'submitted', v_u, 'submit', v_note);
	when 'verify' then
		update needs set verified_by = v_u.id, verified_at = now(),
		    verify_note = v_note where id = p_id;
		perform api.need_set_status(p_id, 'verified', v_u, 'verify', v_note);
	when 'reject' then
		perform api.need_set_status(p_id, 'rejected', v_u, 'reject', v_note);
	when 'publish' then
		null;
	when 'redraft' then
		update needs set verified_by = null, verified_at = null,
		    verify_note = null where id = p_id;
		perform api.need_set_status(p_id, 'draft', v_u, 'redraft', v_note);
	when 'cancel' then
		update objections set status = 'dismissed', resolved_at = now(),
		    resolved_by = v_u.id, resolution = 'need cancelled'
		 where need_id = p_id and status = 'open';
		perform api.need_set_status(p_id, 'cancelled', v_u, 'cancel', v_note);
	end case;
	if p_action = 'publish' or (p_action = 'verify' and p_publish) then
		update needs set notice_ends_at = now()
		    + make_interval(days => api.setting_int('notice_days', 5)),
		    notice_paused_at = null
		 where id = p_id;
		perform api.need_set_status(p_id, 'notice', v_u, 'publish',
		    case when p_action = 'publish' then v_note end);
	end if;
	perform api.audit(v_u, 'need_' || p_action, 'need', p_id, p_ip,
	    jsonb_build_object('note', v_note));
	return json_build_object('id', p_id, 'status',
	    (select status from needs where id = p_id))::text;
end $$;

-- The events of a need, oldest first.
create function api.need_events_json(p_id bigint, p_lang text)
returns json language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'at', api.minute(e.at),
	    'actor', case when e.actor_role = 'public'
	        then api.l(p_lang, '公众', 'the public')
	        when e.actor_role = 'system' then api.l(p_lang, '系统', 'system')
	        else coalesce(u.display_name, e.actor_role) end,
	    'action', e.action,
	    'action_name', api.action_name(e.action, p_lang),
	    'from', e.from_status, 'to', e.to_status,
	    'to_name', api.status_name(e.to_status, p_lang),
	    'note', e.note) order by e.id), '[]')
	from need_events e left join users u on u.id = e.actor_id
	where e.need_id = p_id
$$;

-- The objections to a need: their reasons for everyone who sees the need
-- at work; the sealed contact only for those who answer them (a branch
-- above, admins), never for the organisation objected to.
create function api.need_objections_json(n needs, p_u users, p_lang text)
returns json language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'id', o.id, 'at', api.minute(o.created_at),
	    'reason', o.reason, 'status', o.status,
	    'is_open', o.status = 'open',
	    'status_name', case o.status
	        when 'open' then api.l(p_lang, '待答复', 'awaiting an answer')
	        when 'dismissed' then api.l(p_lang, '不成立', 'dismissed')
	        else api.l(p_lang, '成立', 'upheld') end,
	    'resolution', o.resolution,
	    'resolved_at', api.minute(o.resolved_at),
	    'sealed_contact', case when api.above_org(p_u, n.org_id)
	        and o.contact_sealed is not null then json_build_object(
	        'key_id', o.contact_key_id,
	        'nonce', encode(o.contact_nonce, 'hex'),
	        'sealed', encode(o.contact_sealed, 'hex')) end,
	    'can_resolve', o.status = 'open' and api.above_org(p_u, n.org_id))
	    order by o.id), '[]')
	from objections o where o.need_id = n.id
$$;

-- GET /api/v1/branch/needs/{id}: a need at work, its events, objections,
-- and (while a draft) the values and choices of its form.
create function api.work_need(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_n	needs;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_n := api.need_find(v_u, p_id, false);
	return json_build_object(
	    'need', api.need_staff_json(v_n, v_u, p_lang),
	    'title', v_n.title,
	    'events', api.need_events_json(p_id, p_lang),
	    'objections', api.need_objections_json(v_n, v_u, p_lang),
	    'form', api.need_form_values(v_n),
	    'choices', case when v_n.status = 'draft' and v_u.role = 'staff'
	        and v_u.org_id = v_n.org_id
	        then api.need_choices(v_u, v_n.org_id, p_lang) end)::text;
end $$;

-- GET /branch/needs/new: the empty form.
create function api.need_new(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	return json_build_object(
	    'title', api.l(p_lang, '发布需求', 'Post a need'),
	    'choices', api.need_choices(v_u, v_u.org_id, p_lang),
	    'form', json_build_object('kind', 'goods', 'urgency', '2',
	        'deadline', to_char(api.today() + 30, 'YYYY-MM-DD'),
	        'town', (select t.slug from orgs o join towns t
	            on t.id = o.town_id where o.id = v_u.org_id)))::text;
end $$;

-- A need in a work list; p_below is api.orgs_below(p_u), computed once
-- for the whole list.
create function api.work_item(n needs, p_u users, p_lang text,
    p_below bigint[])
returns json language sql stable as $$
	select json_build_object(
	    'id', n.id, 'title', n.title, 'kind', n.kind,
	    'kind_name', api.kind_name(n.kind, p_lang),
	    'status', n.status,
	    'status_name', api.status_name(n.status, p_lang),
	    'org_name', (select api.l(p_lang, name, name_en) from orgs
	        where id = n.org_id),
	    'child', (select alias from beneficiaries where id = n.beneficiary_id),
	    'deadline', to_char(n.deadline, 'YYYY-MM-DD'),
	    'updated_at', api.minute(n.updated_at),
	    'notice_ends_at', api.minute(n.notice_ends_at),
	    'notice_paused', n.notice_paused_at is not null,
	    'urgent', n.urgency = 3,
	    'can_verify', n.status = 'submitted'
	        and (p_u.role = 'admin' or n.org_id = any (p_below))
	        and n.created_by is distinct from p_u.id)
$$;

-- GET /api/v1/branch/needs?status=&page=: the caller's needs (staff: their
-- organisation's subtree; admins: all) in one state, 50 a page, and the
-- count in every state.
create function api.work_needs(p_sid text, p_lang text, p_status text,
    p_page int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_orgs	bigint[];
	v_below	bigint[];
	v_total	bigint;
	v_items	json;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	if v_u.role = 'staff' then
		v_orgs := array(select api.org_subtree(v_u.org_id));
	end if;
	v_below := api.orgs_below(v_u);
	if v_orgs is null then
		select coalesce(json_agg(api.work_item(n, v_u, p_lang, v_below)
		    order by n.id desc), '[]') into v_items
		  from (select * from needs n where n.status = p_status
		         order by n.id desc
		         limit 50 offset (p_page - 1) * 50) n;
	else
		-- The page's worth of each organisation of the subtree, each
		-- through its own ordered index, then merged.
		select coalesce(json_agg(api.work_item(n, v_u, p_lang, v_below)
		    order by n.id desc), '[]') into v_items
		  from (select n.* from unnest(v_orgs) o(id), lateral (
		           select * from needs n where n.org_id = o.id
		              and n.status = p_status
		            order by n.id desc limit p_page * 50) n
		         order by n.id desc
		         limit 50 offset (p_page - 1) * 50) n;
	end if;
	if v_orgs is null then
		select coalesce(sum(n), 0) into v_total from need_counts
		 where status = p_status;
	else
		select count(*) into v_total from needs
		 where org_id = any (v_orgs) and status = p_status;
	end if;
	return json_build_object(
	    'status', p_status,
	    'status_name', api.status_name(p_status, p_lang),
	    'title', api.l(p_lang, '需求工作台', 'Needs at work'),
	    'page', p_page, 'total', v_total,
	    'pages', (v_total + 49) / 50,
	    'prev', case when p_page > 1 then p_page - 1 end,
	    'next', case when p_page * 50 < v_total then p_page + 1 end,
	    'can_create', v_u.role = 'staff',
	    'counts', (select json_agg(json_build_object('status', s,
	        'name', api.status_name(s, p_lang),
	        'n', coalesce(c.n, 0), 'selected', s = p_status) order by k)
	      from unnest(array['draft', 'submitted', 'verified', 'notice',
	          'open', 'fully_pledged', 'fulfilled', 'rejected', 'cancelled',
	          'expired']) with ordinality u(s, k)
	      left join (
	          select status, count(*) as n from needs
	           where v_orgs is not null and org_id = any (v_orgs)
	           group by status
	          union all
	          select status, sum(n) from need_counts
	           where v_orgs is null group by status) c on c.status = s),
	    'items', v_items)::text;
end $$;

-- ------------------------------------------------------------ objections

-- An objection's follow-up code is api.readable_code(3): 12 characters,
-- 60 bits; its hash, of the code as typed (any case, spaces, dashes):
create function api.follow_code_hash(p_code text)
returns bytea language sql immutable as $$
	select sha256(convert_to(upper(regexp_replace(p_code, '[\s-]', '',
	    'g')), 'UTF8'))
$$;

-- POST /api/v1/needs/{id}/objections (anyone): an objection to a need in
-- its public notice, which pauses the notice until it is answered.  The
-- contact, if given, arrives sealed.  404 for a need the public does not
-- see; 409 outside the notice; 429 beyond 5 objections an hour from one
-- address, or 20 unanswered ones on a need.
create function api.objection_file(p_need bigint, p_reason text,
    p_key_id text, p_nonce text, p_sealed text, p_ip text)
returns text language plpgsql as $$
declare
	v_n	needs;
	v_first	timestamptz;
	v_id	bigint;
	v_code	text;
begin
	select * into v_n from needs where id = p_need for update;
	if v_n.id is null or not api.need_is_public(v_n.status) then
		perform api.fail(404, 'not_found');
	end if;
	if v_n.status <> 'notice' then
		perform api.fail(409, 'not_in_notice');
	end if;
	select min(created_at) into v_first from (select created_at
	    from objections where ip = nullif(p_ip, '')::inet
	     and created_at > now() - interval '1 hour'
	   order by created_at desc limit 5) r having count(*) >= 5;
	if v_first is not null then
		perform api.fail(429, 'too_many_objections', json_build_object(
		    'retry_after', greatest(1, ceil(extract(epoch from
		    v_first + interval '1 hour' - now())))::int));
	end if;
	if (select count(*) from objections where need_id = p_need
	    and status = 'open') >= 20 then
		perform api.fail(429, 'too_many_objections', json_build_object(
		    'retry_after', 3600));
	end if;
	v_code := api.readable_code(3);
	insert into objections (need_id, reason, contact_key_id, contact_nonce,
	    contact_sealed, ip, follow_hash)
	values (p_need, p_reason, p_key_id, decode(p_nonce, 'hex'),
	    decode(p_sealed, 'hex'), nullif(p_ip, '')::inet,
	    api.follow_code_hash(v_code))
	returning id into v_id;
	update needs set notice_paused_at = coalesce(notice_paused_at, now())
	 where id = p_need;
	perform api.need_event(p_need, null, 'public', 'objection',
	    '#' || v_id);
	perform api.notify_objection(p_need);
	return json_build_object('id', v_id, 'need_id', p_need,
	    'follow_code', v_code)::text;
end $$;

-- GET /objections/follow?code=, /api/v1/objections/follow?code= (anyone
-- holding the code the objection was filed with): how it stands or how
-- it ended -- the answer's words, which the form that answers says the
-- objector will read -- and the need, by its public title while the
-- public sees it.  404 naming the field code for a code no objection
-- has (or none: the page shows its form).
create function api.objection_follow(p_code text, p_lang text)
returns text language plpgsql stable as $$
declare
	v_o	objections;
	v_n	needs;
begin
	if p_code is null then
		return json_build_object('title', api.l(p_lang, '异议的核实和答复',
		    'An objection, looked into and answered'),
		    'objection', null)::text;
	end if;
	select * into v_o from objections
	 where follow_hash = api.follow_code_hash(p_code);
	if v_o.id is null then
		perform api.fail(404, 'objection_code_unknown',
		    '{"field":"code"}');
	end if;
	select * into v_n from needs where id = v_o.need_id;
	return json_build_object('title', api.l(p_lang, '异议的核实和答复',
	    'An objection, looked into and answered'),
	    'objection', json_build_object(
	    'code', (select substr(c, 1, 4) || '-' || substr(c, 5, 4) || '-' ||
	        substr(c, 9) from (select upper(regexp_replace(p_code, '[\s-]',
	        '', 'g')) as c) x),
	    'filed_at', v_o.created_at,
	    'filed_on', api.day(v_o.created_at),
	    'status', v_o.status,
	    'status_name', case v_o.status
	        when 'open' then api.l(p_lang, '正在核实', 'Being looked into')
	        when 'dismissed' then api.l(p_lang, '经核实不成立',
	            'Looked into: not upheld')
	        else api.l(p_lang, '经核实成立，需求已撤下',
	            'Looked into: upheld, the need was withdrawn') end,
	    'open', v_o.status = 'open',
	    'resolved_on', api.day(v_o.resolved_at),
	    'resolution', v_o.resolution,
	    'need', case when api.need_is_public(v_n.status)
	        then json_build_object('id', v_n.id,
	        'title', v_n.title) end))::text;
end $$;

-- POST /api/v1/objections/{id}/resolve: a branch above the need's
-- organisation (or an admin) answers an objection.  dismiss: the notice
-- goes on once no objection is open, its end moved by the time it was
-- paused; uphold: the need is rejected (and its other open objections
-- closed with it).  404 for an objection the caller does not see, 403
-- for the need's own organisation, 409 when it is already answered.
create function api.objection_resolve(p_sid text, p_id bigint,
    p_decision text, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_o	objections;
	v_n	needs;
	v_note	text := nullif(btrim(coalesce(p_note, '')), '');
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	select * into v_o from objections where id = p_id;
	if v_o.id is null then
		perform api.fail(404, 'not_found');
	end if;
	v_n := api.need_find(v_u, v_o.need_id, true);
	select * into v_o from objections where id = p_id for update;
	if not api.above_org(v_u, v_n.org_id) then
		perform api.fail(403, 'forbidden');
	end if;
	if v_o.status <> 'open' then
		perform api.fail(409, 'already_resolved');
	end if;
	if p_decision not in ('dismiss', 'uphold') then
		perform api.fail(400, 'unknown_value', '{"field":"decision"}');
	end if;
	if v_note is null then
		perform api.fail(400, 'required', '{"field":"note"}');
	end if;
	update objections set status = case p_decision when 'dismiss'
	    then 'dismissed' else 'upheld' end, resolved_at = now(),
	    resolved_by = v_u.id, resolution = v_note
	 where id = p_id;
	if p_decision = 'dismiss' then
		if not exists (select 1 from objections where need_id = v_n.id
		    and status = 'open') then
			update needs set notice_ends_at = notice_ends_at
			    + (now() - coalesce(notice_paused_at, now())),
			    notice_paused_at = null
			 where id = v_n.id;
		end if;
		perform api.need_event(v_n.id, v_u, null, 'objection_dismissed',
		    '#' || p_id || ' ' || v_note);
	else
		update objections set status = 'upheld', resolved_at = now(),
		    resolved_by = v_u.id, resolution = v_note
		 where need_id = v_n.id and status = 'open';
		perform api.need_set_status(v_n.id, 'rejected', v_u,
		    'objection_upheld', '#' || p_id || ' ' || v_note);
	end if;
	perform api.audit(v_u, 'objection_' || p_decision, 'objection', p_id,
	    p_ip, jsonb_build_object('need_id', v_n.id));
	return json_build_object('id', p_id, 'need_id', v_n.id,
	    'status', (select status from objections where id = p_id),
	    'need_status', (select status from needs where id = v_n.id))::text;
end $$;

-- ------------------------------------------------------------ the job

-- One batch of the periodic work (src/jobs.c calls it again, each call
-- its own transaction, while a batch did something and some is left),
-- from any number of nodes at once: at most p_limit needs whose notice is
-- over with no open objection go on the shelf (and into the public log);
-- at most p_limit needs not yet pledged in full whose deadline passed
-- expire (their open objections are closed).  Found through the partial
-- indexes needs_notice_due and needs_deadline_live (sql/004), which hold
-- only needs that may still move; rows another transaction holds are
-- skipped.  Row changes first, log appends last.  Returns {"opened",
-- "expired", "done": both, "backlog": needs still due for either}.
create function api.needs_tick(p_limit int default 100)
returns json language plpgsql as $$
declare
	v_ids		bigint[];
	v_exp		bigint[];
	v_id		bigint;
	v_left		bigint;
begin
	perform set_config('shop.actor_role', 'system', true);
	perform set_config('shop.action', 'notice_ended', true);
	select array_agg(id order by id) into v_ids from (select id
	    from needs where status = 'notice' and notice_ends_at <= now()
	     and notice_paused_at is null
	     and not exists (select 1 from objections o
	         where o.need_id = needs.id and o.status = 'open')
	   order by notice_ends_at limit p_limit
	     for update skip locked) d;
	update needs set status = 'open', opened_at = coalesce(opened_at,
	    now()), updated_at = now()
	 where id = any (v_ids);

	perform set_config('shop.action', 'deadline_passed', true);
	select array_agg(id order by id) into v_exp from (select id
	    from needs where status in ('submitted', 'verified', 'notice',
	        'open') and deadline < api.today()
	   order by deadline limit p_limit for update skip locked) d;
	update objections set status = 'dismissed', resolved_at = now(),
	    resolution = 'deadline passed'
	 where status = 'open' and need_id = any (v_exp);
	update needs set status = 'expired', notice_paused_at = null,
	    updated_at = now()
	 where id = any (v_exp);
	perform set_config('shop.action', '', true);
	perform set_config('shop.actor_role', '', true);

	v_left := (select count(*) from needs where status = 'notice'
	    and notice_ends_at <= now() and notice_paused_at is null
	    and not exists (select 1 from objections o
	        where o.need_id = needs.id and o.status = 'open'))
	    + (select count(*) from needs where status in ('submitted',
	        'verified', 'notice', 'open') and deadline < api.today());
	foreach v_id in array coalesce(v_ids, '{}') loop
		perform api.log_need_opened(v_id);
	end loop;
	return json_build_object('opened', coalesce(array_length(v_ids, 1), 0),
	    'expired', coalesce(array_length(v_exp, 1), 0),
	    'done', coalesce(array_length(v_ids, 1), 0)
	        + coalesce(array_length(v_exp, 1), 0),
	    'backlog', v_left);
end $$;

-- ------------------------------------------------------------ the queues

-- The organisations whose needs the caller answers for (verifies, and
-- answers objections to): null for admins (all); for staff those strictly
-- below their own.
create function api.orgs_below(p_u users)
returns bigint[] language sql stable as $$
	select case when p_u.role = 'admin' then null
	    else array(select id from api.org_subtree(p_u.org_id) id
	        where id <> p_u.org_id) end
$$;

-- Open objections the caller answers, the oldest first (at most 100).
create function api.objections_to_answer(p_u users, p_lang text)
returns json language sql stable as $$
	with below as (select api.orgs_below(p_u) as orgs)
	select coalesce(json_agg(json_build_object(
	    'id', o.id, 'need_id', n.id, 'need_title', n.title,
	    'org_name', (select name from orgs where id = n.org_id),
	    'at', api.minute(o.created_at), 'reason', o.reason)
	    order by o.id), '[]')
	from (select o.* from objections o join needs n on n.id = o.need_id,
	        below
	       where o.status = 'open' and (p_u.role = 'admin'
	           or n.org_id = any (below.orgs))
	       order by o.id limit 100) o
	join needs n on n.id = o.need_id
$$;

-- Submitted needs the caller may verify, the most urgent first (at most
-- 100).
create function api.needs_to_verify(p_u users, p_lang text)
returns json language sql stable as $$
	with below as (select api.orgs_below(p_u) as orgs)
	select coalesce(json_agg(api.work_item(n, p_u, p_lang,
	    (select orgs from below)) order by n.urgency desc, n.id), '[]')
	from (select n.* from needs n, below
	       where n.status = 'submitted' and (p_u.role = 'admin'
	           or n.org_id = any (below.orgs))
	       order by n.urgency desc, n.id limit 100) n
$$;

-- GET /admin/needs, /api/v1/admin/needs: the verification queue, the
-- objections to answer, the needs in notice, and the settings.
create function api.admin_needs(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin']);
	return json_build_object(
	    'title', api.l(p_lang, '需求审核', 'Needs to review'),
	    'to_verify', api.needs_to_verify(v_u, p_lang),
	    'objections', api.objections_to_answer(v_u, p_lang),
	    'notice', (select coalesce(json_agg(api.work_item(n, v_u, p_lang,
	        null) order by n.notice_ends_at), '[]')
	      from (select * from needs where status = 'notice'
	             order by notice_ends_at limit 100) n),
	    'counts', (select json_object_agg(status, n) from (select status,
	        sum(n) as n from need_counts where status in ('submitted',
	        'notice') group by status) c),
	    'settings', api.settings_json())::text;
end $$;

-- The work summary on /branch: counts by state, what waits for the
-- caller (needs to verify, objections to answer), the children.
create function api.branch_work(p_sid text, p_lang text)
returns json language plpgsql as $$
declare
	v_u	users;
	v_orgs	bigint[];
begin
	v_u := api.session_user(p_sid);
	if v_u.id is null or v_u.role <> 'staff' then
		return null;
	end if;
	v_orgs := array(select api.org_subtree(v_u.org_id));
	return json_build_object(
	    'counts', (select json_agg(json_build_object('status', s,
	        'name', api.status_name(s, p_lang), 'n', coalesce(c.n, 0))
	        order by k)
	      from unnest(array['draft', 'submitted', 'verified', 'notice',
	          'open', 'fully_pledged', 'fulfilled', 'rejected']) with
	          ordinality u(s, k)
	      left join (select status, count(*) as n from needs
	          where org_id = any (v_orgs) group by status) c
	          on c.status = s),
	    'to_verify', api.needs_to_verify(v_u, p_lang),
	    'objections', api.objections_to_answer(v_u, p_lang),
	    'children', (select count(*) from beneficiaries
	        where org_id = any (v_orgs) and archived_at is null));
end $$;
