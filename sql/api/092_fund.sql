-- The designated foundation account (issue 8): what it received for each
-- money need (needs.received of a money need, in fen: the pledges whose
-- receipt wrote fund_received to the log), what it paid out to the
-- school, and the admins' page and API to record a pay-out
-- (sql/013_fund_payouts.sql).  Admins only: the city committee keeps the
-- account.  The public sees the totals on /transparency and each pay-out
-- in the log.

-- What the fund paid out for a need so far, in fen.
create function api.fund_paid(p_need bigint)
returns bigint language sql stable as $$
	select coalesce(sum(amount), 0)::bigint from fund_payouts
	 where need_id = p_need
$$;

-- One need of the book: what the fund received and paid out for it.
create function api.fund_awaiting_json(p_n needs, p_paid bigint,
    p_last timestamptz, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'need_id', p_n.id, 'title', p_n.title,
	    'org_name', (select name from orgs where id = p_n.org_id),
	    'town', (select api.l(p_lang, t.name_zh, t.name_en) from towns t
	        where t.id = p_n.town_id),
	    'received', p_n.received, 'paid_out', p_paid,
	    'outstanding', p_n.received - p_paid,
	    'outstanding_yuan', api.yuan_text(p_n.received - p_paid),
	    'last_received', api.day(p_last))
$$;

-- The money needs with received money not yet paid out, the longest
-- waiting first: page p_page of 50, and how many in all.  One pass over
-- the pay-outs and the received pledges (the book once listed every
-- money need of the city on one page, 2 MB at 100,000 needs).
create function api.fund_awaiting(p_lang text, p_page int)
returns json language sql stable as $$
	with paid as (
		select need_id, sum(amount)::bigint as paid from fund_payouts
		 group by need_id
	), aw as materialized (
		select n.id, n.received, coalesce(p.paid, 0) as paid
		  from needs n left join paid p on p.need_id = n.id
		 where n.kind = 'money' and n.received > coalesce(p.paid, 0)
	), last as (
		select pl.need_id, max(pl.received_at) as at
		  from pledges pl join aw on aw.id = pl.need_id
		 where pl.status = 'received' group by pl.need_id
	), pg as (
		select aw.*, last.at from aw left join last on last.need_id = aw.id
		 order by last.at, aw.id
		 limit 50 offset (coalesce(p_page, 1) - 1) * 50
	)
	select json_build_object('total', (select count(*) from aw),
	    'items', (select coalesce(json_agg(api.fund_awaiting_json(n, pg.paid,
	        pg.at, p_lang) order by pg.at, pg.id), '[]')
	      from pg join needs n on n.id = pg.id))
$$;

