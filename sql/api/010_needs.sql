-- The public shelf of needs.

-- One need as the public sees it (list item and detail share it), as the
-- text of a JSON object: the child's public profile only, never anything
-- that identifies the child.  It takes the need and the rows it refers to
-- (campaign and child may be null) and has no FROM of its own, so
-- PostgreSQL inlines it into the query that calls it: one query builds a
-- whole page, with no function call and no subquery per row.
--
-- It writes the JSON text itself, which costs half of json_build_object
-- (measured: 5 against 10 microseconds a need; that function looks up the
-- output function of every key and value on every row).  Free text goes
-- through to_json, which escapes it; the rest goes in as it is because
-- the schema guarantees it needs no escaping: numbers, booleans, dates
-- written by to_char, slugs (CHECK ~ '^[a-z][a-z0-9-]+$'), the closed
-- lists of kind, status, gender and school stage, and the names below.
create function api.need_json(n needs, t towns, o orgs, c categories,
    cp campaigns, b beneficiaries, p_lang text)
returns text language sql stable as $$
	select '{"id":' || n.id
	 || ',"title":' || to_json(n.title)
	 || ',"kind":"' || n.kind
	 || '","kind_name":"' || api.kind_name(n.kind, p_lang)
	 || '","is_money":' || (n.kind = 'money')
	 || ',"is_scholarship":' || (n.kind = 'scholarship')
	 || ',"category":"' || n.category
	 || '","category_name":' || to_json(api.l(p_lang, c.name_zh, c.name_en))
	 || ',"town":"' || t.slug
	 || '","town_name":' || to_json(api.l(p_lang, t.name_zh, t.name_en))
	 || ',"campaign":' || coalesce('"' || cp.slug || '"', 'null')
	 || ',"campaign_name":' || coalesce(to_json(api.l(p_lang, cp.name_zh,
	        cp.name_en))::text, 'null')
	 || ',"org_name":' || to_json(api.l(p_lang, o.name, o.name_en))
	 || ',"item":' || to_json(n.item)
	 || ',"spec":' || to_json(n.spec)
	 || ',"unit":' || to_json(n.unit)
	 || ',"quantity":' || n.quantity
	 || ',"unit_amount":' || coalesce(n.unit_amount::text, 'null')
	 || ',"total_amount":' || coalesce(case when n.kind = 'scholarship'
	        then n.quantity::bigint * n.unit_amount
	        when n.kind = 'money' then n.quantity end::text, 'null')
	 || ',"pledged":' || n.pledged
	 || ',"received":' || n.received
	 || ',"remaining":' || (n.quantity - n.pledged)
	 || ',"pledged_pct":' || (n.pledged::bigint * 100 / n.quantity)
	 || ',"received_pct":' || (n.received::bigint * 100 / n.quantity)
	 || ',"urgency":' || n.urgency
	 || ',"urgent":' || (n.urgency = 3)
	 || ',"deadline":"' || to_char(n.deadline, 'YYYY-MM-DD')
	 || '","status":"' || n.status
	 || '","opened_on":' || coalesce('"' || api.day(n.opened_at) || '"',
	        'null')
	 || ',"beneficiary":' || case when b.id is null then 'null'
	        else '{"alias":' || to_json(b.alias)
	         || ',"age":' || api.age(b.birth_year)
	         || ',"gender":"' || b.gender
	         || '","gender_name":"' || case b.gender
	                when 'f' then api.l(p_lang, '女孩', 'girl')
	                else api.l(p_lang, '男孩', 'boy') end
	         || '","school_stage":"' || b.school_stage
	         || '","school_stage_name":"'
	         || api.stage_name(b.school_stage, p_lang)
	         || '","left_behind":' || b.left_behind || '}' end
	 || '}'
$$;

-- One need as the public sees it, from the need alone (for the pages of
-- one need, campaigns, work lists; the shelf joins in bulk).
create function api.need_public(n needs, p_lang text)
returns json language sql stable as $$
	select api.need_json(n, t, o, c, cp, b, p_lang)::json
	  from towns t, orgs o, categories c
	  left join campaigns cp on cp.id = n.campaign_id
	  left join beneficiaries b on b.id = n.beneficiary_id
	 where t.id = n.town_id and o.id = n.org_id and c.slug = n.category
$$;

