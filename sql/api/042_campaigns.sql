-- Campaigns (温暖冬天, 希望工程爱心助学, 留守儿童城市一日游, …): a public
-- page each, with its needs and progress; created and edited by admins.

-- A campaign with its figures: needs on the shelf (open, fully pledged,
-- fulfilled), in notice, fulfilled; the target (needs to fulfil); money
-- pledged to its money and scholarship needs, in fen.
create function api.campaign_json(c campaigns, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'slug', c.slug,
	    'name', api.l(p_lang, c.name_zh, c.name_en),
	    'summary', api.l(p_lang, c.summary_zh, nullif(c.summary_en, '')),
	    'description', api.l(p_lang, c.description_zh,
	        nullif(c.description_en, '')),
	    'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'),
	    'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),
	    'current', api.today() between c.starts_on and c.ends_on,
	    'over', c.ends_on < api.today(),
	    'target_needs', c.target_needs,
	    'needs', s.listed,
	    'notice', s.notice,
	    'fulfilled', s.fulfilled,
	    'fulfilled_pct', case when coalesce(c.target_needs, s.listed) = 0
	        then 0 else least(100, s.fulfilled * 100
	            / coalesce(c.target_needs, s.listed)) end,
	    'raised', (select coalesce(sum(case n.kind when 'money'
	            then n.pledged::bigint
	            else n.pledged::bigint * n.unit_amount end), 0)
	        from needs n where n.campaign_id = c.id
	          and n.kind in ('money', 'scholarship')
	          and n.status in ('open', 'fully_pledged', 'fulfilled')))
	from (select
	    coalesce(sum(k.n) filter (where k.status in ('open',
	        'fully_pledged', 'fulfilled')), 0) as listed,
	    coalesce(sum(k.n) filter (where k.status = 'notice'), 0) as notice,
	    coalesce(sum(k.n) filter (where k.status = 'fulfilled'), 0)
	        as fulfilled
	    from need_counts k where k.campaign_id = c.id) s
$$;

-- GET /api/v1/campaigns: every campaign, the newest first.
create function api.campaigns_list(p_lang text)
returns text language sql stable as $$
	select json_build_object('items', coalesce(json_agg(
	    api.campaign_json(c, p_lang) order by c.starts_on desc, c.id), '[]'))::text
	from campaigns c
$$;

-- GET /api/v1/campaigns/{slug}: the campaign and its public needs (open
-- first, then in notice, fully pledged, fulfilled; at most 24, the rest
-- through /needs?campaign=).  404 for an unknown slug.
create function api.campaign_get(p_slug text, p_lang text)
returns text language plpgsql stable as $$
declare
	v_c	campaigns;
begin
	select * into v_c from campaigns where slug = p_slug;
	if v_c.id is null then
		perform api.fail(404, 'not_found');
	end if;
	return json_build_object(
	    'campaign', api.campaign_json(v_c, p_lang),
	    'title', api.l(p_lang, v_c.name_zh, v_c.name_en),
	    'items', (select coalesce(json_agg(api.need_public(n, p_lang)
	        order by k, n.urgency desc, n.deadline, n.id), '[]')
	      from (select * from (
	          -- Each state through its own ordered index, 24 at most.
	          (select n, 1 as k from needs n where n.campaign_id = v_c.id
	            and n.status = 'open'
	            order by n.urgency desc, n.deadline, n.id limit 24)
	          union all
	          (select n, 2 from needs n where n.campaign_id = v_c.id
	            and n.status = 'notice'
	            order by n.urgency desc, n.deadline, n.id limit 24)
	          union all
	          (select n, 3 from needs n where n.campaign_id = v_c.id
	            and n.status = 'fully_pledged'
	            order by n.urgency desc, n.deadline, n.id limit 24)
	          union all
	          (select n, 4 from needs n where n.campaign_id = v_c.id
	            and n.status = 'fulfilled'
	            order by n.urgency desc, n.deadline, n.id limit 24)) u
	          order by k, (n).urgency desc, (n).deadline, (n).id
	          limit 24) x(n0, k),
	      lateral (select (x.n0).*) n))::text;
end $$;

-- A campaign's fields as its form shows them.
create function api.campaign_form(c campaigns)
returns json language sql stable as $$
	select json_build_object('slug', c.slug, 'name_zh', c.name_zh,
	    'name_en', c.name_en, 'summary_zh', c.summary_zh,
	    'summary_en', c.summary_en, 'description_zh', c.description_zh,
	    'description_en', c.description_en,
	    'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'),
	    'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),
	    'target_needs', c.target_needs::text)
