-- Green loans (共青扶贫贷): applied → approved → disbursed → repaying →
-- repaid, or rejected / defaulted; the schedule (principal, monthly) is
-- made at disbursement; payments move the loan to repaying and repaid.
-- The borrower is a registered youth: their private data is the
-- beneficiary's private record, never copied here.

create function api.loan_status_name(p_status text, p_lang text)
returns text language sql immutable as $$
	select case p_status
	    when 'applied' then api.l(p_lang, '已申请', 'applied')
	    when 'approved' then api.l(p_lang, '已审批', 'approved')
	    when 'disbursed' then api.l(p_lang, '已放款', 'disbursed')
	    when 'repaying' then api.l(p_lang, '还款中', 'repaying')
	    when 'repaid' then api.l(p_lang, '已还清', 'repaid')
	    when 'rejected' then api.l(p_lang, '未通过', 'rejected')
	    else api.l(p_lang, '已逾期违约', 'defaulted') end
$$;

create function api.loan_repaid(p_id bigint)
returns bigint language sql stable as $$
	select coalesce(sum(amount), 0)::bigint from loan_payments
	 where loan_id = p_id
$$;

create function api.loan_json(l loans, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', l.id,
	    'org_id', l.org_id,
	    'org_name', api.org_name(l.org_id, p_lang),
	    'youth', api.youth_json(l.beneficiary_id, p_lang),
	    'bank', l.bank,
	    'amount', l.amount,
	    'term_months', l.term_months,
	    'purpose', l.purpose,
	    'status', l.status,
	    'status_name', api.loan_status_name(l.status, p_lang),
	    'applied_on', to_char(l.applied_on, 'YYYY-MM-DD'),
	    'decided_on', to_char(l.decided_on, 'YYYY-MM-DD'),
	    'disbursed_on', to_char(l.disbursed_on, 'YYYY-MM-DD'),
	    'closed_on', to_char(l.closed_on, 'YYYY-MM-DD'),
	    'repaid', r.repaid,
	    'outstanding', case when l.disbursed_on is not null
	        then l.amount - r.repaid end,
	    'note', l.note)
	  from (select api.loan_repaid(l.id) as repaid) r
$$;

-- GET /programmes/loans, /api/v1/loans: the loans in scope, newest
-- first, 50 a page, optionally of one status; the totals; the choices of
-- the new-loan form.
create function api.loans_page(p_sid text, p_lang text, p_status text,
    p_page int)