-- GET /api/v1/needs: one page of the shelf and the total, as the body of
-- the response.  Filters are slugs; an unknown one is a 400 naming it.
--
-- Without a q, three steps, each planned for what it is:
-- 1. the total, from need_counts (kept exact by a trigger);
-- 2. the ids of the page, by a query holding only the filters given and
--    planned for their values (EXECUTE).  When the filters keep many
--    needs, walking the index of the sort order finds the page at once;
--    when they keep few (the total says how few), walking it would pass
--    over (page end x listed / total) needs, so when that is more than
--    4 times the total the matching needs are fetched through the filter
--    indexes and sorted instead (the materialized CTE keeps the planner
--    from walking the sort index);
-- 3. the page itself: the stored JSON of its needs (need_public, kept by
--    triggers: sql/020_need_public.sql), concatenated; the live join of
--    api.need_json only when a stored text is of another year (a child's
--    age in it).
-- With a q, steps 1 and 2 are one pass: the search index finds the
-- needs that hold the words' pieces, each is tested once (strpos on the
-- lower-cased text: sql/040_search_lower.sql), and their number and the
-- page's ids come from that one set.  A count and then the page's own
-- query visited the same needs twice.
-- The first pages of the shelf (no filter, no q, a listed state) skip the
-- dynamic SQL of step 2: one static query per sort order, whose plan
-- plpgsql keeps (api.needs_shelf).
--
-- q is words (split at spaces, the ideographic one too; 8 at most), each
-- taken literally (% and _ are not wildcards): a need matches when every
-- word is in its title, item, spec or story, or in the name of its
-- organisation, town or category (either language).  Each word is one
-- condition (api.needs_word_sql): the search index's pieces, and for a
-- word that names something, the ids the organisation, town and
-- category indexes give besides.  With a q and no sort (p_sort null) the
-- needs come by relevance (sort=relevance): each word scores 0 in the
-- title, 1 in the item or spec, 3 in the story, 2 in a name only
-- (api.needs_word_rank); the lowest sum first, then as the urgent sort.
create function api.needs_list(p_kind text, p_category text, p_town text,
    p_campaign text, p_q text, p_sort text, p_status text, p_page int,
    p_per_page int, p_lang text)
returns text language plpgsql stable as $$
declare
	v_town		smallint;
	v_campaign	smallint;
	v_total		bigint;
	v_listed	bigint;
	v_ids		bigint[];
	v_order		text;
	v_where		text := '';
	v_words		text := '';
	v_rank		text := '';
	v_q		text[];
	v_pat		text[];
	v_names		boolean[];
	v_sort		text;
	v_off		int := (p_page - 1) * p_per_page;
