-- What donors and staff read of pledges.

create function api.pledge_json(p pledges, n needs, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', p.id, 'need_id', n.id, 'need_title', n.title,
	    'need_kind', n.kind, 'is_money', n.kind = 'money',
	    'is_transfer', n.kind in ('money', 'scholarship'),
	    'unit', n.unit, 'quantity', p.quantity,
	    'amount_text', api.pledge_amount(n, p.quantity),
	    'status', p.status,
	    'status_name', api.pledge_status_name(p.status, p_lang),
	    'next_step', api.pledge_status_next(p.status, p_lang),
	    'can_cancel', p.status = 'pledged',
	    'can_deliver', p.status = 'pledged',
	    'is_received', p.status = 'received',
	    'anonymous', p.anonymous,
	    'receipt_code', p.receipt_code,
	    'created_on', api.day(p.created_at), 'due_on', api.day(p.due_at),
	    'delivered_on', api.day(p.delivered_at),
	    'received_on', api.day(p.received_at),
	    'delivery_method', p.delivery_method, 'delivery_ref', p.delivery_ref,
	    'thank_you', p.thank_you,
	    'message', p.message, 'message_state', p.message_state,
	    'message_state_name', case p.message_state
	        when 'pending' then api.l(p_lang, '等待学校审核', 'waiting for the school')
	        when 'approved' then api.l(p_lang, '已转交孩子', 'passed on to the child')
	        when 'rejected' then api.l(p_lang, '学校未转交', 'not passed on by the school')
	        end,
	    'org_name', (select name from orgs where id = n.org_id),
	    'town_name', (select api.l(p_lang, name_zh, name_en) from towns
	        where id = n.town_id))
$$;

