-- Demo data of the plan's programmes (issue 7), loaded after seed.sql:
-- young leaders, trainings and events, green loans with their schedules
-- and repayments, youths out of poverty, and quarterly reports of the
-- last four quarters (on time, late, missing, a draft, a correction).
-- The 2017-2020 records make the targets' figures: some achieved, some
-- missed, as a real dashboard would show.  The recent records are dated
-- back from today (like seed.sql's needs), so that the current quarter
-- and the three before it look alike whenever the demo is loaded; the
-- tests rely on the reports' pattern below.
--
-- The seed's registered children are 10 to 16; loans and leaders help
-- young adults, so sixteen young people (青年, 22 to 34) are registered
-- here by the town branches, public part only like every beneficiary.
--
-- Run as the owner role, once, after seed.sql and the migrations.

do $$
declare
	v_city		bigint;
	v_admin		bigint;
	v_town		bigint[];	-- town branch by town id
	v_staff		bigint[];	-- its staff member
	v_youth		bigint[] := '{}';
	v_kid		bigint[];
	v_units		bigint[];
	v_id		bigint;
	v_i		int;
	v_k		int;
	v_t		int;
	v_amount	bigint;
	v_term		int;
	v_on		date;
	v_status	text;
	v_paid		bigint;
	v_y		int;
	v_q		int;
	v_org		bigint;
	v_at		timestamptz;
	v_today		date := api.today();
	v_idx		int;
	surnames	text[] := array['王', '李', '张', '刘', '陈', '杨', '赵',
	    '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭',
	    '马', '罗'];
	given		text[] := array['建军', '海燕', '志强', '丽娟', '小兵',
	    '春梅', '国庆', '晓东', '红霞', '伟', '静', '磊', '洋', '艳',
	    '勇', '娜', '超', '敏', '杰', '芳', '鹏', '婷', '浩', '雪',
	    '帅', '倩', '凯', '琳', '斌', '颖'];
	businesses	text[] := array['香菇种植合作社', '冬凌草电商网店',
	    '散养土鸡养殖场', '核桃深加工作坊', '王屋山农家乐',
	    '猕猴桃种植园', '山花蜂蜜网店', '小米杂粮电商', '太行山核桃网店',
	    '中药材种植基地', '农村物流服务站', '手工布鞋工作室',
	    '柿饼加工合作社', '乡村民宿', '电商直播工作室'];
	places		text[] := array['镇青年之家', '镇政府会议室',
	    '村党群服务中心', '镇电商服务中心', '市青年创业孵化园'];
	banks		text[] := array['济源农商银行', '中国邮政储蓄银行济源分行',
	    '中国农业银行济源分行', '济源齐鲁村镇银行'];
	youth_aliases	text[] := array['小林', '阿强', '小芳', '大伟', '小燕',
	    '阿杰', '小娟', '阿军', '小慧', '阿鹏', '小琴', '阿斌', '小霞',
	    '阿亮', '小玲', '阿涛'];
begin
	select id into v_city from orgs where kind = 'city';
	select id into v_admin from users where role = 'admin' order by id limit 1;
	select array_agg(o.id order by o.town_id),
	    array_agg((select u.id from users u where u.org_id = o.id
	        order by u.id limit 1) order by o.town_id)
	  into v_town, v_staff
	  from orgs o where o.kind = 'town';
	select array_agg(id order by id) into v_units from orgs
	 where kind in ('unit', 'college');
	select array_agg(id order by id) into v_kid from beneficiaries;

	-- Young people registered by the town branches.
	for v_i in 1 .. 16 loop
		v_t := (v_i * 5) % 11 + 1;
		insert into beneficiaries (org_id, alias, birth_year, gender,
		    town_id, school_stage, poverty_causes, poverty_level,
		    left_behind, created_at)
		values (v_town[v_t], youth_aliases[v_i], (1992 + v_i * 3 % 13)::smallint,
		    case when v_i % 2 = 0 then 'm' else 'f' end, v_t,
		    (array['none', 'none', 'vocational', 'college'])[v_i % 4 + 1],
		    string_to_array((array['illness,labour', 'disability',
		        'education,labour', 'disaster'])[v_i % 4 + 1], ','),
		    (array['extreme', 'poor', 'struggling'])[v_i % 3 + 1], false,
		    timestamptz '2017-06-01 09:00+08' + make_interval(days => v_i * 9))
		returning id into v_id;
		v_youth := v_youth || v_id;
	end loop;

	-- Young leaders.  2017: 53 青年"领头雁" (target 50: achieved), 71
	-- 电商"领头雁" (target 100: missed); 2017-2020: 104 农村青年致富带头人
	-- (target 100: achieved); and some of the last year.
	for v_i in 1 .. 179 loop
		v_t := 1 + (v_i * v_i) % 11;
		insert into leaders (org_id, name, young, ecommerce, rural,
		    business, town_id, since, note, created_by, created_at)
		values (v_town[v_t],
		    surnames[v_i % 20 + 1] || given[(v_i * 7) % 30 + 1],
		    v_i <= 53 or (v_i > 167 and v_i % 2 = 0),
		    (v_i <= 53 and v_i % 3 = 0) or (v_i between 54 and 107)
		        or (v_i > 167 and v_i % 3 = 0),
		    (v_i <= 53 and v_i % 2 = 0) or (v_i between 54 and 107
		        and v_i % 3 = 0) or (v_i between 108 and 167)
		        or (v_i > 167 and v_i % 2 = 1),
		    businesses[v_i % 15 + 1], v_t,
		    case when v_i <= 53 then date '2017-06-01' + v_i * 3
		    when v_i <= 107 then date '2017-07-01' + (v_i - 53) * 3
		    when v_i <= 167 then date '2018-01-10' + (v_i - 107) * 17
		    else v_today - 330 + (v_i - 167) * 26 end,
		    '', v_staff[v_t],
		    timestamptz '2017-06-01 10:00+08' + make_interval(days => v_i * 5))
		returning id into v_id;
		-- The youths of the same town they employ or help.
		if v_i % 9 = 0 then
			insert into leader_helps (leader_id, beneficiary_id, relation,
			    since)
			select v_id, b.id, case when b.birth_year < 2005 then 'employs'
			    else 'helps' end,
			    least(v_today, (select since from leaders where id = v_id) + 30)
			  from beneficiaries b where b.town_id = v_t
			 order by b.id limit 1 + v_i % 2
			on conflict do nothing;
		end if;
	end loop;

	-- Trainings and events.  2017: 26 trainings, 986 attendances (target
	-- 800: achieved).  2017-2020: 41 financial-literacy sessions (target
	-- 50: missed).  Events that are not trainings, and the last year's.
	for v_i in 1 .. 22 loop
		v_t := 1 + (v_i * 3) % 11;
		insert into trainings (org_id, kind, title, held_on, organiser,
		    place, attendance, created_by)
		values (v_town[v_t],
		    (array['entrepreneurship', 'ecommerce', 'skills'])[v_i % 3 + 1],
		    (array['农村青年创业培训班', '青年电商实操培训', '农村青年技能提升培训'])[v_i % 3 + 1]
		        || '（第' || v_i || '期）',
		    date '2017-06-10' + v_i * 9, '团市委、镇团委',
		    places[v_i % 5 + 1], 30 + (v_i * 7) % 17
		        + case when v_i = 22 then 3 else 0 end,
		    v_staff[v_t]);
	end loop;
	for v_i in 1 .. 41 loop
		v_t := 1 + (v_i * 7) % 11;
		insert into trainings (org_id, kind, title, held_on, organiser,
		    place, attendance, created_by)
		values (case when v_i % 10 = 0 then v_units[1] else v_town[v_t] end,
		    'finance', '金融知识下乡（第' || v_i || '场）',
		    date '2017-09-01' + v_i * 29, banks[v_i % 4 + 1] || '、镇团委',
		    places[v_i % 5 + 1], 25 + (v_i * 11) % 30,
		    v_staff[v_t]);
	end loop;
	for v_i in 1 .. 12 loop
		v_t := 1 + (v_i * 5) % 11;
		insert into trainings (org_id, kind, title, held_on, organiser,
		    place, attendance, created_by)
		values (v_town[v_t],
		    (array['youth_home', 'counselling', 'city_trip'])[v_i % 3 + 1],
		    (array['青年之家读书分享会', '12355 青少年心理咨询进校园', '留守儿童城市一日游'])[v_i % 3 + 1],
		    date '2018-03-15' + v_i * 61, '镇团委', places[v_i % 5 + 1],
		    20 + v_i * 3, v_staff[v_t]);
	end loop;
	for v_i in 1 .. 16 loop
		v_t := 1 + (v_i * 4) % 11;
		insert into trainings (org_id, kind, title, held_on, organiser,
		    place, attendance, note, created_by)
		values (case when v_i = 16 then v_city else v_town[v_t] end,
		    (array['entrepreneurship', 'ecommerce', 'finance', 'skills',
		        'youth_home', 'counselling', 'city_trip'])[v_i % 7 + 1],
		    (array['返乡青年创业沙龙', '直播带货实操培训', '金融知识下乡',
		        '家政服务技能培训', '青年之家周末课堂', '12355 心理健康讲座',
		        '留守儿童城市一日游'])[v_i % 7 + 1],
		    v_today - 320 + v_i * 19, '镇团委', places[v_i % 5 + 1],
		    18 + (v_i * 13) % 40, '', coalesce(v_staff[v_t], v_admin))
		returning id into v_id;
		insert into training_attendees (training_id, beneficiary_id)
		select v_id, b.id from beneficiaries b where b.town_id = v_t
		 order by b.id limit 2 on conflict do nothing;
	end loop;

	-- Green loans.  2017-2020: disbursed to the young people, mostly
	-- repaid, two defaulted (¥20 million target: far from met).  This
	-- year: one in every state.
	for v_i in 1 .. 30 loop
		v_k := (v_i - 1) % 16 + 1;
		select town_id into v_t from beneficiaries where id = v_youth[v_k];
		v_amount := (30000 + (v_i * 3700) % 20001) * 100;
		v_term := (array[12, 24, 36])[v_i % 3 + 1];
		v_on := case when v_i <= 24 then date '2017-08-01' + v_i * 52
		    when v_i = 27 then v_today - 20
		    else v_today - 300 + (v_i - 24) * 40 end;
		v_status := case
		    when v_i in (7, 19) then 'defaulted'
		    when v_i <= 24 then 'repaid'
		    else (array['applied', 'approved', 'disbursed', 'repaying',
		        'repaying', 'rejected'])[v_i - 24] end;
		insert into loans (org_id, beneficiary_id, bank, amount,
		    term_months, purpose, status, applied_on, decided_on,
		    disbursed_on, closed_on, created_by, created_at)
		values (v_town[v_t], v_youth[v_k], banks[v_i % 4 + 1], v_amount,
		    v_term, (array['香菇大棚扩建', '开设农产品网店', '购置养殖设备',
		        '农家乐装修', '购买种苗和农资'])[v_i % 5 + 1],
		    v_status, v_on - 20,
		    case when v_status <> 'applied' then v_on - 10 end,
		    case when v_status in ('disbursed', 'repaying', 'repaid',
		        'defaulted') then v_on end,
		    case when v_status = 'rejected' then v_on - 10
		    when v_status = 'defaulted' then v_on + 400
		    when v_status = 'repaid' then (v_on + make_interval(
		        months => v_term))::date end,
		    v_staff[v_t], (v_on - 20)::timestamptz)
		returning id into v_id;
		if v_status in ('disbursed', 'repaying', 'repaid', 'defaulted') then
			insert into loan_installments (loan_id, seq, due_on, amount)
			select v_id, s, (v_on + make_interval(months => s))::date,
			    case when s < v_term then v_amount / v_term
			    else v_amount - v_amount / v_term * (v_term - 1) end
			  from generate_series(1, v_term) s;
			-- Repaid: every instalment; defaulted: the first year
			-- only; repaying: what fell due by now.
			insert into loan_payments (loan_id, paid_on, amount, created_by)
			select v_id, i.due_on, i.amount, v_staff[v_t]
			  from loan_installments i
			 where i.loan_id = v_id and (v_status = 'repaid'
			   or (v_status = 'defaulted' and i.seq <= 12 and i.seq < v_term)
			   or (v_status = 'repaying' and i.due_on <= v_today - 10));
		end if;
	end loop;

	-- Youths out of poverty: verified by the city committee (recorded by
	-- a town branch) or by the town branch (recorded by a school); some
	-- still await verification, one was sent back.
	for v_i in 1 .. 16 loop
		v_id := case when v_i <= 10 then v_youth[v_i] else v_kid[v_i * 2] end;
		select b.org_id, b.town_id into v_org, v_t from beneficiaries b
		 where b.id = v_id;
		v_status := case when v_i in (4, 13, 15) then 'recorded'
		    when v_i = 9 then 'rejected' else 'verified' end;
		v_on := case when v_i <= 8 then date '2018-03-01' + v_i * 90
		    else v_today - 300 + v_i * 17 end;
		insert into poverty_exits (beneficiary_id, org_id, exited_on,
		    evidence, status, recorded_by, recorded_at, reviewed_by,
		    reviewed_at, review_note)
		values (v_id, v_org, v_on,
		    (array['家庭年人均纯收入超过当年脱贫标准，有村委会证明和收入台账。',
		        '本人在合作社稳定就业一年以上，月收入三千元，有劳动合同。',
		        '开办网店年销售额超过十万元，有银行流水。',
		        '家庭“两不愁三保障”均已实现，经村扶贫专干入户核实。'])[v_i % 4 + 1],
		    v_status,
		    (select u.id from users u where u.org_id = v_org order by u.id limit 1),
		    v_on::timestamptz + interval '3 days',
		    case when v_status <> 'recorded' then case
		        when (select kind from orgs where id = v_org) = 'school'
		        then v_staff[v_t] else v_admin end end,
		    case when v_status <> 'recorded'
		        then v_on::timestamptz + interval '10 days' end,
		    case when v_status = 'rejected'
		        then '缺少收入证明，请补充后重新登记。' else '' end);
	end loop;

	-- Quarterly reports of the current quarter (k = 3) and the three
	-- before it, expected from the first of them.  王屋镇 (town 2) and
	-- 下冶镇 (4) have not reported two quarters ago (k = 1, always past
	-- due), nor 承留镇 (11); two branches have a draft of the current
	-- quarter; 邵原镇 (3) corrected k = 1 with a second version.
	v_idx := extract(year from v_today)::int * 4
	    + extract(quarter from v_today)::int - 1 - 3;
	update report_settings set first_year = v_idx / 4,
	    first_quarter = v_idx % 4 + 1;
	for v_k in 0 .. 3 loop
		v_y := (v_idx + v_k) / 4;
		v_q := (v_idx + v_k) % 4 + 1;
		for v_i in 1 .. 14 loop
			v_org := case when v_i <= 11 then v_town[v_i]
			    else v_units[v_i - 11] end;
			v_status := case
			    when v_k = 3 then case when v_i in (1, 5) then 'draft' end
			    when v_i = 2 then case v_k when 0 then 'ontime'
			        when 2 then 'ontime' end
			    when v_i = 4 then case v_k when 0 then 'ontime' end
			    when v_i = 11 then case v_k when 0 then 'ontime'
			        when 2 then 'late' end
			    when (v_i + v_k + 1) % 7 = 0 then null
			    when (v_i * (v_k + 1)) % 5 = 0 then 'late'
			    when v_k = 2 and v_i % 4 = 0 then 'draft'
			    else 'ontime' end;
			continue when v_status is null;
			v_at := (api.quarter_end(v_y, v_q) + case v_status
			    when 'late' then 16 else 3 + v_i % 6 end)::timestamp
			    at time zone 'Asia/Shanghai' + interval '15 hours';
			-- Not yet: a draft so far.
			if v_at > now() - interval '1 hour' then
				v_status := 'draft';
				v_at := now() - interval '1 hour';
			end if;
			insert into quarterly_reports (org_id, year, quarter, version,
			    status, narrative, figures, created_by, created_at,
			    updated_at, submitted_by, submitted_at)
			values (v_org, v_y, v_q, 1,
			    case when v_status = 'draft' then 'draft' else 'submitted' end,
			    api.org_name(v_org, 'zh') || '本季度围绕“八方援”助力脱贫攻坚行动，'
			        || '开展结对帮扶、领头雁培育、金融知识下乡等工作。'
			        || case when v_status = 'draft' then '（草稿，待补充）'
			        else E'\n下季度将继续推进青年创业培训和困难青少年摸底。' end,
			    case when v_status <> 'draft'
			        then api.branch_figures(v_org, v_y, v_q) end,
			    (select u.id from users u where u.org_id = v_org order by u.id limit 1),
			    v_at - interval '2 days', v_at,
			    case when v_status <> 'draft' then (select u.id from users u
			        where u.org_id = v_org order by u.id limit 1) end,
			    case when v_status <> 'draft' then v_at end);
		end loop;
	end loop;
	-- A correction: 邵原镇's second version of k = 1.
	insert into quarterly_reports (org_id, year, quarter, version, status,
	    narrative, figures, created_by, created_at, updated_at,
	    submitted_by, submitted_at)
	select org_id, year, quarter, 2, 'submitted',
	    narrative || E'\n（更正：补录电商培训的参加人次。）',
	    api.branch_figures(org_id, year, quarter), created_by,
	    submitted_at + interval '20 days', submitted_at + interval '20 days',
	    submitted_by, submitted_at + interval '20 days'
	  from quarterly_reports
	 where org_id = v_town[3] and year = (v_idx + 1) / 4
	   and quarter = (v_idx + 1) % 4 + 1 and status = 'submitted';
end $$;
