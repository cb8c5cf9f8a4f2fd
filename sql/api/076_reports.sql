-- Quarterly reports (每季度上报): every town, unit and college branch
-- files one per quarter, with figures computed for its subtree and that
-- quarter and a narrative of its own.  A draft may change; submitting
-- freezes the figures and locks the version; a correction is a new
-- version.  A quarter's report is due due_days after the quarter ends
-- (or on the day report_deadlines sets); it is on time when its first
-- version was submitted by then, late when after, missing when the day
-- has passed without one.

create function api.quarter_start(p_year int, p_quarter int)
returns date language sql immutable as $$
	select make_date(p_year, p_quarter * 3 - 2, 1)
$$;

create function api.quarter_end(p_year int, p_quarter int)
returns date language sql immutable as $$
	select (make_date(p_year, p_quarter * 3 - 2, 1) + interval '3 months'
	    - interval '1 day')::date
$$;

create function api.quarter_label(p_year int, p_quarter int, p_lang text)
returns text language sql immutable as $$
	select api.l(p_lang, p_year || '年第' || p_quarter || '季度',
	    p_year || ' Q' || p_quarter)
$$;

create function api.report_due(p_year int, p_quarter int)
returns date language sql stable as $$
	select coalesce((select due_on from report_deadlines
	     where year = p_year and quarter = p_quarter),
	    api.quarter_end(p_year, p_quarter) + (select due_days
	     from report_settings))
$$;

create function api.report_state_name(p_state text, p_lang text)
returns text language sql immutable as $$
	select case p_state
	    when 'submitted' then api.l(p_lang, '已按时上报', 'submitted')
	    when 'late' then api.l(p_lang, '逾期上报', 'submitted late')
	    when 'missing' then api.l(p_lang, '未上报', 'missing')
	    when 'pending' then api.l(p_lang, '待上报', 'not yet due')
	    else null end
$$;

-- The figures of a report, in their order, with their names.
create function api.report_fields(p_lang text)
returns table (key text, label text, is_money boolean, sort int)
language sql immutable as $$
	select v.k, api.l(p_lang, v.zh, v.en), v.m, v.i from (values
	    (1, 'needs_posted', '发布需求（件）', 'Needs posted', false),
	    (2, 'needs_opened', '审核上架需求（件）', 'Needs verified and listed', false),
	    (3, 'needs_fulfilled', '完成需求（件）', 'Needs fulfilled', false),
	    (4, 'pledges', '爱心认捐（笔）', 'Pledges', false),
	    (5, 'money_pledged', '认捐金额（元）', 'Money pledged (yuan)', true),
	    (6, 'money_received', '到位金额（元）', 'Money received (yuan)', true),
	    (7, 'goods_received', '收到物资（件）', 'Goods received (items)', false),
	    (8, 'children_helped', '受助青少年（人）', 'Children helped', false),
	    (9, 'trainings', '培训和活动（场）', 'Trainings and events', false),
	    (10, 'attendance', '培训和活动参加（人次）', 'Attendance', false),
	    (11, 'finance_sessions', '金融知识培训（场）', 'Financial-literacy sessions', false),
	    (12, 'loans_disbursed', '发放贷款（笔）', 'Loans disbursed', false),
	    (13, 'loans_amount', '发放贷款金额（元）', 'Loans disbursed (yuan)', true),
	    (14, 'repayments', '收回还款（元）', 'Repayments (yuan)', true),
	    (15, 'leaders_young', '新增青年“领头雁”（人）', 'New young leaders', false),
	    (16, 'leaders_ecommerce', '新增电商“领头雁”（家）', 'New e-commerce leaders', false),
	    (17, 'leaders_rural', '新增农村青年致富带头人（人）', 'New rural wealth leaders', false),
	    (18, 'poverty_exits', '脱贫青年（人，已核实）', 'Youths out of poverty (verified)', false)
	) v(i, k, zh, en, m)
$$;

