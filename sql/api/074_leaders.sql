-- The young leaders registry (领头雁, 电商, 致富带头人) and the poor
-- youths each employs or helps.

create function api.leader_kinds(l leaders, p_lang text)
returns json language sql immutable as $$
	select coalesce(json_agg(k), '[]') from (
		select api.l(p_lang, '青年“领头雁”', 'young leader') as k where l.young
		union all
		select api.l(p_lang, '电商“领头雁”', 'e-commerce leader') where l.ecommerce
		union all
		select api.l(p_lang, '农村青年致富带头人', 'rural wealth leader') where l.rural
	) x
$$;

create function api.leader_json(l leaders, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', l.id, 'org_id', l.org_id,
	    'org_name', api.org_name(l.org_id, p_lang),
	    'name', l.name, 'young', l.young, 'ecommerce', l.ecommerce,
	    'rural', l.rural, 'kinds', api.leader_kinds(l, p_lang),
	    'business', l.business,
	    'town', (select slug from towns where id = l.town_id),
	    'town_name', (select api.l(p_lang, name_zh, name_en) from towns
	        where id = l.town_id),
	    'since', to_char(l.since, 'YYYY-MM-DD'),
	    'helps', (select count(*) from leader_helps h where h.leader_id = l.id),
	    'note', l.note)
$$;

-- GET /programmes/leaders, /api/v1/leaders: 50 a page, optionally of one
-- kind (young, ecommerce, rural).
-- Whether leader l is of kind p_kind (young, ecommerce, rural; null:
-- any).
create function api.leader_is(l leaders, p_kind text)
returns boolean language sql immutable as $$
	select p_kind is null or (p_kind = 'young' and l.young)
	    or (p_kind = 'ecommerce' and l.ecommerce)
	    or (p_kind = 'rural' and l.rural)
$$;

create function api.leaders_page(p_sid text, p_lang text, p_kind text,
    p_page int)
returns text language sql as $$
	select json_build_object(
	    'title', api.l(p_lang, '领头雁名册', 'Young leaders'),
	    'kind', p_kind,
	    'items', (select coalesce(json_agg(api.leader_json(l, p_lang)
	        order by l.since desc, l.id desc), '[]')
	      from (select * from leaders l
	             where org_id in (select api.prog_scope(u))
	               and api.leader_is(l, p_kind)
	             order by since desc, id desc
	             limit 50 offset api.prog_offset(p_page, 50)) l),
	    'pager', api.prog_pager(p_page, 50, (select count(*) from leaders l
	        where org_id in (select api.prog_scope(u))
	          and api.leader_is(l, p_kind))),
	    'kinds', (select json_agg(json_build_object('value', k,
	        'selected', k = p_kind, 'name', n,
	        'count', (select count(*) from leaders l
	            where org_id in (select api.prog_scope(u))
	              and api.leader_is(l, k))) order by i)
	      from (values (1, 'young',
	                api.l(p_lang, '青年“领头雁”', 'young leaders')),
	            (2, 'ecommerce',
	                api.l(p_lang, '电商“领头雁”', 'e-commerce leaders')),
	            (3, 'rural', api.l(p_lang, '农村青年致富带头人',
	                'rural wealth leaders'))) x(i, k, n)),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u
$$;

-- POST /programmes/leaders, /api/v1/leaders: at least one kind.
create function api.leader_create(p_sid text, p_org bigint, p_name text,
    p_young boolean, p_ecommerce boolean, p_rural boolean, p_business text,
    p_town text, p_since date, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	bigint;
	v_town	smallint;
	v_id	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_org := api.prog_org(v_u, p_org);
	if not (coalesce(p_young, false) or coalesce(p_ecommerce, false)
	    or coalesce(p_rural, false)) then
		perform api.fail(400, 'kind_required', '{"field":"young"}');
	end if;
	v_town := api.slug_lookup('town', p_town);
	insert into leaders (org_id, name, young, ecommerce, rural, business,
	    town_id, since, note, created_by)
	values (v_org, p_name, coalesce(p_young, false),
	    coalesce(p_ecommerce, false), coalesce(p_rural, false), p_business,
	    coalesce(v_town, (select town_id from orgs where id = v_org)),
	    api.prog_day(p_since, 'since'), coalesce(p_note, ''), v_u.id)
	returning id into v_id;
	perform api.audit(v_u, 'leader_create', 'leader', v_id, p_ip,
	    jsonb_build_object('young', p_young, 'ecommerce', p_ecommerce,
	        'rural', p_rural));
	return json_build_object('id', v_id)::text;
end $$;

-- GET /programmes/leaders/{id}, /api/v1/leaders/{id}.
create function api.leader_get(p_sid text, p_lang text, p_id bigint)
returns text language sql as $$
	select json_build_object(
	    'title', l.name,
	    'leader', api.leader_json(l, p_lang),
	    'helps', (select coalesce(json_agg(json_build_object(
	        'youth', api.youth_json(h.beneficiary_id, p_lang),
	        'relation', h.relation,
	        'relation_name', case h.relation
	            when 'employs' then api.l(p_lang, '吸纳就业', 'employs')
	            else api.l(p_lang, '结对帮带', 'helps') end,
	        'since', to_char(h.since, 'YYYY-MM-DD'))
	        order by h.since, h.beneficiary_id), '[]')
	      from leader_helps h where h.leader_id = p_id),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u,
	       api.prog_find(u, null::leaders, p_id, false) l
$$;

-- POST /programmes/leaders/{id}/helps, /api/v1/leaders/{id}/helps: links
-- a youth in scope (add, with relation and since) and/or unlinks one
-- (remove).  409 when the youth is already linked.
create function api.leader_helps_set(p_sid text, p_id bigint, p_add bigint,
    p_relation text, p_since date, p_remove bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_l	leaders;
	v_gone	int;
begin
	v_u := api.prog_user(p_sid);
	v_l := api.prog_find(v_u, null::leaders, p_id, true);
	if p_add is null and p_remove is null then
		perform api.fail(400, 'required', '{"field":"add"}');
	end if;
	if p_remove is not null then
		delete from leader_helps where leader_id = p_id
		   and beneficiary_id = p_remove;
		get diagnostics v_gone = row_count;
		if v_gone = 0 then
			perform api.fail(400, 'unknown_youth', '{"field":"remove"}');
		end if;
	end if;
	if p_add is not null then
		perform api.prog_youth(v_u, p_add, 'add', v_l.org_id);
		if exists (select 1 from leader_helps where leader_id = p_id
		    and beneficiary_id = p_add) then
			perform api.fail(409, 'already_linked', '{"field":"add"}');
		end if;
		insert into leader_helps (leader_id, beneficiary_id, relation, since)
		values (p_id, p_add, coalesce(p_relation, 'helps'),
		    coalesce(api.prog_day(p_since, 'since'), api.today()));
	end if;
	update leaders set updated_at = now() where id = p_id;
	perform api.audit(v_u, 'leader_helps', 'leader', p_id, p_ip,
	    jsonb_build_object('added', p_add, 'removed', p_remove));
	return json_build_object('id', p_id, 'helps', (select count(*)
	    from leader_helps where leader_id = p_id))::text;
end $$;
