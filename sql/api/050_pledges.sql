-- Pledges: a donor's promise against a need, followed until the need's
-- organisation confirms it arrived.
--
-- Every change runs in one function: the row changes first (the need's
-- row lock orders concurrent pledges), then the pledge's event, then the
-- public log append LAST (it holds the log's lock until commit; see
-- sql/api/080_log.sql), so no two transactions wait on each other in
-- opposite orders.

create function api.pledge_status_next(p_status text, p_lang text)
returns text language sql immutable as $$
	select case p_status
	    when 'pledged' then api.l(p_lang, '请把捐赠送到学校、寄出或转账，然后在这里标记“已送出”。',
	        'Hand the gift over, post it or transfer it, then mark it delivered here.')
	    when 'delivered' then api.l(p_lang, '等待学校确认收到。', 'Waiting for the school to confirm it arrived.')
	    when 'received' then api.l(p_lang, '学校已确认收到，谢谢您！', 'The school confirmed it arrived. Thank you!')
	    when 'disputed' then api.l(p_lang, '学校暂未收到，工作人员正在核实。', 'The school has not found it yet; staff are checking.')
	    when 'cancelled' then api.l(p_lang, '已取消。', 'Cancelled.')
	    else api.l(p_lang, '已过期，认捐的数量已回到货架。', 'Expired; the quantity went back on the shelf.') end
$$;

-- A receipt code: 8 characters a person can read out and type
-- (api.readable_code).
create function api.receipt_code()
returns text language plpgsql volatile as $$
begin
	return api.readable_code(2);
end $$;

-- A receipt code as typed: any case, with or without the dash or spaces.
create function api.receipt_code_norm(p_code text)
returns text language sql immutable as $$
	select substr(c, 1, 4) || '-' || substr(c, 5)
	  from (select upper(regexp_replace(p_code, '[\s-]', '', 'g')) as c) x
$$;

-- A message to p_user of kind p_kind (mail.<kind>.* in the catalogues),
-- with the values its text names in p_params; p_dedupe makes it go once
-- per person and kind.  By e-mail where the account has an address,
-- else by SMS; nothing for a disabled account or one with neither.
-- The account's choices (sql/api/095_outbox.sql): nothing for a kind it
-- turned off; held for the day's digest for staff who chose one.
-- Account and security kinds cannot be turned off.  Wakes the senders
-- (LISTEN shop_outbox) at commit.  Returns how many it wrote (0 or 1).
create function api.notify(p_user bigint, p_kind text, p_params jsonb,
    p_dedupe text default null)
returns int language plpgsql as $$
declare
	v_u	users;
	v_pr	notification_prefs;
	v_opt	boolean := api.notify_optional(p_kind);
	v_held	boolean;
begin
	select * into v_u from users where id = p_user;
	if v_u.id is null or v_u.disabled_at is not null
	    or (v_u.email is null and v_u.phone is null) then
		return 0;
	end if;
	select * into v_pr from notification_prefs where user_id = p_user;
	if v_opt and p_kind = any (coalesce(v_pr.off, '{}')) then
		return 0;
	end if;
	v_held := v_opt and coalesce(v_pr.digest, false) and v_u.role = 'staff';
	insert into notifications (user_id, channel, kind, params, dedupe_key,
	    status)
	values (v_u.id, case when v_u.email is not null then 'email'
	    else 'sms' end, p_kind, coalesce(p_params, '{}'), p_dedupe,
	    case when v_held then 'held' else 'pending' end)
	on conflict (user_id, kind, dedupe_key) where dedupe_key is not null
	do nothing;
	if not found then
		return 0;
	end if;
	if not v_held then
		perform pg_notify('shop_outbox', '');
	end if;
	return 1;
end $$;

create function api.pledge_event(p_pledge bigint, p_actor bigint,
    p_action text, p_from text, p_to text, p_note text default null)
returns void language plpgsql as $$
begin
	insert into pledge_events (pledge_id, actor_id, action, from_status,
	    to_status, note)
	values (p_pledge, p_actor, p_action, p_from, p_to, left(p_note, 500));
end $$;

-- A step of a pledge's history in words: the status it reached, or for
-- a step that changed no status (a message moderated, a reminder) what
-- happened (issue 19: those showed the status again, "已收到" twice).
create function api.pledge_event_name(p_action text, p_status text,
    p_lang text)
