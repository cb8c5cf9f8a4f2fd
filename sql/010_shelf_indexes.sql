-- Indexes that keep every page of the shelf fast with 100,000 needs
-- (measured by make bench, see docs/benchmarks.md).
--
-- 1. Search by a word of one or two characters.  Chinese words are mostly
--    two characters (棉衣, 书包, 电脑), and pg_trgm cannot index a pattern
--    shorter than three: '%棉衣%' scanned every need (70 ms).  This index
--    holds each need's one- and two-character pieces; a query of two or
--    more characters looks up its two-character pieces (all of them are in
--    any text that contains it), one character looks itself up, and
--    "search ilike" stays the exact test.  Pieces are lower-cased, as
--    ilike compares.  It replaces the trigram index of 001.
-- 2. The filters of the shelf (kind, category, town, campaign).  The
--    indexes of the three sort orders (001) now carry them, so that a
--    page is found by walking one of them alone, filters tested in the
--    index without visiting the table (an index-only scan: 0.13 against
--    0.6 microseconds a need passed over).  When the filters keep few
--    needs, api.needs_list fetches them through one index per filter
--    instead (the planner combines them) and sorts them.

create function search_grams(p_text text)
returns text[] language sql immutable strict parallel safe as $$
	select array(select distinct substr(s, i, w)
	    from lower(p_text) s, generate_series(1, length(s)) i,
	        generate_series(1, 2) w
	   where i + w <= length(s) + 1)
$$;

-- The pieces a text that contains p_query must hold (see above).
create function search_query_grams(p_query text)
returns text[] language sql immutable strict parallel safe as $$
	select case when length(s) < 2 then array[s]
	    else array(select distinct substr(s, i, 2)
	        from generate_series(1, length(s) - 1) i) end
	  from lower(p_query) s
$$;

-- It replaces the trigram index of 001, which served only words of three
-- characters or more (and, being lossy, made every row of a combined
-- bitmap scan compute the pieces again).
drop index needs_search;
-- Not partial: the planner ignores the statistics of a partial index's
-- expression, and without them it took the pieces of 助学金 for rare.
create index needs_search_grams on needs using gin (search_grams(search));
drop index needs_shelf_urgent, needs_shelf_deadline, needs_shelf_newest;
create index needs_shelf_urgent on needs (status, urgency desc, deadline, id)
    include (kind, category, town_id, campaign_id)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_deadline on needs (status, deadline, id)
    include (kind, category, town_id, campaign_id)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_newest on needs (status, opened_at desc, id desc)
    include (kind, category, town_id, campaign_id)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_town on needs (town_id, status)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_category on needs (category, status)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_campaign on needs (campaign_id, status)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_kind on needs (kind, status)
    where status in ('open', 'fully_pledged', 'fulfilled');

grant execute on function search_grams(text), search_query_grams(text)
    to shop_app;
