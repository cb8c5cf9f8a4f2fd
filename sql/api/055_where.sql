-- Where to take a gift (issue 12, item 3; sql/016_where.sql): an
-- organisation's delivery details, edited by its own staff and by admins
-- (/branch/org), and what a donor is told for a pledge: the address,
-- the contact and the hours of the organisation that takes the gift
-- and, for money and scholarships, the foundation's account and the
-- pledge's reference code (api.pledge_where: the pledge page and the
-- confirmation message both read it).

-- The delivery details of organisation o.
create function api.org_contact_json(o orgs, p_lang text)
returns json language sql stable as $$
	select json_build_object('id', o.id, 'name', o.name,
	    'name_en', o.name_en, 'kind', o.kind,
	    'kind_name', api.org_kind_name(o.kind, p_lang),
	    'address', o.address, 'contact_name', o.contact_name,
	    'contact_phone', o.contact_phone, 'hours', o.hours,
	    'complete', o.address is not null and o.contact_name is not null
	        and o.contact_phone is not null,
	    'updated_at', api.minute(o.contact_updated_at),
	    'updated_by', (select display_name from users
	        where id = o.contact_updated_by))
$$;

-- The organisation whose details p_u may edit: p_org (0 or null: their
-- own).  Staff edit their own organisation only (403 for any other);
-- admins any (404 for none).
create function api.org_for_contact(p_u users, p_org bigint)
returns orgs language plpgsql as $$
declare
	v_o	orgs;
begin
	if p_u.role = 'staff' and coalesce(nullif(p_org, 0), p_u.org_id)
	    <> p_u.org_id then
		perform api.fail(403, 'forbidden');
	end if;
	select * into v_o from orgs
	 where id = coalesce(nullif(p_org, 0), p_u.org_id);
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return v_o;
end $$;