begin
	-- Only what the public may see, whoever calls.
	if p_status is null or not api.need_is_public(p_status) then
		perform api.fail(400, 'unknown_value',
		    json_build_object('field', 'status'));
	end if;
	v_q := api.search_words(p_q);
	v_sort := coalesce(p_sort, case when v_q is null then 'urgent'
	    else 'relevance' end);
	if v_q is null and v_sort = 'relevance' then
		v_sort := 'urgent';
	end if;
	if p_kind is null and p_category is null and p_town is null
	    and p_campaign is null and v_q is null
	    and p_status in ('open', 'fully_pledged', 'fulfilled') then
		return api.needs_shelf(v_sort, p_status, p_page, p_per_page,
		    p_lang);
	end if;
	v_town := api.slug_lookup('town', p_town);
	v_campaign := api.slug_lookup('campaign', p_campaign);
	perform api.slug_lookup('category', p_category);

	-- The conditions of the filters given, from this fixed list; the
	-- values are parameters, never part of the text (a word's number
	-- is the only thing written in: api.needs_word_sql).
	if v_q is not null then
		-- The names are matched by ILIKE: % and _ in q are not
		-- wildcards there.
		v_pat := array(select '%' || replace(replace(replace(w, '\',
		    '\\'), '%', '\%'), '_', '\_') || '%' from unnest(v_q) w);
		v_names := array(select api.search_names(p) from unnest(v_pat) p);
		for i in 1 .. cardinality(v_q) loop
			v_words := v_words || ' and ' || api.needs_word_sql(i,
			    v_names[i], false = any (v_names));
			v_rank := v_rank || case when i > 1 then ' + ' else '' end
			    || api.needs_word_rank(i);
		end loop;
	end if;
	if p_kind is not null then
		v_where := v_where || ' and n.kind = $4';
	end if;
	if p_category is not null then
		v_where := v_where || ' and n.category = $5';
	end if;
	if v_town is not null then
		v_where := v_where || ' and n.town_id = $6';
	end if;
	if v_campaign is not null then
		v_where := v_where || ' and n.campaign_id = $7';
	end if;

	select coalesce(sum(c.n) filter (where
	           (p_kind is null or c.kind = p_kind)
	       and (p_category is null or c.category = p_category)
	       and (v_town is null or c.town_id = v_town)
	       and (v_campaign is null or c.campaign_id = v_campaign)), 0),
	    coalesce(sum(c.n), 0)
	into v_total, v_listed
	from need_counts c where c.status = p_status;

	-- The order comes from this fixed list, never from the request.
	v_order := case v_sort
	    when 'deadline' then 'deadline, id'
	    when 'newest' then 'opened_at desc, id desc'
	    when 'relevance' then 'rank, urgency desc, deadline, id'
	    else 'urgency desc, deadline, id' end;
	if v_q is not null and v_total > 0 then
		execute format('with m as materialized (select n.id,
		    n.urgency, n.deadline, n.opened_at, %s as rank
		    from needs n where n.status = $1%s%s)
		    select (select count(*) from m), array(select id from m
		    order by %s limit $8 offset $9)', case when v_sort =
		    'relevance' then v_rank else '0' end, v_words, v_where,
		    v_order)
		into v_total, v_ids
		using p_status, v_q, v_pat, p_kind, p_category, v_town,
		    v_campaign, p_per_page, v_off;
	elsif v_q is not null or v_off >= v_total then
		v_ids := '{}';
	elsif (v_off + p_per_page) * v_listed <= v_total * v_total * 4 then
		execute format('select array(select n.id from needs n
		    where n.status = $1%s order by %s limit $8 offset $9)',
		    v_where, v_order)
		into v_ids
		using p_status, v_q, v_pat, p_kind, p_category, v_town,
		    v_campaign, p_per_page, v_off;
	else
		execute format('with m as materialized (select n.id,
		    n.urgency, n.deadline, n.opened_at from needs n
		    where n.status = $1%s)
		    select array(select id from m order by %s
		    limit $8 offset $9)', v_where, v_order)
		into v_ids
		using p_status, v_q, v_pat, p_kind, p_category, v_town,
		    v_campaign, p_per_page, v_off;
	end if;

	return '{"items":[' || coalesce(api.need_items(v_ids, p_lang), '')
	    || '],"total":' || v_total || ',"page":' || p_page
	    || ',"per_page":' || p_per_page || '}';
end $$;

-- The words of a search: q split at white space (the ideographic space
-- U+3000 too), lower-cased, each once, 8 at most; null when none.
create function api.search_words(p_q text)
returns text[] language plpgsql immutable as $$
begin
	if p_q is null then
		return null;
	end if;
	return nullif(array(select w from (select distinct on (w) w, i
	    from regexp_split_to_table(lower(p_q),
	        '[[:space:]\u3000]+') with ordinality t(w, i)
	   where w <> '' order by w, i) d order by i limit 8), '{}');
end $$;

