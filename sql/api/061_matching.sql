-- Matching: the rows the engine reads (src/matching.c runs src/lib/match.c
-- over them on a task thread), what its proposals look like on pages,
-- and turning proposals into pledges.
--
-- The engine's input is public data only (what the shelf and /offers
-- show), so the loaders take no session; every function that shows or
-- acts on a proposal checks who asks.

-- The open needs with something left, as the engine reads them: kind
-- and category may narrow them (null: all).  Day numbers count from
-- 2000-01-01.
create function api.match_needs(p_kind text, p_category text)
returns table (id bigint, kind text, category text, item text, spec text,
    remaining int, unit_amount int, town smallint, urgency smallint,
    deadline int, opened int, campaign smallint, org_id bigint)
language sql stable as $$
	select n.id, n.kind, n.category, n.item, n.spec, n.quantity - n.pledged,
	    coalesce(n.unit_amount, 0), n.town_id, n.urgency,
	    api.daynum(n.deadline),
	    api.daynum((n.opened_at at time zone 'Asia/Shanghai')::date),
	    coalesce(n.campaign_id, 0), n.org_id
	  from needs n
	 where n.status = 'open' and n.pledged < n.quantity
	   and n.deadline >= api.today()
	   and (p_kind is null or n.kind = p_kind)
	   and (p_category is null or n.category = p_category)
$$;

-- One offer as the engine reads it (remaining: units, places or fen;
-- terms: what a scholarship still pays, 0 for no limit; unit_amount: 0
-- for any).
create function api.offer_engine_json(o offers)
returns jsonb language sql stable as $$
	select jsonb_build_object('id', o.id, 'donor_id', o.donor_id,
	    'kind', o.kind, 'category', coalesce(o.category, ''),
	    'item', o.item, 'spec', o.spec,
	    'remaining', greatest(0, o.quantity - u.amount),
	    'terms', case when o.terms is null then 0
	        else greatest(0, o.terms - u.terms) end,
	    'unit_amount', coalesce(o.unit_amount, 0),
	    'towns', to_jsonb(o.towns), 'towns_only', o.towns_only,
	    'campaign', coalesce(o.campaign_id, 0),
	    'valid_until', case when o.status = 'live'
	        then api.daynum(o.valid_until) else -1 end,
	    'version', o.version)
	  from api.offer_used(o.id) u
$$;

-- The live offers (of a kind, or all), one row each, as the engine
-- reads them: towns as "1,2".  A scholarship offer whose terms are all
-- given is left out.
create function api.match_offers(p_kind text)
returns table (id bigint, donor_id bigint, kind text, category text,
    item text, spec text, remaining bigint, terms int, unit_amount int,
    towns text, towns_only boolean, campaign smallint, valid_until int)
language sql stable as $$
	select o.id, o.donor_id, o.kind, coalesce(o.category, ''), o.item,
	    o.spec, o.quantity - g.amount, coalesce(o.terms - g.terms, 0),
	    coalesce(o.unit_amount, 0), array_to_string(o.towns, ','),
	    o.towns_only, coalesce(o.campaign_id, 0), api.daynum(o.valid_until)
	  from offers o,
	  lateral (select coalesce(sum(op.amount), 0)::bigint as amount,
	          coalesce(sum(op.terms), 0)::int as terms
	        from offer_pledges op join pledges p on p.id = op.pledge_id
	       where op.offer_id = o.id and p.status in ('pledged',
	           'delivered', 'received', 'disputed')) g
	 where o.status = 'live' and o.valid_until >= api.today()
	   and (p_kind is null or o.kind = p_kind)
	   and o.quantity > g.amount
	   and (o.terms is null or o.terms > g.terms)
$$;

