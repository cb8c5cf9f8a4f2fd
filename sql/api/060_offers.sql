-- Offers: what donors can give (tables: sql/006_offers_pairings.sql).
--
-- Offers are public without contact data: the giver is the caring
-- organisation the donor gives for, the donor's display name, or 爱心人士
-- when they chose to stay anonymous; the note (free text, where people
-- write phone numbers) is for the donor, staff and admins only.

-- A day as the matching engine's day number (days since 2000-01-01;
-- src/matching.c counts the same way).
create function api.daynum(p_d date)
returns int language sql immutable parallel safe as $$
	select p_d - date '2000-01-01'
$$;

-- What an offer has given so far: the part of its live pledges (units,
-- places or fen) and, for a scholarship, their terms; one row.
create function api.offer_used(p_offer bigint, out amount bigint,
    out terms int)
returns record language sql stable as $$
	select coalesce(sum(op.amount), 0)::bigint,
	    coalesce(sum(op.terms), 0)::int
	  from offer_pledges op join pledges p on p.id = op.pledge_id
	 where op.offer_id = p_offer
	   and p.status in ('pledged', 'delivered', 'received', 'disputed')
$$;

-- Who gives, as the public sees it.
create function api.offer_giver(o offers, p_lang text)
returns text language sql stable as $$
	select case when o.org_id is not null
	        then (select api.l(p_lang, g.name, g.name_en) from orgs g
	              where g.id = o.org_id)
	    when o.anonymous then api.l(p_lang, '爱心人士', 'A caring donor')
	    else (select display_name from users where id = o.donor_id) end
$$;

-- p_n of the offer's unit, to show (api.amount): fen for money and
-- scholarships, else units.
create function api.offer_amount(o offers, p_n bigint)
returns json language sql stable as $$
	select api.amount(o.kind in ('money', 'scholarship'), p_n,
	    coalesce(nullif(o.unit, ''), '份'))
$$;

-- live, used_up, expired or withdrawn, given what it gave (p_amount,
-- p_terms: api.offer_used).
create function api.offer_state(o offers, p_amount bigint, p_terms int)
returns text language sql stable as $$
	select case when o.status = 'withdrawn' then 'withdrawn'
	    when o.valid_until < api.today() then 'expired'
	    when o.quantity <= p_amount or (o.terms is not null
	        and p_terms >= o.terms) then 'used_up'
	    else 'live' end
$$;

create function api.offer_state_name(p_state text, p_lang text)
returns text language sql immutable as $$
	select case p_state
	    when 'live' then api.l(p_lang, '可认领', 'open')
	    when 'used_up' then api.l(p_lang, '已用完', 'used up')
	    when 'expired' then api.l(p_lang, '已过期', 'expired')
	    else api.l(p_lang, '已撤回', 'withdrawn') end
$$;

-- One offer: the public part, and with p_full what its donor, staff and
-- admins see as well.
create function api.offer_json(o offers, p_lang text, p_full boolean)
returns json language sql stable as $$
	select json_build_object(
	    'id', o.id,
	    'giver', api.offer_giver(o, p_lang),
	    'kind', o.kind,
	    'kind_name', api.kind_name(o.kind, p_lang),
	    'is_money', o.kind in ('money', 'scholarship'),
	    'is_scholarship', o.kind = 'scholarship',
	    'category', o.category,
	    'category_name', (select api.l(p_lang, c.name_zh, c.name_en)
	        from categories c where c.slug = o.category),
	    'item', o.item, 'spec', o.spec, 'unit', o.unit,
	    'quantity', o.quantity,
	    'given', g.amount,
	    'remaining', o.quantity - g.amount,
	    'quantity_text', api.offer_amount(o, o.quantity),
	    'remaining_text', api.offer_amount(o, o.quantity - g.amount),
	    'terms', o.terms,
	    'terms_given', case when o.kind = 'scholarship' then g.terms end,
	    'unit_amount', o.unit_amount,
	    'unit_amount_text', case when o.unit_amount is not null
	        then api.offer_amount(o, o.unit_amount) end,
	    'towns', (select coalesce(json_agg(json_build_object('slug', t.slug,
	        'name', api.l(p_lang, t.name_zh, t.name_en)) order by t.sort),
	        '[]') from towns t where t.id = any (o.towns)),
	    'towns_text', (select string_agg(api.l(p_lang, t.name_zh,
	        t.name_en), '、' order by t.sort) from towns t
	        where t.id = any (o.towns)),
	    'towns_only', o.towns_only,
	    'campaign', cp.slug,
	    'campaign_name', api.l(p_lang, cp.name_zh, cp.name_en),
	    'valid_until', to_char(o.valid_until, 'YYYY-MM-DD'),
	    'state', g.state,
	    'state_name', api.offer_state_name(g.state, p_lang),
	    'is_live', g.state = 'live',
	    'created_on', api.day(o.created_at))::jsonb
	    || case when p_full then jsonb_build_object(
	        'note', o.note, 'anonymous', o.anonymous,
	        'for_org', o.org_id is not null, 'status', o.status,
	        'version', o.version)
	    else '{}' end
	  from (select u.amount, u.terms, api.offer_state(o, u.amount, u.terms)
	          as state from api.offer_used(o.id) u) g
	  left join campaigns cp on cp.id = o.campaign_id
