-- The census of the register (摸清底数, issue 18): how many children the
-- caller's subtree holds (city-wide for admins), by poverty cause, by
-- level, left behind or not, by town and by school stage.  Archived
-- children are not counted: the census is of those still helped.  A
-- child with several causes counts once under each; the causes' total
-- may therefore exceed the number of children, and the page says so.
--
-- Each dimension is a list of rows {"key", "name", "count"} in a fixed
-- order (every cause, level and stage, zero or not; the towns where the
-- caller has children), which the page draws as bars and the downloads
-- write as rows (api.export_census, sql/api/098_list_exports.sql).

create function api.census_rows(p_u users, p_lang text)
returns table (dim text, dim_name text, key text, name text, n bigint,
    k int)
language sql stable as $$
	with c as (
		select * from api.children_filtered(p_u, false, null, null,
		    null, null, null, null, null)
	)
	select 'cause', api.l(p_lang, '致贫原因', 'poverty cause'), s,
	    api.cause_name(s, p_lang),
	    (select count(*) from c where s = any (c.poverty_causes)), k::int
	  from unnest(array['illness', 'disability', 'labour', 'education',
	      'disaster', 'left_behind', 'orphan', 'other'])
	      with ordinality u(s, k)
	union all
	select 'level', api.l(p_lang, '困难程度', 'poverty level'), s,
	    api.level_name(s, p_lang),
	    (select count(*) from c where c.poverty_level = s), 100 + k::int
	  from unnest(array['extreme', 'poor', 'struggling'])
	      with ordinality u(s, k)
	union all
	select 'left_behind', api.l(p_lang, '留守儿童', 'left behind'),
	    case when v then 'yes' else 'no' end,
	    case when v then api.l(p_lang, '留守', 'left behind')
	        else api.l(p_lang, '非留守', 'not left behind') end,
	    (select count(*) from c where c.left_behind = v),
	    case when v then 200 else 201 end
	  from unnest(array[true, false]) v
	union all
	select 'town', api.l(p_lang, '镇', 'town'), t.slug,
	    api.l(p_lang, t.name_zh, t.name_en), count(*), 300 + t.sort * 1000 +
	    t.id
	  from c join towns t on t.id = c.town_id
	 group by t.id
	union all
	select 'stage', api.l(p_lang, '学段', 'school stage'), s,
	    api.stage_name(s, p_lang),
	    (select count(*) from c where c.school_stage = s),
	    1000000 + k::int
	  from unnest(array['preschool', 'primary', 'junior', 'senior',
	      'vocational', 'college', 'none']) with ordinality u(s, k)
$$;

-- GET /api/v1/branch/census: the figures (see the top of this file).
-- Staff and admins; 401 without a session, 403 for anyone else.
create function api.children_census(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	return (with r as (select * from api.census_rows(v_u, p_lang))
	select json_build_object(
	    'title', api.l(p_lang, '摸清底数', 'Census'),
	    'scope', case when v_u.role = 'admin'
	        then api.l(p_lang, '全市', 'the whole city')
	        else (select api.l(p_lang, o.name, o.name_en) from orgs o
	            where o.id = v_u.org_id) end,
	    'total', (select count(*) from api.children_filtered(v_u, false,
	        null, null, null, null, null, null, null)),
	    'dimensions', (select json_agg(json_build_object('key', d.dim,
	        'name', d.dim_name, 'rows', (select coalesce(json_agg(
	            json_build_object('key', r.key, 'name', r.name,
	            'count', r.n) order by r.k), '[]')
	          from r where r.dim = d.dim)) order by d.k)
	      from (select dim, min(dim_name) as dim_name, min(k) as k
	          from r group by dim) d))::text);
end $$;