$$;

-- GET /admin/campaigns: the campaigns with their forms (admins).
create function api.campaigns_admin(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin']);
	return json_build_object(
	    'title', api.l(p_lang, '公益行动', 'Campaigns'),
	    'items', (select coalesce(json_agg(api.campaign_json(c, p_lang)::jsonb
	        || jsonb_build_object('form', api.campaign_form(c))
	        order by c.starts_on desc, c.id), '[]')
	      from campaigns c),
	    'form', json_build_object(
	        'starts_on', to_char(api.today(), 'YYYY-MM-DD'),
	        'ends_on', to_char(api.today() + 90, 'YYYY-MM-DD')))::text;
end $$;

-- GET /admin/campaigns/{slug}: one campaign's form (admins).
create function api.campaign_edit(p_sid text, p_slug text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_c	campaigns;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_c from campaigns where slug = p_slug;
	if v_c.id is null then
		perform api.fail(404, 'not_found');
	end if;
	return json_build_object('campaign', api.campaign_json(v_c, p_lang),
	    'title', api.l(p_lang, v_c.name_zh, v_c.name_en),
	    'form', api.campaign_form(v_c))::text;
end $$;

-- POST /api/v1/campaigns (p_create) and /api/v1/campaigns/{slug}
-- (admins): p_f holds slug (new ones only: a slug never changes), name_zh,
-- name_en, summary_zh/en, description_zh/en, starts_on, ends_on,
-- target_needs.  400 naming the field; 409 for a slug already taken.
create function api.campaign_save(p_sid text, p_slug text, p_create boolean,
    p_f json, p_ip text)
returns text language plpgsql as $$
declare
	v_u		users;
	v_c		campaigns;
	v_start		date := (p_f ->> 'starts_on')::date;
	v_end		date := (p_f ->> 'ends_on')::date;
	v_target	int := (p_f ->> 'target_needs')::int;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_create then
		if p_slug is null or p_slug !~ '^[a-z][a-z0-9-]{1,40}$' then
			perform api.fail(400, 'bad_slug', '{"field":"slug"}');
		end if;
		if exists (select 1 from campaigns where slug = p_slug) then
			perform api.fail(409, 'campaign_exists', '{"field":"slug"}');
		end if;
	else
		select * into v_c from campaigns where slug = p_slug for update;
		if v_c.id is null then
			perform api.fail(404, 'not_found');
		end if;
	end if;
	if p_f ->> 'name_zh' is null then
		perform api.fail(400, 'required', '{"field":"name_zh"}');
	end if;
	if p_f ->> 'name_en' is null then
		perform api.fail(400, 'required', '{"field":"name_en"}');
	end if;
	if v_start is null then
		perform api.fail(400, 'required', '{"field":"starts_on"}');
	end if;
	if v_end is null then
		perform api.fail(400, 'required', '{"field":"ends_on"}');
	end if;
	if v_end < v_start then
		perform api.fail(400, 'bad_period', '{"field":"ends_on"}');
	end if;
	if p_create then
		insert into campaigns (slug, name_zh, name_en, summary_zh,
		    summary_en, description_zh, description_en, starts_on,
		    ends_on, target_needs)
		values (p_slug, p_f ->> 'name_zh', p_f ->> 'name_en',
		    coalesce(p_f ->> 'summary_zh', ''),
		    coalesce(p_f ->> 'summary_en', ''),
		    coalesce(p_f ->> 'description_zh', ''),
		    coalesce(p_f ->> 'description_en', ''), v_start, v_end,
		    v_target);
	else
		update campaigns set name_zh = p_f ->> 'name_zh',
		    name_en = p_f ->> 'name_en',
		    summary_zh = coalesce(p_f ->> 'summary_zh', ''),
		    summary_en = coalesce(p_f ->> 'summary_en', ''),
		    description_zh = coalesce(p_f ->> 'description_zh', ''),
		    description_en = coalesce(p_f ->> 'description_en', ''),
		    starts_on = v_start, ends_on = v_end,
		    target_needs = v_target, updated_at = now()
		 where id = v_c.id;
	end if;
	perform api.audit(v_u, case when p_create then 'campaign_create'
	    else 'campaign_edit' end, 'campaign',
	    (select id from campaigns where slug = p_slug), p_ip);
	return json_build_object('slug', p_slug)::text;
end $$;
