-- Sharing: what a page shows when a link to it is shared (OpenGraph),
-- and the sitemap of the public pages.

-- The OpenGraph data of a public page, as the "og" column of its
-- statement (src/stmt.c), which the layout (assets/layout.html) turns
-- into meta tags; src/web.c adds the page's address and makes the image
-- absolute.  p_kind is 'need' (p_key its id), 'campaign' (its slug) or
-- 'home'.  Public text only: a need's title and story, its school and
-- town, never a child's photo (there is none a school marked shareable)
-- nor anything sealed; the image of a need or campaign is its share
-- poster (src/share.c).  Missing members fall back, in the layout, to
-- the site's name, description and image.  Plpgsql, so that the session
-- keeps its plans (as SQL, planned at every call: 0.5 ms of each page).
create function api.share_og(p_kind text, p_key text, p_lang text)
returns json language plpgsql stable as $$
begin
	if p_kind = 'need' then
		return (select json_build_object('type', 'article',
		    'title', n.title,
		    'description', left(api.l(p_lang, o.name, o.name_en) || ' · '
		        || api.l(p_lang, t.name_zh, t.name_en) || ' — '
		        || regexp_replace(coalesce(nullif(n.story, ''),
		            n.item || ' ' || n.spec), '\s+', ' ', 'g'), 150),
		    'image', '/needs/' || n.id || '/poster.png',
		    'image_width', 750, 'image_height', 1100)
		  from needs n
		  join orgs o on o.id = n.org_id
		  join towns t on t.id = n.town_id
		 where n.id = p_key::bigint
		   and api.need_is_public(n.status));
	elsif p_kind = 'campaign' then
		return (select json_build_object('type', 'article',
		    'title', api.l(p_lang, c.name_zh, c.name_en),
		    'description', left(regexp_replace(api.l(p_lang, c.summary_zh,
		        nullif(c.summary_en, '')), '\s+', ' ', 'g'), 150),
		    'image', '/campaigns/' || c.slug || '/poster.png',
		    'image_width', 750, 'image_height', 1100)
		  from campaigns c where c.slug = p_key);
	end if;
	return json_build_object('type', 'website');
end $$;

-- GET /sitemap.xml: page p_page of the public pages, p_per a page, as
-- text: the number of pages on the first line, then one page a line, its
-- path, a tab and the day it last changed (or nothing).  The fixed pages
-- come first, then the campaigns, then every public need by id (walked
-- through the primary key from the first id of the page: no sort).
create function api.sitemap(p_page int, p_per int)
returns text language plpgsql stable as $$
declare
	v_fixed		text[] := array['/', '/needs', '/campaigns', '/offers',
			    '/transparency'];
	v_small		text[];
	v_needs		bigint;
	v_off		bigint := (p_page::bigint - 1) * p_per;
	v_out		text;
begin
	v_small := v_fixed || array(select '/campaigns/' || c.slug
	    from campaigns c order by c.id);
	select coalesce(sum(c.n), 0) into v_needs from need_counts c
	 where api.need_is_public(c.status);
	v_out := greatest(1, ceil((cardinality(v_small) + v_needs)::numeric
	    / p_per))::text || E'\n';
	select v_out || coalesce(string_agg(u || E'\t', E'\n'), '')
	  into v_out
	  from (select u from unnest(v_small) u
	         offset v_off limit p_per) s;
	if v_off + p_per > cardinality(v_small) then
		select v_out || case when v_off >= cardinality(v_small)
		    or cardinality(v_small) = 0 then '' else E'\n' end
		    || coalesce(string_agg('/needs/' || n.id || E'\t'
		        || api.day(n.updated_at), E'\n' order by n.id), '')
		  into v_out
		  from (select n.id, n.updated_at from needs n
		         where api.need_is_public(n.status)
		         order by n.id
		         offset greatest(0, v_off - cardinality(v_small))
		         limit least(p_per, v_off + p_per
		             - cardinality(v_small))) n;
	end if;
	return v_out;
end $$;
