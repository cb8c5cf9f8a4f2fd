-- Generated open needs for measuring matching end to end (as the owner,
-- on a database with the demo data): psql -v n=100000 -f this file.
-- Mostly goods (clothing with sizes and items, stationery, books, daily
-- things, sports), then money, scholarships and services, in every town,
-- some in campaigns; deterministic (hashes of the row number).  Not
-- logged: for measurements only, never on a database people use.
\set n :n
with s as (
	select g, abs(hashint4(g)) as h, abs(hashint4(g + 7919)) as h2
	  from generate_series(1, :n) g
), v as (
	select g, h, h2,
	    case when h % 10 < 7 then 'goods' when h % 10 = 7 then 'money'
	        when h % 10 = 8 then 'scholarship' else 'service' end as kind
	  from s
)
insert into needs (org_id, town_id, kind, category, campaign_id, title,
    item, spec, unit, quantity, unit_amount, urgency, deadline, story,
    status, opened_at)
select (select id from orgs where kind = 'school' order by id
        offset (v.h2 % 12) limit 1),
    (v.h2 % 11) + 1, v.kind,
    case v.kind
        when 'goods' then (array['clothing', 'clothing', 'clothing',
            'stationery', 'books', 'daily', 'sports'])[v.h % 7 + 1]
        when 'money' then (array['medical', 'living', 'food'])[v.h % 3 + 1]
        when 'scholarship' then 'tuition'
        else (array['tutoring', 'counselling', 'trip'])[v.h % 3 + 1] end,
    case when v.h % 5 = 0 then (select id from campaigns
        order by id offset (v.h2 % 3) limit 1) end,
    '生成的需求 ' || v.g,
    case v.kind
        when 'goods' then (array['棉衣', '羽绒服', '棉裤', '校服', '书包',
            '字典', '棉被', '篮球', '运动鞋', '棉鞋'])[v.h2 % 10 + 1]
        when 'service' then (array['数学辅导', '英语辅导', '心理辅导'])[v.h % 3 + 1]
        else '' end,
    case when v.kind = 'goods' then (array['110', '120码', '130', '140码',
        '150', '160码', '170', '35码', '均码', ''])[(v.h2 / 10) % 10 + 1]
        else '' end,
    case v.kind when 'money' then '元' when 'scholarship' then '学期'
        when 'service' then '名额' else '件' end,
    case v.kind when 'money' then 10000 * (v.h % 50 + 1)
        when 'scholarship' then v.h % 6 + 1 else v.h % 20 + 1 end,
    case when v.kind = 'scholarship' then (array[50000, 100000, 150000,
        200000])[v.h2 % 4 + 1] end,
    v.h % 3 + 1,
    (now() at time zone 'Asia/Shanghai')::date + 5 + v.h2 % 180,
    '', 'open', now() - make_interval(days => v.h % 120)
  from v;

-- And :offers live offers of the demo donors, alike in shape.
\set offers :offers
with s as (
	select g, abs(hashint4(g + 104729)) as h, abs(hashint4(g + 1299709)) as h2
	  from generate_series(1, :offers) g
), v as (
	select g, h, h2,
	    case when h % 10 < 7 then 'goods' when h % 10 = 7 then 'money'
	        when h % 10 = 8 then 'scholarship' else 'service' end as kind
	  from s
)
insert into offers (donor_id, kind, category, item, spec, unit, quantity,
    terms, unit_amount, towns, towns_only, campaign_id, valid_until)
select (select id from users where role = 'donor' order by id
        offset (v.h2 % 8) limit 1),
    v.kind,
    case when v.h % 4 = 0 then null else case v.kind
        when 'goods' then (array['clothing', 'clothing', 'stationery',
            'books', 'daily', 'sports'])[v.h2 % 6 + 1]
        when 'money' then (array['medical', 'living', 'food'])[v.h2 % 3 + 1]
        when 'scholarship' then 'tuition'
        else (array['tutoring', 'counselling', 'trip'])[v.h2 % 3 + 1] end end,
    case when v.kind = 'goods' and v.h % 3 > 0 then (array['棉衣', '羽绒服',
        '校服', '书包', '棉被', '运动鞋'])[v.h2 % 6 + 1]
        when v.kind = 'service' then (array['数学辅导', '英语辅导',
            '心理辅导'])[v.h2 % 3 + 1] else '' end,
    case when v.kind = 'goods' and v.h % 2 = 0 then (array['110-130码',
        '120-140', '140-160码', '150-170', '均码'])[v.h2 % 5 + 1] else '' end,
    '',
    case v.kind when 'money' then 100000 * (v.h % 20 + 1)
        when 'scholarship' then 100000 * (v.h % 30 + 1)
        else v.h % 50 + 1 end,
    case when v.kind = 'scholarship' and v.h % 2 = 0 then v.h2 % 6 + 1 end,
    case when v.kind = 'scholarship' and v.h % 3 = 0 then 150000 end,
    case when v.h % 3 = 0 then array[(v.h2 % 11) + 1]::smallint[]
        else '{}' end,
    v.h % 3 = 0 and v.h % 2 = 0,
    case when v.h % 7 = 0 then (select id from campaigns
        order by id offset (v.h2 % 3) limit 1) end,
    (now() at time zone 'Asia/Shanghai')::date + 1 + v.h % 200
  from v;