-- The condition that word i of a search holds for need n (the words in
-- $2, lower-cased, their ILIKE patterns for the names in $3, the status
-- in $1): in the need's text (its pieces in the search index, then
-- strpos on the lower-cased text the exact test), or, when p_names (some
-- organisation, town or category is named by the word), in the name of
-- its organisation, town or category (small tables: each array is
-- computed once per query).  Only the word's number is written in.  A
-- name word alone (p_other false: no other word is plain text) is each
-- way of matching as its own indexed query of the ids in that status
-- (the search index; needs_org_work, needs_shelf_town,
-- needs_shelf_category), and the need among them: an OR of the four
-- within one scan no index answers, and testing every listed need took
-- 0.3 s quiet, 1.2 s under load, on 100,000 needs (issue 18).  With a
-- plain word beside it (p_other), that word's index finds the few
-- candidates and the name is tested on each of them: the ids of a town's
-- 14,000 needs cost 390 ms to gather for "王屋镇 棉衣", the test on
-- 棉衣's candidates 21 ms (tests/bench/search.sql, 100,000 needs).
create function api.needs_word_sql(i int, p_names boolean, p_other boolean)
returns text language sql immutable as $$
	select case when not p_names then format('(search_grams(n.search)
	    @> search_query_grams(($2)[%1$s])
	    and strpos(n.search, ($2)[%1$s]) > 0)', i)
	when p_other then format('(strpos(n.search, ($2)[%1$s]) > 0
	    or n.org_id = any (array(select o.id from orgs o
	        where o.name ilike ($3)[%1$s] or o.name_en ilike ($3)[%1$s]))
	    or n.town_id = any (array(select t.id from towns t
	        where t.name_zh ilike ($3)[%1$s] or t.name_en ilike ($3)[%1$s]))
	    or n.category = any (array(select c.slug from categories c
	        where c.name_zh ilike ($3)[%1$s]
	           or c.name_en ilike ($3)[%1$s])))', i)
	else format('n.id in (select s.id from needs s where s.status = $1
	      and search_grams(s.search) @> search_query_grams(($2)[%1$s])
	      and strpos(s.search, ($2)[%1$s]) > 0
	    union all select s.id from needs s where s.status = $1
	      and s.org_id = any (array(select o.id from orgs o
	        where o.name ilike ($3)[%1$s] or o.name_en ilike ($3)[%1$s]))
	    union all select s.id from needs s where s.status = $1
	      and s.town_id = any (array(select t.id from towns t
	        where t.name_zh ilike ($3)[%1$s] or t.name_en ilike ($3)[%1$s]))
	    union all select s.id from needs s where s.status = $1
	      and s.category = any (array(select c.slug from categories c
	        where c.name_zh ilike ($3)[%1$s]
	           or c.name_en ilike ($3)[%1$s])))', i) end
$$;