-- The pledges a need's public page lists (who, how much, how far; the
-- cancelled and expired are not): a need's page shows the newest few and
-- links to the rest, 50 a page, so that neither costs more with a need's
-- thousands of supporters on a campaign day (the soak's needs showed it).
-- This and the count are plpgsql, whose plans the session keeps: a SQL
-- function PostgreSQL cannot inline is planned again at every call
-- (0.3 ms of a need's page's 1.6).
create function api.need_pledges_json(p_id bigint, p_lang text,
    p_limit int, p_offset int)
returns json language plpgsql stable as $$
begin
	return (select coalesce(json_agg(json_build_object(
	    'donor', api.donor_public_name(p.donor_id, p.anonymous, p_lang),
	    'quantity', p.quantity,
	    'status', p.status,
	    'status_name', api.pledge_status_name(p.status, p_lang),
	    'date', api.day(p.created_at)) order by p.created_at desc, p.id desc),
	    '[]')
	  from (select * from pledges
	         where need_id = p_id
	           and status in ('pledged', 'delivered', 'received', 'disputed')
	         order by created_at desc, id desc
	         limit p_limit offset p_offset) p);
end $$;

create function api.need_pledges_count(p_id bigint)
returns bigint language plpgsql stable as $$
begin
	return (select count(*) from pledges
	 where need_id = p_id
	   and status in ('pledged', 'delivered', 'received', 'disputed'));
end $$;

-- GET /needs/{id}/pledges, /api/v1/needs/{id}/pledges?page=: all of a
-- listed need's public pledges, newest first, 50 a page; 404 as
-- api.need_get.
create function api.need_pledges(p_id bigint, p_lang text, p_page int)
returns text language plpgsql stable as $$
declare
	v_n	needs;
	v_page	int := coalesce(p_page, 1);
	v_total	bigint;
begin
	v_n := api.need_listed(p_id);
	v_total := api.need_pledges_count(p_id);
	return json_build_object(
	    'need', json_build_object('id', v_n.id, 'title', v_n.title,
	        'is_money', v_n.kind = 'money', 'unit', v_n.unit),
	    'title', v_n.title,
	    'total', v_total,
	    'pager', api.prog_pager(v_page, 50, v_total),
	    'pledges', api.need_pledges_json(p_id, p_lang, 50,
	        (v_page - 1) * 50))::text;
end $$;

-- GET /me/pledges?status=&page=: the donor's pledges, newest first, 20
-- a page, of one status or all, with how many there are of each (a donor
-- of years has hundreds: the page was every one of them at each visit).
create function api.me_pledges(p_sid text, p_lang text, p_status text,
    p_page int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_page	int := coalesce(p_page, 1);
	v_counts	json;
	v_all	bigint;
	v_total	bigint;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select json_agg(json_build_object('value', s.v,
	           'name', api.pledge_status_name(s.v, p_lang),
	           'count', coalesce(c.n, 0), 'selected', s.v = p_status)
	           order by s.i),
	       sum(coalesce(c.n, 0)),
	       sum(coalesce(c.n, 0)) filter (where p_status is null
	           or s.v = p_status)
	  into v_counts, v_all, v_total
	  from unnest(array['pledged', 'delivered', 'disputed', 'received',
	          'cancelled', 'expired']) with ordinality s(v, i)
	  left join (select status, count(*) n from pledges
	              where donor_id = v_u.id group by status) c
	    on c.status = s.v;
	return json_build_object(
	    'filters', json_build_object('status', p_status),
	    'statuses', v_counts,
	    'all_total', v_all,
	    'total', v_total,
	    'pager', api.prog_pager(v_page, 20, v_total),
	    'pledges', (select coalesce(json_agg(api.pledge_json(x.p, x.n,
	            p_lang) order by x.created_at desc, x.id desc), '[]')
	      from (select p, n, p.created_at, p.id
	          from pledges p join needs n on n.id = p.need_id
	         where p.donor_id = v_u.id
	           and (p_status is null or p.status = p_status)
	         order by p.created_at desc, p.id desc
	         limit 20 offset (v_page - 1) * 20) x),
	    'notifications', api.messages_json(v_u.id))::text;
end $$;

-- GET /me/pledges/{id}: one pledge, its history and where its events are
-- in the public log (for the inclusion proof).  The donor sees their own;
-- staff of the need's organisation and admins see any of theirs.  Its
-- donor also sees where to take it while it is pledged or delivered
-- (api.pledge_where: the organisation's address and contact, the
-- foundation's account); its donor and admins see its reference code.
create function api.pledge_get(p_sid text, p_id bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
	v_n	needs;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	select p.* into v_p from pledges p join needs n on n.id = p.need_id
	 where p.id = p_id
	   and (p.donor_id = v_u.id or api.sees_org(v_u, n.org_id));
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	select * into v_n from needs where id = v_p.need_id;
	return json_build_object(
	    'pledge', api.pledge_json(v_p, v_n, p_lang),
	    'is_donor', v_p.donor_id = v_u.id,
	    'title', v_n.title,
	    'where', case when v_p.donor_id = v_u.id and v_p.status in
	        ('pledged', 'delivered') then api.pledge_where(v_p.id) end,
	    'reference_code', case when v_p.donor_id = v_u.id
	        or v_u.role = 'admin' then v_p.reference_code end,
	    'verify_code', case when v_p.donor_id = v_u.id
	        or v_u.role = 'admin' then v_p.verify_code end,
	    'can_add_photo', (select count(*) < 6 from pledge_photos
	        where pledge_id = p_id) and v_p.status not in ('cancelled',
	        'expired'),
	    'events', (select coalesce(json_agg(json_build_object(
	        'action', e.action, 'to_status', e.to_status,
	        'to_name', api.pledge_event_name(e.action, coalesce(e.to_status,
	            v_p.status), p_lang),
	        'note', e.note,
	        'at', api.minute(e.at)) order by e.id), '[]')
	      from pledge_events e where e.pledge_id = p_id),
	    'log_size', (select size from log_head),
	    'log', (select coalesce(json_agg(json_build_object(
	        'position', l.position, 'kind', l.kind,
	        'kind_name', api.log_kind_name(l.kind, p_lang))
	        order by l.position),
	        '[]')
	      from log_entries l where l.need_id = v_p.need_id
	        and (l.fields ->> 'pledge')::bigint = p_id),
	    'photos', (select coalesce(json_agg(id order by id), '[]')
	      from pledge_photos where pledge_id = p_id))::text;
end $$;

-- What a received pledge was worth in fen: money is counted in fen,
-- a scholarship in terms of unit_amount fen each; goods have no amount.
create function api.pledge_fen(p pledges, n needs)
returns bigint language sql immutable as $$
	select case n.kind when 'money' then p.quantity::bigint
	    when 'scholarship' then p.quantity::bigint * n.unit_amount end
$$;

-- GET /me/statement?year=&page=: what the donor gave in a year (received
-- pledges), 50 a page (p_page null: all of them, for the CSV), each with
-- its amount in fen and its verification code (/verify/{code}); the
-- totals of the whole year and the years the donor gave in (the picker,
-- with this year and the one asked for).  The CSV's rows hold only the
-- columns it writes (src/pledges.c, statement_csv): it is the whole year,
-- and a pledge's full JSON a row made a giving donor's download cost
-- several times what its data do (the soak's donors: 570 ms a download
-- after 20 minutes).
create function api.statement(p_sid text, p_year int, p_page int,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_per	constant int := 50;
	v_ids	bigint[];
	v_total	bigint;
	v_money	bigint;
	v_schol	bigint;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select coalesce(array_agg(p.id order by p.received_at, p.id), '{}'),
	       coalesce(sum(p.quantity) filter (where n.kind = 'money'), 0),
	       coalesce(sum(api.pledge_fen(p, n))
	           filter (where n.kind = 'scholarship'), 0)
	  into v_ids, v_money, v_schol
	  from pledges p join needs n on n.id = p.need_id
	 where p.donor_id = v_u.id and p.status = 'received'
	   and extract(year from p.received_at at time zone
	       'Asia/Shanghai') = p_year;
	v_total := cardinality(v_ids);
	if p_page is not null then
		v_ids := v_ids[(p_page - 1) * v_per + 1 : p_page * v_per];
	end if;
	return json_build_object('year', p_year,
	    'donor', v_u.display_name,
	    'years', (select json_agg(json_build_object('year', y,
	        'selected', y = p_year) order by y desc) from (
	        select extract(year from p.received_at at time zone
	            'Asia/Shanghai')::int as y
	          from pledges p
	         where p.donor_id = v_u.id and p.status = 'received'
	        union select extract(year from now() at time zone
	            'Asia/Shanghai')::int
	        union select p_year) ys),
	    'items', case when p_page is null then
	      (select coalesce(json_agg(json_build_object(
	            'received_on', api.day(p.received_at),
	            'need_title', n.title, 'org_name', o.name,
	            'is_money', n.kind = 'money', 'quantity', p.quantity,
	            'unit', n.unit, 'amount', api.pledge_fen(p, n),
	            'receipt_code', p.receipt_code,
	            'verify_code', p.verify_code) order by u.o), '[]')
	        from unnest(v_ids) with ordinality as u(id, o)
	        join pledges p on p.id = u.id join needs n on n.id = p.need_id
	        join orgs o on o.id = n.org_id)
	    else (select coalesce(json_agg((api.pledge_json(p, n, p_lang)::jsonb
	        || jsonb_build_object('amount', api.pledge_fen(p, n),
	            'verify_code', p.verify_code))
	        order by u.o), '[]')
	      from unnest(v_ids) with ordinality as u(id, o)
	      join pledges p on p.id = u.id join needs n on n.id = p.need_id)
	    end,
	    'count', v_total,
	    'pager', case when p_page is not null then
	        api.prog_pager(p_page, v_per, v_total) end,
	    'money_total', v_money,
	    'scholarship_total', v_schol)::text;
end $$;

-- GET /branch/pledges, /api/v1/branch/pledges (staff, admins): what
-- waits on the caller's organisations, most urgent first: the messages to
-- moderate and the disputes (the first 50 of each, with their counts),
-- then the pledges on their way, 50 a page -- those the donor says were
-- delivered first, then by the day they are due.  p_status (pledged,
-- delivered), p_kind (the need's kind) and p_q (words of the need's
-- title) filter the pledges on their way.
create function api.branch_pledges(p_sid text, p_lang text, p_status text,
    p_kind text, p_q text, p_page int)
returns text language plpgsql stable as $$
declare
	v_u	users;
	v_orgs	bigint[];
	v_page	int := coalesce(p_page, 1);
	v_total	bigint;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	-- The caller's organisations once, not a walk up the tree per row.
	if v_u.role <> 'admin' then
		v_orgs := array(select api.org_subtree(v_u.org_id));
	end if;
	select count(*) into v_total
	  from pledges p join needs n on n.id = p.need_id
	 where p.status in ('pledged', 'delivered')
	   and (v_orgs is null or n.org_id = any (v_orgs))
	   and (p_status is null or p.status = p_status)
	   and (p_kind is null or n.kind = p_kind)
	   and (p_q is null or strpos(n.title, p_q) > 0);
	return json_build_object(
	    'filters', json_build_object('status', p_status, 'kind', p_kind,
	        'q', p_q),
	    'statuses', (select json_agg(json_build_object('value', v,
	            'name', api.pledge_status_name(v, p_lang),
	            'selected', v = p_status) order by i)
	      from unnest(array['delivered', 'pledged']) with ordinality
	          s(v, i)),
	    'kinds', (select json_agg(json_build_object('value', k,
	            'name', api.kind_name(k, p_lang), 'selected', k = p_kind)
	        order by i)
	      from unnest(api.need_kinds())
	          with ordinality s(k, i)),
	    'incoming_total', v_total,
	    'pager', api.prog_pager(v_page, 50, v_total),
	    'incoming', (select coalesce(json_agg(api.pledge_json(x.p, x.n,
	            p_lang) order by x.delivered desc, x.due_at, x.id), '[]')
	      from (select p, n, p.status = 'delivered' as delivered,
	              p.due_at, p.id
	          from pledges p join needs n on n.id = p.need_id
	         where p.status in ('pledged', 'delivered')
	           and (v_orgs is null or n.org_id = any (v_orgs))
	           and (p_status is null or p.status = p_status)
	           and (p_kind is null or n.kind = p_kind)
	           and (p_q is null or strpos(n.title, p_q) > 0)
	         order by p.status = 'delivered' desc, p.due_at, p.id
	         limit 50 offset (v_page - 1) * 50) x),
	    'disputes_total', (select count(*)
	      from pledges p join needs n on n.id = p.need_id
	     where p.status = 'disputed'
	       and (v_orgs is null or n.org_id = any (v_orgs))),
	    'disputes', (select coalesce(json_agg(api.pledge_json(x.p, x.n,
	            p_lang) order by x.id), '[]')
	      from (select p, n, p.id from pledges p
	          join needs n on n.id = p.need_id
	         where p.status = 'disputed'
	           and (v_orgs is null or n.org_id = any (v_orgs))
	         order by p.id limit 50) x),
	    'messages_total', (select count(*)
	      from pledges p join needs n on n.id = p.need_id
	     where p.message_state = 'pending'
	       and (v_orgs is null or n.org_id = any (v_orgs))),
	    'messages', (select coalesce(json_agg(api.pledge_json(x.p, x.n,
	            p_lang) order by x.id), '[]')
	      from (select p, n, p.id from pledges p
	          join needs n on n.id = p.need_id
	         where p.message_state = 'pending'
	           and (v_orgs is null or n.org_id = any (v_orgs))
	         order by p.id limit 50) x))::text;
end $$;

-- A photo of a pledge, for its donor and the need's staff: the bytes as
-- base64 with the type (the module decodes them); p_thumb asks for its
-- thumbnail (the photo itself when it has none: stored before 028).
create function api.pledge_photo(p_sid text, p_pledge bigint, p_photo bigint,
    p_thumb boolean)
returns text language plpgsql as $$
declare
	v_u	users;
	v_r	record;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	select case when p_thumb and ph.thumb is not null then 'image/jpeg'
	    else ph.content_type end as content_type,
	    translate(encode(case when p_thumb then coalesce(ph.thumb, ph.data)
	        else ph.data end, 'base64'), E'\n', '') as data into v_r
	  from pledge_photos ph join pledges p on p.id = ph.pledge_id
	  join needs n on n.id = p.need_id
	 where ph.id = p_photo and ph.pledge_id = p_pledge
	   and (p.donor_id = v_u.id or api.sees_org(v_u, n.org_id));
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return json_build_object('type', v_r.content_type,
	    'data', v_r.data)::text;
end $$;

-- Who may add a hand-over photo to pledge p_pledge: the need's staff
-- (the school's receive page) or the pledge's donor (the delivery page);
-- at most 6 per pledge, none on a cancelled or expired one (401, 404,
-- 409 otherwise).  Returns the account.
create function api.pledge_photo_user(p_sid text, p_pledge bigint)
returns users language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	v_p := api.pledge_for(v_u, p_pledge, v_u.role <> 'donor');
	if v_p.status in ('cancelled', 'expired') then
		perform api.fail(409, 'bad_state');
	end if;
	if (select count(*) from pledge_photos where pledge_id = p_pledge) >= 6 then
		perform api.fail(409, 'too_many_photos');
	end if;
	return v_u;
end $$;

-- The same, asked before the photo is read and decoded (src/pledges.c):
-- a costly task for those who may only.
create function api.pledge_photo_may(p_sid text, p_pledge bigint)
returns text language plpgsql as $$
begin
	perform api.pledge_photo_user(p_sid, p_pledge);
	return '{}';
end $$;

-- POST .../photos: a hand-over photo (base64) and its thumbnail, decoded
-- and written again without metadata by the module (src/lib/photo.c),
-- by whom api.pledge_photo_user allows.
create function api.pledge_photo_add(p_sid text, p_pledge bigint,
    p_type text, p_data text, p_thumb text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_id	bigint;
begin
	v_u := api.pledge_photo_user(p_sid, p_pledge);
	insert into pledge_photos (pledge_id, content_type, data, thumb)
	values (p_pledge, p_type, decode(p_data, 'base64'),
	    decode(p_thumb, 'base64'))
	returning id into v_id;
	perform api.audit(v_u, 'photo_add', 'pledge', p_pledge, null);
	return json_build_object('id', v_id)::text;
end $$;
