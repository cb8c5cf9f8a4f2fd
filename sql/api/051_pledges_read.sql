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
	    'org_name', (select name from orgs where id = n.org_id),
	    'town_name', (select api.l(p_lang, name_zh, name_en) from towns
	        where id = n.town_id))
$$;

-- GET /me/pledges: the donor's pledges, newest first.
create function api.me_pledges(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['donor']);
	return json_build_object('pledges', (select coalesce(json_agg(
	    api.pledge_json(p, n, p_lang) order by p.created_at desc, p.id desc),
	    '[]') from pledges p join needs n on n.id = p.need_id
	    where p.donor_id = v_u.id),
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
	        'to_name', api.pledge_status_name(coalesce(e.to_status,
	            v_p.status), p_lang),
	        'note', e.note,
	        'at', api.minute(e.at)) order by e.id), '[]')
	      from pledge_events e where e.pledge_id = p_id),
	    'log_size', (select size from log_head),
	    'log', (select coalesce(json_agg(json_build_object(
	        'position', l.position, 'kind', l.kind) order by l.position),
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
-- with this year and the one asked for).
create function api.statement(p_sid text, p_year int, p_page int,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_per	constant int := 50;
	v_ids	bigint[];
	v_total	bigint;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select array_agg(p.id order by p.received_at, p.id) into v_ids
	  from pledges p
	 where p.donor_id = v_u.id and p.status = 'received'
	   and extract(year from p.received_at at time zone
	       'Asia/Shanghai') = p_year;
	v_ids := coalesce(v_ids, '{}');
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
	    'items', (select coalesce(json_agg((api.pledge_json(p, n, p_lang)::jsonb
	        || jsonb_build_object('amount', api.pledge_fen(p, n),
	            'verify_code', p.verify_code))
	        order by u.o), '[]')
	      from unnest(v_ids) with ordinality as u(id, o)
	      join pledges p on p.id = u.id join needs n on n.id = p.need_id),
	    'count', v_total,
	    'pager', case when p_page is not null then
	        api.prog_pager(p_page, v_per, v_total) end,
	    'money_total', (select coalesce(sum(p.quantity)
	        filter (where n.kind = 'money'), 0)
	      from pledges p join needs n on n.id = p.need_id
	     where p.donor_id = v_u.id and p.status = 'received'
	       and extract(year from p.received_at at time zone
	           'Asia/Shanghai') = p_year),
	    'scholarship_total', (select coalesce(sum(api.pledge_fen(p, n))
	        filter (where n.kind = 'scholarship'), 0)
	      from pledges p join needs n on n.id = p.need_id
	     where p.donor_id = v_u.id and p.status = 'received'
	       and extract(year from p.received_at at time zone
	           'Asia/Shanghai') = p_year))::text;
end $$;

-- GET /branch/pledges: what staff have to do: pledges on the way to
-- their organisation's needs, disputes, messages to moderate.
create function api.branch_pledges(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	return json_build_object(
	    'incoming', (select coalesce(json_agg(api.pledge_json(p, n, p_lang)
	        order by p.due_at), '[]')
	      from pledges p join needs n on n.id = p.need_id
	     where p.status in ('pledged', 'delivered')
	       and api.sees_org(v_u, n.org_id)),
	    'disputes', (select coalesce(json_agg(api.pledge_json(p, n, p_lang)
	        order by p.id), '[]')
	      from pledges p join needs n on n.id = p.need_id
	     where p.status = 'disputed'
	       and api.sees_org(v_u, n.org_id)),
	    'messages', (select coalesce(json_agg(api.pledge_json(p, n, p_lang)
	        order by p.id), '[]')
	      from pledges p join needs n on n.id = p.need_id
	     where p.message_state = 'pending'
	       and api.sees_org(v_u, n.org_id)))::text;
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

-- POST .../photos: a hand-over photo (base64) and its thumbnail, decoded
-- and written again without metadata by the module (src/lib/photo.c);
-- by the need's staff (the school's receive page) or the pledge's donor
-- (the delivery page); at most 6 per pledge, none on a cancelled or
-- expired one.
create function api.pledge_photo_add(p_sid text, p_pledge bigint,
    p_type text, p_data text, p_thumb text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	pledges;
	v_id	bigint;
begin
	v_u := api.require_user(p_sid, array['donor', 'staff', 'admin']);
	v_p := api.pledge_for(v_u, p_pledge, v_u.role <> 'donor');
	if v_p.status in ('cancelled', 'expired') then
		perform api.fail(409, 'bad_state');
	end if;
	if (select count(*) from pledge_photos where pledge_id = p_pledge) >= 6 then
		perform api.fail(409, 'too_many_photos');
	end if;
	insert into pledge_photos (pledge_id, content_type, data, thumb)
	values (p_pledge, p_type, decode(p_data, 'base64'),
	    decode(p_thumb, 'base64'))
	returning id into v_id;
	perform api.audit(v_u, 'photo_add', 'pledge', p_pledge, null);
	return json_build_object('id', v_id)::text;
end $$;
