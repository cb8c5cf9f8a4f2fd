-- The plan's targets: what each metric counts (code, never a typed
-- figure), the figures, whether each target is on track, and the branches
-- ranked against them.

-- Every fact that counts towards a metric: which organisation's record,
-- on which day, how much.  A record counts on its own date (a leader from
-- "since", a training on the day it was held, an exit on the day of 脱贫,
-- a loan on the day it was disbursed), so a figure is the sum of the
-- facts of its metric dated within the target's window.
--   leaders_young, leaders_ecommerce, leaders_rural: leaders registered
--     with that kind (one person may count under several);
--   training_attendance: attendance of the trainings (entrepreneurship,
--     e-commerce, skills, financial literacy), not of other events;
--   finance_sessions: financial-literacy trainings (金融知识下乡) held;
--   poverty_exits: exits verified by the parent branch;
--   loans_disbursed: the amount (fen) of the loans disbursed, whatever
--     became of them afterwards (repaying, repaid or defaulted).
create function api.metric_facts()
returns table (metric text, org_id bigint, on_date date, amount bigint)
language sql stable as $$
	select 'leaders_young', org_id, since, 1::bigint from leaders where young
	union all
	select 'leaders_ecommerce', org_id, since, 1 from leaders where ecommerce
	union all
	select 'leaders_rural', org_id, since, 1 from leaders where rural
	union all
	select 'training_attendance', org_id, held_on, attendance from trainings
	 where kind in ('entrepreneurship', 'ecommerce', 'skills', 'finance')
	union all
	select 'finance_sessions', org_id, held_on, 1 from trainings
	 where kind = 'finance'
	union all
	select 'poverty_exits', org_id, exited_on, 1 from poverty_exits
	 where status = 'verified'
	union all
	select 'loans_disbursed', org_id, disbursed_on, amount from loans
	 where status in ('disbursed', 'repaying', 'repaid', 'defaulted')
$$;

-- What each metric is called, its unit, and how its figure is computed
-- (in words, for the dashboard), in Chinese and English.
create function api.metric_texts()
returns table (metric text, name_zh text, name_en text, unit_zh text,
    unit_en text, rule_zh text, rule_en text)
language sql immutable as $$
	values
	('leaders_young', '培育青年“领头雁”', 'Young entrepreneur leaders (领头雁)',
	 '人', 'people',
	 '领头雁名册中标为青年“领头雁”的人数，按认定日期计入。',
	 'People in the leaders registry marked as young leaders, by the date since when.'),
	('leaders_ecommerce', '培育青年电商“领头雁”', 'Youth e-commerce leaders',
	 '家', 'shops',
	 '领头雁名册中标为电商“领头雁”的人数，按认定日期计入。',
	 'People in the leaders registry marked as e-commerce leaders, by the date since when.'),
	('training_attendance', '培训青年', 'Youth training attendances',
	 '人次', 'attendances',
	 '创业、电商、技能和金融知识培训的参加人次之和，按举办日期计入。',
	 'Attendance of entrepreneurship, e-commerce, skills and financial-literacy trainings, by the day held.'),
	('leaders_rural', '培育农村青年致富带头人', 'Rural youth wealth leaders',
	 '人', 'people',
	 '领头雁名册中标为农村青年致富带头人的人数，按认定日期计入。',
	 'People in the leaders registry marked as rural wealth leaders, by the date since when.'),
	('poverty_exits', '服务青年实现脱贫', 'Youths helped out of poverty',
	 '人', 'people',
	 '经上级团组织核实的脱贫青年人数，按脱贫日期计入。',
	 'Youths out of poverty, verified by the parent branch, by the date of the exit.'),
	('finance_sessions', '举办金融知识培训',
	 'Financial-literacy sessions (金融知识下乡)', '场', 'sessions',
	 '举办的金融知识培训场次，按举办日期计入。',
	 'Financial-literacy trainings held, by the day held.'),
	('loans_disbursed', '协调发放小额贷款（共青扶贫贷）',
	 'Small loans to poor youths (共青扶贫贷)', '元', 'yuan',
	 '已发放贷款的金额之和（含还款中、已还清和逾期的），按发放日期计入。',
	 'Amount of the loans disbursed (repaying, repaid or defaulted included), by the day disbursed.')
$$;

create function api.metric_name(p_metric text, p_lang text)
returns text language sql immutable as $$
	select api.l(p_lang, name_zh, name_en) from api.metric_texts()
	 where metric = p_metric
$$;

create function api.metric_unit(p_metric text, p_lang text)
returns text language sql immutable as $$
	select api.l(p_lang, unit_zh, unit_en) from api.metric_texts()
	 where metric = p_metric
$$;

