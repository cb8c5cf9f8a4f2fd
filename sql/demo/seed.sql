-- Demo data for `make run`: the city committee and its branches, schools,
-- caring organisations, donors, children (public part and consent; their
-- private parts are sealed by `shop-admin demo-private`, which holds the
-- key), campaigns and needs in every kind, category, town and state, some
-- partly pledged.
-- Deterministic: the same database every time.
--
-- Run as the owner role, once, on an empty database (make run does).

do $$
declare
	v_city		bigint;
	v_town		bigint[] := '{}';
	v_school	bigint[] := '{}';
	v_donor		bigint[] := '{}';
	v_child		bigint[] := '{}';
	v_caring	bigint;
	v_need		bigint;
	v_id		bigint;
	v_t		record;
	v_i		int;
	v_k		int;
	v_status	text;
	v_qty		int;
	v_pledged	int;
	v_received	int;
	v_school_id	bigint;
	v_town_id	smallint;
	v_campaign	smallint;
	v_opened	timestamptz;
	schools		text[][] := array[
	    ['坡头镇中心小学', 'Potou Central Primary School', '1'],
	    ['王屋镇中心小学', 'Wangwu Central Primary School', '2'],
	    ['王屋镇第一初级中学', 'Wangwu No.1 Junior Middle School', '2'],
	    ['邵原镇中心小学', 'Shaoyuan Central Primary School', '3'],
	    ['下冶镇初级中学', 'Xiaye Junior Middle School', '4'],
	    ['大峪镇中心小学', 'Dayu Central Primary School', '5'],
	    ['思礼镇中心小学', 'Sili Central Primary School', '6'],
	    ['克井镇第二初级中学', 'Kejing No.2 Junior Middle School', '7'],
	    ['五龙口镇中心小学', 'Wulongkou Central Primary School', '8'],
	    ['梨林镇中心小学', 'Lilin Central Primary School', '9'],
	    ['轵城镇初级中学', 'Zhicheng Junior Middle School', '10'],
	    ['承留镇中心小学', 'Chengliu Central Primary School', '11']];
	aliases		text[] := array['小雨', '小宇', '欣欣', '乐乐', '小航',
	    '朵朵', '阳阳', '小雪', '浩浩', '甜甜', '小峰', '佳佳', '豆豆',
	    '小静', '明明', '婷婷', '小杰', '然然', '小凯', '悦悦', '小龙',
	    '可可', '小军', '丫丫', '石头', '小梅', '天天', '笑笑', '小虎',
	    '青青', '小磊', '娜娜', '小辉', '萌萌', '小帅', '晶晶'];