-- The figures of groups of organisations for the days p_from to p_to
-- (Shanghai days), computed from the platform's records: one row a
-- group, the group of p_orgs[i] being p_groups[i] (an organisation may
-- be in several groups).  The target metrics come from api.metric_facts,
-- so that a report and the dashboard count alike.  One call counts every
-- branch of the quarterly roll-up in one pass over the needs and
-- pledges; it was a call a branch, of a SQL function planned without its
-- organisations that read every need each time (the roll-up 1.0-1.2 s at
-- 100,000 needs, now 0.21-0.27 s; one branch 80-127 ms, now 47-68).
-- Planned for each call's organisations: a branch's needs through the
-- index, the whole city's by a scan.
create function api.report_figures(p_orgs bigint[], p_groups bigint[],
    p_from date, p_to date)
returns table (grp bigint, figures jsonb) language plpgsql stable
set plan_cache_mode = force_custom_plan as $$
declare
	v_t0	timestamptz := p_from::timestamp at time zone 'Asia/Shanghai';
	v_t1	timestamptz := (p_to + 1)::timestamp at time zone 'Asia/Shanghai';
begin
	return query with o as (
		select * from unnest(p_orgs, p_groups) o(org_id, grp)
	), n as materialized (
		select o.grp, n.id, n.status, n.kind, n.unit_amount,
		    n.beneficiary_id, n.created_at, n.opened_at
		  from o join needs n on n.org_id = o.org_id
		 where n.org_id = any (p_orgs)	-- a branch's through the index
	), p0 as (
		-- made in the days (and maybe received in them too), or
		-- received in them and made before
		select n.grp, x.quantity, n.kind, n.unit_amount,
		    n.beneficiary_id,
		    x.status = 'received' and x.received_at >= v_t0
		        and x.received_at < v_t1 as got, true as made
		  from n join pledges x on x.need_id = n.id
		 where x.status in ('pledged', 'delivered', 'received', 'disputed')
		   and x.created_at >= v_t0 and x.created_at < v_t1
		union all
		select n.grp, x.quantity, n.kind, n.unit_amount,
		    n.beneficiary_id, true, false
		  from n join pledges x on x.need_id = n.id
		 where x.status = 'received'
		   and x.received_at >= v_t0 and x.received_at < v_t1
		   and x.created_at < v_t0
	), p as (
		-- what each was worth in fen (as api.pledge_fen)
		select p0.*, case p0.kind when 'money' then p0.quantity::bigint
		    when 'scholarship' then p0.quantity::bigint * p0.unit_amount
		    end as money
		  from p0
	), pa as (
		select p.grp, count(*) filter (where made) as pledges,
		    sum(money) filter (where made) as money_pledged,
		    sum(money) filter (where got) as money_received,
		    sum(quantity) filter (where got and kind = 'goods')
		        as goods_received,
		    count(distinct beneficiary_id) filter (where got)
		        as children_helped
		  from p group by p.grp
	), na as (
		select n.grp, count(*) filter (where n.status <> 'draft'
		        and n.created_at >= v_t0 and n.created_at < v_t1)
		        as posted,
		    count(*) filter (where n.opened_at >= v_t0
		        and n.opened_at < v_t1) as opened
		  from n group by n.grp
	), nf as (
		select n.grp, count(*) as fulfilled from n,
		    lateral (select max(x.received_at) as at from pledges x
		        where x.need_id = n.id) r
		 where n.status = 'fulfilled' and r.at >= v_t0 and r.at < v_t1
		 group by n.grp
	), f as (
		select o.grp,
		    sum(x.amount) filter (where x.metric = 'finance_sessions')
		        as finance_sessions,
		    sum(x.amount) filter (where x.metric = 'loans_disbursed')
		        as loans_amount,
		    sum(x.amount) filter (where x.metric = 'leaders_young')
		        as leaders_young,
		    sum(x.amount) filter (where x.metric = 'leaders_ecommerce')
		        as leaders_ecommerce,
		    sum(x.amount) filter (where x.metric = 'leaders_rural')
		        as leaders_rural,
		    sum(x.amount) filter (where x.metric = 'poverty_exits')
		        as poverty_exits
		  from o join api.metric_facts() x on x.org_id = o.org_id
		 where x.on_date between p_from and p_to
		 group by o.grp
	), t as (
		select o.grp, count(*) as trainings,
		    sum(t.attendance) as attendance
		  from o join trainings t on t.org_id = o.org_id
		 where t.held_on between p_from and p_to
		 group by o.grp
	), l as (
		select o.grp, count(*) as loans
		  from o join loans l on l.org_id = o.org_id
		 where l.disbursed_on between p_from and p_to
		 group by o.grp
	), r as (
		select o.grp, sum(lp.amount) as repayments
		  from o join loans l on l.org_id = o.org_id
		  join loan_payments lp on lp.loan_id = l.id
		 where lp.paid_on between p_from and p_to
		 group by o.grp
	)
	select g.grp, jsonb_build_object(
	    'needs_posted', coalesce(na.posted, 0),
	    'needs_opened', coalesce(na.opened, 0),
	    'needs_fulfilled', coalesce(nf.fulfilled, 0),
	    'pledges', coalesce(pa.pledges, 0),
	    'money_pledged', coalesce(pa.money_pledged, 0),
	    'money_received', coalesce(pa.money_received, 0),
	    'goods_received', coalesce(pa.goods_received, 0),
	    'children_helped', coalesce(pa.children_helped, 0),
	    'trainings', coalesce(t.trainings, 0),
	    'attendance', coalesce(t.attendance, 0),
	    'finance_sessions', coalesce(f.finance_sessions, 0),
	    'loans_disbursed', coalesce(l.loans, 0),
	    'loans_amount', coalesce(f.loans_amount, 0),
	    'repayments', coalesce(r.repayments, 0),
	    'leaders_young', coalesce(f.leaders_young, 0),
	    'leaders_ecommerce', coalesce(f.leaders_ecommerce, 0),
	    'leaders_rural', coalesce(f.leaders_rural, 0),
	    'poverty_exits', coalesce(f.poverty_exits, 0))
	  from (select distinct o.grp from o) g
	  left join pa on pa.grp = g.grp left join na on na.grp = g.grp
	  left join nf on nf.grp = g.grp left join f on f.grp = g.grp
	  left join t on t.grp = g.grp left join l on l.grp = g.grp
	  left join r on r.grp = g.grp;
