-- Youths out of poverty (脱贫): recorded by staff, with the date and the
-- evidence; verified or rejected by the parent branch (the staff of an
-- organisation above the one that recorded it) or the city committee;
-- never by whoever recorded it.  Only verified exits count.

create function api.exit_status_name(p_status text, p_lang text)
returns text language sql immutable as $$
	select case p_status
	    when 'recorded' then api.l(p_lang, '待核实', 'awaiting verification')
	    when 'verified' then api.l(p_lang, '已核实', 'verified')
	    else api.l(p_lang, '未通过核实', 'rejected') end
$$;

-- Whether p_user may verify exit e: an admin, or staff of an organisation
-- strictly above e's; and not whoever recorded it.
create function api.exit_can_review(p_user users, e poverty_exits)
returns boolean language sql stable as $$
	select e.status = 'recorded' and e.recorded_by <> p_user.id
	   and api.above_org(p_user, e.org_id)
$$;

-- GET /programmes/exits, /api/v1/exits: the exits in scope (those
-- awaiting verification first), 50 a page, optionally of one status.
create function api.exits_page(p_sid text, p_lang text, p_status text,
    p_page int)
returns text language sql as $$
	select json_build_object(
	    'title', api.l(p_lang, '青年脱贫', 'Youths out of poverty'),
	    'status', p_status,
	    'items', (select coalesce(json_agg(json_build_object(
	        'id', e.id, 'youth', api.youth_json(e.beneficiary_id, p_lang),
	        'org_name', api.org_name(e.org_id, p_lang),
	        'exited_on', to_char(e.exited_on, 'YYYY-MM-DD'),
	        'evidence', e.evidence, 'status', e.status,
	        'status_name', api.exit_status_name(e.status, p_lang),
	        'recorded_by', api.user_name(e.recorded_by),
	        'recorded_on', api.day(e.recorded_at),
	        'reviewed_by', api.user_name(e.reviewed_by),
	        'reviewed_on', api.day(e.reviewed_at),
	        'review_note', e.review_note,
	        'can_review', api.exit_can_review(u, e))
	        order by e.status <> 'recorded', e.exited_on desc, e.id desc), '[]')
	      from (select * from poverty_exits
	             where org_id in (select api.prog_scope(u))
	               and (p_status is null or status = p_status)
	             order by status <> 'recorded', exited_on desc, id desc
	             limit 50 offset api.prog_offset(p_page, 50)) e),
	    'pager', api.prog_pager(p_page, 50, (select count(*)
	        from poverty_exits where org_id in (select api.prog_scope(u))
	          and (p_status is null or status = p_status))),
	    'statuses', (select json_agg(json_build_object('value', s,
	        'name', api.exit_status_name(s, p_lang),
	        'count', coalesce(c.n, 0),
	        'selected', s = p_status) order by i)
	      from unnest(array['recorded', 'verified', 'rejected'])
	          with ordinality x(s, i)
	      left join (select status, count(*) as n from poverty_exits
	          where org_id in (select api.prog_scope(u))
	         group by status) c on c.status = s),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u
$$;

-- POST /programmes/exits, /api/v1/exits: records a youth in scope as out
-- of poverty, for the caller's organisation.  409 when the youth already
-- has an exit recorded or verified.
create function api.exit_create(p_sid text, p_youth bigint,
    p_exited_on date, p_evidence text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
	v_id	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_b := api.prog_youth(v_u, p_youth, 'beneficiary_id');
	if exists (select 1 from poverty_exits where beneficiary_id = v_b.id
	    and status <> 'rejected') then
		perform api.fail(409, 'already_recorded', '{"field":"beneficiary_id"}');
	end if;
	insert into poverty_exits (beneficiary_id, org_id, exited_on, evidence,
	    recorded_by)
	values (v_b.id, v_u.org_id, api.prog_day(p_exited_on, 'exited_on'),
	    p_evidence, v_u.id)
	returning id into v_id;
	perform api.audit(v_u, 'exit_record', 'poverty_exit', v_id, p_ip,
	    jsonb_build_object('beneficiary_id', v_b.id));
	return json_build_object('id', v_id, 'status', 'recorded')::text;
end $$;

-- POST /programmes/exits/{id}/review, /api/v1/exits/{id}/review:
-- decision verify or reject (a rejection says why, in note).  404 outside
-- the caller's scope, 403 for whoever may see it but not verify it (the
-- organisation that recorded it, or the person), 409 once reviewed.
create function api.exit_review(p_sid text, p_id bigint, p_decision text,
    p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_e	poverty_exits;
	v_new	text := case p_decision when 'verify' then 'verified'
			    else 'rejected' end;
begin
	v_u := api.prog_user(p_sid);
	v_e := api.prog_find(v_u, null::poverty_exits, p_id, true);
	if v_e.status <> 'recorded' then
		perform api.fail(409, 'bad_state');
	end if;
	if not api.exit_can_review(v_u, v_e) then
		perform api.fail(403, 'not_parent');
	end if;
	if v_new = 'rejected' and p_note is null then
		perform api.fail(400, 'required', '{"field":"note"}');
	end if;
	update poverty_exits set status = v_new, reviewed_by = v_u.id,
	    reviewed_at = now(), review_note = coalesce(p_note, '')
	 where id = p_id;
	perform api.audit(v_u, 'exit_' || p_decision, 'poverty_exit', p_id, p_ip);
	return json_build_object('id', p_id, 'status', v_new)::text;
end $$;