$$;

-- The towns for a select, p_town selected.
create function api.town_choices(p_town smallint, p_lang text)
returns json language sql stable as $$
	select json_agg(json_build_object('slug', slug,
	    'name', api.l(p_lang, name_zh, name_en),
	    'selected', id = p_town) order by sort, id) from towns
$$;

-- The offer form's values and choices for offer o (null: a new offer).
create function api.offer_form(o offers, p_lang text)
returns json language sql stable as $$
	select json_build_object(
	    'item', o.item, 'spec', o.spec, 'unit', o.unit,
	    'quantity', case when o.kind in ('goods', 'service')
	        then o.quantity end,
	    'amount', case when o.kind in ('money', 'scholarship')
	        then to_char(o.quantity / 100.0, 'FM9999999990.00') end,
	    'terms', o.terms,
	    'term_amount', to_char(o.unit_amount / 100.0, 'FM9999999990.00'),
	    'note', o.note, 'towns_only', o.towns_only,
	    'anonymous', o.anonymous, 'for_org', o.org_id is not null,
	    'valid_until', to_char(o.valid_until, 'YYYY-MM-DD'),
	    'categories', (select json_agg(json_build_object('slug', slug,
	        'name', api.l(p_lang, name_zh, name_en),
	        'selected', slug = o.category) order by sort) from categories),
	    'town1', api.town_choices(o.towns[1], p_lang),
	    'town2', api.town_choices(o.towns[2], p_lang),
	    'town3', api.town_choices(o.towns[3], p_lang),
	    'more_towns', (select string_agg(t.slug, ',') from towns t
	        where t.id = any (o.towns[4:])),
	    'campaigns', (select coalesce(json_agg(json_build_object(
	        'slug', slug, 'name', api.l(p_lang, name_zh, name_en),
	        'selected', id = o.campaign_id) order by starts_on desc, id),
	        '[]') from campaigns))
$$;

-- GET /offers, /api/v1/offers: the offers on offer (not withdrawn nor
-- expired), newest first, filtered by kind and town (slugs; an unknown
-- one is a 400 naming it).
create function api.offers_list(p_kind text, p_town text, p_page int,
    p_per_page int, p_lang text)
returns text language plpgsql stable as $$
declare
	v_town	smallint;
	v_rows	json;
	v_total	bigint;
