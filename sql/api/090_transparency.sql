-- The transparency page: /transparency, GET /api/v1/transparency and the
-- CSV downloads (src/transparency.c).  Everything here is public: figures
-- over the needs that went on the shelf, the public log and its latest
-- checkpoint.  Never a child's alias or anything private: a record names
-- the need (its title and town are on its public page already), and the
-- donor as the public log names them (a display name or 爱心人士, never
-- contact data; sql/008_public_log.sql).

-- A log entry's kind as people say it (the page of an entry, the log's
-- CSV).
create function api.log_kind_name(p_kind text, p_lang text)
returns text language sql immutable as $$
	select case p_kind
	    when 'need_opened' then api.l(p_lang, '需求上架', 'Need put on the shelf')
	    when 'pledge_made' then api.l(p_lang, '认捐', 'Pledged')
	    when 'pledge_delivered' then api.l(p_lang, '捐赠人已送出',
	        'Sent by the donor')
	    when 'pledge_received' then api.l(p_lang, '学校确认收到',
	        'Received by the school')
	    when 'pledge_cancelled' then api.l(p_lang, '认捐取消',
	        'Pledge cancelled')
	    when 'pledge_expired' then api.l(p_lang, '认捐过期',
	        'Pledge expired')
	    when 'need_fulfilled' then api.l(p_lang, '需求完成', 'Need fulfilled')
	    when 'fund_received' then api.l(p_lang, '基金会收款',
	        'Received by the foundation')
	    else api.l(p_lang, '基金会拨付', 'Paid out by the foundation') end
$$;

-- The figures of a set of needs, one row per group: all needs that went
-- on the shelf (dim 'all'), and the same by campaign, category and town.
-- Money in fen; scholarships granted = terms received and their amount;
-- services given = places received; goods in units (of differing items).
-- money_paid_out counts the fund_paid_out events of the log for the
-- group's needs.  One hashed pass over the needs into cells (campaign x
-- category x town, a few hundred), rolled up from there; the children
-- helped (distinct, so not summable) from the few needs that received.
create function api.transparency_groups()
returns table (dim text, campaign_id smallint, category text,
    town_id smallint, f jsonb)
language sql stable as $$
	with paid as (
		select need_id, sum((fields ->> 'amount')::bigint) as amount
		  from log_entries
		 where kind = 'fund_paid_out' and need_id is not null
		 group by need_id
	), cells as (
		select n.campaign_id, n.category, n.town_id,
		    count(*) as posted,
		    count(*) filter (where n.status = 'open') as open,
		    count(*) filter (where n.status = 'fulfilled') as fulfilled,
		    count(*) filter (where n.kind = 'goods') as goods_needs,
		    sum(n.pledged) filter (where n.kind = 'goods') as goods_pledged,
		    sum(n.received) filter (where n.kind = 'goods')
		        as goods_received,
		    sum(n.pledged) filter (where n.kind = 'money') as money_pledged,
		    sum(n.received) filter (where n.kind = 'money')
		        as money_received,
		    sum(p.amount) as paid_out,
		    sum(n.received) filter (where n.kind = 'scholarship') as terms,
		    sum(n.received::bigint * n.unit_amount)
		        filter (where n.kind = 'scholarship') as scholarship,
		    sum(n.received) filter (where n.kind = 'service') as places
		  from needs n left join paid p on p.need_id = n.id
		 where n.opened_at is not null
		 group by 1, 2, 3
	), g as (
		select case when grouping(c.campaign_id) = 0 then 'campaign'
		        when grouping(c.category) = 0 then 'category'
		        when grouping(c.town_id) = 0 then 'town' else 'all' end
		        as dim,
		    c.campaign_id, c.category, c.town_id,
		    sum(c.posted) as posted, sum(c.open) as open,
		    sum(c.fulfilled) as fulfilled,
		    sum(c.goods_needs) as goods_needs,
		    coalesce(sum(c.goods_pledged), 0) as goods_pledged,
		    coalesce(sum(c.goods_received), 0) as goods_received,
		    coalesce(sum(c.money_pledged), 0) as money_pledged,
		    coalesce(sum(c.money_received), 0) as money_received,
		    coalesce(sum(c.paid_out), 0) as paid_out,
		    coalesce(sum(c.terms), 0) as terms,
		    coalesce(sum(c.scholarship), 0) as scholarship,
		    coalesce(sum(c.places), 0) as places
		  from cells c
		 group by grouping sets ((), (c.campaign_id), (c.category),
		     (c.town_id))
	), k as (
		select case when grouping(n.campaign_id) = 0 then 'campaign'
		        when grouping(n.category) = 0 then 'category'
		        when grouping(n.town_id) = 0 then 'town' else 'all' end
		        as dim,
		    n.campaign_id, n.category, n.town_id,
		    count(distinct n.beneficiary_id) as children
		  from needs n
		 where n.opened_at is not null and n.received > 0
		   and n.beneficiary_id is not null
		 group by grouping sets ((), (n.campaign_id), (n.category),
		     (n.town_id))
	)
	select g.dim, g.campaign_id, g.category, g.town_id, jsonb_build_object(
	    'needs_posted', g.posted, 'needs_open', g.open,
	    'needs_fulfilled', g.fulfilled,
	    'children_helped', coalesce(k.children, 0),
	    'goods_needs', g.goods_needs, 'goods_pledged', g.goods_pledged,
	    'goods_received', g.goods_received,
	    'money_pledged', g.money_pledged, 'money_received', g.money_received,
	    'money_paid_out', g.paid_out, 'scholarship_terms', g.terms,
	    'scholarship_amount', g.scholarship, 'service_places', g.places)
	  from g left join k on k.dim = g.dim
	   and k.campaign_id is not distinct from g.campaign_id
	   and k.category is not distinct from g.category
	   and k.town_id is not distinct from g.town_id
