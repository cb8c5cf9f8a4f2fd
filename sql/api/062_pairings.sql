-- "1+1" pairings: one donor, one child, the terms of the child's open
-- scholarship need (tables: sql/006_offers_pairings.sql).
--
-- Each term is a pledge of its own (one term of the need, made by
-- api.pledge_create, due at the end of the term's grace period), so it
-- is delivered, received and logged like any other.  Settings (table
-- settings, read with defaults): pairing_grace_days (14), the days after
-- a term's date by which it must be delivered; pairing_return_days (30),
-- the days a flagged pairing has to be put right before the child goes
-- back to the pool.
--
-- Locks, in the order every function here takes them: the pairing, its
-- pledges, the need, and the public log last.

create function api.pairing_status_name(p_status text, p_lang text)
returns text language sql immutable as $$
	select case p_status
	    when 'active' then api.l(p_lang, '进行中', 'active')
	    when 'flagged' then api.l(p_lang, '有学期未按时送达', 'a term is overdue')
	    when 'lapsed' then api.l(p_lang, '已中断', 'lapsed')
	    when 'ended' then api.l(p_lang, '已结束', 'ended')
	    else api.l(p_lang, '已完成', 'completed') end
$$;

create function api.pairing_action_name(p_action text, p_lang text)
returns text language sql immutable as $$
	select case p_action
	    when 'created' then api.l(p_lang, '结对', 'paired')
	    when 'flagged' then api.l(p_lang, '逾期未送达', 'term overdue')
	    when 'resolved' then api.l(p_lang, '已补上', 'put right')
	    when 'renewed' then api.l(p_lang, '重新认捐', 'term pledged again')
	    when 'lapsed' then api.l(p_lang, '结对中断', 'lapsed')
	    when 'ended' then api.l(p_lang, '结束结对', 'ended')
	    else api.l(p_lang, '圆满完成', 'completed') end
$$;

-- Tells the staff of org p_org and of the branches above it (not the
-- city committee: admins see every pairing).
create function api.notify_branch(p_org bigint, p_kind text,
    p_params jsonb)
returns int language sql as $$
	select coalesce(sum(api.notify(u.id, p_kind, p_params)), 0)::int
	  from users u join orgs o on o.id = u.org_id
	 where u.role = 'staff' and u.disabled_at is null and o.kind <> 'city'
	   and api.org_within(p_org, o.id)
$$;

-- What a message about pairing p_id names: the child's public alias,
-- the terms, its page.
create function api.pairing_params(p_id bigint)
returns jsonb language sql stable as $$
	select jsonb_build_object('pairing_id', pa.id, 'alias', b.alias,
	    'terms', pa.terms, 'path', '/pairings/' || pa.id)
	  from pairings pa join beneficiaries b on b.id = pa.beneficiary_id
	 where pa.id = p_id
$$;

-- The first term of pairing p_id not delivered by its date and the
-- grace period (null: none).
create function api.pairing_missed(p_id bigint, p_grace int)
returns smallint language sql stable as $$
	select min(t.term) from pairing_terms t
	  join pledges p on p.id = t.pledge_id
	 where t.pairing_id = p_id and t.due_on + p_grace < api.today()
	   and p.status not in ('delivered', 'received', 'disputed')
$$;

-- When the pledge of a term due on p_due must be delivered: the end of
-- the grace period's last day, Shanghai time (or p_grace days from now
-- when that has passed: a term renewed late).
create function api.pairing_pay_by(p_due date, p_grace int)
returns timestamptz language sql stable as $$
	select greatest(((p_due + p_grace)::timestamp + interval '23:59:59')
	    at time zone 'Asia/Shanghai',
	    now() + make_interval(days => greatest(p_grace, 1)))
$$;

-- A new pairing of donor p_u (session p_sid) with the child of need
-- p_need: p_terms terms, the first due on p_first, one every p_months
-- months; each term a pledge of one term of the need.  The child must
-- be the need's, the need an open scholarship need with p_terms terms
-- left (so it was reviewed and publicly noticed), the child not archived
-- and not paired already.  Returns the pairing's id.
create function api.pairing_make(p_u users, p_sid text, p_need bigint,
    p_terms int, p_first date, p_months int, p_offer bigint,
    p_anonymous boolean default false)