-- The relevance score of word i for need n (see api.needs_list): where
-- the word first is in the lower-cased text title || ' ' || item || ' '
-- || spec || ' ' || story.  A word holds no space, so it lies within one
-- field; lower() keeps the number of characters (libc maps each one to
-- one), so the fields' lengths place it.
create function api.needs_word_rank(i int)
returns text language sql immutable as $$
	select format('case when strpos(n.search, ($2)[%1$s]) = 0 then 2
	    when strpos(n.search, ($2)[%1$s]) <= length(n.title) then 0
	    when strpos(n.search, ($2)[%1$s]) <= length(n.title)
	        + length(n.item) + length(n.spec) + 2 then 1
	    else 3 end', i)
$$;

-- Whether some organisation, town or category is named by pattern p.
create function api.search_names(p text)
returns boolean language sql stable as $$
	select exists (select 1 from orgs o where o.name ilike p
	        or o.name_en ilike p)
	    or exists (select 1 from towns t where t.name_zh ilike p
	        or t.name_en ilike p)
	    or exists (select 1 from categories c where c.name_zh ilike p
	        or c.name_en ilike p)
$$;

-- The items of a page: the stored JSON of the needs p_ids, in that order,
-- joined by commas; written afresh (api.need_json) when one is missing or
-- of another year.
create function api.need_items(p_ids bigint[], p_lang text)
returns text language plpgsql stable as $$
declare
	v_items		text;
	v_n		int;
begin
	select string_agg(case when p_lang = 'en' then p.en else p.zh end, ','
	    order by u.i), count(*)
	into v_items, v_n
	from unnest(p_ids) with ordinality u(id, i)
	join need_public p on p.need_id = u.id
	where p.year = extract(year from api.today());
	if v_n = coalesce(cardinality(p_ids), 0) then
		return v_items;
	end if;
	select string_agg(api.need_json(n, t, o, c, cp, b, p_lang), ','
	    order by u.i)
	into v_items
	from unnest(p_ids) with ordinality u(id, i)
	join needs n on n.id = u.id
	join towns t on t.id = n.town_id
	join orgs o on o.id = n.org_id
	join categories c on c.slug = n.category
	left join campaigns cp on cp.id = n.campaign_id
	left join beneficiaries b on b.id = n.beneficiary_id;
	return v_items;
end $$;

-- A page of the whole shelf in a listed state (no filter, no q): the
-- total from need_counts, the ids by walking the sort order's index
-- (static queries: their plans are kept; "status in (...)" lets the
-- generic plan use the partial indexes), the items stored.  The generic
-- plan is forced: left to choose, PostgreSQL costs it above a plan made
-- for the page's LIMIT and plans the walk again at every call (0.18 ms
-- of the first page's 0.6; the generic plan walks the same index).
create function api.needs_shelf(p_sort text, p_status text, p_page int,
    p_per_page int, p_lang text)
returns text language plpgsql stable
set plan_cache_mode = force_generic_plan as $$
declare
	v_total		bigint;
	v_ids		bigint[];
	v_off		int := (p_page - 1) * p_per_page;
begin
	select coalesce(sum(c.n), 0) into v_total
	  from need_counts c where c.status = p_status;
	if v_off >= v_total then
		return '{"items":[],"total":' || v_total || ',"page":' || p_page
		    || ',"per_page":' || p_per_page || '}';
	end if;
	if p_sort = 'deadline' then
		v_ids := array(select n.id from needs n
		    where n.status = p_status and n.status in ('open',
		        'fully_pledged', 'fulfilled')
		    order by n.deadline, n.id limit p_per_page offset v_off);
	elsif p_sort = 'newest' then
		v_ids := array(select n.id from needs n
		    where n.status = p_status and n.status in ('open',
		        'fully_pledged', 'fulfilled')
		    order by n.opened_at desc, n.id desc
		    limit p_per_page offset v_off);
	else
		v_ids := array(select n.id from needs n
		    where n.status = p_status and n.status in ('open',
		        'fully_pledged', 'fulfilled')
		    order by n.urgency desc, n.deadline, n.id
		    limit p_per_page offset v_off);
	end if;
	return '{"items":[' || coalesce(api.need_items(v_ids, p_lang), '')
	    || '],"total":' || v_total || ',"page":' || p_page
	    || ',"per_page":' || p_per_page || '}';
end $$;

-- A need the public may see (api.need_is_public), by id; 404 not_found
-- for one that does not exist or is not public, the same answer for both
-- so that an id reveals nothing of a need withdrawn or never verified.
create function api.need_listed(p_id bigint)
returns needs language plpgsql stable as $$
declare
	v_n	needs;
begin
	select * into v_n from needs n
	 where n.id = p_id and api.need_is_public(n.status);
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return v_n;
end $$;

-- GET /api/v1/needs/{id}: a listed need, its story and who pledged (the
-- donor's name, or 爱心人士 when they chose to stay anonymous).  404 for
-- needs that do not exist or are not public.  A need in its public notice
-- (公示) is public too, so that anyone may object: with when the notice
-- ends and whether an objection paused it; how many objections it had and
-- how they ended; and who verified a need, when.  Its statements look up
-- one need by key: their generic plans are forced (left to choose,
-- PostgreSQL planned the answer's subqueries again at every call).
create function api.need_get(p_id bigint, p_lang text)
returns text language plpgsql stable
set plan_cache_mode = force_generic_plan as $$
declare
	v_need	json;
	v_n	needs;
	v_count	bigint;
begin
	v_n := api.need_listed(p_id);
	v_count := api.need_pledges_count(p_id);
	select (case when p_lang = 'en' then p.en else p.zh end)::json
	  into v_need from need_public p
	 where p.need_id = p_id
	   and p.year = extract(year from api.today());
	if v_need is null then
		v_need := api.need_public(v_n, p_lang);
	end if;
	return json_build_object(
	    'need', v_need,
	    'title', v_need ->> 'title',
	    'can_pledge', (v_need ->> 'status') = 'open',
	    'story', v_n.story,
	    'notice', case when v_n.status = 'notice' then json_build_object(
	        'ends_at', api.minute(v_n.notice_ends_at),
	        'paused', v_n.notice_paused_at is not null) end,
	    -- The objections of its notice and how they ended (issue 19: the
	    -- outcome was shown to no one outside): counts only, the answers
	    -- may speak of the family.
	    'objections', (select json_build_object('total', count(*),
	        'open', count(*) filter (where o.status = 'open'),
	        'dismissed', count(*) filter (where o.status = 'dismissed'),
	        'upheld', count(*) filter (where o.status = 'upheld'))
	      from objections o where o.need_id = p_id having count(*) > 0),
	    'verified', case when v_n.verified_at is not null then
	        json_build_object('on', api.day(v_n.verified_at),
	        'by', (select api.l(p_lang, o.name, o.name_en) from users u
	            join orgs o on o.id = u.org_id where u.id = v_n.verified_by))
	        end,
	    -- The newest ten; the rest on GET /needs/{id}/pledges
	    -- (sql/api/051_pledges_read.sql).
	    'pledges', api.need_pledges_json(p_id, p_lang, 10, 0),
	    'pledges_total', v_count,
	    'pledges_more', v_count > 10
	)::text;
end $$;