$$;

-- The figures of a group without needs.
create function api.transparency_zero()
returns jsonb language sql immutable as $$
	select jsonb_object_agg(k, 0) from unnest(array['needs_posted',
	    'needs_open', 'needs_fulfilled', 'children_helped', 'goods_needs',
	    'goods_pledged', 'goods_received', 'money_pledged',
	    'money_received', 'money_paid_out', 'scholarship_terms',
	    'scholarship_amount', 'service_places']) k
$$;

-- The figures: totals, and the rows by campaign (with "other needs", those
-- of no campaign), by category and by town (every one, with zeros).  The
-- totals also give what the foundation account received and paid out in
-- all (fund events without a need included).
create function api.transparency_figures(p_lang text)
returns json language sql stable as $$
	with g as materialized (
		select * from api.transparency_groups()
	)
	select json_build_object(
	    'totals', coalesce((select f from g where dim = 'all'),
	        api.transparency_zero()) || jsonb_build_object(
	        'name', api.l(p_lang, '全部', 'All'),
	        'money_paid_out', (select coalesce(sum(amount), 0)
	            from log_stats where kind = 'fund_paid_out'),
	        'fund_received', (select coalesce(sum(amount), 0)
	            from log_stats where kind = 'fund_received')),
	    'campaigns', (select coalesce(jsonb_agg(g.f || jsonb_build_object(
	            'slug', c.slug, 'name', coalesce(api.l(p_lang, c.name_zh,
	            c.name_en), api.l(p_lang, '其他需求', 'Other needs')))
	        order by c.starts_on desc nulls last, c.id), '[]')
	      from g left join campaigns c on c.id = g.campaign_id
	     where g.dim = 'campaign'),
	    'categories', (select jsonb_agg(coalesce(g.f,
	            api.transparency_zero()) || jsonb_build_object('slug',
	            c.slug, 'name', api.l(p_lang, c.name_zh, c.name_en))
	        order by c.sort, c.slug)
	      from categories c left join g on g.dim = 'category'
	       and g.category = c.slug),
	    'towns', (select jsonb_agg(coalesce(g.f, api.transparency_zero())
	            || jsonb_build_object('slug', t.slug,
	            'name', api.l(p_lang, t.name_zh, t.name_en))
	        order by t.sort, t.id)
	      from towns t left join g on g.dim = 'town' and g.town_id = t.id))
$$;