begin
	v_town := api.slug_lookup('town', p_town);
	-- Listed: not withdrawn nor expired (those all given show as used
	-- up: what was given is worth showing too).
	with listed as (
		select o.id from offers o
		 where o.status = 'live' and o.valid_until >= api.today()
		   and (p_kind is null or o.kind = p_kind)
		   and (v_town is null or v_town = any (o.towns)))
	select (select count(*) from listed),
	    (select coalesce(json_agg(api.offer_json(x, p_lang, false)
	        order by x.id desc), '[]')
	      from (select * from offers where id in (select id from listed
	            order by id desc limit p_per_page
	            offset (p_page - 1) * p_per_page)) x)
	  into v_total, v_rows;
	return json_build_object('items', v_rows, 'total', v_total,
	    'page', p_page, 'per_page', p_per_page,
	    'pages', greatest(1, (v_total + p_per_page - 1) / p_per_page),
	    'prev', case when p_page > 1 then p_page - 1 end,
	    'next', case when p_page * p_per_page < v_total then p_page + 1 end,
	    'kind', p_kind, 'town', p_town,
	    'facets', api.facets(p_lang))::text;
end $$;

-- The towns of a comma-separated list of slugs; 400 naming p_field for
-- an unknown one.
create function api.town_ids(p_list text, p_field text)
returns smallint[] language plpgsql stable as $$
declare
	v_slug	text;
	v_id	smallint;
	v_out	smallint[] := '{}';
begin
	foreach v_slug in array coalesce(string_to_array(
	    replace(p_list, ' ', ''), ','), '{}') loop
		continue when v_slug = '';
		select id into v_id from towns where slug = v_slug;
		if not found then
			perform api.fail(400, 'unknown_value',
			    json_build_object('field', p_field));
		end if;
		if not v_id = any (v_out) then
			v_out := v_out || v_id;
		end if;
	end loop;
	return v_out;
end $$;

-- A date typed as YYYY-MM-DD, between p_min and p_max; 400 naming the
-- field otherwise.
create function api.date_in(p_text text, p_field text, p_min date,
    p_max date)
returns date language plpgsql stable as $$
declare
	v_d	date;
begin
	if p_text !~ '^\d{4}-\d{2}-\d{2}$' then
		perform api.fail(400, 'bad_date', json_build_object('field',
		    p_field));
	end if;
	begin
		v_d := p_text::date;
	exception when others then
		perform api.fail(400, 'bad_date', json_build_object('field',
		    p_field));
	end;
	if v_d < p_min or v_d > p_max then
		perform api.fail(400, 'date_range', json_build_object('field',
		    p_field, 'min', to_char(p_min, 'YYYY-MM-DD'),
		    'max', to_char(p_max, 'YYYY-MM-DD')));
	end if;
	return v_d;
end $$;

-- The offer a donor's input describes, checked: kind and the amounts
-- that go with it, category, towns, campaign, validity.  p_in holds the
-- form's fields as the module read them (amounts already in fen).
create function api.offer_from_input(p_u users, p_in jsonb)
returns offers language plpgsql stable as $$
declare
	o	offers;
	v_f	text;
begin
	o.kind := p_in ->> 'kind';
	if o.kind is null then
		perform api.fail(400, 'required', '{"field":"kind"}');
	end if;
	-- Each kind takes its own amounts and no other.
	foreach v_f in array case when o.kind in ('goods', 'service')
	    then array['amount', 'terms', 'term_amount']
	    when o.kind = 'money' then array['quantity', 'terms', 'term_amount']
	    else array['quantity'] end loop
		if p_in ? v_f then
			perform api.fail(400, 'not_for_kind',
			    json_build_object('field', v_f));
		end if;
	end loop;
	v_f := case when o.kind in ('goods', 'service') then 'quantity'
	    else 'amount' end;
	o.quantity := (p_in ->> v_f)::bigint;
	if o.quantity is null then
		perform api.fail(400, 'required', json_build_object('field', v_f));
	end if;
	if o.kind = 'scholarship' then
		o.terms := (p_in ->> 'terms')::int;
		o.unit_amount := (p_in ->> 'term_amount')::int;
		if o.unit_amount > o.quantity then
			perform api.fail(400, 'budget_below_term',
			    '{"field":"amount"}');
		end if;
	end if;
	o.category := p_in ->> 'category';
	perform api.slug_lookup('category', o.category);
	o.item := coalesce(p_in ->> 'item', '');
	o.spec := coalesce(p_in ->> 'spec', '');
	o.unit := coalesce(p_in ->> 'unit', '');
	o.towns := api.town_ids(p_in ->> 'towns', 'towns');
	o.towns_only := coalesce((p_in ->> 'towns_only')::boolean, false);
	if o.towns_only and cardinality(o.towns) = 0 then
		perform api.fail(400, 'towns_required', '{"field":"towns"}');
	end if;
	if p_in ? 'campaign' then
		select id into o.campaign_id from campaigns
		 where slug = p_in ->> 'campaign';
		if not found then
			perform api.fail(400, 'unknown_value',
			    '{"field":"campaign"}');
		end if;
	end if;
	if not p_in ? 'valid_until' then
		perform api.fail(400, 'required', '{"field":"valid_until"}');
	end if;
	o.valid_until := api.date_in(p_in ->> 'valid_until', 'valid_until',
	    api.today(), api.today() + 730);
	o.note := coalesce(p_in ->> 'note', '');
	o.anonymous := coalesce((p_in ->> 'anonymous')::boolean, false);
	if coalesce((p_in ->> 'for_org')::boolean, false) then
		if not exists (select 1 from orgs where id = p_u.org_id
		    and kind = 'caring') then
			perform api.fail(400, 'no_caring_org',
			    '{"field":"for_org"}');
		end if;
		o.org_id := p_u.org_id;
	end if;
	o.donor_id := p_u.id;
	return o;