end $$;

-- A branch's live figures for a quarter.
create function api.branch_figures(p_branch bigint, p_year int, p_quarter int)
returns jsonb language sql stable as $$
	select f.figures
	  from (select array_agg(s) as o from api.org_subtree(p_branch) s) m,
	  api.report_figures(m.o, array_fill(p_branch, array[cardinality(m.o)]),
	      api.quarter_start(p_year, p_quarter),
	      api.quarter_end(p_year, p_quarter)) f
$$;

-- Figures as rows to show: [{key, label, value, is_money}].
create function api.report_rows(p_figures jsonb, p_lang text)
returns json language sql stable as $$
	select json_agg(json_build_object('key', f.key, 'label', f.label,
	    'is_money', f.is_money, 'value', (p_figures ->> f.key)::bigint)
	    order by f.sort)
	  from api.report_fields(p_lang) f
$$;

-- Every branch × quarter from the first reporting quarter to the one
-- p_today is in: its due day, its state, the latest submitted version
-- and the draft.
create function api.report_cells(p_today date)
returns table (org_id bigint, year int, quarter int, due_on date,
    state text, latest_id bigint, latest_version int, draft_id bigint,
    submitted_on date, ended boolean)
language sql stable as $$
	with q as (
		select extract(year from d)::int as y,
		    extract(quarter from d)::int as q
		  from report_settings s, generate_series(
		      api.quarter_start(s.first_year, s.first_quarter)::timestamp,
		      p_today::timestamp, interval '3 months') d
	), r as (
		select r.org_id as o, r.year as y, r.quarter as q,
		    (min(r.submitted_at) at time zone 'Asia/Shanghai')::date
		        as first_on,
		    (array_agg(r.id order by r.version desc)
		        filter (where r.status = 'submitted'))[1] as latest_id,
		    max(r.version) filter (where r.status = 'submitted')
		        as latest_version,
		    max(r.id) filter (where r.status = 'draft') as draft_id
		  from quarterly_reports r group by 1, 2, 3
	)
	select b.id, q.y, q.q, d.due_on,
	    case when r.first_on is not null then
	        case when r.first_on <= d.due_on then 'submitted' else 'late' end
	    when p_today > d.due_on then 'missing' else 'pending' end,
	    r.latest_id, r.latest_version, r.draft_id, r.first_on,
	    api.quarter_end(q.y, q.q) < p_today
	  from orgs b cross join q
	  cross join lateral (select api.report_due(q.y, q.q) as due_on) d
	  left join r on r.o = b.id and r.y = q.y and r.q = q.q
	 where b.kind in ('town', 'unit', 'college')