-- Pledges made and gifts received in each of the last twelve months
-- (Asia/Shanghai), as the public log counts them (pledge_made and
-- pledge_received events, from log_stats), oldest first.
create function api.transparency_months()
returns json language sql stable as $$
	with m as (
		select generate_series(date_trunc('month',
		    api.today()::timestamp) - interval '11 months',
		    date_trunc('month', api.today()::timestamp),
		    interval '1 month')::date as month
	)
	select json_agg(json_build_object('month', to_char(m.month, 'YYYY-MM'),
	    'pledges', coalesce((select n from log_stats s where s.month =
	        m.month and s.kind = 'pledge_made'), 0),
	    'received', coalesce((select n from log_stats s where s.month =
	        m.month and s.kind = 'pledge_received'), 0))
	    order by m.month)
	  from m
$$;

-- The log's receipts (pledge_received entries) that match the filters
-- (null: any), from p_t0 to before p_t1: the one statement of them for
-- the latest receipts and their count.  SQL, so the caller's plan
-- inlines it and a filter left out folds away there.
create function api.transparency_receipts(p_town smallint, p_category text,
    p_campaign smallint, p_t0 timestamptz, p_t1 timestamptz)
returns table (pos bigint) language sql stable as $$
	select e.position
	  from log_entries e join needs n on n.id = e.need_id
	 where e.kind = 'pledge_received'
	   and (p_town is null or n.town_id = p_town)
	   and (p_category is null or n.category = p_category)
	   and (p_campaign is null or n.campaign_id = p_campaign)
	   and (p_t0 is null or e.created_at >= p_t0)
	   and (p_t1 is null or e.created_at < p_t1)
$$;

-- The latest gifts received (pledge_received events of the log), newest
-- first, at most p_limit, for the filters given (null: any), and how many
-- there are in all.  The period is of Asia/Shanghai days, inclusive.
-- The latest are a walk back along the log's receipts (log_entries_kind),
-- not all of them gathered and sorted; without filters their number is
-- the log's monthly counts (log_stats, kept at commit): the page is read
-- by everyone and the log grows by every gift (the soak: 600 ms a page
-- at 20,000 receipts).  With filters they are counted.  Custom plans: a
-- filter left out is then no condition at all.
create function api.transparency_records(p_lang text, p_town smallint,
    p_category text, p_campaign smallint, p_since date, p_until date,
    p_limit int)
returns json language plpgsql stable
set plan_cache_mode = force_custom_plan as $$
declare
	v_t0	timestamptz := p_since::timestamp at time zone 'Asia/Shanghai';
	v_t1	timestamptz := (p_until + 1)::timestamp
			    at time zone 'Asia/Shanghai';
	v_pos	bigint[];
	v_total	bigint;
begin
	v_pos := array(select r.pos from api.transparency_receipts(
	    p_town, p_category, p_campaign, v_t0, v_t1) r
	 order by r.pos desc limit p_limit);
	if num_nonnulls(p_town, p_category, p_campaign, p_since, p_until) = 0
	then
		select coalesce(sum(s.n), 0) into v_total from log_stats s
		 where s.kind = 'pledge_received';
	else
		select count(*) into v_total from api.transparency_receipts(
		    p_town, p_category, p_campaign, v_t0, v_t1);
	end if;
	return json_build_object(
	    'total', v_total,
	    'items', (select coalesce(json_agg(json_build_object(
	        'position', e.position,
	        'date', api.day(e.created_at),
	        'need_id', n.id,
	        'need_title', n.title,
	        'need_listed', n.status in ('open', 'fully_pledged', 'fulfilled'),
	        'kind', n.kind,
	        'is_money', n.kind = 'money',
	        'is_scholarship', n.kind = 'scholarship',
	        'quantity', (e.fields ->> 'quantity')::bigint,
	        'unit', n.unit,
	        'amount', case n.kind when 'money'
	            then (e.fields ->> 'quantity')::bigint
	            when 'scholarship'
	            then (e.fields ->> 'quantity')::bigint * n.unit_amount end,
	        'category', n.category,
	        'category_name', (select api.l(p_lang, c.name_zh, c.name_en)
	            from categories c where c.slug = n.category),
	        'town', (select slug from towns t where t.id = n.town_id),
	        'town_name', (select api.l(p_lang, t.name_zh, t.name_en)
	            from towns t where t.id = n.town_id),
	        'campaign_name', (select api.l(p_lang, c.name_zh, c.name_en)
	            from campaigns c where c.id = n.campaign_id),
	        'donor', coalesce((select m.fields ->> 'donor'
	            from log_entries m
	           where m.fields ? 'pledge' and m.kind = 'pledge_made'
	             and (m.fields ->> 'pledge')::bigint =
	                 (e.fields ->> 'pledge')::bigint
	           limit 1), '爱心人士'))
	        order by e.position desc), '[]')
	      from unnest(v_pos) u(position)
	      join log_entries e on e.position = u.position
	      join needs n on n.id = e.need_id));
