-- The platform's settings an admin changes (the settings table,
-- sql/004_children_needs.sql and later migrations): the public notice, pledges,
-- 1+1 pairings, the foundation's receiving account.  The handler is
-- src/settings.c; what reads a setting reads the table (api.setting_int).

-- The settings that are text, and the longest each may be: the
-- foundation's receiving account (sql/016_where.sql).  An account number
-- is digits, in groups as the bank prints it.
create function api.settings_text(p_key text)
returns int language sql immutable as $$
	select case p_key
	    when 'fund_payee' then 100
	    when 'fund_bank' then 100
	    when 'fund_account' then 40
	    end
$$;

-- The settings as an object, numbers as numbers (text settings as text,
-- even when they are digits: an account number is no number).
create function api.settings_json()
returns json language sql stable as $$
	select coalesce(json_object_agg(key, case when api.settings_text(key)
	    is null and value ~ '^-?[0-9]{1,18}$'
	    then to_json(value::bigint) else to_json(value) end order by key),
	    '{}')
	from settings
$$;

-- GET /api/v1/settings (admins).
create function api.settings_get(p_sid text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_user(p_sid, array['admin']);
	return api.settings_json()::text;
end $$;

-- The settings an admin may change and their ranges, in days: the public
-- notice (0 puts verified needs on the shelf at the next minute), the time
-- a donor has to deliver a pledge, and for 1+1 pairings the grace after a
-- term's date and the time a flagged pairing has to be put right; and
-- (not in days) how many open pledges a donor may hold until their
-- e-mail or phone is verified (0: none; sql/api/032_recovery.sql).
create function api.settings_range(p_key text)
returns int4range language sql immutable as $$
	select case p_key
	    when 'notice_days' then int4range(0, 30, '[]')
	    when 'pledge_due_days' then int4range(1, 90, '[]')
	    when 'pairing_grace_days' then int4range(0, 60, '[]')
	    when 'pairing_return_days' then int4range(1, 180, '[]')
	    when 'unverified_pledge_limit' then int4range(0, 100, '[]')
	    when 'child_private_retention_days' then int4range(0, 3650, '[]')
	    end
$$;

-- POST /api/v1/settings (admins): any of the settings above, as
-- {key: days}, and the text settings (api.settings_text) as {key:
-- "text"} ("" clears one); every value is checked before any is
-- written.  400 naming the first bad one; 400 'required' when none is
-- given.
create function api.settings_set(p_sid text, p_values jsonb, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_key	text;
	v_val	jsonb;
	v_text	text;
	v_new	jsonb := '{}';
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_values is null or p_values = '{}' then
		perform api.fail(400, 'required', '{"field":"notice_days"}');
	end if;
	for v_key, v_val in select * from jsonb_each(p_values) loop
		if api.settings_text(v_key) is not null then
			if jsonb_typeof(v_val) <> 'string' then
				perform api.fail(400, 'bad_type',
				    json_build_object('field', v_key));
			end if;
			v_text := btrim(v_val #>> '{}');
			if length(v_text) > api.settings_text(v_key) then
				perform api.fail(400, 'too_long',
				    json_build_object('field', v_key));
			end if;
			if v_text ~ '[[:cntrl:]]' then
				perform api.fail(400, 'bad_text',
				    json_build_object('field', v_key));
			end if;
			if v_key = 'fund_account' and v_text !~
			    '^([0-9]([ -]?[0-9]){7,33})?$' then
				perform api.fail(400, 'bad_account',
				    json_build_object('field', v_key));
			end if;
			v_new := v_new || jsonb_build_object(v_key, v_text);
			continue;
		end if;
		if api.settings_range(v_key) is null then
			perform api.fail(400, 'unknown_field',
			    json_build_object('field', v_key));
		end if;
		if jsonb_typeof(v_val) <> 'number' or v_val::numeric
		    <> trunc(v_val::numeric) or abs(v_val::numeric) > 100000
		    or not (v_val::int <@ api.settings_range(v_key)) then
			perform api.fail(400, 'bad_number',
			    json_build_object('field', v_key));
		end if;
		v_new := v_new || jsonb_build_object(v_key,
		    (v_val::int)::text);
	end loop;
	update settings s set value = v_new ->> s.key,
	    updated_at = now(), updated_by = v_u.id
	 where v_new ? s.key;
	perform api.audit(v_u, 'settings_change', 'settings', null, p_ip,
	    p_values);
	return api.settings_json()::text;
end $$;