begin
	-- The tree.
	insert into orgs (kind, name, name_en) values
	    ('city', '共青团济源市委', 'Jiyuan Municipal Youth League Committee')
	    returning id into v_city;
	for v_t in select id, name_zh, name_en from towns order by id loop
		insert into orgs (parent_id, kind, name, name_en, town_id)
		values (v_city, 'town', '共青团' || v_t.name_zh || '委员会',
		    v_t.name_en || ' Town Youth League Committee', v_t.id)
		returning id into v_id;
		v_town := v_town || v_id;
	end loop;
	insert into orgs (parent_id, kind, name, name_en) values
	    (v_city, 'unit', '济源市教育局团委',
	     'Youth League Committee of the Education Bureau'),
	    (v_city, 'unit', '济源市人民医院团委',
	     'Youth League Committee of Jiyuan People''s Hospital'),
	    (v_city, 'college', '济源职业技术学院团委',
	     'Youth League Committee of Jiyuan Vocational and Technical College');
	for v_i in 1 .. array_length(schools, 1) loop
		v_town_id := schools[v_i][3]::smallint;
		insert into orgs (parent_id, kind, name, name_en, town_id)
		values (v_town[v_town_id], 'school', schools[v_i][1],
		    schools[v_i][2], v_town_id)
		returning id into v_id;
		v_school := v_school || v_id;
	end loop;
	insert into orgs (kind, name, name_en) values
	    ('caring', '济源市青年企业家协会', 'Jiyuan Young Entrepreneurs Association')
	    returning id into v_caring;
	insert into orgs (kind, name, name_en) values
	    ('caring', '晨光爱心志愿者协会', 'Morning Light Volunteers');

	-- Accounts.  No password here: `make run` gives each a random one and
	-- lists them in var/demo-accounts.txt.
	insert into users (role, org_id, display_name, email, affiliation)
	select 'donor', null, d.n, 'donor' || d.i || '@example.com',
	    case when d.n = '济源市青年企业家协会' then d.n end
	  from unnest(array['王女士', '李先生', '刘老师', '陈女士', '赵先生',
	      '张同学', '济源市青年企业家协会', '孙女士']) with ordinality d(n, i);
	insert into users (role, org_id, display_name, email)
	values ('admin', v_city, '团市委 李老师', 'admin@example.com');
	insert into users (role, org_id, display_name, email)
	select 'staff', o.id, o.name || ' 工作人员',
	    case o.kind when 'town' then (select slug from towns t
	        where t.id = o.town_id) else 'org' || o.id end || '@example.com'
	  from orgs o where o.kind in ('town', 'school', 'unit', 'college')
	 order by o.id;
	-- The demo accounts count as verified (sql/017_recovery.sql).
	update users set email_verified_at = now() where email is not null;
	update users set phone_verified_at = now() where phone is not null;
	select array_agg(id order by id) into v_donor from users
	 where role = 'donor';

	insert into campaigns (slug, name_zh, name_en, summary_zh, summary_en,
	    starts_on, ends_on) values
	    ('warm-winter', '温暖冬天', 'Warm Winter',
	     '为山区孩子送去棉衣、棉被和棉鞋，让每个孩子温暖过冬。',
	     'Coats, quilts and shoes so that every child in the hills has a warm winter.',
	     '2026-11-01', '2027-02-28'),
	    ('project-hope', '希望工程爱心助学', 'Project Hope Scholarships',
	     '资助家庭困难的学生完成学业，阻断贫困代际传递。',
	     'Scholarships that keep children from poor families in school.',
	     '2026-09-01', '2027-07-31'),
	    ('city-day-trip', '留守儿童城市一日游', 'City Day Trips for Left-behind Children',
	     '带留守儿童走进城市：科技馆、博物馆和大学校园。',
	     'A day in the city for left-behind children: science museum, museum and a university campus.',
	     '2027-04-01', '2027-08-31');

	-- Children, public part only.
	for v_i in 1 .. array_length(aliases, 1) loop
		v_k := (v_i - 1) % array_length(v_school, 1) + 1;
		insert into beneficiaries (org_id, alias, birth_year, gender,
		    town_id, school_stage, poverty_causes, poverty_level,
		    left_behind, consent_on, consent_recorded_by, created_by)
		select v_school[v_k], aliases[v_i],
		    (case when s.name like '%初级中学' then 2012 else 2016 end
		        - v_i % 3)::smallint,
		    case when v_i % 2 = 0 then 'm' else 'f' end, s.town_id,
		    case when s.name like '%初级中学' then 'junior' else 'primary' end,
		    string_to_array((array['illness,labour', 'left_behind,education',
		        'disability,other', 'orphan,education',
		        'disaster,labour'])[v_i % 5 + 1], ','),
		    (array['extreme', 'poor', 'struggling'])[v_i % 3 + 1],
		    v_i % 3 = 1,
		    (now() at time zone 'Asia/Shanghai')::date - 60 - v_i,
		    (select min(u.id) from users u where u.org_id = s.id),
		    (select min(u.id) from users u where u.org_id = s.id)
		  from orgs s where s.id = v_school[v_k]
		returning id into v_id;
		v_child := v_child || v_id;
	end loop;

	-- Needs: 32 kinds of need, each posted twice in different towns.
	v_i := 0;
	for v_t in select * from (values
	    ('冬季棉衣', 'goods', 'clothing', '棉衣', '140码', '件', 1, null::int, 3, 'warm-winter', true,
	     E'孩子和奶奶住在山上，冬天屋里很冷。\n现在穿的棉衣是哥哥穿小的，袖子已经短了一截。'),
	    ('加厚棉被', 'goods', 'daily', '棉被', '1.5米 × 2米', '床', 2, null, 3, 'warm-winter', true,
	     E'家里只有一床旧被子，姐弟俩冬天挤在一起睡。'),
	    ('保暖棉鞋', 'goods', 'clothing', '棉鞋', '35码', '双', 1, null, 2, 'warm-winter', true,
	     '每天走四十分钟山路上学，现在的鞋子已经开胶。'),
	    ('全班手套围巾', 'goods', 'clothing', '手套围巾套装', '儿童款', '套', 40, null, 2, 'warm-winter', false,
	     E'学校在山顶，冬天风大。\n希望全班同学都有一套手套和围巾。'),
	    ('学生书包', 'goods', 'stationery', '双肩书包', '小学款', '个', 30, null, 2, null, false,
	     '一年级新生中不少孩子用塑料袋装课本。'),
	    ('文具套装', 'goods', 'stationery', '文具盒、铅笔、作业本', '小学套装', '套', 50, null, 1, null, false,
	     '为新学期准备，每位同学一套。'),
	    ('图书角课外读物', 'goods', 'books', '儿童课外读物', '小学中高年级', '本', 200, null, 1, null, false,
	     '学校图书角只有几十本旧书，孩子们都已读过很多遍。'),
	    ('英汉词典', 'goods', 'books', '英汉双解词典', '初中版', '本', 25, null, 1, 'project-hope', false,
	     '初一英语课上三四个同学合用一本词典。'),
	    ('篮球和跳绳', 'goods', 'sports', '7号篮球、跳绳', '学校体育课', '套', 10, null, 1, null, false,
	     '操场上只有一个没气的篮球。'),
	    ('教学用电脑', 'goods', 'computing', '台式电脑', '教学用，含显示器', '台', 5, null, 2, null, false,
	     '信息技术课只能看老师演示，学生没有机会动手。'),
	    ('护眼台灯', 'goods', 'daily', 'LED护眼台灯', '可调光', '台', 1, null, 1, null, true,
	     '家里只有一盏昏暗的灯泡，孩子晚上写作业很吃力。'),
	    ('近视眼镜', 'goods', 'medical', '近视眼镜', '验光配镜', '副', 12, null, 2, null, false,
	     '视力筛查发现十二名学生近视却没有配镜。'),
	    ('营养午餐补助', 'money', 'food', '', '', '元', 2000000, null, 2, null, false,
	     '学校一百多名寄宿生，希望每周增加两次肉蛋奶。'),
	    ('住院医疗费', 'money', 'medical', '', '', '元', 800000, null, 3, null, true,
	     E'孩子患肾病需要住院治疗。\n父亲常年在外打工，家里无力承担。'),
	    ('康复训练费', 'money', 'medical', '', '', '元', 600000, null, 2, null, true,
	     '孩子有听力障碍，需要一年的语言康复训练。'),
	    ('冬季取暖费', 'money', 'living', '', '', '元', 120000, null, 3, 'warm-winter', true,
	     '祖孙三人住在老房子里，冬天买不起取暖用煤。'),
	    ('初中助学金', 'scholarship', 'tuition', '', '', '学期', 6, 100000, 2, 'project-hope', true,
	     '成绩在年级前十，父亲去世后母亲独自抚养三个孩子。'),
	    ('高中助学金', 'scholarship', 'tuition', '', '', '学期', 6, 150000, 2, 'project-hope', true,
	     '今年考上市一中，学费和住宿费让家里犯了难。'),
	    ('大学新生助学金', 'scholarship', 'tuition', '', '', '学期', 2, 300000, 3, 'project-hope', true,
	     '考上了郑州的大学，是村里第一个大学生。'),
	    ('小学生活补助', 'scholarship', 'living', '', '', '学期', 4, 50000, 1, 'project-hope', true,
	     '父母在外务工，跟着年迈的爷爷生活。'),
	    ('每周心理辅导', 'service', 'counselling', '心理辅导', '每周一次，一学期', '名额', 10, null, 2, null, false,
	     '留守儿童较多，孩子们需要有人倾听。'),
	    ('数学课业辅导', 'service', 'tutoring', '数学辅导', '周末线上', '名额', 8, null, 1, null, false,
	     '初三学生备考，希望有大学生志愿者辅导数学。'),
	    ('留守儿童城市一日游', 'service', 'trip', '城市一日游', '科技馆、博物馆', '名额', 30, null, 1, 'city-day-trip', false,
	     '很多孩子从没去过市区，想看看科技馆。'),
	    ('暑期英语辅导', 'service', 'tutoring', '英语辅导', '暑期两周', '名额', 15, null, 1, null, false,
	     '学校缺少英语老师，希望暑期有志愿者来上课。'),
	    ('羽绒服', 'goods', 'clothing', '羽绒服', '150码', '件', 1, null, 3, 'warm-winter', true,
	     '孩子个子长得快，去年的衣服已经穿不下了。'),
	    ('校服', 'goods', 'clothing', '冬季校服', '160码', '套', 1, null, 2, null, true,
	     '家里拿不出两百元的校服费。'),
	    ('助听器', 'goods', 'medical', '助听器', '儿童款，双耳', '副', 1, null, 3, null, true,
	     '旧助听器坏了，上课听不清老师讲话。'),
	    ('学习桌椅', 'goods', 'daily', '学习桌椅', '可升降', '套', 1, null, 1, null, true,
	     '孩子在床边的小板凳上写作业。'),
	    ('体育课运动鞋', 'goods', 'sports', '运动鞋', '36–40码', '双', 20, null, 1, null, false,
	     '运动会上不少孩子穿着布鞋跑步。'),
	    ('家庭生活补助', 'money', 'living', '', '', '元', 300000, null, 2, null, true,
	     '母亲重病，父亲一人照顾家里和两个孩子。'),
	    ('职业技能培训助学金', 'scholarship', 'tuition', '', '', '学期', 2, 200000, 1, 'project-hope', true,
	     '初中毕业后想学汽修，有一技之长。'),
	    ('亲子阅读陪伴', 'service', 'counselling', '阅读陪伴', '每月两次', '名额', 12, null, 1, null, false,
	     '志愿者每月两次陪孩子们读书、聊天。')
	) as t(title, kind, category, item, spec, unit, qty, unit_amount,
	       urgency, campaign, for_child, story)
	loop
		for v_k in 0 .. 1 loop
			v_i := v_i + 1;
			v_school_id := v_school[(v_i * 5) % array_length(v_school, 1) + 1];
			select town_id into v_town_id from orgs where id = v_school_id;
			select id into v_campaign from campaigns where slug = v_t.campaign;
			-- Mostly open; the rest walk every other state.
			v_status := case v_i % 16
			    when 3 then 'fully_pledged' when 7 then 'fulfilled'
			    when 11 then 'fulfilled' when 13 then 'notice'
			    when 14 then (array['draft', 'submitted', 'verified',
			        'rejected'])[(v_i / 16) % 4 + 1]
			    when 15 then (array['cancelled', 'expired'])[(v_i / 16) % 2 + 1]
			    else 'open' end;
			v_qty := case when v_t.kind = 'goods' and v_t.qty > 1
			    then v_t.qty + v_k * 10 else v_t.qty end;
			v_opened := case when v_status in ('open', 'fully_pledged',
			    'fulfilled', 'expired')
			    then now() - make_interval(days => 40 - v_i % 37) end;
			-- What it holds, in the row from the start (a need's status
			-- agrees with its quantities), then pledges behind it.
			-- Fully pledged and fulfilled needs are covered;
			-- about half of the open ones are partly pledged, which a
			-- need of one cannot be (an open need has something left:
			-- sql/025_need_status_quantities.sql).
			v_pledged := case
			    when v_status in ('fully_pledged', 'fulfilled') then v_qty
			    when v_status = 'open' and v_i % 2 = 0 and v_qty > 1 then
			        least(v_qty - 1, greatest(1, v_qty * ((v_i % 5) + 1) / 8))
			    else 0 end;
			v_received := case when v_status = 'fulfilled' then v_qty
			    when v_status = 'open' and v_i % 4 = 0 then v_pledged / 2
			    else 0 end;
			insert into needs (org_id, beneficiary_id, town_id, kind,
			    category, campaign_id, title, item, spec, unit,
			    quantity, unit_amount, pledged, received, urgency,
			    deadline, story, status, opened_at, notice_ends_at,
			    created_by, verified_by, verified_at, verify_note)
			values (v_school_id,
			    case when v_t.for_child then (select b.id from beneficiaries b
			        where b.org_id = v_school_id order by b.id
			        offset v_k limit 1) end,
			    v_town_id, v_t.kind, v_t.category, v_campaign,
			    v_t.title, v_t.item, v_t.spec, v_t.unit, v_qty,
			    v_t.unit_amount, v_pledged, v_received, v_t.urgency,
			    (now() at time zone 'Asia/Shanghai')::date
			        + (case when v_status = 'expired' then -3
			           else 10 + (v_i * 7) % 80 end),
			    v_t.story, v_status, v_opened,
			    case when v_status = 'notice'
			        then now() + make_interval(days => 1 + v_i % 4) end,
			    (select min(u.id) from users u where u.org_id = v_school_id),
			    case when v_status not in ('draft', 'submitted', 'rejected')
			        then (select min(u.id) from users u join orgs o
			            on o.parent_id = u.org_id where o.id = v_school_id) end,
			    case when v_status not in ('draft', 'submitted', 'rejected')
			        then coalesce(v_opened, now()) - interval '6 days' end,
			    case when v_status not in ('draft', 'submitted', 'rejected')
			        then '镇团委工作人员家访核实，学校出具证明。' end)
			returning id into v_need;

			if v_pledged > 0 then
				-- Split into two pledges when it can be.
				if v_pledged > 1 then
					insert into pledges (need_id, donor_id, quantity,
					    status, anonymous, created_at, due_at,
					    delivered_at, received_at)
					values (v_need, v_donor[v_i % 8 + 1], v_pledged / 2,
					    case when v_received >= v_pledged / 2
					        and v_received > 0 then 'received'
					    else 'pledged' end,
					    v_i % 3 = 0, v_opened + interval '2 days',
					    greatest(v_opened + interval '16 days',
					        now() + interval '7 days'),
					    case when v_received >= v_pledged / 2
					        and v_received > 0 then v_opened + interval '5 days' end,
					    case when v_received >= v_pledged / 2
					        and v_received > 0 then v_opened + interval '6 days' end);
				end if;
				insert into pledges (need_id, donor_id, quantity, status,
				    anonymous, created_at, due_at, delivered_at,
				    received_at)
				values (v_need, v_donor[(v_i + 3) % 8 + 1],
				    v_pledged - case when v_pledged > 1
				        then v_pledged / 2 else 0 end,
				    case when v_status = 'fulfilled' then 'received'
				        when v_i % 3 = 0 then 'delivered'
				        else 'pledged' end,
				    v_i % 5 = 0, v_opened + interval '3 days',
				    greatest(v_opened + interval '17 days',
				        now() + interval '8 days'),
				    case when v_status = 'fulfilled' or v_i % 3 = 0
				        then v_opened + interval '6 days' end,
				    case when v_status = 'fulfilled'
				        then v_opened + interval '8 days' end);
			end if;
			update needs n set
			    pledged = coalesce((select sum(quantity) from pledges p
			        where p.need_id = n.id), 0),
			    received = coalesce((select sum(quantity) from pledges p
			        where p.need_id = n.id and p.status = 'received'), 0)
			 where n.id = v_need;
		end loop;
	end loop;