-- For the proposals of one offer: the offer as the engine reads it.  Its
-- donor and admins only (404 for anyone else).
create function api.offer_engine(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
begin
	v_u := api.require_user(p_sid, array['donor', 'admin']);
	o := api.offer_for(v_u, p_id);
	return api.offer_engine_json(o)::text;
end $$;

-- For the offers proposed for one need: the need as the engine reads it,
-- and the offers whose donors declined it.  Staff of the need's
-- organisation or above, and admins (404 else).
create function api.need_engine(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	n	needs;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	n := api.need_find(v_u, p_id, false);
	return json_build_object('id', n.id, 'kind', n.kind,
	    'category', n.category, 'item', n.item, 'spec', n.spec,
	    'remaining', case when n.status = 'open'
	        then n.quantity - n.pledged else 0 end,
	    'unit_amount', coalesce(n.unit_amount, 0), 'town', n.town_id,
	    'urgency', n.urgency, 'deadline', api.daynum(n.deadline),
	    'opened', coalesce(api.daynum((n.opened_at at time zone
	        'Asia/Shanghai')::date), api.daynum(api.today())),
	    'campaign', coalesce(n.campaign_id, 0),
	    -- Offers whose donors declined this need are not proposed again.
	    'declined', (select coalesce(json_agg(distinct offer_id), '[]')
	      from proposals where need_id = n.id and status = 'declined'))::text;
end $$;

-- The reasons of a proposal ([{key, text}]) as one line.
create function api.reasons_text(p_reasons json)
returns text language sql immutable as $$
	select string_agg(r ->> 'text', '、')
	  from json_array_elements(p_reasons) r
$$;

-- The proposals the module made (p_props: [{need_id, offer_id,
-- quantity, amount, score, reasons: [{key, text}]}]) with the need or
-- offer they name, for a page.
create function api.props_with_needs(p_props json, p_lang text)
returns json language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'need', api.need_public(n, p_lang),
	    'offer_id', (e.p ->> 'offer_id')::bigint,
	    'quantity', (e.p ->> 'quantity')::int,
	    'amount', (e.p ->> 'amount')::bigint,
	    'quantity_text', api.pledge_amount(n,
	        (e.p ->> 'quantity')::int),
	    'score', (e.p ->> 'score')::int,
	    'reasons', e.p -> 'reasons',
	    'reasons_text', api.reasons_text(e.p -> 'reasons'))
	    order by e.i), '[]')
	  from json_array_elements(coalesce(p_props, '[]')) with ordinality e(p, i)
	  join needs n on n.id = (e.p ->> 'need_id')::bigint
	 -- The engine's snapshot may be a few seconds old: only needs still
	 -- on the shelf.
	 where n.status = 'open'
$$;