create function api.metric_rule(p_metric text, p_lang text)
returns text language sql immutable as $$
	select api.l(p_lang, rule_zh, rule_en) from api.metric_texts()
	 where metric = p_metric
$$;

-- Whether a target is met.  On track means at least the linear pace from
-- the start of its window to its deadline: figure / value >= days gone /
-- days in all.  After the deadline it was achieved or missed.
create function api.target_state(p_figure bigint, p_value bigint,
    p_from date, p_to date, p_today date)
returns text language sql immutable as $$
	select case
	    when p_figure >= p_value then 'achieved'
	    when p_today > p_to then 'missed'
	    when p_figure * (p_to - p_from)
	        >= p_value * greatest(0, p_today - p_from) then 'on_track'
	    else 'behind' end
$$;

create function api.target_state_name(p_state text, p_lang text)
returns text language sql immutable as $$
	select case p_state
	    when 'achieved' then api.l(p_lang, '已完成', 'achieved')
	    when 'missed' then api.l(p_lang, '未完成', 'missed')
	    when 'on_track' then api.l(p_lang, '进度正常', 'on track')
	    else api.l(p_lang, '进度落后', 'behind') end
$$;

-- The targets with their figures, in plan order.
create function api.targets_figures(p_lang text)
returns json language sql stable as $$
	with f as (
		select t.id, coalesce(sum(x.amount), 0)::bigint as figure
		  from targets t left join api.metric_facts() x
		    on x.metric = t.metric
		   and x.on_date between t.starts_on and t.deadline
		 group by t.id
	)
	select coalesce(json_agg(json_build_object(
	    'id', t.id,
	    'metric', t.metric,
	    'name', api.metric_name(t.metric, p_lang),
	    'unit', api.metric_unit(t.metric, p_lang),
	    'is_money', t.metric = 'loans_disbursed',
	    'rule', api.metric_rule(t.metric, p_lang),
	    'value', t.value,
	    'figure', f.figure,
	    'pct', (f.figure::bigint * 100 / t.value),
	    'bar', least(100, f.figure::bigint * 100 / t.value),
	    'expected', t.value * greatest(0, least(api.today(), t.deadline)
	        - t.starts_on) / (t.deadline - t.starts_on),
	    'pace', least(100, 100 * greatest(0, least(api.today(), t.deadline)
	        - t.starts_on) / (t.deadline - t.starts_on)),
	    'starts_on', to_char(t.starts_on, 'YYYY-MM-DD'),
	    'deadline', to_char(t.deadline, 'YYYY-MM-DD'),
	    'past', t.deadline < api.today(),
	    'state', s.state,
	    'state_name', api.target_state_name(s.state, p_lang),
	    'achieved', s.state = 'achieved',
	    'missed', s.state = 'missed',
	    'behind', s.state = 'behind') order by t.sort, t.id), '[]')
	  from targets t join f on f.id = t.id,
	  lateral (select api.target_state(f.figure, t.value, t.starts_on,
	      t.deadline, api.today()) as state) s
$$;

-- GET /api/v1/targets: the public summary (also the block the
-- transparency page includes, assets/targets-summary.html, under the key
-- targets_summary).  Figures for the whole platform only: nothing about
-- a branch, a record or a person.
create function api.targets_public(p_lang text)
returns text language sql stable as $$
	select json_build_object(
	    'targets', api.targets_figures(p_lang),
	    'as_of', to_char(api.today(), 'YYYY-MM-DD'),
	    'plan', api.l(p_lang,
	        '“八方援”济源共青团助力脱贫攻坚行动实施方案（济青字〔2017〕20号）',
	        'Jiyuan Youth League action plan for poverty relief (2017, No. 20)'))::text
$$;