end $$;

-- Where to take a gift (sql/016_where.sql): each school's delivery
-- details, its town branch's and the city committee's; 承留镇中心小学 has
-- none yet, so its donors are sent to its town branch.  Addresses,
-- names and numbers are made up.
update orgs o set address = v.address, contact_name = v.contact,
    contact_phone = v.phone, hours = v.hours
  from (values
    ('共青团济源市委', E'河南省济源市沁园路 168 号\n济源市民之家 3 楼 302 室', '团市委 李老师', '0391-6630168',
     E'周一至周五 8:30–12:00，14:30–17:30\n节假日不收件'),
    ('坡头镇中心小学', E'河南省济源市坡头镇坡头村学府路 6 号\n坡头镇中心小学 传达室', '总务处 王老师', '13903910101',
     E'周一至周五 7:30–11:30，14:00–17:30\n寒暑假请先打电话'),
    ('王屋镇中心小学', '河南省济源市王屋镇王屋村愚公路 22 号 王屋镇中心小学', '张老师', '13903910202',
     '周一至周五 8:00–11:30，14:30–17:00'),
    ('王屋镇第一初级中学', E'河南省济源市王屋镇天坛路 9 号\n王屋镇第一初级中学 政教处', '政教处 刘老师', '0391-6071202',
     '周一至周五 8:00–17:30（午休 12:00–14:00 不收件）'),
    ('邵原镇中心小学', '河南省济源市邵原镇邵原村创业路 15 号 邵原镇中心小学', '赵老师', '13903910303',
     '周一至周五 8:00–11:30，14:30–17:00；周六上午'),
    ('下冶镇初级中学', '河南省济源市下冶镇下冶村育才街 3 号 下冶镇初级中学 门卫室', '后勤处 陈老师', '13903910404',
     '每天 7:00–19:00（门卫室代收）'),
    ('大峪镇中心小学', '河南省济源市大峪镇大峪村小浪底路 41 号 大峪镇中心小学', '孙老师', '13903910505',
     '周一至周五 8:00–11:30，14:30–17:00'),
    ('思礼镇中心小学', '河南省济源市思礼镇思礼村桃园路 8 号 思礼镇中心小学', '周老师', '0391-6061505',
     '周一至周五 8:00–11:30，14:30–17:00'),
    ('克井镇第二初级中学', '河南省济源市克井镇枣庙村富民路 27 号 克井镇第二初级中学', '教务处 吴老师', '13903910707',
     '周一至周五 8:00–17:00'),
    ('五龙口镇中心小学', '河南省济源市五龙口镇五龙口村沁河路 12 号 五龙口镇中心小学', '郑老师', '13903910808',
     '周一至周五 8:00–11:30，14:30–17:00'),
    ('梨林镇中心小学', '河南省济源市梨林镇梨林村学苑路 5 号 梨林镇中心小学', '冯老师', '0391-6051909',
     '周一至周五 8:00–11:30，14:30–17:00'),
    ('轵城镇初级中学', '河南省济源市轵城镇轵城村文昌路 18 号 轵城镇初级中学 传达室', '黄老师', '13903911010',
     '周一至周五 7:30–17:30')
  ) v(name, address, contact, phone, hours)
 where o.name = v.name;
update orgs o set
    address = '河南省济源市' || t.name_zh || '人民政府院内 团委办公室',
    contact_name = t.name_zh || '团委 值班干部',
    contact_phone = '0391-66' || lpad((70 + t.id)::text, 2, '0') || '1' || lpad(t.id::text, 2, '0'),
    hours = '周一至周五 8:30–12:00，14:30–17:30'
  from towns t
 where o.kind = 'town' and o.town_id = t.id;

-- The foundation's receiving account: a demo account, plainly not a real
-- one.
update settings set value = '济源市青少年发展基金会（演示）' where key = 'fund_payee';
update settings set value = '中国演示银行济源分行营业部' where key = 'fund_bank';
update settings set value = '0000 1111 2222 3333 444' where key = 'fund_account';
