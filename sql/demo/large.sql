-- make demo-large: 100,000 generated needs on top of the demo data
-- (sql/demo/seed.sql), for the benchmarks.  Deterministic (setseed), and
-- fast: one insert ... select for the children, one for the needs, one for
-- their pledges.  Run as the owner role; a second run changes nothing.
--
-- The needs reuse the 32 kinds of need of the demo (title, item, unit,
-- story), spread over every school and so every town, the campaigns, three
-- urgencies, deadlines over the next four months, and the statuses in
-- about the proportions of a live shelf: mostly open, some pledged in
-- part, some fully pledged or fulfilled, a few in the other states.
-- need_counts is kept exact by its trigger; the last query checks it.

\set ON_ERROR_STOP 1
set client_min_messages = warning;

select count(*) >= 100000 as loaded from needs \gset
\if :loaded
\echo 'demo-large: already loaded'
\quit
\endif

begin;
select setseed(0.2017) \gset

-- 1,000 children per school, public part only.
insert into beneficiaries (org_id, alias, birth_year, gender, town_id,
    school_stage, poverty_causes, poverty_level, left_behind)
select s.id,
    (array['小雨', '小宇', '欣欣', '乐乐', '小航', '朵朵', '阳阳', '小雪',
        '浩浩', '甜甜', '小峰', '佳佳', '豆豆', '小静', '明明', '婷婷'])
        [1 + (g % 16)] || (g / 16 % 100)::text,
    (case when s.name like '%中学' then 2012 else 2016 end - g % 4)::smallint,
    case when g % 2 = 0 then 'f' else 'm' end, s.town_id,
    case when s.name like '%中学' then 'junior' else 'primary' end,
    string_to_array((array['illness,labour', 'left_behind,education',
        'disability,other', 'orphan,education', 'disaster,labour'])
        [1 + g % 5], ','),
    (array['extreme', 'poor', 'struggling'])[1 + g % 3],
    g % 3 = 1
  from orgs s, generate_series(1, 1000) g
 where s.kind = 'school';

-- The demo's needs as templates, the schools (each gives its town) and
-- their children, numbered so that a random draw picks one by equality.
create temp table tpl on commit drop as
select row_number() over (order by title, kind, category, story) as i, *
  from (select n.title, n.kind, n.category, n.campaign_id, n.item, n.spec,
            n.unit, n.unit_amount, n.story,
            bool_or(n.beneficiary_id is not null) as for_child,
            max(n.quantity) as qty
          from needs n
         group by n.title, n.kind, n.category, n.campaign_id, n.item,
            n.spec, n.unit, n.unit_amount, n.story) x;
create temp table sch on commit drop as
select row_number() over (order by o.id) as i, o.id, o.town_id,
    (select array_agg(b.id order by b.id) from beneficiaries b
      where b.org_id = o.id) as kids
  from orgs o where o.kind = 'school';

-- The needs.  r holds the random draws of one row.
insert into needs (org_id, beneficiary_id, town_id, kind, category,
    campaign_id, title, item, spec, unit, quantity, unit_amount, pledged,
    received, urgency, deadline, story, status, created_at, opened_at)
select s.id,
    case when t.for_child then s.kids[1 + (r.child *
        array_length(s.kids, 1))::int % array_length(s.kids, 1)] end,
    s.town_id, t.kind, t.category, t.campaign_id, t.title, t.item, t.spec,
    t.unit, q.qty, t.unit_amount,
    p.pledged, p.received,
    case when r.urg < 0.4 then 1 when r.urg < 0.8 then 2 else 3 end,
    (now() at time zone 'Asia/Shanghai')::date + case when st.status = 'expired'
        then -1 - (r.days * 30)::int else 1 + (r.days * 120)::int end,
    t.story, st.status,
    now() - make_interval(days => 200) * r.age - interval '1 day',
    case when st.status in ('open', 'fully_pledged', 'fulfilled', 'expired')
        then now() - make_interval(days => 180) * r.age end
  from (select g, random() as tpl, random() as school, random() as child,
            random() as st, random() as urg, random() as days,
            random() as age, random() as qty, random() as part,
            random() as recv
          from generate_series(1, 100000) g) r
  join tpl t on t.i = 1 + (r.tpl * (select count(*) from tpl))::int
      % (select count(*) from tpl)
  join sch s on s.i = 1 + (r.school * (select count(*) from sch))::int
      % (select count(*) from sch)
  cross join lateral (select case
        when r.st < 0.80 then 'open'
        when r.st < 0.85 then 'fully_pledged'
        when r.st < 0.92 then 'fulfilled'
        else (array['draft', 'submitted', 'verified', 'notice', 'rejected',
            'cancelled', 'expired', 'expired'])[1 + ((r.st - 0.92) * 100)::int
            % 8] end as status) st
  -- Goods and places vary around the template's quantity; money and
  -- scholarships keep theirs (amounts in fen, terms).
  cross join lateral (select case when t.kind in ('goods', 'service')
        then greatest(1, (t.qty * (0.5 + r.qty))::int) else t.qty end
        as qty) q
  -- 40% of open needs are pledged in part, half of that received.
  cross join lateral (select pl,
        case when st.status = 'fulfilled' then pl
             else (pl * r.recv * 0.5)::int end as received
          from (select case
                when st.status in ('fully_pledged', 'fulfilled') then q.qty
                when st.status = 'open' and r.part < 0.4 and q.qty > 1
                    then least(q.qty - 1, greatest(1,
                        (q.qty * r.part * 2)::int))
                else 0 end as pl) pp) p(pledged, received);

-- Pledges behind the pledged and received figures: what was received in
-- one pledge, the rest in another, from the demo's donors.
insert into pledges (need_id, donor_id, quantity, status, anonymous,
    created_at, due_at, delivered_at, received_at)
select n.id, d.ids[1 + (n.id % array_length(d.ids, 1))::int], x.qty,
    x.status, n.id % 4 = 0, n.opened_at + interval '1 day',
    n.opened_at + interval '15 days',
    case when x.status = 'received' then n.opened_at + interval '4 days' end,
    case when x.status = 'received' then n.opened_at + interval '5 days' end
  from needs n
  cross join (select array_agg(id order by id) as ids from users
               where role = 'donor') d
  cross join lateral (values (n.received, 'received'),
        (n.pledged - n.received, 'pledged')) x(qty, status)
 where n.pledged > 0 and x.qty > 0
   and n.id > (select max(id) from needs) - 100000;

commit;

-- The trigger updated each row of need_counts thousands of times: compact
-- it, then let the planner and the index-only scans see the new data.
vacuum full need_counts;
vacuum analyze towns, orgs, categories, campaigns, beneficiaries, needs,
    pledges, need_counts;

-- need_counts must equal a count of the needs.
select count(*) = 0 as counts_ok from (
	(select status, kind, category, town_id, coalesce(campaign_id, 0),
	    count(*)::int from needs group by 1, 2, 3, 4, 5
	except all
	select status, kind, category, town_id, campaign_id, n
	  from need_counts where n > 0)
	union all
	(select status, kind, category, town_id, campaign_id, n
	  from need_counts where n > 0
	except all
	select status, kind, category, town_id, coalesce(campaign_id, 0),
	    count(*)::int from needs group by 1, 2, 3, 4, 5)) x \gset
\if :counts_ok
\else
\echo 'demo-large: need_counts disagrees with needs'
select 1 / 0;
\endif
select count(*) as needs, count(*) filter (where status = 'open') as open
  from needs;