$$;

-- The caller if they are staff of a branch that files reports (403
-- otherwise: admins read reports, branches write them).
create function api.report_filer(p_sid text)
returns users language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff']);
	if not exists (select 1 from orgs where id = v_u.org_id
	    and kind in ('town', 'unit', 'college')) then
		perform api.fail(403, 'not_a_branch');
	end if;
	return v_u;
end $$;

-- The roll-up of a quarter across the tree: each branch's figures (those
-- of its latest submitted version, or live ones while it has none, said
-- so), the city committee's own records, and two totals that are never
-- added together (issue 19: one total of frozen and live figures had no
-- one meaning): of the submitted versions, and of the live figures (the
-- branches yet to report and the city committee's own records).
create function api.report_rollup(p_year int, p_quarter int, p_lang text)
returns json language sql stable as $$
	with c as (
		select * from api.report_cells(api.today())
		 where year = p_year and quarter = p_quarter
	), live as (
		-- the live figures, in one call: each branch yet to report
		-- (its subtree), and the city committee's own records (0)
		select f.grp, f.figures
		  from (select array_agg(m.org_id) as o, array_agg(m.grp) as g
		      from (select s.id as org_id, b.id as grp
		          from orgs b left join c on c.org_id = b.id
		          cross join lateral api.org_subtree(b.id) s(id)
		         where b.kind in ('town', 'unit', 'college')
		           and c.latest_id is null
		        union all
		        select id, 0 from orgs where kind = 'city') m) a,
		  api.report_figures(a.o, a.g, api.quarter_start(p_year, p_quarter),
		      api.quarter_end(p_year, p_quarter)) f
	), rws as (
		select o.id, api.l(p_lang, o.name, o.name_en) as name,
		    case o.kind when 'town' then 1 when 'unit' then 2 else 3 end
		        as grp,
		    coalesce(t.sort, 100) as tsort, c.state, c.latest_version,
		    c.latest_id is not null as submitted,
		    case when c.latest_id is not null then (select figures
		        from quarterly_reports where id = c.latest_id)
		    else (select l.figures from live l where l.grp = o.id) end
		        as figures
		  from orgs o left join towns t on t.id = o.town_id
		  left join c on c.org_id = o.id
		 where o.kind in ('town', 'unit', 'college')
		union all
		select null, api.l(p_lang, '团市委直属', 'City committee (direct)'),
		    4, 0, null, null, false,
		    (select l.figures from live l where l.grp = 0)
	)
	select json_build_object(
	    'year', p_year, 'quarter', p_quarter,
	    'label', api.quarter_label(p_year, p_quarter, p_lang),
	    'columns', (select json_agg(json_build_object('key', f.key,
	        'label', f.label, 'is_money', f.is_money) order by f.sort)
	      from api.report_fields(p_lang) f),
	    'rows', (select json_agg(json_build_object('org_id', r.id,
	        'name', r.name, 'state', r.state,
	        'state_name', api.report_state_name(r.state, p_lang),
	        'version', r.latest_version, 'submitted', r.submitted,
	        'live', not r.submitted and r.grp < 4,
	        'values', (select json_agg(json_build_object(
	            'value', (r.figures ->> f.key)::bigint,
	            'is_money', f.is_money) order by f.sort)
	          from api.report_fields(p_lang) f))
	        order by r.grp, r.tsort, r.id) from rws r),
	    'total_submitted', (select json_agg(json_build_object(
	        'value', (select coalesce(sum((r.figures ->> f.key)::bigint), 0)
	            from rws r where r.submitted),
	        'is_money', f.is_money) order by f.sort)
	      from api.report_fields(p_lang) f),
	    'total_live', (select json_agg(json_build_object(
	        'value', (select coalesce(sum((r.figures ->> f.key)::bigint), 0)
	            from rws r where not r.submitted),
	        'is_money', f.is_money) order by f.sort)
	      from api.report_fields(p_lang) f))
	  from (select 1) one
$$;
