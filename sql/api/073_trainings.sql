-- Trainings and events with their attendance: a count, and optionally
-- the registered youths who came (never more than the count).

create function api.training_kind_name(p_kind text, p_lang text)
returns text language sql immutable as $$
	select case p_kind
	    when 'entrepreneurship' then api.l(p_lang, '创业培训', 'entrepreneurship training')
	    when 'ecommerce' then api.l(p_lang, '电商培训', 'e-commerce training')
	    when 'finance' then api.l(p_lang, '金融知识下乡', 'financial literacy')
	    when 'skills' then api.l(p_lang, '技能培训', 'skills training')
	    when 'youth_home' then api.l(p_lang, '青年之家活动', 'Youth Home activity')
	    when 'counselling' then api.l(p_lang, '12355 心理咨询', '12355 counselling session')
	    else api.l(p_lang, '留守儿童城市一日游', 'city day trip') end
$$;

create function api.training_json(t trainings, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'id', t.id, 'org_id', t.org_id,
	    'org_name', api.org_name(t.org_id, p_lang),
	    'kind', t.kind, 'kind_name', api.training_kind_name(t.kind, p_lang),
	    'title', t.title, 'held_on', to_char(t.held_on, 'YYYY-MM-DD'),
	    'organiser', t.organiser, 'place', t.place,
	    'attendance', t.attendance,
	    'registered', (select count(*) from training_attendees a
	        where a.training_id = t.id),
	    'note', t.note)
$$;

-- GET /programmes/trainings, /api/v1/trainings: newest first, 50 a
-- page, optionally of one kind, with totals and the form's choices.
create function api.trainings_page(p_sid text, p_lang text, p_kind text,
    p_page int)
