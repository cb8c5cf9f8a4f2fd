-- Search on the shelf, timed inside PostgreSQL (no HTTP): each query of
-- the list through api.needs_list, first page of 20 open needs, once to
-- warm up and then 7 times; the median in milliseconds and the total
-- found.  Then the search index against pg_trgm for one word: the count
-- of open needs whose text holds it, through the two-character index of
-- sql/010_shelf_indexes.sql, and through a trigram index made for the
-- measurement and dropped after (in a transaction rolled back).
--
--   make demo-large       (100,000 needs)
--   psql -X -q "$OWNER_DATABASE" -v sort=relevance -f tests/bench/search.sql
--
-- sort: the sort asked for (urgent, or relevance: the default with a q
-- since issue 18; the api before it knew urgent only).  Figures:
-- docs/benchmarks.md ("Search").
\set ON_ERROR_STOP 1
\if :{?sort}
\else
\set sort urgent
\endif
set jit = off;
set search.sort = :'sort';
create temp table search_times (q text, ms numeric, total bigint);
do $$
declare
	v_qs	text[] := array['棉衣', '书包', '电脑', '助学金', '冬季棉衣',
		    '棉衣 140', '140 棉衣', '王屋镇', '王屋镇 棉衣', '文具',
		    'xyz'];
	v_q	text;
	v_t0	timestamptz;
	v_out	text;
begin
	foreach v_q in array v_qs loop
		perform api.needs_list(null, null, null, null, v_q,
		    current_setting('search.sort'), 'open', 1, 20, 'zh');
		for i in 1 .. 7 loop
			v_t0 := clock_timestamp();
			v_out := api.needs_list(null, null, null, null, v_q,
			    current_setting('search.sort'), 'open', 1, 20, 'zh');
			insert into search_times values (v_q,
			    extract(epoch from clock_timestamp() - v_t0) * 1000,
			    (v_out::json ->> 'total')::bigint);
		end loop;
	end loop;
end $$;
select q as "q", round(percentile_cont(0.5) within group (order by ms)::numeric,
    1) as "median ms", max(total) as "found"
  from search_times group by q order by min(ctid);

-- The index against pg_trgm, one word at a time (count of open needs):
-- the pieces first, then the trigram index made and timed alone (the
-- pieces' condition would let the planner combine the two).
begin;
create temp table index_times (w text, idx text, ms numeric, n bigint);
create function pg_temp.time_words(p_idx text, p_sql text) returns void
language plpgsql as $$
declare
	v_w	text;
	v_t0	timestamptz;
	v_n	bigint;
begin
	foreach v_w in array array['棉衣', '书包', '助学金', '冬季棉衣', '140']
	loop
		for i in 1 .. 6 loop
			v_t0 := clock_timestamp();
			-- Planned for the word, as api.needs_list does.
			execute format(p_sql, v_w, '%' || v_w || '%') into v_n;
			if i > 1 then
				insert into index_times values (v_w, p_idx,
				    extract(epoch from clock_timestamp() - v_t0)
				    * 1000, v_n);
			end if;
		end loop;
	end loop;
end $$;
select pg_temp.time_words('pieces', 'select count(*) from needs n
    where n.status = ''open''
      and search_grams(n.search) @> search_query_grams(%L)
      and n.search ilike %L');
create index search_trgm_bench on needs using gin (search gin_trgm_ops);
analyze needs;
select pg_temp.time_words('pg_trgm', 'select count(*) from needs n
    where n.status = ''open'' and %L is not null and n.search ilike %L');
select w as "word", idx as "index",
    round(percentile_cont(0.5) within group (order by ms)::numeric, 1)
        as "median ms", max(n) as "found"
  from index_times group by w, idx order by min(ctid);
select pg_size_pretty(pg_relation_size('needs_search_grams')) as "pieces index",
    pg_size_pretty(pg_relation_size('search_trgm_bench')) as "pg_trgm index";
rollback;
