-- The public log of the demo data (load after seed.sql, as the owner):
-- what the platform would have appended had the demo happened through
-- it, at the times it happened, in the order it happened.  Every listed
-- need was opened; each pledge was made, and delivered and received when
-- the seed says so; a fulfilled need was fulfilled when its last pledge
-- arrived.  The log's per-need totals then equal needs.pledged and
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
			select max(p.received_at), 5, n.id, n.id,
			    'need_fulfilled', '{}'::jsonb
			  from needs n join pledges p on p.need_id = n.id
			 where n.status = 'fulfilled'
			 group by n.id
		) e
		order by least(e.at, now()), e.step, e.ord
	loop
		insert into log_entries (created_at, kind, need_id, fields)
		values (least(v_e.at, now()), v_e.kind, v_e.need_id, v_e.fields);
	end loop;
end $$;