end $$;

-- POST /offers, /api/v1/offers (donors): a new offer.  400 naming the
-- field at fault; 201 with the offer.
create function api.offer_create(p_sid text, p_in jsonb, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
begin
	v_u := api.require_user(p_sid, array['donor']);
	o := api.offer_from_input(v_u, p_in);
	insert into offers (donor_id, org_id, kind, category, item, spec,
	    unit, quantity, terms, unit_amount, towns, towns_only,
	    campaign_id, valid_until, note, anonymous)
	values (o.donor_id, o.org_id, o.kind, o.category, o.item, o.spec,
	    o.unit, o.quantity, o.terms, o.unit_amount, o.towns, o.towns_only,
	    o.campaign_id, o.valid_until, o.note, o.anonymous)
	returning * into o;
	return json_build_object('offer', api.offer_json(o, p_lang,
	    true))::text;
end $$;

-- The caller's own offer, locked; 404 for anyone else's.
create function api.offer_mine(p_u users, p_id bigint)
returns offers language plpgsql as $$
declare
	o	offers;
begin
	select * into o from offers where id = p_id and donor_id = p_u.id
	   for update;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return o;
end $$;

-- The offer p_id as its donor or an admin sees it; 404 for anyone else.
create function api.offer_for(p_u users, p_id bigint)
returns offers language plpgsql as $$
declare
	o	offers;
begin
	select * into o from offers where id = p_id
	   and (donor_id = p_u.id or p_u.role = 'admin');
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return o;
end $$;

-- POST /me/offers/{id}, /api/v1/offers/{id} (its donor): the offer
-- changed.  The kind stays; it may not shrink below what it gave (409
-- with what it gave); a withdrawn offer is not changed (409).
create function api.offer_update(p_sid text, p_id bigint, p_in jsonb,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
	n	offers;
	v_given	bigint;
	v_terms	int;
begin
	v_u := api.require_user(p_sid, array['donor']);
	o := api.offer_mine(v_u, p_id);
	if o.status <> 'live' then
		perform api.fail(409, 'offer_withdrawn');
	end if;
	if p_in ->> 'kind' is distinct from o.kind then
		if p_in ? 'kind' then
			perform api.fail(409, 'kind_fixed', '{"field":"kind"}');
		end if;
		p_in := p_in || jsonb_build_object('kind', o.kind);
	end if;
	n := api.offer_from_input(v_u, p_in);
	select amount, terms into v_given, v_terms from api.offer_used(o.id);
	if n.quantity < v_given then
		perform api.fail(409, 'below_given', json_build_object(
		    'field', case when o.kind in ('goods', 'service')
		        then 'quantity' else 'amount' end,
		    'given', api.offer_amount(o, v_given)));
	end if;
	if n.terms < v_terms then
		perform api.fail(409, 'below_given', json_build_object(
		    'field', 'terms', 'given', v_terms));
	end if;
	update offers set org_id = n.org_id, category = n.category,
	    item = n.item, spec = n.spec, unit = n.unit,
	    quantity = n.quantity, terms = n.terms,
	    unit_amount = n.unit_amount, towns = n.towns,
	    towns_only = n.towns_only, campaign_id = n.campaign_id,
	    valid_until = n.valid_until, note = n.note,
	    anonymous = n.anonymous, version = version + 1,
	    updated_at = now()
	 where id = o.id returning * into o;
	return json_build_object('offer', api.offer_json(o, p_lang,
	    true))::text;
end $$;

-- POST .../withdraw (its donor): the offer is no longer on offer; what
-- it already pledged stays pledged; proposals staff made for it lapse.
create function api.offer_withdraw(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
begin
	v_u := api.require_user(p_sid, array['donor']);
	o := api.offer_mine(v_u, p_id);
	if o.status <> 'live' then
		perform api.fail(409, 'offer_withdrawn');
	end if;
	update offers set status = 'withdrawn', withdrawn_at = now(),
	    version = version + 1, updated_at = now() where id = p_id;
	update proposals set status = 'cancelled', decided_at = now()
	 where offer_id = p_id and status = 'proposed';
	return json_build_object('id', p_id, 'status', 'withdrawn')::text;
end $$;

-- A proposal as its donor reads it: the need (public part), how much,
-- who proposed it.
create function api.proposal_json(pr proposals, p_lang text)
returns json language sql stable as $$
	select json_build_object('id', pr.id, 'offer_id', pr.offer_id,
	    -- A need no longer public (cancelled, rejected, expired) shows
	    -- nothing of itself, not even its child's public profile.
	    'need', case when api.need_is_public(n.status)
	        then api.need_public(n, p_lang)
	        else json_build_object('id', n.id, 'status', n.status,
	            'off_shelf', true, 'title', api.l(p_lang, '（需求已下架）',
	            '(need withdrawn)')) end,
	    'quantity', pr.quantity, 'amount', pr.amount,
	    'amount_text', api.offer_amount(o, pr.amount),
	    'quantity_text', api.pledge_amount(n, pr.quantity),
	    'reasons', (select coalesce(json_agg(r), '[]')
	        from unnest(pr.reasons) r),
	    'pairing', pr.pairing, 'status', pr.status,
	    'status_name', case pr.status
	        when 'proposed' then api.l(p_lang, '待答复', 'awaiting the donor')
	        when 'accepted' then api.l(p_lang, '已接受', 'accepted')
	        when 'declined' then api.l(p_lang, '已谢绝', 'declined')
	        else api.l(p_lang, '已失效', 'lapsed') end,
	    'pledge_id', pr.pledge_id, 'pairing_id', pr.pairing_id,
	    'note', pr.note,
	    'proposed_by', (select display_name from users
	        where id = pr.proposed_by),
	    'created_on', api.day(pr.created_at))
	  from needs n, offers o
	 where n.id = pr.need_id and o.id = pr.offer_id
$$;

-- GET /me/offers, /api/v1/me/offers (donors): their offers, the
-- proposals staff made to them, and what the new-offer form offers.
create function api.me_offers(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['donor']);
	return json_build_object(
	    'offers', (select coalesce(json_agg(api.offer_json(o, p_lang, true)
	        order by o.id desc), '[]') from offers o
	      where o.donor_id = v_u.id),
	    'proposals', (select coalesce(json_agg(api.proposal_json(pr, p_lang)
	        order by pr.id), '[]')
	      from proposals pr join offers o on o.id = pr.offer_id
	      where o.donor_id = v_u.id and pr.status = 'proposed'),
	    'caring_org', (select name from orgs where id = v_u.org_id
	        and kind = 'caring'),
	    'today', to_char(api.today(), 'YYYY-MM-DD'),
	    'default_until', to_char(api.today() + 90, 'YYYY-MM-DD'),
	    'form', api.offer_form(null, p_lang))::text;
end $$;
