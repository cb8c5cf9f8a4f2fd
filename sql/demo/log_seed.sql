-- The public log of the demo data (load after seed.sql, as the owner):
-- what the platform would have appended had the demo happened through
-- it, at the times it happened, in the order it happened.  Every listed
-- need was opened; each pledge was made, and delivered and received when
-- the seed says so (money received is received by the foundation's
-- account: fund_received); a fulfilled need was fulfilled when its last
-- pledge arrived.  Then the city committee paid out part of what the
-- fund received (fund_payouts, fund_paid_out), three days after.  The log's per-need totals then equal needs.pledged and
-- needs.received (tests/api/log.test.mjs checks it with logverify).
--
-- The seed dates some deliveries a few days ahead; the log never speaks
-- of the future, so those events are dated now (still in causal order:
-- opened, made, delivered, received, fulfilled).
--
-- Only the owner may give created_at (the platform's role may not date
-- an event): this is the one place that does.  Does nothing when the log
-- already holds entries.

do $$
declare
	v_e	record;
begin
	if exists (select 1 from log_entries) then
		return;
	end if;
	for v_e in
		select * from (
			select n.opened_at as at, 1 as step, n.id as need_id,
			    n.id as ord, 'need_opened' as kind,
			    api.log_need_fields(n.id) as fields
			  from needs n where n.opened_at is not null
			union all
			select p.created_at, 2, p.need_id, p.id, 'pledge_made',
			    api.log_pledge_fields('pledge_made', p.id)
			  from pledges p
			union all
			select p.delivered_at, 3, p.need_id, p.id,
			    'pledge_delivered',
			    api.log_pledge_fields('pledge_delivered', p.id)
			  from pledges p where p.delivered_at is not null
			union all
			select p.received_at, 4, p.need_id, p.id,
			    'pledge_received',
			    api.log_pledge_fields('pledge_received', p.id)
			  from pledges p where p.received_at is not null
			union all
			select p.received_at, 5, p.need_id, p.id,
			    'fund_received', jsonb_build_object('amount',
			        p.quantity, 'donor',
			        api.log_donor_name(p.donor_id, p.anonymous))
			  from pledges p join needs n on n.id = p.need_id
			 where p.received_at is not null and n.kind = 'money'
			union all
			select max(p.received_at), 6, n.id, n.id,
			    'need_fulfilled', '{}'::jsonb
			  from needs n join pledges p on p.need_id = n.id
			 where n.status = 'fulfilled'
			 group by n.id
			union all
			-- The two money needs received longest ago were paid
			-- out in full three days later; the rest await their
			-- pay-out on /admin/fund.
			select * from (select max(p.received_at) +
			    interval '3 days', 7, n.id, n.id, 'fund_paid_out',
			    jsonb_build_object('amount', n.received)
			  from needs n join pledges p on p.need_id = n.id
			 where n.kind = 'money' and p.received_at is not null
			 group by n.id order by 1, n.id limit 2) paid
		) e
		order by least(e.at, now()), e.step, e.ord
	loop
		insert into log_entries (created_at, kind, need_id, fields)
		values (least(v_e.at, now()), v_e.kind, v_e.need_id, v_e.fields);
	end loop;

	-- The pay-outs' private side, as api.fund_payout records it.
	insert into fund_payouts (need_id, amount, paid_on, reference, note,
	    recorded_by, log_position, created_at)
	select e.need_id, (e.fields ->> 'amount')::bigint,
	    (e.created_at at time zone 'Asia/Shanghai')::date,
	    'DEMO-' || e.need_id, '演示数据',
	    (select id from users where role = 'admin' order by id limit 1),
	    e.position, e.created_at
	  from log_entries e where e.kind = 'fund_paid_out';
end $$;
