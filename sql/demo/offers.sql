-- Demo offers (load after seed.sql and log_seed.sql, as the owner): what
-- a few demo donors are ready to give, so that /offers, the matching
-- pages and "为我推荐" have something to show.  Offers make no pledges
-- and touch no public log.  Does nothing when offers exist already.

do $$
declare
	v_donor	bigint[];
	v_today	date := (now() at time zone 'Asia/Shanghai')::date;
begin
	if exists (select 1 from offers) then
		return;
	end if;
	select array_agg(id order by id) into v_donor from users
	 where role = 'donor' and email like 'donor%@example.com';
	insert into offers (donor_id, kind, category, item, spec, unit,
	    quantity, terms, unit_amount, towns, towns_only, campaign_id,
	    valid_until, note, anonymous) values
	    (v_donor[1], 'goods', 'clothing', '棉衣', '140-160码', '件', 50,
	     null, null, array[2]::smallint[], false,
	     (select id from campaigns where slug = 'warm-winter'),
	     v_today + 60, '可以送到学校。', false),
	    (v_donor[2], 'money', 'medical', '', '', '', 1000000, null, null,
	     '{}', false, null, v_today + 90, '', true),
	    (v_donor[7], 'scholarship', 'tuition', '', '', '', 2000000, 12,
	     150000, array[2, 3]::smallint[], false,
	     (select id from campaigns where slug = 'project-hope'),
	     v_today + 365, '希望资助初中、高中学生。', false),
	    (v_donor[4], 'service', 'tutoring', '数学辅导', '周末线上', '名额', 5,
	     null, null, '{}', false, null, v_today + 120, '', false),
	    (v_donor[3], 'goods', 'stationery', '书包', '小学款', '个', 20, null,
	     null, array[1, 4]::smallint[], true, null, v_today + 45, '', false);
end $$;