-- The branches against the targets: each branch's figure for each target
-- (its subtree's facts in the target's window), its share of the
-- platform's figure, and a contribution index, the mean of its shares
-- over the targets that have a figure at all.  Ranked by that index, or
-- by one target's figure (p_rank = its metric).
create function api.targets_branches(p_lang text, p_rank text)
returns json language sql stable as $$
	with b as (
		select o.id, api.l(p_lang, o.name, o.name_en) as name, o.kind,
		    coalesce(t.sort, 100) as tsort
		  from orgs o left join towns t on t.id = o.town_id
		 where o.kind in ('town', 'unit', 'college')
	), facts as (
		select x.metric, x.amount, ob.branch_id
		  from api.metric_facts() x
		  join targets t on t.metric = x.metric
		   and x.on_date between t.starts_on and t.deadline
		  left join api.org_branches() ob on ob.org_id = x.org_id
	), total as (
		select t.metric, t.sort, t.id, coalesce(sum(f.amount), 0) as figure
		  from targets t left join facts f on f.metric = t.metric
		 group by t.metric, t.sort, t.id
	), cell as (
		select b.id as branch_id, tt.metric, tt.sort, tt.id as target_id,
		    coalesce((select sum(f.amount) from facts f
		        where f.branch_id = b.id and f.metric = tt.metric), 0)
		        as figure,
		    tt.figure as total
		  from b cross join total tt
	), scored as (
		select c.branch_id,
		    round(coalesce(avg(c.figure * 100.0 / c.total)
		        filter (where c.total > 0), 0), 1) as score,
		    coalesce(max(c.figure) filter (where c.metric = p_rank), 0)
		        as by_metric
		  from cell c group by c.branch_id
	), ranked as (
		select s.*, rank() over (order by case when p_rank = 'score'
		    then s.score else s.by_metric end desc) as rank
		  from scored s
	)
	select coalesce(json_agg(json_build_object(
	    'id', b.id, 'name', b.name,
	    'kind_name', api.org_kind_name(b.kind, p_lang),
	    'rank', r.rank, 'score', r.score::text,
	    'cells', (select json_agg(json_build_object(
	        'metric', c.metric, 'figure', c.figure,
	        'is_money', c.metric = 'loans_disbursed',
	        'share', case when c.total > 0
	            then round(c.figure * 100.0 / c.total, 1)::text end)
	        order by c.sort, c.target_id)
	      from cell c where c.branch_id = b.id))
	    order by r.rank, b.kind, b.tsort, b.id), '[]')
	  from b join ranked r on r.branch_id = b.id
$$;

-- GET /admin/targets, /api/v1/admin/targets (admins): the dashboard.
create function api.targets_dashboard(p_sid text, p_lang text, p_rank text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rank	text := coalesce(p_rank, 'score');
begin
	v_u := api.require_user(p_sid, array['admin']);
	if v_rank <> 'score' and not exists (select 1 from targets
	    where metric = v_rank) then
		perform api.fail(400, 'unknown_value', '{"field":"rank"}');
	end if;
	return json_build_object(
	    'title', api.l(p_lang, '目标考核', 'Targets'),
	    'targets_summary', api.targets_public(p_lang)::json,
	    'targets', (select json_agg(json_build_object('id', t.id,
	        'name', api.metric_name(t.metric, p_lang),
	        'metric', t.metric,
	        'is_money', t.metric = 'loans_disbursed',
	        'unit', api.metric_unit(t.metric, p_lang),
	        'value', t.value,
	        'value_yuan', case when t.metric = 'loans_disbursed'
	            then (t.value / 100)::text end,
	        'starts_on', to_char(t.starts_on, 'YYYY-MM-DD'),
	        'deadline', to_char(t.deadline, 'YYYY-MM-DD'),
	        'updated', api.day(t.updated_at),
	        'updated_by', api.user_name(t.updated_by))
	        order by t.sort, t.id) from targets t),
	    'columns', (select json_agg(json_build_object('metric', metric,
	        'name', api.metric_name(metric, p_lang)) order by sort, id)
	      from targets),
	    'rank', v_rank,
	    'rank_choices', (select json_agg(json_build_object('value', v,
	        'name', n, 'selected', v = v_rank) order by s)
	      from (select 'score' as v, api.l(p_lang, '贡献指数', 'contribution index') as n, 0 as s
	            union all
	            select metric, api.metric_name(metric, p_lang), sort from targets) c),
	    'branches', api.targets_branches(p_lang, v_rank))::text;
end $$;

-- POST /admin/targets/{id} (admins): a new value and/or deadline.  The
-- money target's value is in fen (a form types it in yuan, value_yuan).
create function api.target_update(p_sid text, p_id bigint, p_value bigint,
    p_deadline date, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	targets;
	v_value	bigint;
	v_dl	date;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_t from targets where id = p_id for update;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	v_value := coalesce(p_value, v_t.value);
	if v_value <= 0 or v_value > 1000000000000 then
		perform api.fail(400, 'bad_number', '{"field":"value"}');
	end if;
	v_dl := coalesce(p_deadline, v_t.deadline);
	if v_dl <= v_t.starts_on then
		perform api.fail(400, 'bad_date', '{"field":"deadline"}');
	end if;
	update targets set value = v_value, deadline = v_dl, updated_at = now(),
	    updated_by = v_u.id
	 where id = p_id;
	perform api.audit(v_u, 'target_update', 'target', p_id, p_ip,
	    jsonb_build_object('metric', v_t.metric,
	        'value', jsonb_build_array(v_t.value, v_value),
	        'deadline', jsonb_build_array(v_t.deadline, v_dl)));
	return json_build_object('id', p_id, 'value', v_value,
	    'deadline', to_char(v_dl, 'YYYY-MM-DD'))::text;
end $$;