end $$;

-- What the page shows whatever its filters: the figures, the months,
-- the log's size and latest checkpoint, and when (Asia/Shanghai).
create function api.transparency_general(p_lang text)
returns text language sql stable as $$
	select (api.transparency_figures(p_lang)::jsonb || jsonb_build_object(
	    'as_of', to_char(now() at time zone 'Asia/Shanghai',
	        'YYYY-MM-DD"T"HH24:MI:SS.US"+08:00"'),
	    'as_of_text', to_char(now() at time zone 'Asia/Shanghai',
	        'YYYY-MM-DD HH24:MI:SS'),
	    'months', api.transparency_months(),
	    'targets_summary', api.targets_public(p_lang)::jsonb,
	    'log', jsonb_build_object(
	        'size', (select size from log_head),
	        'checkpoint', (select api.log_checkpoint_json(c)
	            from log_checkpoints c order by tree_size desc limit 1))))::text
$$;

-- What depends on the filters: the latest gifts received that match
-- them, the filters themselves and their choices.  400 naming the field
-- for an unknown town, category or campaign, or a period that ends
-- before it begins.
create function api.transparency_records_json(p_lang text, p_town text,
    p_category text, p_campaign text, p_since date, p_until date)
returns text language plpgsql stable
set plan_cache_mode = force_custom_plan as $$
declare
	v_town		smallint;
	v_campaign	smallint;
begin
	v_town := api.slug_lookup('town', p_town);
	perform api.slug_lookup('category', p_category);
	v_campaign := api.slug_lookup('campaign', p_campaign);
	if p_since > p_until then
		perform api.fail(400, 'bad_period',
		    json_build_object('field', 'until'));
	end if;
	return json_build_object(
	    'records_as_of', to_char(now() at time zone 'Asia/Shanghai',
	        'YYYY-MM-DD"T"HH24:MI:SS.US"+08:00"'),
	    'records', api.transparency_records(p_lang, v_town, p_category,
	        v_campaign, p_since, p_until, 50),
	    'filters', json_strip_nulls(json_build_object('town', p_town,
	        'category', p_category, 'campaign', p_campaign,
	        'since', to_char(p_since, 'YYYY-MM-DD'),
	        'until', to_char(p_until, 'YYYY-MM-DD'))),
	    'facets', json_build_object(
	        'towns', (select json_agg(json_build_object('slug', slug,
	            'name', api.l(p_lang, name_zh, name_en),
	            'selected', slug = p_town) order by sort, id) from towns),
	        'categories', (select json_agg(json_build_object('slug', slug,
	            'name', api.l(p_lang, name_zh, name_en),
	            'selected', slug = p_category) order by sort) from categories),
	        'campaigns', (select coalesce(json_agg(json_build_object(
	            'slug', slug, 'name', api.l(p_lang, name_zh, name_en),
	            'selected', slug = p_campaign) order by starts_on desc, id),
	            '[]') from campaigns)))::text;
end $$;

-- GET /transparency/log.csv: the positions of the first and last entries
-- of the period (Asia/Shanghai days, inclusive; null: from the start, to
-- the end), or nulls when it holds none.  Entries are appended in time
-- order, so the period is one run of positions; the pages check the time
-- again all the same.  And the leaf hash at p_mark, the last entry of the
-- pieces the worker keeps (logcsv.c): another hash, or none, means the
-- database is not the one they came from (restored to an earlier time).
create function api.transparency_log_range(p_since date, p_until date,
    p_mark bigint)