returns bigint language plpgsql as $$
declare
	n	needs;
	v_id	bigint;
	v_grace	int := api.setting_int('pairing_grace_days', 14);
	v_due	date;
	v_resp	json;
	k	int;
begin
	select * into n from needs where id = p_need for update;
	if not found or n.status not in ('open', 'fully_pledged',
	    'fulfilled') then
		perform api.fail(404, 'not_found');
	end if;
	if n.kind <> 'scholarship' or n.beneficiary_id is null
	    or exists (select 1 from beneficiaries where id = n.beneficiary_id
	        and archived_at is not null) then
		perform api.fail(409, 'not_pairable');
	end if;
	if n.status <> 'open' then
		perform api.fail(409, 'not_open');
	end if;
	if p_terms is null or p_terms < 1 or p_terms > 12 then
		perform api.fail(400, 'bad_number', '{"field":"terms"}');
	end if;
	if n.quantity - n.pledged < p_terms then
		perform api.fail(409, 'too_much', json_build_object('field',
		    'terms', 'remaining', n.quantity - n.pledged,
		    'unit', n.unit, 'remaining_text',
		    api.pledge_amount(n, n.quantity - n.pledged)));
	end if;
	if exists (select 1 from pairings where beneficiary_id =
	    n.beneficiary_id and status in ('active', 'flagged')) then
		perform api.fail(409, 'already_paired');
	end if;
	insert into pairings (donor_id, beneficiary_id, need_id, offer_id,
	    terms, unit_amount, term_months, first_due)
	values (p_u.id, n.beneficiary_id, n.id, p_offer, p_terms,
	    n.unit_amount, p_months, p_first)
	returning id into v_id;
	delete from pair_seekers where beneficiary_id = n.beneficiary_id;
	-- No note: what was agreed (terms × amount) is the pairing's own,
	-- shown above its history.
	insert into pairing_events (pairing_id, actor_id, action)
	values (v_id, p_u.id, 'created');
	perform api.notify_branch(n.org_id, 'pairing', api.pairing_params(v_id) || jsonb_build_object('donor_name', p_u.display_name));
	-- The pledges last: the first takes the public log's lock.
	for k in 1 .. p_terms loop
		v_due := (p_first + make_interval(months => (k - 1) * p_months))::date;
		v_resp := api.pledge_create(p_sid, n.id, 1, p_anonymous, null,
		    format('pairing-%s-t%s', v_id, k),
		    api.pairing_pay_by(v_due, v_grace))::json;
		insert into pairing_terms (pairing_id, term, due_on, pledge_id)
		values (v_id, k, v_due, (v_resp -> 'pledge' ->> 'id')::bigint);
		if p_offer is not null then
			insert into offer_pledges (pledge_id, offer_id, amount, terms)
			values ((v_resp -> 'pledge' ->> 'id')::bigint, p_offer,
			    n.unit_amount, 1);
		end if;
	end loop;
	return v_id;
end $$;

-- The pairing p_id as p_u may see it: its donor, staff of the child's
-- organisation or above, admins; 404 for anyone else.  Locked when
-- p_lock.
create function api.pairing_for(p_u users, p_id bigint, p_lock boolean)
returns pairings language plpgsql as $$
declare
	pa	pairings;
begin
	if p_lock then
		select * into pa from pairings where id = p_id for update;
	else
		select * into pa from pairings where id = p_id;
	end if;
	if not found or not (pa.donor_id = p_u.id or api.sees_org(p_u,
	    (select org_id from beneficiaries where id = pa.beneficiary_id)))
	then
		perform api.fail(404, 'not_found');
	end if;
	return pa;
end $$;