returns text language sql as $$
	select json_build_object(
	    'title', api.l(p_lang, '共青扶贫贷', 'Green loans'),
	    'status', p_status,
	    'items', (select coalesce(json_agg(api.loan_json(l, p_lang)
	        order by l.id desc), '[]')
	      from (select * from loans
	             where org_id in (select api.prog_scope(u))
	               and (p_status is null or status = p_status)
	             order by id desc limit 50
	            offset api.prog_offset(p_page, 50)) l),
	    'pager', api.prog_pager(p_page, 50, (select count(*) from loans
	        where org_id in (select api.prog_scope(u))
	          and (p_status is null or status = p_status))),
	    'statuses', (select json_agg(json_build_object('value', s,
	        'name', api.loan_status_name(s, p_lang),
	        'count', coalesce(c.n, 0),
	        'selected', s = p_status) order by i)
	      from unnest(array['applied', 'approved', 'disbursed', 'repaying',
	          'repaid', 'rejected', 'defaulted']) with ordinality x(s, i)
	      left join (select status, count(*) as n from loans
	          where org_id in (select api.prog_scope(u))
	         group by status) c on c.status = s),
	    'disbursed_amount', (select coalesce(sum(amount), 0) from loans
	        where org_id in (select api.prog_scope(u))
	          and disbursed_on is not null),
	    'repaid_amount', (select coalesce(sum(p.amount), 0)
	        from loan_payments p join loans l on l.id = p.loan_id
	        where l.org_id in (select api.prog_scope(u))),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u
$$;

-- POST /programmes/loans, /api/v1/loans: a loan application for a
-- registered youth in scope.  Amount in fen (a form types it in yuan,
-- amount_yuan), at least ¥100.
create function api.loan_create(p_sid text, p_org bigint, p_youth bigint,
    p_bank text, p_amount bigint, p_term int, p_purpose text,
    p_applied_on date, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	bigint;
	v_b	beneficiaries;
	v_amt	bigint;
	v_id	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_org := api.prog_org(v_u, p_org);
	v_b := api.prog_youth(v_u, p_youth, 'beneficiary_id', v_org);
	v_amt := p_amount;
	if v_amt is null then
		perform api.fail(400, 'required', '{"field":"amount"}');
	end if;
	if v_amt < 10000 or v_amt > 50000000 then
		perform api.fail(400, 'bad_amount', '{"field":"amount"}');
	end if;
	insert into loans (org_id, beneficiary_id, bank, amount, term_months,
	    purpose, applied_on, note, created_by)
	values (v_org, v_b.id, p_bank, v_amt, p_term, p_purpose,
	    coalesce(api.prog_day(p_applied_on, 'applied_on'), api.today()),
	    coalesce(p_note, ''), v_u.id)
	returning id into v_id;
	perform api.audit(v_u, 'loan_create', 'loan', v_id, p_ip,
	    jsonb_build_object('amount', v_amt, 'org_id', v_org));
	return json_build_object('id', v_id, 'status', 'applied')::text;
end $$;

-- GET /programmes/loans/{id}, /api/v1/loans/{id}: the loan, its schedule
-- (each instalment paid, partly paid, overdue or due, payments applied
-- in order) and its payments, and what may be done next.
create function api.loan_get(p_sid text, p_lang text, p_id bigint)
returns text language sql as $$
	select json_build_object(
	    'title', api.l(p_lang, '贷款', 'Loan') || ' #' || p_id,
	    'loan', api.loan_json(l, p_lang),
	    'schedule', (select coalesce(json_agg(json_build_object(
	        'seq', s.seq, 'due_on', to_char(s.due_on, 'YYYY-MM-DD'),
	        'amount', s.amount,
	        'state', s.state,
	        'state_name', case s.state
	            when 'paid' then api.l(p_lang, '已还', 'paid')
	            when 'partly' then api.l(p_lang, '部分已还', 'partly paid')
	            when 'overdue' then api.l(p_lang, '逾期', 'overdue')
	            else api.l(p_lang, '待还', 'due') end)
	        order by s.seq), '[]')
	      from (select i.seq, i.due_on, i.amount,
	              case when paid >= i.cum then 'paid'
	                   when paid > i.cum - i.amount then 'partly'
	                   when i.due_on < api.today() then 'overdue'
	                   else 'due' end as state
	              from (select *, sum(amount) over (order by seq) as cum
	                      from loan_installments where loan_id = p_id) i) s),
	    'payments', (select coalesce(json_agg(json_build_object(
	        'id', p.id, 'paid_on', to_char(p.paid_on, 'YYYY-MM-DD'),
	        'amount', p.amount, 'note', p.note,
	        'by', api.user_name(p.created_by))
	        order by p.paid_on, p.id), '[]')
	      from loan_payments p where p.loan_id = p_id),
	    'actions', (select coalesce(json_agg(json_build_object('action', a,
	        'name', case a
	            when 'approve' then api.l(p_lang, '审批通过', 'approve')
	            when 'reject' then api.l(p_lang, '未通过', 'reject')
	            when 'disburse' then api.l(p_lang, '已放款', 'disbursed')
	            else api.l(p_lang, '记为违约', 'mark defaulted') end)), '[]')
	      from unnest(case l.status
	          when 'applied' then array['approve', 'reject']
	          when 'approved' then array['disburse', 'reject']
	          when 'disbursed' then array['default']
	          when 'repaying' then array['default']
	          else '{}'::text[] end) a),
	    'can_pay', l.status in ('disbursed', 'repaying', 'defaulted'),
	    'today', to_char(api.today(), 'YYYY-MM-DD'))::text
	  from api.prog_user(p_sid) u,
	       api.prog_find(u, null::loans, p_id, false) l,
	       api.loan_repaid(l.id) paid
$$;

-- POST /programmes/loans/{id}/status, /api/v1/loans/{id}/status: one
-- step of the loan's life, on a date (default today).  409 when the loan
-- is not in a state that allows it.  Disbursing makes the schedule:
-- term_months monthly instalments of the principal, the rest of the
-- division in the last.
create function api.loan_action(p_sid text, p_id bigint, p_action text,
    p_on date, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_l	loans;
	v_on	date;
	v_new	text;
	v_base	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_l := api.prog_find(v_u, null::loans, p_id, true);
	v_on := coalesce(api.prog_day(p_on, 'on'), api.today());
	v_new := case
	    when p_action = 'approve' and v_l.status = 'applied' then 'approved'
	    when p_action = 'reject' and v_l.status in ('applied', 'approved')
	        then 'rejected'
	    when p_action = 'disburse' and v_l.status = 'approved' then 'disbursed'
	    when p_action = 'default' and v_l.status in ('disbursed', 'repaying')
	        then 'defaulted' end;
	if v_new is null then
		perform api.fail(409, 'bad_state');
	end if;
	if v_on < coalesce(v_l.disbursed_on, v_l.decided_on, v_l.applied_on) then
		perform api.fail(400, 'bad_date', '{"field":"on"}');
	end if;
	update loans set status = v_new,
	    decided_on = case when v_new in ('approved', 'rejected')
	        then coalesce(decided_on, v_on) else decided_on end,
	    disbursed_on = case when v_new = 'disbursed' then v_on
	        else disbursed_on end,
	    closed_on = case when v_new in ('rejected', 'defaulted') then v_on
	        else closed_on end,
	    note = coalesce(p_note, note),
	    updated_at = now()
	 where id = p_id;
	if v_new = 'disbursed' then
		v_base := v_l.amount / v_l.term_months;
		insert into loan_installments (loan_id, seq, due_on, amount)
		select p_id, s, (v_on + make_interval(months => s))::date,
		    case when s < v_l.term_months then v_base
		    else v_l.amount - v_base * (v_l.term_months - 1) end
		  from generate_series(1, v_l.term_months) s;
	end if;
	perform api.audit(v_u, 'loan_' || p_action, 'loan', p_id, p_ip,
	    jsonb_build_object('from', v_l.status, 'to', v_new, 'on', v_on));
	return json_build_object('id', p_id, 'status', v_new)::text;
end $$;

-- POST /programmes/loans/{id}/payments, /api/v1/loans/{id}/payments: a
-- repayment of a disbursed loan (fen; a form types yuan, amount_yuan),
-- on a day (default today) not before the disbursement.  400 beyond what
-- is outstanding; the loan becomes repaying, or repaid when nothing is.
create function api.loan_pay(p_sid text, p_id bigint, p_amount bigint,
    p_paid_on date, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_l	loans;
	v_amt	bigint;
	v_on	date;
	v_left	bigint;
	v_new	text;
	v_pid	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_l := api.prog_find(v_u, null::loans, p_id, true);
	if v_l.status not in ('disbursed', 'repaying', 'defaulted') then
		perform api.fail(409, 'bad_state');
	end if;
	v_amt := p_amount;
	if v_amt is null then
		perform api.fail(400, 'required', '{"field":"amount"}');
	end if;
	v_on := coalesce(api.prog_day(p_paid_on, 'paid_on'), api.today());
	if v_on < v_l.disbursed_on then
		perform api.fail(400, 'bad_date', '{"field":"paid_on"}');
	end if;
	v_left := v_l.amount - api.loan_repaid(p_id);
	if v_amt <= 0 or v_amt > v_left then
		perform api.fail(400, 'overpaid', '{"field":"amount"}');
	end if;
	insert into loan_payments (loan_id, paid_on, amount, note, created_by)
	values (p_id, v_on, v_amt, coalesce(p_note, ''), v_u.id)
	returning id into v_pid;
	v_new := case when v_amt = v_left then 'repaid'
	    when v_l.status = 'disbursed' then 'repaying' else v_l.status end;
	update loans set status = v_new,
	    closed_on = case when v_new = 'repaid' then greatest(v_on,
	        coalesce(closed_on, v_on)) else closed_on end,
	    updated_at = now()
	 where id = p_id;
	perform api.audit(v_u, 'loan_payment', 'loan', p_id, p_ip,
	    jsonb_build_object('payment', v_pid, 'amount', v_amt, 'on', v_on));
	return json_build_object('id', p_id, 'payment_id', v_pid,
	    'status', v_new, 'outstanding', v_left - v_amt)::text;
end $$;