returns text language sql stable as $$
	select json_build_object(
	    'mark', (select encode(leaf_hash, 'hex') from log_entries
	       where position = p_mark),
	    'first', (select position from log_entries
	       where p_since is null or created_at >=
	           p_since::timestamp at time zone 'Asia/Shanghai'
	       order by created_at, position limit 1),
	    'last', (select position from log_entries
	       where p_until is null or created_at <
	           (p_until + 1)::timestamp at time zone 'Asia/Shanghai'
	       order by created_at desc, position desc limit 1))::text
$$;

-- One page of the log's CSV: the entries from p_first to p_last (at most
-- 2000) within the period, their fields as columns.
create function api.transparency_log_page(p_first bigint, p_last bigint,
    p_since date, p_until date)
returns text language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'position', e.position,
	    'time', to_char(e.created_at at time zone 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'local', to_char(e.created_at at time zone 'Asia/Shanghai',
	        'YYYY-MM-DD HH24:MI:SS'),
	    'kind', e.kind,
	    'kind_name', api.log_kind_name(e.kind, 'zh'),
	    'need', e.need_id,
	    'pledge', (e.fields ->> 'pledge')::bigint,
	    'need_kind', e.fields ->> 'need_kind',
	    'category', e.fields ->> 'category',
	    'town', e.fields ->> 'town',
	    'quantity', (e.fields ->> 'quantity')::bigint,
	    'amount', (e.fields ->> 'amount')::bigint,
	    'unit', e.fields ->> 'unit',
	    'unit_amount', (e.fields ->> 'unit_amount')::bigint,
	    'donor', e.fields ->> 'donor',
	    'leaf_hash', encode(e.leaf_hash, 'hex')) order by e.position),
	    '[]')::text
	  from log_entries e
	 where e.position between p_first and least(p_last, p_first + 1999)
	   and (p_since is null or e.created_at >=
	       p_since::timestamp at time zone 'Asia/Shanghai')
	   and (p_until is null or e.created_at <
	       (p_until + 1)::timestamp at time zone 'Asia/Shanghai')
$$;

-- GET /transparency/entries/{position}: one entry of the public log in
-- plain words, for anyone: what happened, when, to which need (its
-- public title when the need is on the shelf or was), how much, and who
-- gave as the log names them; the entry's text and hash for those who
-- check.  Nothing the log does not hold already.  404 past the log's end.
create function api.log_entry_page(p_lang text, p_position bigint)
returns text language plpgsql stable as $$
declare
	v_e	log_entries;
	v_n	needs;
	v_need	json;
	v_qty	bigint;
	v_size	bigint;
begin
	select * into v_e from log_entries where position = p_position;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	if v_e.need_id is not null then
		select * into v_n from needs where id = v_e.need_id;
		v_need := api.need_public(v_n, p_lang);
	end if;
	v_qty := (v_e.fields ->> 'quantity')::bigint;
	select coalesce(max(tree_size), 0) into v_size from log_checkpoints;
	return json_build_object(
	    'position', v_e.position,
	    'time', api.minute(v_e.created_at),
	    'kind', v_e.kind,
	    'kind_name', api.log_kind_name(v_e.kind, p_lang),
	    'need', case when v_n.id is not null then json_build_object(
	        'id', v_n.id, 'title', v_need -> 'title',
	        'kind_name', v_need -> 'kind_name',
	        'town_name', v_need -> 'town_name',
	        'org_name', v_need -> 'org_name',
	        'listed', api.need_is_public(v_n.status)) end,
	    'given', case
	        when v_e.fields ? 'amount' then
	            api.amount(true, (v_e.fields ->> 'amount')::bigint, null)
	        when v_qty is not null and v_n.id is not null then
	            api.pledge_amount(v_n, v_qty::int) end,
	    'donor', v_e.fields ->> 'donor',
	    'entry', v_e.entry,
	    'leaf_hash', encode(v_e.leaf_hash, 'hex'),
	    'signed', v_e.position < v_size,
	    'tree_size', v_size)::text;
end $$;

