-- The api schema was just built: the stored JSON of the listed needs
-- (need_public, sql/020_need_public.sql) is written again by the new
-- api.need_json, so that it never differs from what the function writes.
-- Runs once per api build, in its transaction.
do $$ begin perform need_public_rebuild(); end $$;