returns text language sql stable as $$
	select case p_action
	    when 'message_approved' then api.l(p_lang, '留言已转交孩子',
	        'message passed on to the child')
	    when 'message_rejected' then api.l(p_lang, '留言未转交',
	        'message not passed on')
	    when 'due_notice' then api.l(p_lang, '已提醒送达期限',
	        'reminded of the due date')
	    else api.pledge_status_name(p_status, p_lang) end
$$;

-- p_qty of a need, to show (api.amount): fen for money, else units.
create function api.pledge_amount(p_need needs, p_qty int)
returns json language sql stable as $$
	select api.amount(p_need.kind = 'money', p_qty, p_need.unit)
$$;

-- POST /api/v1/needs/{id}/pledges: a donor pledges part or all of what
-- the need still lacks.  404 for a need that is not public; 409 when it is
-- not open or too little is left (with what remains); with an
-- Idempotency-Key, a replay returns the first answer and creates nothing,
-- and the same key with another request is a 422; 403 verify_first for a
-- donor at the limit of open pledges before verifying their e-mail or
-- phone (sql/api/032_recovery.sql).  p_due (a pairing's
-- term, sql/api/062_pairings.sql) is when it is due instead of in
-- pledge_due_days.
create function api.pledge_create(p_sid text, p_need bigint, p_quantity int,
    p_anonymous boolean, p_message text, p_key text,
    p_due timestamptz default null)
returns text language plpgsql as $$
declare
	v_u	users;
	v_n	needs;
	v_p	pledges;
	v_hash	text;
	v_k	idempotency_keys;
	v_resp	text;
	v_days	int;