-- GET /me/offers/{id}, /api/v1/offers/{id}: the offer, what the engine
-- proposes for it now (p_props), the proposals staff made, the pledges
-- it made.  Its donor and admins (404 else).
create function api.offer_page(p_sid text, p_id bigint, p_props json,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
begin
	v_u := api.require_user(p_sid, array['donor', 'admin']);
	o := api.offer_for(v_u, p_id);
	return json_build_object(
	    'offer', api.offer_json(o, p_lang, true),
	    'title', api.offer_giver(o, p_lang),
	    'is_owner', o.donor_id = v_u.id,
	    'can_accept', o.donor_id = v_u.id
	        and (select api.offer_state(o, u.amount, u.terms)
	             from api.offer_used(o.id) u) = 'live',
	    'version', o.version,
	    'proposals', api.props_with_needs(p_props, p_lang),
	    'staff_proposals', (select coalesce(json_agg(api.proposal_json(pr,
	        p_lang) order by pr.id desc), '[]') from proposals pr
	      where pr.offer_id = o.id and pr.proposed_by is not null),
	    'pledges', (select coalesce(json_agg(api.pledge_json(p, n, p_lang)
	        order by p.id desc), '[]')
	      from offer_pledges op join pledges p on p.id = op.pledge_id
	      join needs n on n.id = p.need_id where op.offer_id = o.id),
	    'form', case when o.donor_id = v_u.id
	        then api.offer_form(o, p_lang) end)::text;
end $$;

-- Turns one proposal into a pledge of donor p_u (whose session is
-- p_sid): api.pledge_create with the key, then the record of where it
-- came from.  The caller holds the offer's row and the need's.
create function api.proposal_pledge(p_sid text, o offers, p_need bigint,
    p_qty int, p_amount bigint, p_key text)
returns json language plpgsql as $$
declare
	v_resp	json;
	v_terms	int := 0;
begin
	v_resp := api.pledge_create(p_sid, p_need, p_qty, o.anonymous, null,
	    p_key)::json;
	if o.kind = 'scholarship' then
		v_terms := p_qty;
	end if;
	insert into offer_pledges (pledge_id, offer_id, amount, terms)
	values ((v_resp -> 'pledge' ->> 'id')::bigint, o.id, p_amount, v_terms)
	on conflict (pledge_id) do nothing;
	return v_resp;
end $$;

-- Checks that offer o may still give p_amount (and p_terms terms) to
-- need p_need: live, of its kind, category, campaign and towns; 409
-- otherwise.
create function api.offer_may_give(o offers, p_need bigint, p_amount bigint,
    p_terms int)
returns void language plpgsql as $$
declare
	n	needs;
	v_given	bigint;
	v_terms	int;
begin
	select amount, terms into v_given, v_terms from api.offer_used(o.id);
	if api.offer_state(o, v_given, v_terms) <> 'live' then
		perform api.fail(409, 'offer_not_live');
	end if;
	select * into n from needs where id = p_need;
	if not found or n.kind <> o.kind
	    or (o.category is not null and n.category <> o.category)
	    or (o.campaign_id is not null
	        and n.campaign_id is distinct from o.campaign_id)
	    or (o.towns_only and not n.town_id = any (o.towns))
	    or (o.unit_amount is not null and n.unit_amount > o.unit_amount) then
		perform api.fail(409, 'not_proposed');
	end if;
	if p_amount > o.quantity - v_given
	    or (o.terms is not null and p_terms > o.terms - v_terms) then
		perform api.fail(409, 'offer_too_small', json_build_object(
		    'remaining', api.offer_amount(o,
		        o.quantity - v_given)));
	end if;
end $$;

-- POST /offers/{id}/accept, /api/v1/offers/{id}/accept (its donor): the
-- proposals the engine made for this offer at version p_version
-- (p_items: [{need_id, quantity, amount, score, reasons}]) become
-- pledges, each through api.pledge_create with a key derived from the
-- proposal.  The same request again (a double click, or two at once) is
-- answered with the pledges of the first and makes none: the offer's row
-- orders them, the first moves its version on.  A page older than the
-- offer's last change is a 409.
create function api.offer_accept(p_sid text, p_id bigint, p_version int,
    p_items json, p_one boolean)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
	v_it	json;
	v_pr	proposals;
	v_resp	json;
	v_out	json[] := '{}';
	v_need	bigint;
	v_qty	int;
	v_amt	bigint;
	v_why	text[];
begin
	v_u := api.require_user(p_sid, array['donor']);
	o := api.offer_mine(v_u, p_id);
	if o.version <> p_version then
		-- Made already (the same request again)?  Its answer, again.
		select coalesce(array_agg(json_build_object('proposal_id', pr.id,
		    'need_id', pr.need_id, 'quantity', pr.quantity,
		    'pledge_id', pr.pledge_id) order by pr.id), '{}') into v_out
		  from proposals pr
		 where pr.offer_id = p_id and pr.offer_version = p_version
		   and pr.proposed_by is null and pr.status = 'accepted'
		   and (not p_one or pr.need_id = (p_items -> 0 ->> 'need_id')::bigint);
		if cardinality(v_out) = 0 then
			perform api.fail(409, 'offer_changed');
		end if;
		return json_build_object('accepted', to_json(v_out),
		    'replay', true, 'version', o.version)::text;
	end if;
	if json_array_length(coalesce(p_items, '[]')) = 0 then
		perform api.fail(409, 'nothing_proposed');
	end if;
	-- The needs in id order before any pledge: two acceptances never
	-- wait on each other's needs in opposite orders.
	perform 1 from needs where id in (select (e ->> 'need_id')::bigint
	    from json_array_elements(p_items) e) order by id for update;
	for v_it in select * from json_array_elements(p_items) loop
		v_need := (v_it ->> 'need_id')::bigint;
		v_qty := (v_it ->> 'quantity')::int;
		v_amt := (v_it ->> 'amount')::bigint;
		select coalesce(array_agg(r ->> 'key'), '{}') into v_why
		  from json_array_elements(v_it -> 'reasons') r;
		perform api.offer_may_give(o, v_need, v_amt, case when
		    o.kind = 'scholarship' then v_qty else 0 end);
		v_resp := api.proposal_pledge(p_sid, o, v_need, v_qty, v_amt,
		    format('offer-%s-v%s-n%s', o.id, o.version, v_need));
		insert into proposals (offer_id, need_id, quantity, amount,
		    reasons, score, offer_version, status, pledge_id,
		    decided_at)
		values (o.id, v_need, v_qty, v_amt, v_why,
		    coalesce((v_it ->> 'score')::int, 0), o.version, 'accepted',
		    (v_resp -> 'pledge' ->> 'id')::bigint, now())
		returning * into v_pr;
		v_out := v_out || json_build_object('proposal_id', v_pr.id,
		    'need_id', v_need, 'quantity', v_qty,
		    'pledge_id', v_pr.pledge_id, 'pledge', v_resp -> 'pledge');
	end loop;
	update offers set version = version + 1, updated_at = now()
	 where id = o.id returning * into o;
	return json_build_object('accepted', to_json(v_out), 'replay', false,
	    'version', o.version)::text;
end $$;

-- GET /branch/needs/{id}/offers, /api/v1/needs/{id}/offers (staff of
-- the need's organisation or above, admins): the offers the engine
-- proposes for the need (p_props), the proposals made already, whether
-- its child is seeking a pair.
create function api.need_offers(p_sid text, p_id bigint, p_props json,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	n	needs;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	n := api.need_find(v_u, p_id, false);
	return json_build_object(
	    'need', api.need_public(n, p_lang),
	    'title', n.title,
	    'is_open', n.status = 'open',
	    'seeking_pair', exists (select 1 from pair_seekers s
	        where s.beneficiary_id = n.beneficiary_id),
	    'offers', (select coalesce(json_agg(json_build_object(
	        'offer', api.offer_json(o, p_lang, true),
	        'quantity', (e.p ->> 'quantity')::int,
	        'amount', (e.p ->> 'amount')::bigint,
	        'quantity_text', api.pledge_amount(n,
	            (e.p ->> 'quantity')::int),
	        'score', (e.p ->> 'score')::int,
	        'reasons', e.p -> 'reasons',
	        'reasons_text', api.reasons_text(e.p -> 'reasons'),
	        'proposed', exists (select 1 from proposals pr
	            where pr.offer_id = o.id and pr.need_id = n.id
	              and pr.status = 'proposed'))
	        order by e.i), '[]')
	      from json_array_elements(coalesce(p_props, '[]'))
	          with ordinality e(p, i)
	      join offers o on o.id = (e.p ->> 'offer_id')::bigint),
	    'proposals', (select coalesce(json_agg(api.proposal_json(pr,
	        p_lang) order by pr.id desc), '[]') from proposals pr
	      where pr.need_id = n.id))::text;
end $$;

-- POST /branch/needs/{id}/propose, /api/v1/needs/{id}/proposals
-- (staff of the need's organisation or above, admins): proposes to an
-- offer's donor what the engine proposes (the module ran it and passes
-- the proposal).  The donor is told and accepts or declines on their
-- page.  For a child seeking a pair (pair_seekers), accepting makes a
-- "1+1" pairing.  409 when one is pending already.
create function api.proposal_create(p_sid text, p_need bigint,
    p_offer bigint, p_qty int, p_amount bigint, p_score int,
    p_reasons text[], p_ip text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	n	needs;
	o	offers;
	v_pr	proposals;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	n := api.need_find(v_u, p_need, false);
	if n.status <> 'open' then
		perform api.fail(409, 'not_open');
	end if;
	select * into o from offers where id = p_offer and status = 'live';
	if not found then
		perform api.fail(409, 'not_proposed', '{"field":"offer_id"}');
	end if;
	if exists (select 1 from proposals where offer_id = p_offer
	    and need_id = p_need and status = 'proposed') then
		perform api.fail(409, 'already_proposed');
	end if;
	insert into proposals (offer_id, need_id, quantity, amount, reasons,
	    score, offer_version, proposed_by, pairing, status)
	values (p_offer, p_need, p_qty, p_amount, p_reasons, p_score,
	    o.version, v_u.id, n.kind = 'scholarship' and exists (select 1
	        from pair_seekers s where s.beneficiary_id = n.beneficiary_id),
	    'proposed')
	returning * into v_pr;
	perform api.notify(o.donor_id, 'proposal', jsonb_build_object('need_title', n.title, 'org_name', (select name from orgs where id = n.org_id), 'amount', api.offer_amount(o, p_amount), 'path', '/me/offers/' || o.id));
	perform api.audit(v_u, 'proposal_create', 'need', p_need, p_ip,
	    jsonb_build_object('offer', p_offer, 'proposal', v_pr.id));
	return json_build_object('proposal', api.proposal_json(v_pr,
	    p_lang))::text;
end $$;

-- POST /proposals/{id}/accept|decline, /api/v1/proposals/{id}/...
-- (the offer's donor).  Accepting makes the pledge (or the pairing) as
-- the donor's own; accepting again answers the same and makes nothing;
-- 404 for anyone else's proposal, 409 once it was declined or lapsed.
create function api.proposal_decide(p_sid text, p_id bigint,
    p_accept boolean, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	o	offers;
	v_pr	proposals;
	v_resp	json;
	v_pairing bigint;
begin
	v_u := api.require_user(p_sid, array['donor']);
	-- The offer first, then the proposal: the order offer_withdraw
	-- takes them in.
	select f.* into o from proposals pr join offers f on f.id = pr.offer_id
	 where pr.id = p_id and f.donor_id = v_u.id;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	-- Locked, and read again: it may have changed since.
	select * into o from offers where id = o.id for update;
	select * into v_pr from proposals where id = p_id for update;
	if v_pr.status = 'accepted' and p_accept then
		return json_build_object('proposal', api.proposal_json(v_pr,
		    p_lang), 'created', false, 'pledge_id', v_pr.pledge_id,
		    'pairing_id', v_pr.pairing_id)::text;
	end if;
	if v_pr.status <> 'proposed' then
		perform api.fail(409, 'proposal_closed');
	end if;
	if not p_accept then
		update proposals set status = 'declined', decided_at = now()
		 where id = p_id returning * into v_pr;
		perform api.notify(v_pr.proposed_by, 'proposal_declined', jsonb_build_object('need_title', (select title from needs where id = v_pr.need_id), 'path', '/branch/needs/' || v_pr.need_id));
		return json_build_object('proposal', api.proposal_json(v_pr,
		    p_lang), 'created', false)::text;
	end if;
	perform 1 from needs where id = v_pr.need_id for update;
	perform api.offer_may_give(o, v_pr.need_id, v_pr.amount, case when
	    o.kind = 'scholarship' then v_pr.quantity else 0 end);
	if v_pr.pairing then
		v_pairing := api.pairing_make(v_u, p_sid, v_pr.need_id,
		    v_pr.quantity, api.today() + 30, 6, o.id, o.anonymous);
		update proposals set status = 'accepted', decided_at = now(),
		    pairing_id = v_pairing where id = p_id returning * into v_pr;
	else
		v_resp := api.proposal_pledge(p_sid, o, v_pr.need_id,
		    v_pr.quantity, v_pr.amount, 'proposal-' || p_id);
		update proposals set status = 'accepted', decided_at = now(),
		    pledge_id = (v_resp -> 'pledge' ->> 'id')::bigint
		 where id = p_id returning * into v_pr;
	end if;
	update offers set version = version + 1, updated_at = now()
	 where id = o.id;
	return json_build_object('proposal', api.proposal_json(v_pr, p_lang),
	    'created', true, 'pledge_id', v_pr.pledge_id,
	    'pledge', v_resp -> 'pledge', 'pairing_id', v_pairing)::text;
end $$;

-- The organisations whose needs staff member p_sid sees in the full
-- run (their subtree); null for admins (all).  403 for anyone else, and
-- for the role p_want does not name (admin: /admin/matching, staff:
-- /branch/matching; null: either).
create function api.matching_scope(p_sid text, p_want text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, case when p_want is null
	    then array['staff', 'admin'] else array[p_want] end);
	if v_u.role = 'admin' then
		return '{"orgs":null}';
	end if;
	return json_build_object('orgs', (select json_agg(id order by id)
	    from orgs where api.org_within(id, v_u.org_id)))::text;
end $$;

-- GET /admin/matching, /branch/matching, /api/v1/matching: a summary of
-- a full run (p_summary, made by the module) and its proposals for the
-- caller's needs (p_props, at most a page of them).
create function api.matching_page(p_sid text, p_summary json, p_props json,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	return json_build_object('summary', p_summary,
	    'is_admin', v_u.role = 'admin',
	    'proposals', (select coalesce(json_agg(json_build_object(
	        'need', api.need_public(n, p_lang),
	        'offer', api.offer_json(o, p_lang, false),
	        'quantity', (e.p ->> 'quantity')::int,
	        'quantity_text', api.pledge_amount(n,
	            (e.p ->> 'quantity')::int),
	        'reasons', e.p -> 'reasons',
	        'reasons_text', api.reasons_text(e.p -> 'reasons'))
	        order by e.i), '[]')
	      from json_array_elements(coalesce(p_props, '[]'))
	          with ordinality e(p, i)
	      join needs n on n.id = (e.p ->> 'need_id')::bigint
	      join offers o on o.id = (e.p ->> 'offer_id')::bigint
	     where api.sees_org(v_u, n.org_id)))::text;
end $$;

-- "为我推荐": what to recommend from, for a donor: their live offers (as
-- the engine reads them), and seeds from their past pledges (kind,
-- category, town) and their preferences.
create function api.recommend_basis(p_sid text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	donor_prefs;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select * into v_p from donor_prefs where user_id = v_u.id;
	return json_build_object(
	    'offers', (select coalesce(json_agg(api.offer_engine_json(o)
	        order by o.id desc), '[]') from offers o
	      where o.donor_id = v_u.id and o.status = 'live'
	        and o.valid_until >= api.today()),
	    'history', (select coalesce(json_agg(json_build_object(
	        'kind', h.kind, 'category', h.category, 'town', h.town_id)), '[]')
	      from (select n.kind, n.category, n.town_id, max(p.id) as last
	              from pledges p join needs n on n.id = p.need_id
	             where p.donor_id = v_u.id and p.status <> 'cancelled'
	             group by 1, 2, 3 order by last desc limit 4) h),
	    'prefs', case when v_p.user_id is null then null
	        else json_build_object('kind', v_p.kind,
	            'category', v_p.category, 'towns', to_json(v_p.towns)) end
	)::text;
end $$;

-- GET /me/recommended, /api/v1/me/recommended: the needs recommended
-- (p_items: [{need_id, reasons, source, offer_id}], made by the module),
-- the donor's preferences and the form's choices.
create function api.recommended(p_sid text, p_items json, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_p	donor_prefs;
begin
	v_u := api.require_user(p_sid, array['donor']);
	select * into v_p from donor_prefs where user_id = v_u.id;
	return json_build_object(
	    'items', (select coalesce(json_agg(json_build_object(
	        'need', api.need_public(n, p_lang),
	        'source', e.p ->> 'source',
	        'offer_id', (e.p ->> 'offer_id')::bigint,
	        'reasons', e.p -> 'reasons',
	        'reasons_text', api.reasons_text(e.p -> 'reasons'))
	        order by e.i), '[]')
	      from json_array_elements(coalesce(p_items, '[]'))
	          with ordinality e(p, i)
	      join needs n on n.id = (e.p ->> 'need_id')::bigint
	     where n.status = 'open'),
	    'prefs', json_build_object('kind', v_p.kind,
	        'category', v_p.category,
	        'towns', (select coalesce(json_agg(t.slug order by
	            array_position(v_p.towns, t.id)), '[]')
	          from towns t where t.id = any (v_p.towns))),
	    'facets', api.facets(p_lang))::text;
end $$;

-- POST /me/recommended, /api/v1/me/recommended (donors): what they like
-- to support: a kind, a category, up to three towns (each may be absent).
create function api.prefs_save(p_sid text, p_kind text, p_category text,
    p_towns text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_towns	smallint[];
begin
	v_u := api.require_user(p_sid, array['donor']);
	perform api.slug_lookup('category', p_category);
	v_towns := api.town_ids(p_towns, 'towns');
	if cardinality(v_towns) > 3 then
		perform api.fail(400, 'too_many', '{"field":"towns"}');
	end if;
	insert into donor_prefs (user_id, kind, category, towns)
	values (v_u.id, p_kind, p_category, v_towns)
	on conflict (user_id) do update set kind = excluded.kind,
	    category = excluded.category, towns = excluded.towns,
	    updated_at = now();
	return '{"ok":true}';
end $$;
