-- The public shelf of needs.

-- One need as the public sees it (list item and detail share it): the
-- child's public profile only, never anything that identifies the child.
create function api.need_public(n needs, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', n.id,
	    'title', n.title,
	    'kind', n.kind,
	    'kind_name', api.l(p_lang,
	        case n.kind when 'goods' then '物资' when 'money' then '资金'
	        when 'scholarship' then '助学金' else '服务' end,
	        initcap(n.kind)),
	    'is_money', n.kind = 'money',
	    'is_scholarship', n.kind = 'scholarship',
	    'category', n.category,
	    'category_name', (select api.l(p_lang, c.name_zh, c.name_en)
	        from categories c where c.slug = n.category),
	    'town', t.slug,
	    'town_name', api.l(p_lang, t.name_zh, t.name_en),
	    'campaign', cp.slug,
	    'campaign_name', api.l(p_lang, cp.name_zh, cp.name_en),
	    'org_name', api.l(p_lang, o.name, o.name_en),
	    'item', n.item,
	    'spec', n.spec,
	    'unit', n.unit,
	    'quantity', n.quantity,
	    'unit_amount', n.unit_amount,
	    'total_amount', case when n.kind = 'scholarship'
	        then n.quantity::bigint * n.unit_amount
	        when n.kind = 'money' then n.quantity end,
	    'pledged', n.pledged,
	    'received', n.received,
	    'remaining', n.quantity - n.pledged,
	    'pledged_pct', (n.pledged * 100 / n.quantity),
	    'received_pct', (n.received * 100 / n.quantity),
	    'urgency', n.urgency,
	    'urgent', n.urgency = 3,
	    'deadline', to_char(n.deadline, 'YYYY-MM-DD'),
	    'status', n.status,
	    'opened_on', api.day(n.opened_at),
	    'beneficiary', case when b.id is null then null
	        else json_build_object(
	            'alias', b.alias,
	            'age', api.age(b.birth_year),
	            'gender', b.gender,
	            'gender_name', case b.gender
	                when 'f' then api.l(p_lang, '女孩', 'girl')
	                else api.l(p_lang, '男孩', 'boy') end,
	            'school_stage', b.school_stage,
	            'school_stage_name', api.stage_name(b.school_stage, p_lang),
	            'left_behind', b.left_behind) end)
	from towns t, orgs o
	left join campaigns cp on cp.id = n.campaign_id
	left join beneficiaries b on b.id = n.beneficiary_id
	where t.id = n.town_id and o.id = n.org_id
$$;

-- GET /api/v1/needs: one page of the shelf and the total, as the body of
-- the response.  Filters are slugs; an unknown one is a 400 naming it.
create function api.needs_list(p_kind text, p_category text, p_town text,
    p_campaign text, p_q text, p_sort text, p_status text, p_page int,
    p_per_page int, p_lang text)
returns text language plpgsql stable
set plan_cache_mode = force_custom_plan as $$
declare
	v_town		smallint;
	v_campaign	smallint;
	v_total		bigint;
	v_items		json;
	v_order		text;
	-- q matches literally: % and _ in it are not wildcards.
	v_pat		text := '%' || replace(replace(replace(p_q, '\', '\\'),
			    '%', '\%'), '_', '\_') || '%';
	v_off		int := (p_page - 1) * p_per_page;
begin
	if p_town is not null then
		select id into v_town from towns where slug = p_town;
		if not found then
			perform api.fail(400, 'unknown_value',
			    json_build_object('field', 'town'));
		end if;
	end if;
	if p_campaign is not null then
		select id into v_campaign from campaigns where slug = p_campaign;
		if not found then
			perform api.fail(400, 'unknown_value',
			    json_build_object('field', 'campaign'));
		end if;
	end if;
	if p_category is not null and not exists
	    (select 1 from categories where slug = p_category) then
		perform api.fail(400, 'unknown_value',
		    json_build_object('field', 'category'));
	end if;

	if p_q is null then
		select coalesce(sum(c.n), 0) into v_total from need_counts c
		 where c.status = p_status
		   and (p_kind is null or c.kind = p_kind)
		   and (p_category is null or c.category = p_category)
		   and (v_town is null or c.town_id = v_town)
		   and (v_campaign is null or c.campaign_id = v_campaign);
	else
		select count(*) into v_total from needs n
		 where n.status = p_status and n.search ilike v_pat
		   and (p_kind is null or n.kind = p_kind)
		   and (p_category is null or n.category = p_category)
		   and (v_town is null or n.town_id = v_town)
		   and (v_campaign is null or n.campaign_id = v_campaign);
	end if;

	if v_off >= v_total then
		v_items := '[]';
	else
		-- The order comes from this fixed list, never from the request.
		v_order := case p_sort
		    when 'deadline' then 'n.deadline, n.id'
		    when 'newest' then 'n.opened_at desc, n.id desc'
		    else 'n.urgency desc, n.deadline, n.id' end;
		execute format('select coalesce(json_agg(api.need_public(n, $7)
		    order by %1$s), ''[]'') from (
			select n.* from needs n
			 where n.status = $1
			   and ($2::text is null or n.search ilike $2)
			   and ($3::text is null or n.kind = $3)
			   and ($4::text is null or n.category = $4)
			   and ($5::smallint is null or n.town_id = $5)
			   and ($6::smallint is null or n.campaign_id = $6)
			 order by %1$s
			 limit $8 offset $9) n', v_order)
		into v_items
		using p_status, v_pat, p_kind, p_category, v_town, v_campaign,
		    p_lang, p_per_page, v_off;
	end if;

	return json_build_object('items', v_items, 'total', v_total,
	    'page', p_page, 'per_page', p_per_page)::text;
end $$;

-- GET /api/v1/needs/{id}: a listed need, its story and who pledged (the
-- donor's name, or 爱心人士 when they chose to stay anonymous).  404 for
-- needs that do not exist or are not public.  A need in its public notice
-- (公示) is public too, so that anyone may object: with when the notice
-- ends and whether an objection paused it; and who verified a need, when.
create function api.need_get(p_id bigint, p_lang text)
returns text language plpgsql stable as $$
declare
	v_need	json;
	v_n	needs;
begin
	select * into v_n from needs n
	 where n.id = p_id
	   and n.status in ('notice', 'open', 'fully_pledged', 'fulfilled');
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	v_need := api.need_public(v_n, p_lang);
	return json_build_object(
	    'need', v_need,
	    'title', v_need ->> 'title',
	    'can_pledge', (v_need ->> 'status') = 'open',
	    'story', v_n.story,
	    'notice', case when v_n.status = 'notice' then json_build_object(
	        'ends_at', api.minute(v_n.notice_ends_at),
	        'paused', v_n.notice_paused_at is not null) end,
	    'verified', case when v_n.verified_at is not null then
	        json_build_object('on', api.day(v_n.verified_at),
	        'by', (select api.l(p_lang, o.name, o.name_en) from users u
	            join orgs o on o.id = u.org_id where u.id = v_n.verified_by))
	        end,
	    'pledges', (select coalesce(json_agg(json_build_object(
	        'donor', case when p.anonymous or u.id is null
	            then api.l(p_lang, '爱心人士', 'A caring donor')
	            else u.display_name end,
	        'quantity', p.quantity,
	        'status', p.status,
	        'status_name', api.pledge_status_name(p.status, p_lang),
	        'date', api.day(p.created_at)) order by p.created_at, p.id),
	        '[]')
	      from pledges p left join users u on u.id = p.donor_id
	     where p.need_id = p_id
	       and p.status in ('pledged', 'delivered', 'received', 'disputed'))
	)::text;
end $$;