-- A pairing card: the child's public profile only, the schedule, the
-- history, what p_u may do.
create function api.pairing_json(pa pairings, p_u users, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', pa.id, 'status', pa.status,
	    'status_name', api.pairing_status_name(pa.status, p_lang),
	    'is_flagged', pa.status = 'flagged',
	    'is_live', pa.status in ('active', 'flagged'),
	    'is_donor', pa.donor_id = p_u.id,
	    'donor', (select display_name from users where id = pa.donor_id),
	    'child', json_build_object('alias', b.alias,
	        'age', api.age(b.birth_year),
	        'gender_name', case b.gender when 'f'
	            then api.l(p_lang, '女孩', 'girl')
	            else api.l(p_lang, '男孩', 'boy') end,
	        'school_stage_name', api.stage_name(b.school_stage, p_lang),
	        'town_name', (select api.l(p_lang, name_zh, name_en)
	            from towns where id = b.town_id),
	        'left_behind', b.left_behind),
	    'org_name', (select name from orgs where id = b.org_id),
	    'need_id', n.id, 'need_title', n.title,
	    'terms', pa.terms, 'term_months', pa.term_months,
	    'term_amount_text', api.amount(true, pa.unit_amount, null),
	    'total_text', api.amount(true, pa.terms::bigint * pa.unit_amount,
	        null),
	    'created_on', api.day(pa.created_at),
	    'closed_on', api.day(pa.closed_at),
	    'end_reason', pa.end_reason,
	    'schedule', (select json_agg(json_build_object('term', t.term,
	        'due_on', to_char(t.due_on, 'YYYY-MM-DD'),
	        'pay_by', api.day(p.due_at),
	        'pledge_id', p.id, 'status', p.status,
	        'status_name', api.pledge_status_name(p.status, p_lang),
	        'missed', t.due_on + api.setting_int('pairing_grace_days', 14)
	            < api.today() and p.status not in ('delivered', 'received',
	            'disputed'),
	        'receipt_code', case when pa.donor_id = p_u.id
	            then p.receipt_code end) order by t.term)
	      from pairing_terms t join pledges p on p.id = t.pledge_id
	      where t.pairing_id = pa.id),
	    'history', (select coalesce(json_agg(json_build_object(
	        'at', api.minute(e.at),
	        'action', e.action, 'term', e.term, 'note', e.note,
	        'action_name', api.pairing_action_name(e.action, p_lang),
	        'actor', (select display_name from users where id = e.actor_id))
	        order by e.id), '[]')
	      from pairing_events e where e.pairing_id = pa.id),
	    'can_end', pa.status in ('active', 'flagged')
	        and (pa.donor_id = p_u.id or p_u.role in ('staff', 'admin')),
	    'can_renew', pa.status in ('active', 'flagged')
	        and pa.donor_id = p_u.id and exists (select 1
	          from pairing_terms t join pledges p on p.id = t.pledge_id
	         where t.pairing_id = pa.id
	           and p.status in ('cancelled', 'expired')))
	  from beneficiaries b, needs n
	 where b.id = pa.beneficiary_id and n.id = pa.need_id
$$;

