-- The filter choices of the shelf (towns, categories, campaigns), as the
-- page of the shelf shows them in each language, kept ready (issue 15):
-- every page of the shelf, the offers and the matching pages asked for
-- them, three aggregates over small tables written as JSON each time.
-- Written again, in the same transaction, by any change of a town, a
-- category or a campaign; api.facets (sql/api/020_home.sql) reads the row
-- of the reader's language.  The text is the one api.facets wrote.

create table shelf_facets (
	lang		text primary key check (lang in ('zh', 'en')),
	facets		json not null
);

create function shelf_facets_write() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
	delete from shelf_facets;
	insert into shelf_facets (lang, facets)
	select l.lang, json_build_object(
	    'towns', (select json_agg(json_build_object('slug', slug,
	        'name', case when l.lang = 'en' then coalesce(name_en, name_zh)
	            else name_zh end) order by sort, id)
	      from towns),
	    'categories', (select json_agg(json_build_object('slug', slug,
	        'name', case when l.lang = 'en' then coalesce(name_en, name_zh)
	            else name_zh end) order by sort)
	      from categories),
	    'campaigns', (select coalesce(json_agg(json_build_object(
	        'slug', slug, 'name', case when l.lang = 'en'
	            then coalesce(name_en, name_zh) else name_zh end)
	        order by starts_on desc, id), '[]')
	      from campaigns))
	  from (values ('zh'), ('en')) l(lang);
	return null;
end $$;

create trigger towns_facets after insert or update or delete or truncate
    on towns for each statement execute function shelf_facets_write();
create trigger categories_facets after insert or update or delete or
    truncate on categories for each statement
    execute function shelf_facets_write();
create trigger campaigns_facets after insert or update or delete or
    truncate on campaigns for each statement
    execute function shelf_facets_write();

-- The rows now (a statement on an empty set writes them).
update towns set slug = slug where false;

grant select on shelf_facets to shop_app;