-- GET /admin/fund, /api/v1/fund (admins): the account's totals, the pay-out
-- form (for need p_need when given: ?need= from a row's link, the form's
-- need then described in "pick"), page p_page of the needs awaiting a
-- pay-out (50 a page, "awaiting_total", "pager"), the latest 50 pay-outs;
-- the receiving account donors are shown, and the transfers donors
-- promised (money and scholarship pledges still pledged or delivered,
-- the latest 100), by the reference code a transfer's note carries.
create function api.fund_page(p_sid text, p_lang text, p_need bigint,
    p_page int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_aw	json;
	v_pick	json;
begin
	v_u := api.require_user(p_sid, array['admin']);
	v_aw := api.fund_awaiting(p_lang, p_page);
	if p_need is not null then
		select api.fund_awaiting_json(n, api.fund_paid(n.id), null, p_lang)
		into v_pick from needs n where n.id = p_need and n.kind = 'money';
	else
		v_pick := v_aw -> 'items' -> 0;
	end if;
	return json_build_object(
	    'awaiting', v_aw -> 'items',
	    'awaiting_total', v_aw -> 'total',
	    'pager', api.prog_pager(p_page, 50, (v_aw ->> 'total')::bigint),
	    'pick', v_pick,
	    'form', json_build_object('need', (v_pick ->> 'need_id'),
	        'amount_yuan', v_pick ->> 'outstanding_yuan',
	        'paid_on', to_char(api.today(), 'YYYY-MM-DD')),
	    'title', api.l(p_lang, '基金账户', 'Foundation account'),
	    'account', api.fund_account(),
	    'transfers', (select coalesce(json_agg(json_build_object(
	        'pledge_id', p.id, 'reference_code', p.reference_code,
	        'need_id', n.id, 'title', n.title, 'org_name', o.name,
	        'donor', u.display_name,
	        'amount', case when n.kind = 'money' then p.quantity
	            else p.quantity::bigint * n.unit_amount end,
	        'status', p.status,
	        'status_name', api.pledge_status_name(p.status, p_lang),
	        'pledged_on', api.day(p.created_at),
	        'delivery_ref', p.delivery_ref) order by p.id desc), '[]')
	      from (select p.* from pledges p join needs n on n.id = p.need_id
	             where p.status in ('pledged', 'delivered')
	               and n.kind in ('money', 'scholarship')
	             order by p.id desc limit 100) p
	      join needs n on n.id = p.need_id
	      join orgs o on o.id = n.org_id
	      join users u on u.id = p.donor_id),
	    'today', to_char(api.today(), 'YYYY-MM-DD'),
	    'totals', (select json_build_object(
	        'received', coalesce(sum(amount) filter (
	            where kind = 'fund_received'), 0),
	        'paid_out', coalesce(sum(amount) filter (
	            where kind = 'fund_paid_out'), 0),
	        'balance', coalesce(sum(amount) filter (
	            where kind = 'fund_received'), 0) -
	            coalesce(sum(amount) filter (
	            where kind = 'fund_paid_out'), 0))
	      from log_stats),
	    'payouts', (select coalesce(json_agg(json_build_object(
	        'id', f.id, 'need_id', f.need_id, 'title', n.title,
	        'org_name', o.name, 'amount', f.amount,
	        'paid_on', to_char(f.paid_on, 'YYYY-MM-DD'),
	        'reference', f.reference, 'note', f.note,
	        'recorded_by', u.display_name, 'at', api.minute(f.created_at),
	        'log_position', f.log_position) order by f.id desc), '[]')
	      from (select * from fund_payouts order by id desc limit 50) f
	      join needs n on n.id = f.need_id
	      join orgs o on o.id = n.org_id
	      join users u on u.id = f.recorded_by))::text;
end $$;

-- POST /admin/fund/payouts, /api/v1/fund/payouts (admins): the fund paid
-- p_amount (fen; a form types yuan, amount_yuan) for money need p_need
-- on p_paid_on (default today), bank reference p_reference.  404 for a need
-- that is not a money need; 409 'payout_exceeds' (with what is left) when
-- more than the fund received for it and has not paid out yet.  With a
-- key (the form's, or the Idempotency-Key), a second submit answers with
-- the first pay-out and records nothing; the same key with another
-- request is a 422.  The key's syntax is the handler's (form.c's
-- form_key_ok) and the table's (sql/024_idem_key_syntax.sql).
create function api.fund_payout(p_sid text, p_need bigint, p_amount bigint,
    p_paid_on date, p_reference text, p_note text, p_key text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_n	needs;
	v_f	fund_payouts;
	v_amt	bigint;
	v_on	date;
	v_left	bigint;
	v_pos	bigint;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_need is null then
		perform api.fail(400, 'required', '{"field":"need"}');
	end if;
	v_amt := p_amount;
	if v_amt is null then
		perform api.fail(400, 'required', '{"field":"amount"}');
	end if;
	if v_amt <= 0 then
		perform api.fail(400, 'bad_amount', '{"field":"amount"}');
	end if;
	if p_reference is null then
		perform api.fail(400, 'required', '{"field":"reference"}');
	end if;
	v_on := coalesce(api.prog_day(p_paid_on, 'paid_on'), api.today());
	-- One pay-out of a need at a time: what is left is read under the
	-- need's lock, and a replayed key waits here for the first.
	select * into v_n from needs where id = p_need for update;
	if v_n.id is null or v_n.kind <> 'money' then
		perform api.fail(404, 'not_found');
	end if;
	if p_key is not null then
		select * into v_f from fund_payouts
		 where recorded_by = v_u.id and idem_key = p_key;
		if v_f.id is not null then
			if v_f.need_id <> v_n.id or v_f.amount <> v_amt
			    or v_f.reference <> p_reference then
				perform api.fail(422, 'idempotency_mismatch');
			end if;
			return api.fund_payout_json(v_f, true);
		end if;
	end if;
	v_left := v_n.received - api.fund_paid(v_n.id);
	if v_amt > v_left then
		perform api.fail(409, 'payout_exceeds', json_build_object(
		    'field', 'amount', 'outstanding', v_left,
		    'remaining', api.amount(true, v_left, null)));
	end if;
	v_pos := api.log_append('fund_paid_out', v_n.id,
	    jsonb_build_object('amount', v_amt));
	insert into fund_payouts (need_id, amount, paid_on, reference, note,
	    recorded_by, idem_key, log_position)
	values (v_n.id, v_amt, v_on, p_reference, coalesce(p_note, ''),
	    v_u.id, p_key, v_pos)
	returning * into v_f;
	perform api.audit(v_u, 'fund_payout', 'need', v_n.id, p_ip,
	    jsonb_build_object('payout', v_f.id, 'amount', v_amt,
	        'on', v_on));
	return api.fund_payout_json(v_f, false);
end $$;

-- A pay-out as the API answers it; replayed: the answer to a second
-- submit of the same key.
create function api.fund_payout_json(p_f fund_payouts, p_replayed boolean)
returns text language sql stable as $$
	select json_build_object('id', p_f.id, 'need_id', p_f.need_id,
	    'amount', p_f.amount, 'paid_on', to_char(p_f.paid_on, 'YYYY-MM-DD'),
	    'reference', p_f.reference, 'log_position', p_f.log_position,
	    'outstanding', (select received from needs where id = p_f.need_id)
	        - api.fund_paid(p_f.need_id),
	    'replayed', p_replayed)::text
$$;