-- GET /needs/{id}/pair: the form for a pairing on need p_need (donors).
create function api.pairing_form(p_sid text, p_need bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	n	needs;
	v_why	text;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select * into n from needs where id = p_need
	   and status in ('open', 'fully_pledged', 'fulfilled');
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	v_why := case when n.kind <> 'scholarship' or n.beneficiary_id is null
	        then 'not_pairable'
	    when n.status <> 'open' then 'not_open'
	    when exists (select 1 from pairings where beneficiary_id =
	        n.beneficiary_id and status in ('active', 'flagged'))
	        then 'already_paired' end;
	return json_build_object('need', api.need_public(n, p_lang),
	    'title', n.title,
	    'can_pair', v_why is null,
	    'why_not', v_why,
	    'max_terms', n.quantity - n.pledged,
	    'first_due', to_char(api.today() + 30, 'YYYY-MM-DD'),
	    'min_due', to_char(api.today() + 1, 'YYYY-MM-DD'),
	    'max_due', to_char(api.today() + 365, 'YYYY-MM-DD'),
	    'grace_days', api.setting_int('pairing_grace_days', 14))::text;
end $$;

-- POST /needs/{id}/pair, /api/v1/pairings (donors): a pairing on an open
-- scholarship need of a child: terms (1..12, at most what is left),
-- first_due (YYYY-MM-DD, default in 30 days), months_per_term (default
-- 6).
-- 409 when the need or child cannot be paired; 201 with the card.
create function api.pairing_create(p_sid text, p_need bigint, p_terms int,
    p_first text, p_months int, p_anonymous boolean, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_first	date;
	v_id	bigint;
begin
	v_u := api.require_user(p_sid, array['donor']);
	v_first := case when p_first is null then api.today() + 30
	    else api.date_in(p_first, 'first_due', api.today() + 1,
	        api.today() + 365) end;
	v_id := api.pairing_make(v_u, p_sid, p_need, p_terms, v_first,
	    coalesce(p_months, 6), null, coalesce(p_anonymous, false));
	return json_build_object('pairing', (select api.pairing_json(pa, v_u,
	    p_lang) from pairings pa where id = v_id))::text;
end $$;

-- GET /pairings, /api/v1/pairings: the caller's pairings (donors: their
-- own; staff: their children's; admins: all) and, for staff and admins,
-- the children seeking a pair with their open scholarship needs.
create function api.pairings_list(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	return json_build_object(
	    'items', (select coalesce(json_agg(api.pairing_json(pa, v_u, p_lang)
	        order by pa.status in ('active', 'flagged') desc, pa.id desc),
	        '[]')
	      from pairings pa join beneficiaries b on b.id = pa.beneficiary_id
	      where case when v_u.role = 'donor' then pa.donor_id = v_u.id
	          else api.sees_org(v_u, b.org_id) end),
	    'is_donor', v_u.role = 'donor',
	    'seekers', case when v_u.role <> 'donor' then (select
	        coalesce(json_agg(json_build_object(
	            'alias', b.alias, 'age', api.age(b.birth_year),
	            'school_stage_name', api.stage_name(b.school_stage, p_lang),
	            'org_name', (select name from orgs where id = b.org_id),
	            'since', api.day(s.since), 'reason', s.reason,
	            'needs', (select coalesce(json_agg(json_build_object(
	                'id', n.id, 'title', n.title,
	                'remaining', n.quantity - n.pledged) order by n.id), '[]')
	              from needs n where n.beneficiary_id = b.id
	                and n.kind = 'scholarship' and n.status = 'open'))
	            order by s.since), '[]')
	      from pair_seekers s join beneficiaries b on b.id = s.beneficiary_id
	      where api.sees_org(v_u, b.org_id))
	    end)::text;
end $$;

-- GET /pairings/{id}, /api/v1/pairings/{id}: the pairing card.
create function api.pairing_get(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	pa	pairings;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	pa := api.pairing_for(v_u, p_id, false);
	return json_build_object('pairing', api.pairing_json(pa, v_u, p_lang),
	    'title', (select alias from beneficiaries
	        where id = pa.beneficiary_id))::text;
end $$;

-- Cancels the term pledges of pa not yet handed over (their quantity
-- goes back to the need) and returns their ids, for the caller to log
-- last.
create function api.pairing_release_terms(pa pairings, p_actor bigint,
    p_note text)
returns bigint[] language plpgsql as $$
declare
	v_p	pledges;
	v_ids	bigint[] := '{}';
begin
	for v_p in select p.* from pairing_terms t
	    join pledges p on p.id = t.pledge_id
	    where t.pairing_id = pa.id and p.status = 'pledged'
	    order by p.id for update of p loop
		perform api.pledge_release(v_p);
		update pledges set status = 'cancelled', closed_at = now(),
		    updated_at = now() where id = v_p.id;
		perform api.pledge_event(v_p.id, p_actor, 'cancelled', 'pledged',
		    'cancelled', p_note);
		v_ids := v_ids || v_p.id;
	end loop;
	return v_ids;
end $$;

-- The child of pairing pa goes back to the pool of children seeking a
-- pair (p_reason: ended, lapsed).
create function api.pairing_to_pool(pa pairings, p_reason text)
returns void language sql as $$
	insert into pair_seekers (beneficiary_id, pairing_id, reason)
	values (pa.beneficiary_id, pa.id, p_reason)
	on conflict (beneficiary_id) do update set since = now(),
	    pairing_id = excluded.pairing_id, reason = excluded.reason
$$;

-- POST /pairings/{id}/end, /api/v1/pairings/{id}/end: its donor, staff
-- of the child's organisation or above, or an admin ends it, with a
-- reason.  Terms not yet handed over are cancelled (back on the shelf);
-- the child goes back to the pool of children seeking a pair; the other
-- side is told.  409 once it is over.
create function api.pairing_end(p_sid text, p_id bigint, p_reason text,
    p_ip text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	pa	pairings;
	v_ids	bigint[];
	v_id	bigint;
	v_org	bigint;
	v_alias	text;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	pa := api.pairing_for(v_u, p_id, true);
	if pa.status not in ('active', 'flagged') then
		perform api.fail(409, 'pairing_over');
	end if;
	select org_id, alias into v_org, v_alias from beneficiaries
	 where id = pa.beneficiary_id;
	v_ids := api.pairing_release_terms(pa, v_u.id, p_reason);
	update pairings set status = 'ended', flagged_at = null,
	    closed_at = now(), closed_by = v_u.id, end_reason = p_reason
	 where id = p_id returning * into pa;
	perform api.pairing_to_pool(pa, 'ended');
	insert into pairing_events (pairing_id, actor_id, action, note)
	values (p_id, v_u.id, 'ended', p_reason);
	if v_u.id = pa.donor_id then
		perform api.notify_branch(v_org, 'pairing_ended', api.pairing_params(p_id) || jsonb_build_object('reason', p_reason, 'by_donor', true));
	else
		perform api.notify(pa.donor_id, 'pairing_ended', api.pairing_params(p_id) || jsonb_build_object('reason', p_reason));
		perform api.audit(v_u, 'pairing_end', 'pairing', p_id, p_ip,
		    jsonb_build_object('reason', p_reason));
	end if;
	foreach v_id in array v_ids loop
		perform api.log_pledge_event('pledge_cancelled', v_id);
	end loop;
	return json_build_object('pairing', api.pairing_json(pa, v_u,
	    p_lang))::text;
end $$;

-- POST /pairings/{id}/renew, /api/v1/pairings/{id}/renew (its donor):
-- each term whose pledge was cancelled or expired is pledged again (due
-- by its date and grace period, or in grace days when that passed): how
-- a flagged pairing is put right.  409 when there is nothing to renew.
create function api.pairing_renew(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	pa	pairings;
	v_t	record;
	v_resp	json;
	v_grace	int := api.setting_int('pairing_grace_days', 14);
	v_n	int := 0;
begin
	v_u := api.require_user(p_sid, array['donor']);
	pa := api.pairing_for(v_u, p_id, true);
	if pa.donor_id <> v_u.id then
		perform api.fail(404, 'not_found');
	end if;
	if pa.status not in ('active', 'flagged') then
		perform api.fail(409, 'pairing_over');
	end if;
	perform 1 from needs where id = pa.need_id for update;
	for v_t in select t.term, t.due_on, p.anonymous,
	    (select count(*) from pairing_events e where e.pairing_id = pa.id
	        and e.term = t.term and e.action = 'renewed') as tries
	    from pairing_terms t join pledges p on p.id = t.pledge_id
	    where t.pairing_id = pa.id and p.status in ('cancelled', 'expired')
	    order by t.term loop
		v_resp := api.pledge_create(p_sid, pa.need_id, 1, v_t.anonymous,
		    null, format('pairing-%s-t%s-r%s', pa.id, v_t.term,
		    v_t.tries + 1), api.pairing_pay_by(v_t.due_on, v_grace))::json;
		update pairing_terms set pledge_id = (v_resp -> 'pledge' ->>
		    'id')::bigint where pairing_id = pa.id and term = v_t.term;
		if pa.offer_id is not null then
			insert into offer_pledges (pledge_id, offer_id, amount, terms)
			values ((v_resp -> 'pledge' ->> 'id')::bigint, pa.offer_id,
			    pa.unit_amount, 1);
		end if;
		insert into pairing_events (pairing_id, actor_id, action, term)
		values (pa.id, v_u.id, 'renewed', v_t.term);
		v_n := v_n + 1;
	end loop;
	if v_n = 0 then
		perform api.fail(409, 'nothing_to_renew');
	end if;
	return json_build_object('renewed', v_n, 'pairing', api.pairing_json(pa,
	    v_u, p_lang))::text;
end $$;

-- One batch of the periodic part (src/jobs.c, after api.pledges_tick,
-- which has just expired the term pledges past their date and grace
-- period; called again, each call its own transaction, while a batch did
-- something and some is left), at most p_limit pairings of each kind
-- (lapses: a tenth of that):
--   - an active pairing with a term missed (not delivered by its date and
--     the grace period) is flagged; its donor and branch are told;
--   - a flagged pairing whose missed terms were delivered is active again;
--   - a flagged pairing not put right within pairing_return_days lapses:
--     terms not handed over are cancelled, the child goes back to the
--     pool of children seeking a pair, donor and branch are told;
--   - a pairing whose every term arrived is completed.
-- Only live pairings are looked at (the partial index pairings_live), at
-- most one a child; rows another transaction holds are skipped.  Log
-- appends last.  Returns {"done": pairings changed, "backlog": live
-- pairings still due for one of the moves}.
create function api.pairings_tick(p_limit int default 100)
returns json language plpgsql as $$
declare
	v_grace	int := api.setting_int('pairing_grace_days', 14);
	v_ret	int := api.setting_int('pairing_return_days', 30);
	pa	pairings;
	v_term	smallint;
	v_org	bigint;
	v_alias	text;
	v_logs	bigint[] := '{}';
	v_id	bigint;
	v_n	int := 0;
	v_left	bigint;
begin
	for pa in select * from pairings where status = 'active'
	    and api.pairing_missed(id, v_grace) is not null
	    order by id limit p_limit for update skip locked loop
		v_term := api.pairing_missed(pa.id, v_grace);
		select org_id, alias into v_org, v_alias from beneficiaries
		 where id = pa.beneficiary_id;
		update pairings set status = 'flagged', flagged_at = now()
		 where id = pa.id;
		insert into pairing_events (pairing_id, action, term)
		values (pa.id, 'flagged', v_term);
		perform api.notify(pa.donor_id, 'pairing_flagged', api.pairing_params(pa.id) || jsonb_build_object('term', v_term, 'days', v_ret, 'for_donor', true));
		perform api.notify_branch(v_org, 'pairing_flagged', api.pairing_params(pa.id) || jsonb_build_object('term', v_term, 'days', v_ret));
		v_n := v_n + 1;
	end loop;
	for pa in select * from pairings where status = 'flagged'
	    and api.pairing_missed(id, v_grace) is null
	    order by id limit p_limit for update skip locked loop
		update pairings set status = 'active', flagged_at = null
		 where id = pa.id;
		insert into pairing_events (pairing_id, action)
		values (pa.id, 'resolved');
		select org_id, alias into v_org, v_alias from beneficiaries
		 where id = pa.beneficiary_id;
		perform api.notify_branch(v_org, 'pairing_resolved', api.pairing_params(pa.id));
		v_n := v_n + 1;
	end loop;
	-- Still missed: one put right but past this batch's limit above
	-- waits for the next batch instead of lapsing.  A lapse cancels (and
	-- logs) up to 12 terms: a tenth as many lapses keeps a batch's log
	-- appends near p_limit.
	for pa in select * from pairings where status = 'flagged'
	    and flagged_at + make_interval(days => v_ret) <= now()
	    and api.pairing_missed(id, v_grace) is not null
	    order by id limit greatest(1, p_limit / 10)
	    for update skip locked loop
		select org_id, alias into v_org, v_alias from beneficiaries
		 where id = pa.beneficiary_id;
		v_logs := v_logs || api.pairing_release_terms(pa, null,
		    '结对中断');
		update pairings set status = 'lapsed', flagged_at = null,
		    closed_at = now(), end_reason = '逾期未送达'
		 where id = pa.id;
		perform api.pairing_to_pool(pa, 'lapsed');
		insert into pairing_events (pairing_id, action)
		values (pa.id, 'lapsed');
		perform api.notify(pa.donor_id, 'pairing_lapsed', api.pairing_params(pa.id) || jsonb_build_object('for_donor', true));
		perform api.notify_branch(v_org, 'pairing_lapsed', api.pairing_params(pa.id));
		v_n := v_n + 1;
	end loop;
	for pa in select * from pairings p where status = 'active'
	    and not exists (select 1 from pairing_terms t
	        join pledges pl on pl.id = t.pledge_id
	        where t.pairing_id = p.id and pl.status <> 'received')
	    order by id limit p_limit for update skip locked loop
		update pairings set status = 'completed', closed_at = now()
		 where id = pa.id;
		insert into pairing_events (pairing_id, action)
		values (pa.id, 'completed');
		perform api.notify(pa.donor_id, 'pairing_completed', api.pairing_params(pa.id));
		v_n := v_n + 1;
	end loop;
	select count(*) into v_left from pairings p
	 where status in ('active', 'flagged')
	   and case when api.pairing_missed(id, v_grace) is null
	       then status = 'flagged' or not exists (select 1
	           from pairing_terms t join pledges pl on pl.id = t.pledge_id
	           where t.pairing_id = p.id and pl.status <> 'received')
	       else status = 'active' or flagged_at
	           + make_interval(days => v_ret) <= now() end;
	foreach v_id in array v_logs loop
		perform api.log_pledge_event('pledge_cancelled', v_id);
	end loop;
	return json_build_object('done', v_n, 'backlog', v_left);
end $$;
