-- The search text kept lower-cased (issue 15).  A search tests every
-- need its words' pieces find with "search ilike '%word%'", thousands
-- for a common word, and ILIKE lower-cases the whole text at every test:
-- counting the needs that hold 棉衣 among all 100,064 took 110 ms with
-- ILIKE, 36 ms with strpos on the same text.  The words of
-- a search are lower-cased already (api.search_words), so on a text kept
-- lower-cased the test is strpos, which lower-cases nothing
-- (api.needs_word_sql).  search_grams lower-cases again, which changes
-- nothing.  The column is rewritten once here.
drop index needs_search_grams;
alter table needs drop column search;
alter table needs add column search text generated always as
    (lower(title || ' ' || item || ' ' || spec || ' ' || story)) stored;
create index needs_search_grams on needs using gin (search_grams(search));
