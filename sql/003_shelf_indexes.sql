-- Indexes that keep every page of the shelf fast with 100,000 needs
-- (measured by make bench, see README.md).
--
-- 1. Search by a word of one or two characters.  Chinese words are mostly
--    two characters (棉衣, 书包, 电脑), and pg_trgm cannot index a pattern
--    shorter than three: '%棉衣%' scanned every need (70 ms).  This index
--    holds each need's one- and two-character pieces; a query of two or
--    more characters looks up its two-character pieces (all of them are in
--    any text that contains it), one character looks itself up, and
--    "search ilike" stays the exact test.  Pieces are lower-cased, as
--    ilike compares.  It replaces the trigram index of 001.
-- 2. The filters of the shelf (town, category, campaign, kind): without an index
--    a selective pair (a town and a category) walked thousands of needs
--    in sort order to fill one page; with these the planner combines
--    bitmaps and sorts the few that match.

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