begin
	v_u := api.require_user(p_sid, array['donor']);
	if p_key is not null then
		v_hash := md5(concat_ws('|', p_need, p_quantity, p_anonymous,
		    coalesce(p_message, ''), p_due));
		-- A concurrent request with the same key waits here for the
		-- first to commit, then replays its answer.
		insert into idempotency_keys (donor_id, key, request_hash)
		values (v_u.id, p_key, v_hash) on conflict do nothing;
		if not found then
			select * into v_k from idempotency_keys
			 where donor_id = v_u.id and key = p_key;
			if v_k.request_hash <> v_hash then
				perform api.fail(422, 'idempotency_mismatch');
			end if;
			return v_k.response;
		end if;
	end if;
	if p_quantity is null or p_quantity <= 0 then
		perform api.fail(400, 'bad_number', '{"field":"quantity"}');
	end if;
	-- Issue 12: a donor who has not verified an e-mail or phone holds a
	-- few open pledges at most (sql/api/032_recovery.sql).
	perform api.pledge_verified_check(v_u);

	-- Compared as what is left, so that no sum can overflow.
	update needs set pledged = pledged + p_quantity,
	    status = case when p_quantity = quantity - pledged
	        then 'fully_pledged' else status end,
	    updated_at = now()
	 where id = p_need and status = 'open'
	   and p_quantity <= quantity - pledged
	returning * into v_n;
	if not found then
		select * into v_n from needs where id = p_need;
		if not found or v_n.status not in ('open', 'fully_pledged',
		    'fulfilled') then
			perform api.fail(404, 'not_found');
		end if;
		perform api.fail(409, case when v_n.status = 'open'
		    then 'too_much' else 'not_open' end,
		    json_build_object('field', 'quantity', 'remaining',
		        case when v_n.status = 'open'
		        then v_n.quantity - v_n.pledged else 0 end,
		        'unit', v_n.unit, 'remaining_text', api.pledge_amount(v_n,
		        case when v_n.status = 'open'
		        then v_n.quantity - v_n.pledged else 0 end)));
	end if;

	v_days := api.setting_int('pledge_due_days', 14);
	-- Its reference code (for a transfer's note) is the column's default
	-- (sql/016_where.sql).
	insert into pledges (need_id, donor_id, quantity, anonymous, due_at,
	    message, message_state, receipt_code)
	values (p_need, v_u.id, p_quantity, coalesce(p_anonymous, false),
	    coalesce(p_due, now() + make_interval(days => v_days)), p_message,
	    case when p_message is not null then 'pending' end,
	    api.receipt_code())
	returning * into v_p;
	perform api.pledge_event(v_p.id, v_u.id, 'pledged', null, 'pledged');
	-- Where to take the gift, or where to transfer the money, with the
	-- pledge's own facts (which win where the names meet).
	perform api.notify(v_u.id, 'pledge_made', (api.pledge_where(v_p.id)
	    - array['amount', 'org_name', 'org_name_en', 'kind', 'org_id'])
	    || api.pledge_params(v_p.id, false));
	perform api.notify_pledge_staff(v_p.id, 'pledge_new');
	perform api.notify_pledge_staff(v_p.id, 'pledge_message') where p_message is not null;
	v_resp := json_build_object(
	    'pledge', json_build_object('id', v_p.id, 'need_id', p_need,
	        'quantity', v_p.quantity, 'status', v_p.status,
	        'receipt_code', v_p.receipt_code,
	        'reference_code', v_p.reference_code,
	        'due_on', api.day(v_p.due_at), 'anonymous', v_p.anonymous),
	    'need', json_build_object('id', v_n.id, 'status', v_n.status,
	        'quantity', v_n.quantity, 'pledged', v_n.pledged,
	        'remaining', v_n.quantity - v_n.pledged))::text;
	if p_key is not null then
		update idempotency_keys set response = v_resp
		 where donor_id = v_u.id and key = p_key;
	end if;
	perform api.log_pledge_event('pledge_made', v_p.id);
	return v_resp;
end $$;

-- The pledge p_id as its donor (or, when p_staff, as staff of the need's
-- organisation or an admin) may act on it; 404 for anyone else.
create function api.pledge_for(p_u users, p_id bigint, p_staff boolean)
returns pledges language plpgsql as $$
declare
	v_p	pledges;
begin
	select p.* into v_p from pledges p join needs n on n.id = p.need_id
	 where p.id = p_id
	   and case when p_staff then api.sees_org(p_u, n.org_id)
	       else p.donor_id = p_u.id end
	 for update of p;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return v_p;
end $$;

-- Returns the quantity of the pledges p_ids to the shelf (cancelled,
-- expired, or a dispute resolved as never arrived): each need gives up
-- what they held, and a fully pledged need is open again.  The caller
-- holds the pledges' rows; the needs' rows are taken in id order, the
-- order every caller takes them in, so two callers never wait on each
-- other in a circle.
create function api.pledges_release(p_ids bigint[])
returns void language sql as $$
	select 1 from needs where id in (select need_id from pledges
	    where id = any (p_ids)) order by id for update;
	update needs n set pledged = n.pledged - r.quantity,
	    status = case when n.status = 'fully_pledged' then 'open'
	        else n.status end,
	    updated_at = now()
	  from (select need_id, sum(quantity)::int as quantity from pledges
	         where id = any (p_ids) group by need_id) r
	 where n.id = r.need_id
$$;

create function api.pledge_release(p_p pledges)
returns void language sql as $$
	select api.pledges_release(array[p_p.id])
$$;

-- POST .../cancel (the donor, before delivery).
create function api.pledge_cancel(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['donor']);
	v_p := api.pledge_for(v_u, p_id, false);
	if v_p.status <> 'pledged' then
		perform api.fail(409, 'bad_state');
	end if;
	perform api.pledge_release(v_p);
	update pledges set status = 'cancelled', closed_at = now(),
	    updated_at = now() where id = p_id;
	perform api.pledge_event(p_id, v_u.id, 'cancelled', 'pledged',
	    'cancelled');
	perform api.log_pledge_event('pledge_cancelled', p_id);
	return json_build_object('id', p_id, 'status', 'cancelled')::text;
end $$;

-- POST .../deliver (the donor): how it was handed over.  Posting needs a
-- tracking number, a transfer its reference.
create function api.pledge_deliver(p_sid text, p_id bigint, p_method text,
    p_ref text, p_note text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['donor']);
	v_p := api.pledge_for(v_u, p_id, false);
	if v_p.status <> 'pledged' then
		perform api.fail(409, 'bad_state');
	end if;
	if p_method in ('post', 'transfer') and p_ref is null then
		perform api.fail(400, 'ref_required', '{"field":"reference"}');
	end if;
	if p_method = 'transfer' and (select kind from needs
	    where id = v_p.need_id) not in ('money', 'scholarship') then
		perform api.fail(400, 'unknown_value', '{"field":"method"}');
	end if;
	update pledges set status = 'delivered', delivered_at = now(),
	    delivery_method = p_method, delivery_ref = p_ref,
	    delivery_note = p_note, updated_at = now()
	 where id = p_id;
	perform api.pledge_event(p_id, v_u.id, 'delivered', 'pledged',
	    'delivered', p_note);
	perform api.notify_pledge_staff(p_id, 'pledge_delivered');
	perform api.log_pledge_event('pledge_delivered', p_id);
	return json_build_object('id', p_id, 'status', 'delivered')::text;
end $$;

-- Confirms that pledge v_p arrived (shared by the id and the code paths).
create function api.pledge_mark_received(v_u users, v_p pledges,
    p_note text, p_thanks text)
returns text language plpgsql as $$
declare
	v_n	needs;
	v_log	boolean;
begin
	-- Money is paid into the foundation's account, which the school
	-- cannot see: the fund confirms it, from the bank statement
	-- (sql/api/093_statements.sql), not the school.
	if v_u.role <> 'admin' and (select kind from needs
	    where id = v_p.need_id) = 'money' then
		perform api.fail(403, 'fund_confirms');
	end if;
	if v_p.status not in ('pledged', 'delivered', 'disputed') then
		perform api.fail(409, 'bad_state');
	end if;
	update needs set received = received + v_p.quantity,
	    status = case when received + v_p.quantity = quantity
	        then 'fulfilled' else status end,
	    updated_at = now()
	 where id = v_p.need_id returning * into v_n;
	update pledges set status = 'received', received_at = now(),
	    received_by = v_u.id, receive_note = p_note, thank_you = p_thanks,
	    updated_at = now(), closed_at = now()
	 where id = v_p.id;
	perform api.pledge_event(v_p.id, v_u.id, case when v_p.status =
	    'disputed' then 'resolved' else 'received' end, v_p.status,
	    'received', p_note);
	perform api.notify_received(v_p.id, p_thanks);
	perform api.audit(v_u, 'pledge_receive', 'pledge', v_p.id, null);
	perform api.log_pledge_event('pledge_received', v_p.id);
	if v_n.kind = 'money' then
		perform api.log_append('fund_received', v_n.id,
		    jsonb_build_object('amount', v_p.quantity, 'donor',
		        api.log_donor_name(v_p.donor_id, v_p.anonymous)));
	end if;
	if v_n.status = 'fulfilled' then
		perform api.log_append('need_fulfilled', v_n.id);
	end if;
	return json_build_object('id', v_p.id, 'status', 'received',
	    'need', json_build_object('id', v_n.id, 'status', v_n.status,
	        'received', v_n.received, 'quantity', v_n.quantity))::text;
end $$;

-- POST .../receive (staff of the need's organisation or its branch, and
-- admins): it arrived, with a note and a thank-you for the donor.
create function api.pledge_receive(p_sid text, p_id bigint, p_note text,
    p_thanks text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	return api.pledge_mark_received(v_u, api.pledge_for(v_u, p_id, true),
	    p_note, p_thanks);
end $$;

-- POST /api/v1/receipts: the same, by the receipt code the donor shows at
-- hand-over.  404 for a code of another organisation (or none).
create function api.pledge_receive_code(p_sid text, p_code text,
    p_note text, p_thanks text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_id	bigint;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	select id into v_id from pledges
	 where receipt_code = api.receipt_code_norm(p_code);
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return api.pledge_mark_received(v_u, api.pledge_for(v_u, v_id, true),
	    p_note, p_thanks);
end $$;

-- POST .../dispute (staff): delivered, but it never arrived.
create function api.pledge_dispute(p_sid text, p_id bigint, p_reason text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	v_p := api.pledge_for(v_u, p_id, true);
	if v_p.status <> 'delivered' then
		perform api.fail(409, 'bad_state');
	end if;
	update pledges set status = 'disputed', dispute_reason = p_reason,
	    updated_at = now() where id = p_id;
	perform api.pledge_event(p_id, v_u.id, 'disputed', 'delivered',
	    'disputed', p_reason);
	perform api.notify(v_p.donor_id, 'disputed', api.pledge_params(p_id, false) || jsonb_build_object('reason', p_reason));
	perform api.notify_pledge_staff(p_id, 'pledge_disputed', v_u.id);
	perform api.audit(v_u, 'pledge_dispute', 'pledge', p_id, null);
	return json_build_object('id', p_id, 'status', 'disputed')::text;
end $$;

-- POST .../resolve (staff): a dispute ends as received (it turned up) or
-- as cancelled (it never came; the quantity goes back on the shelf).
create function api.pledge_resolve(p_sid text, p_id bigint, p_outcome text,
    p_note text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	v_p := api.pledge_for(v_u, p_id, true);
	if v_p.status <> 'disputed' then
		perform api.fail(409, 'bad_state');
	end if;
	if p_outcome = 'received' then
		return api.pledge_mark_received(v_u, v_p, p_note, null);
	end if;
	perform api.pledge_release(v_p);
	update pledges set status = 'cancelled', dispute_note = p_note,
	    closed_at = now(), updated_at = now() where id = p_id;
	perform api.pledge_event(p_id, v_u.id, 'resolved', 'disputed',
	    'cancelled', p_note);
	perform api.audit(v_u, 'pledge_resolve', 'pledge', p_id, null);
	perform api.log_pledge_event('pledge_cancelled', p_id);
	return json_build_object('id', p_id, 'status', 'cancelled')::text;
end $$;

-- POST .../message (staff): the donor's message to the child is shown to
-- the child's side only once staff approve it.
create function api.pledge_moderate(p_sid text, p_id bigint,
    p_approve boolean)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	v_p := api.pledge_for(v_u, p_id, true);
	if v_p.message_state is distinct from 'pending' then
		perform api.fail(409, 'bad_state');
	end if;
	update pledges set message_state = case when p_approve then 'approved'
	    else 'rejected' end, updated_at = now() where id = p_id;
	perform api.pledge_event(p_id, v_u.id, case when p_approve
	    then 'message_approved' else 'message_rejected' end, v_p.status,
	    v_p.status);
	perform api.audit(v_u, 'message_moderate', 'pledge', p_id, null,
	    jsonb_build_object('approved', p_approve));
	return json_build_object('id', p_id, 'message_state', case when
	    p_approve then 'approved' else 'rejected' end)::text;
end $$;

-- The periodic work, one batch of it (src/jobs.c calls it again, each
-- call its own transaction, while a batch did something and some is
-- left): the donors of at most p_limit pledges due within two days are
-- told, once; at most p_limit pledges past due expire, their quantity
-- back on the shelf.  Both are found through the partial indexes of
-- sql/014_job_batches.sql, which hold the pledged pledges only, so a batch
-- costs the same whatever the backlog; rows another transaction holds (a
-- donor at work, another node's batch) are skipped.  Row changes first,
-- log appends last.  Returns {"done": pledges told or expired, "backlog":
-- pledges still due for either after this batch}.
create function api.pledges_tick(p_limit int default 100)
returns json language plpgsql as $$
declare
	v_told	bigint[];
	v_ids	bigint[];
	v_id	bigint;
	v_left	bigint;
begin
	select array_agg(id order by id) into v_told from (select id
	    from pledges where status = 'pledged' and due_notice_at is null
	     and due_at > now() and due_at < now() + interval '2 days'
	   order by due_at, id limit p_limit for update skip locked) d;
	update pledges set due_notice_at = now() where id = any (v_told);
	perform api.pledge_event(p.id, null, 'due_notice', 'pledged',
	    'pledged'), api.notify(p.donor_id, 'due_soon',
	    api.pledge_params(p.id, false))
	  from pledges p
	 where p.id = any (v_told);

	select array_agg(id order by id) into v_ids from (select id
	    from pledges where status = 'pledged' and due_at <= now()
	   order by due_at, id limit p_limit for update skip locked) d;
	perform api.pledges_release(v_ids);
	update pledges set status = 'expired', closed_at = now(),
	    updated_at = now() where id = any (v_ids);
	perform api.pledge_event(p.id, null, 'expired', 'pledged', 'expired'),
	    api.notify(p.donor_id, 'expired', api.pledge_params(p.id, false))
	  from pledges p
	 where p.id = any (v_ids);

	v_left := (select count(*) from pledges where status = 'pledged'
	    and due_at <= now()) + (select count(*) from pledges
	    where status = 'pledged' and due_notice_at is null
	      and due_at > now() and due_at < now() + interval '2 days');
	foreach v_id in array coalesce(v_ids, '{}') loop
		perform api.log_pledge_event('pledge_expired', v_id);
	end loop;
	return json_build_object('done', coalesce(array_length(v_told, 1), 0)
	    + coalesce(array_length(v_ids, 1), 0), 'backlog', v_left);
end $$;