returns text language sql as $$
	select json_build_object(
	    'title', api.l(p_lang, '培训和活动', 'Trainings and events'),
	    'kind', p_kind,
	    'items', (select coalesce(json_agg(api.training_json(t, p_lang)
	        order by t.held_on desc, t.id desc), '[]')
	      from (select * from trainings
	             where org_id in (select api.prog_scope(u))
	               and (p_kind is null or kind = p_kind)
	             order by held_on desc, id desc
	             limit 50 offset api.prog_offset(p_page, 50)) t),
	    'pager', api.prog_pager(p_page, 50, (select count(*) from trainings
	        where org_id in (select api.prog_scope(u))
	          and (p_kind is null or kind = p_kind))),
	    'kinds', (select json_agg(json_build_object('value', k,
	        'name', api.training_kind_name(k, p_lang),
	        'count', coalesce(c.n, 0),
	        'attendance', coalesce(c.attendance, 0),
	        'selected', k = p_kind) order by i)
	      from unnest(array['entrepreneurship', 'ecommerce', 'finance',
	          'skills', 'youth_home', 'counselling', 'city_trip'])
	          with ordinality x(k, i)
	      left join (select kind, count(*) as n, sum(attendance) as attendance
	          from trainings where org_id in (select api.prog_scope(u))
	         group by kind) c on c.kind = k),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u
$$;

-- Adds the youths p_ids (all in scope, or nothing) to training p_id,
-- refused when the attendance would not cover them all.
create function api.training_add(p_user users, p_id bigint, p_ids bigint[],
    p_field text)
returns void language plpgsql as $$
declare
	v_id	bigint;
begin
	foreach v_id in array p_ids loop
		perform api.prog_youth(p_user, v_id, p_field,
		    (select org_id from trainings where id = p_id));
	end loop;
	if (select count(*) from (select beneficiary_id from training_attendees
	    where training_id = p_id union select unnest(p_ids)) a)
	    > (select attendance from trainings where id = p_id) then
		perform api.fail(400, 'too_many_attendees',
		    json_build_object('field', p_field));
	end if;
	insert into training_attendees (training_id, beneficiary_id)
	select p_id, unnest(p_ids) on conflict do nothing;
end $$;

-- POST /programmes/trainings, /api/v1/trainings: a training or event,
-- with the registered youths who came (attendees: ids separated by
-- commas), all or nothing.
create function api.training_create(p_sid text, p_org bigint, p_kind text,
    p_title text, p_held_on date, p_organiser text, p_place text,
    p_attendance int, p_note text, p_attendees text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_org	bigint;
	v_id	bigint;
	v_ids	bigint[];
begin
	v_u := api.prog_user(p_sid);
	v_org := api.prog_org(v_u, p_org);
	v_ids := api.prog_ids(p_attendees, 'attendees');
	insert into trainings (org_id, kind, title, held_on, organiser, place,
	    attendance, note, created_by)
	values (v_org, p_kind, p_title, api.prog_day(p_held_on, 'held_on'),
	    p_organiser, p_place, p_attendance, coalesce(p_note, ''), v_u.id)
	returning id into v_id;
	perform api.training_add(v_u, v_id, v_ids, 'attendees');
	perform api.audit(v_u, 'training_create', 'training', v_id, p_ip,
	    jsonb_build_object('kind', p_kind, 'attendance', p_attendance,
	        'registered', cardinality(v_ids)));
	return json_build_object('id', v_id)::text;
end $$;

-- GET /programmes/trainings/{id}, /api/v1/trainings/{id}.
create function api.training_get(p_sid text, p_lang text, p_id bigint)
returns text language sql as $$
	select json_build_object(
	    'title', t.title,
	    'training', api.training_json(t, p_lang),
	    'attendees', (select coalesce(json_agg(api.youth_json(
	        a.beneficiary_id, p_lang) order by a.beneficiary_id), '[]')
	      from training_attendees a where a.training_id = p_id),
	    'choices', api.prog_choices(u, p_lang))::text
	  from api.prog_user(p_sid) u,
	       api.prog_find(u, null::trainings, p_id, false) t
$$;

-- POST /programmes/trainings/{id}, /api/v1/trainings/{id}: corrects the
-- fields given (the others stay).  400 when the attendance would fall
-- below the registered attendees.
create function api.training_update(p_sid text, p_id bigint, p_title text,
    p_held_on date, p_organiser text, p_place text, p_attendance int,
    p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	trainings;
begin
	v_u := api.prog_user(p_sid);
	v_t := api.prog_find(v_u, null::trainings, p_id, true);
	if p_attendance < (select count(*) from training_attendees
	    where training_id = p_id) then
		perform api.fail(400, 'too_many_attendees', '{"field":"attendance"}');
	end if;
	update trainings set title = coalesce(p_title, title),
	    held_on = coalesce(api.prog_day(p_held_on, 'held_on'), held_on),
	    organiser = coalesce(p_organiser, organiser),
	    place = coalesce(p_place, place),
	    attendance = coalesce(p_attendance, attendance),
	    note = coalesce(p_note, note), updated_at = now()
	 where id = p_id;
	perform api.audit(v_u, 'training_update', 'training', p_id, p_ip,
	    jsonb_build_object('attendance', jsonb_build_array(v_t.attendance,
	        coalesce(p_attendance, v_t.attendance))));
	return json_build_object('id', p_id)::text;
end $$;

-- POST /programmes/trainings/{id}/attendees, /api/v1/...: adds the
-- youths in add (ids separated by commas) and/or takes away remove.
create function api.training_attendees_set(p_sid text, p_id bigint,
    p_add text, p_remove bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_ids	bigint[];
	v_gone	int;
begin
	v_u := api.prog_user(p_sid);
	perform api.prog_find(v_u, null::trainings, p_id, true);
	v_ids := api.prog_ids(p_add, 'add');
	if cardinality(v_ids) = 0 and p_remove is null then
		perform api.fail(400, 'required', '{"field":"add"}');
	end if;
	delete from training_attendees
	 where training_id = p_id and beneficiary_id = p_remove;
	get diagnostics v_gone = row_count;
	if p_remove is not null and v_gone = 0 then
		perform api.fail(400, 'unknown_youth', '{"field":"remove"}');
	end if;
	perform api.training_add(v_u, p_id, v_ids, 'add');
	perform api.audit(v_u, 'training_attendees', 'training', p_id, p_ip,
	    jsonb_build_object('added', to_jsonb(v_ids), 'removed', p_remove));
	return json_build_object('id', p_id, 'registered', (select count(*)
	    from training_attendees where training_id = p_id))::text;
end $$;
