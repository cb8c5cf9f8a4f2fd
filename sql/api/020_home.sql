-- GET /api/v1/home: what the home page shows.  Plpgsql, so that the
-- session keeps its plan (as SQL: 0.3 ms of planning at every refresh).
create function api.home(p_lang text)
returns text language plpgsql stable as $$
begin
	return json_build_object(
	    'totals', json_build_object(
	        'open', (select coalesce(sum(n), 0) from need_counts
	                  where status = 'open'),
	        'fulfilled', (select coalesce(sum(n), 0) from need_counts
	                       where status = 'fulfilled'),
	        'children_helped', (select n from helped_total)),
	    'campaigns', (select coalesce(json_agg(json_build_object(
	        'slug', c.slug,
	        'name', api.l(p_lang, c.name_zh, c.name_en),
	        'summary', api.l(p_lang, c.summary_zh, c.summary_en),
	        'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'),
	        'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),
	        'needs', s.listed,
	        'fulfilled', s.fulfilled,
	        'fulfilled_pct', case when s.listed = 0 then 0
	            else s.fulfilled::bigint * 100 / s.listed end)
	        order by c.starts_on desc, c.id), '[]')
	      from campaigns c,
	      lateral (select coalesce(sum(k.n) filter (where k.status in
	                  ('open', 'fully_pledged', 'fulfilled')), 0) as listed,
	              coalesce(sum(k.n) filter (where k.status = 'fulfilled'), 0)
	                  as fulfilled
	             from need_counts k where k.campaign_id = c.id) s),
	    'urgent', (api.needs_list(null, null, null, null, null, 'urgent',
	        'open', 1, 6, p_lang)::json -> 'items'),
	    'towns', (select json_agg(json_build_object('slug', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort, id)
	      from towns),
	    'categories', (select json_agg(json_build_object('slug', slug,
	        'name', api.l(p_lang, name_zh, name_en)) order by sort)
	      from categories)
	)::text;
end $$;

-- The filter choices of the shelf (towns, categories, campaigns), kept
-- ready in each language (sql/023_shelf_facets.sql).  Plpgsql, whose plan
-- the session keeps (as SQL, planned again on every page of the shelf).
create function api.facets(p_lang text)
returns json language plpgsql stable as $$
begin
	return (select f.facets from shelf_facets f
	 where f.lang = case when p_lang = 'en' then 'en' else 'zh' end);
end $$;