-- GET /branch/org, /api/v1/branch/org[?org=]: an organisation's delivery
-- details (staff: their own; admins: any, with the organisations to
-- choose from, those without an address marked).  401 without a
-- session, 403 for donors and for staff asking for another organisation.
create function api.org_contact(p_sid text, p_org bigint, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_o	orgs;
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	v_o := api.org_for_contact(v_u, p_org);
	return json_build_object(
	    'title', api.l(p_lang, '收件信息', 'Delivery details'),
	    'org', api.org_contact_json(v_o, p_lang),
	    'form', json_build_object('address', v_o.address,
	        'contact_name', v_o.contact_name,
	        'contact_phone', v_o.contact_phone, 'hours', v_o.hours),
	    'is_admin', v_u.role = 'admin',
	    'orgs', case when v_u.role = 'admin' then (select json_agg(
	        e::jsonb || jsonb_build_object('has_address', o.address
	            is not null, 'current', o.id = v_o.id) order by i)
	      from json_array_elements(api.orgs_visible(v_u, p_lang))
	           with ordinality x(e, i)
	      join orgs o on o.id = (x.e ->> 'id')::bigint) end)::text;
end $$;

-- A delivery detail as typed, made tidy: trimmed, line breaks as \n,
-- tabs as spaces, no empty lines; null when nothing is left.
create function api.contact_text(p_text text)
returns text language sql immutable as $$
	select nullif(btrim(regexp_replace(regexp_replace(regexp_replace(
	    p_text, E'\r\n?', E'\n', 'g'), E'\t', ' ', 'g'),
	    E' *\n\\s*', E'\n', 'g'), E' \n'), '')
$$;

-- POST /branch/org, /api/v1/branch/org[?org=]: the delivery details in
-- p_values ({address, contact_name, contact_phone, hours}: a key left
-- out keeps its value, an empty string clears it).  Who may: as
-- api.org_contact.  400 naming the first bad field, nothing written.
-- The change (each field before and after) goes to the audit log.
create function api.org_contact_save(p_sid text, p_org bigint,
    p_values jsonb, p_ip text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_o	orgs;
	v_new	orgs;
	v_key	text;
	v_val	jsonb;
	v_text	text;
	v_max	int;
	v_min	int;
	v_diff	jsonb := '{}';
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	v_o := api.org_for_contact(v_u, p_org);
	select * into v_o from orgs where id = v_o.id for update;
	v_new := v_o;
	for v_key, v_val in select * from jsonb_each(coalesce(p_values, '{}'))
	loop
		if v_key not in ('address', 'contact_name', 'contact_phone',
		    'hours') then
			perform api.fail(400, 'unknown_field',
			    json_build_object('field', v_key));
		end if;
		if jsonb_typeof(v_val) not in ('string', 'null') then
			perform api.fail(400, 'bad_type',
			    json_build_object('field', v_key));
		end if;
		v_text := api.contact_text(v_val #>> '{}');
		if v_key = 'contact_phone' then
			v_text := regexp_replace(v_text, '\s', '', 'g');
		end if;
		v_min := case v_key when 'address' then 5 else 1 end;
		v_max := case v_key when 'address' then 200
		    when 'contact_name' then 50 when 'hours' then 120 else 20 end;
		if v_text is not null and length(v_text) > v_max then
			perform api.fail(400, 'too_long',
			    json_build_object('field', v_key));
		end if;
		if v_text is not null and length(v_text) < v_min then
			perform api.fail(400, 'too_short',
			    json_build_object('field', v_key));
		end if;
		if v_text ~ '[\x01-\x09\x0b-\x1f\x7f]' or (v_key in
		    ('contact_name', 'contact_phone') and v_text ~ '\n') then
			perform api.fail(400, 'bad_text',
			    json_build_object('field', v_key));
		end if;
		if v_key = 'contact_phone' and not phone_ok(v_text) then
			perform api.fail(400, 'bad_org_phone',
			    json_build_object('field', v_key));
		end if;
		case v_key
		when 'address' then v_new.address := v_text;
		when 'contact_name' then v_new.contact_name := v_text;
		when 'contact_phone' then v_new.contact_phone := v_text;
		else v_new.hours := v_text;
		end case;
	end loop;
	select coalesce(jsonb_object_agg(b.key, jsonb_build_object(
	    'before', b.value, 'after', a.value)), '{}') into v_diff
	  from jsonb_each(jsonb_build_object('address', v_o.address,
	      'contact_name', v_o.contact_name, 'contact_phone',
	      v_o.contact_phone, 'hours', v_o.hours)) b
	  join jsonb_each(jsonb_build_object('address', v_new.address,
	      'contact_name', v_new.contact_name, 'contact_phone',
	      v_new.contact_phone, 'hours', v_new.hours)) a using (key)
	 where a.value is distinct from b.value;
	if v_diff <> '{}' then
		update orgs set address = v_new.address,
		    contact_name = v_new.contact_name,
		    contact_phone = v_new.contact_phone, hours = v_new.hours,
		    contact_updated_at = now(), contact_updated_by = v_u.id
		 where id = v_o.id returning * into v_new;
		perform api.audit(v_u, 'org_contact_update', 'org', v_o.id,
		    p_ip, v_diff);
	end if;
	return json_build_object('org', api.org_contact_json(v_new, p_lang),
	    'changed', (select coalesce(json_agg(k order by k), '[]')
	      from jsonb_object_keys(v_diff) k))::text;
end $$;

-- The foundation's receiving account (settings an admin edits; empty
-- until set).
create function api.fund_account()
returns json language sql stable as $$
	select json_build_object(
	    'payee', nullif(max(value) filter (where key = 'fund_payee'), ''),
	    'bank', nullif(max(value) filter (where key = 'fund_bank'), ''),
	    'account', nullif(max(value) filter (where key = 'fund_account'),
	        ''),
	    'ready', count(*) filter (where value <> '') = 3)
	  from settings
	 where key in ('fund_payee', 'fund_bank', 'fund_account')
$$;

-- What a donor needs to hand pledge p_pledge over, in one place for the
-- pledge page and the confirmation message (mail.pledge_made.body in the
-- catalogues take these as parameters):
--   org_name, org_name_en  who takes the gift: the need's organisation,
--                          or when it gave no address yet the nearest
--                          branch above that did (via: true, need_org_name)
--   address, contact_name, contact_phone, hours
--   post_block             name and phone, address, organisation (when
--                          the address does not name it): the lines to
--                          copy onto a parcel (null without an address)
--   transfer               true for money and scholarships, which go to
--                          the foundation's account:
--   payee, bank, account, account_ready, reference_code (for the
--                          transfer's note), amount (fen), amount_text
--                          (the same to show: api.amount)
-- Null for no such pledge.  Whether the caller may see it is the
-- caller's rule (a donor, on their own pledge, while it is pledged or
-- delivered): this function does not check.
create function api.pledge_where(p_pledge bigint)
returns jsonb language plpgsql stable as $$
declare
	v_p	pledges;
	v_n	needs;
	v_o	orgs;
	v_need_org	orgs;
	v_fund	json;
	v_amount	bigint;
	v_r	jsonb;
begin
	select * into v_p from pledges where id = p_pledge;
	if not found then
		return null;
	end if;
	select * into v_n from needs where id = v_p.need_id;
	select * into v_need_org from orgs where id = v_n.org_id;
	select o.* into v_o
	  from (with recursive up(id, parent_id, depth) as (
		select id, parent_id, 0 from orgs where id = v_n.org_id
		union all
		select o.id, o.parent_id, up.depth + 1
		  from orgs o join up on o.id = up.parent_id
		 where up.depth < 16)
	    select id, depth from up) u
	  join orgs o on o.id = u.id
	 where o.address is not null
	 order by u.depth limit 1;
	if not found then
		v_o := v_need_org;
	end if;
	v_r := jsonb_build_object(
	    'pledge_id', v_p.id, 'kind', v_n.kind,
	    'org_id', v_o.id, 'org_name', v_o.name,
	    'org_name_en', v_o.name_en,
	    'via', v_o.id <> v_need_org.id,
	    'need_org_name', v_need_org.name,
	    'address', v_o.address, 'contact_name', v_o.contact_name,
	    'contact_phone', v_o.contact_phone, 'hours', v_o.hours,
	    'post_block', case when v_o.address is not null then
	        concat_ws(E'\n', nullif(concat_ws(' ', v_o.contact_name,
	            v_o.contact_phone), ''), v_o.address,
	            case when strpos(v_o.address, v_o.name) = 0
	            then v_o.name end) end,
	    'transfer', v_n.kind in ('money', 'scholarship'));
	if v_n.kind in ('money', 'scholarship') then
		v_fund := api.fund_account();
		v_amount := case when v_n.kind = 'money' then v_p.quantity
		    else v_p.quantity::bigint * v_n.unit_amount end;
		v_r := v_r || jsonb_build_object(
		    'payee', v_fund ->> 'payee', 'bank', v_fund ->> 'bank',
		    'account', v_fund ->> 'account',
		    'account_ready', (v_fund ->> 'ready')::boolean,
		    'reference_code', v_p.reference_code,
		    'amount', v_amount,
		    'amount_text', api.amount(true, v_amount, null));
	end if;
	return v_r;
end $$;
