-- Personal-information rights (issue 18, item 3): the privacy notice an
-- account accepts at registration (api.register, sql/api/030_auth.sql),
-- a change of e-mail address or phone verified by the new one, the
-- download of everything held about an account, its deletion, and for
-- children the withdrawal of the guardian's consent and the purge of the
-- sealed private part that follows (sql/030_rights.sql).  The handlers
-- are src/rights.c's.

-- ------------------------------------------------------ privacy notice

-- The current notice's version.
create function api.privacy_version()
returns int language sql stable as $$
	select max(version) from privacy_notices
$$;

-- The current notice in the reader's language.
create function api.privacy_current(p_lang text)
returns json language sql stable as $$
	select json_build_object('version', version,
	    'published_on', to_char(published_on, 'YYYY-MM-DD'),
	    'title', api.l(p_lang, title_zh, title_en),
	    'paragraphs', to_json(case when p_lang = 'en' then body_en
	        else body_zh end))
	  from privacy_notices order by version desc limit 1
$$;

-- GET /privacy, /api/v1/privacy: the current notice and the versions
-- published so far.
create function api.privacy_page(p_lang text)
returns text language sql stable as $$
	select json_build_object('notice', api.privacy_current(p_lang),
	    'versions', (select json_agg(json_build_object('version', version,
	        'published_on', to_char(published_on, 'YYYY-MM-DD'))
	        order by version desc) from privacy_notices))::text
$$;

-- What registering asks of the notice: the version the reader accepted
-- must be the current one.  400 privacy_consent_required without one,
-- 400 privacy_version_stale for an older (or unknown) one: the notice
-- changed since the form was shown.
create function api.privacy_check(p_version int)
returns void language plpgsql stable as $$
begin
	if p_version is null then
		perform api.fail(400, 'privacy_consent_required',
		    '{"field":"privacy_version"}');
	end if;
	if p_version is distinct from api.privacy_version() then
		perform api.fail(400, 'privacy_version_stale',
		    '{"field":"privacy_version"}');
	end if;
end $$;

-- ------------------------------------------------------ contact change

-- POST /me/contact, /api/v1/me/contact: a new e-mail address (p_email)
-- or phone (p_phone), one of them, for the signed-in account.  Nothing
-- changes yet: a link (p_link, its hash p_link_hash) goes to the new
-- address, or a code (p_code, p_code_hash) to the new phone, and the
-- change is made when it comes back (api.verify_email, api.verify_code,
-- sql/api/032_recovery.sql).  400 contact_required (neither or both),
-- contact_unchanged; 409 account_exists; 429 from the 4th request in a
-- quarter of an hour.
create function api.contact_change(p_sid text, p_email text, p_phone text,
    p_link_hash text, p_link text, p_code_hash text, p_code text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_new	text := coalesce(lower(p_email), p_phone);
	v_email	boolean := p_email is not null;
	v_old	text;
begin
	v_u := api.require_login(p_sid);
	if (p_email is null) = (p_phone is null) then
		perform api.fail(400, 'contact_required', '{"field":"email"}');
	end if;
	-- (plpgsql mis-parses a CASE inside an IF's condition.)
	v_old := coalesce(v_u.email, '');
	if not v_email then
		v_old := coalesce(v_u.phone, '');
	end if;
	if v_new = v_old then
		perform api.fail(400, 'contact_unchanged', json_build_object(
		    'field', case when v_email then 'email' else 'phone' end));
	end if;
	if exists (select 1 from users where email = v_new or phone = v_new) then
		perform api.fail(409, 'account_exists');
	end if;
	perform api.throttle_hit('contact:' || v_u.id, 3);
	if v_email then
		perform api.token_issue(v_u.id, 'verify_email', p_link_hash,
		    v_u.id, p_ip);
	else
		if p_code !~ '^[0-9]{6}$' then
			perform api.fail(400, 'bad_request');
		end if;
		perform api.token_issue(v_u.id, 'verify_phone', p_code_hash,
		    v_u.id, p_ip);
	end if;
	update account_tokens set new_value = v_new
	 where user_id = v_u.id and used_at is null
	   and token_hash = api.token_bytes(case when v_email then p_link_hash
	       else p_code_hash end);
	insert into notifications (user_id, channel, kind, params, to_addr)
	values (v_u.id, case when v_email then 'email' else 'sms' end,
	    case when v_email then 'verify_email' else 'verify_phone' end,
	    case when v_email then jsonb_build_object('name', v_u.display_name,
	        'link', p_link, 'days', 3)
	    else jsonb_build_object('code', p_code, 'minutes', 30) end, v_new);
	perform pg_notify('shop_outbox', '');
	return json_build_object('ok', true, 'channel', case when v_email
	    then 'email' else 'sms' end)::text;
end $$;

-- The change waiting for the link or code of account p_user, if any:
-- {"email": …} or {"phone": …}.
create function api.contact_pending(p_user bigint)
returns json language sql stable as $$
	select json_build_object(case purpose when 'verify_email' then 'email'
	    else 'phone' end, new_value)
	  from account_tokens
	 where user_id = p_user and new_value is not null and used_at is null
	   and expires_at > now() and attempts < 5
	 order by id desc limit 1
$$;

-- Applies the change carried by token p_t (its new_value) to its
-- account, once: 409 account_exists when another account took the
-- address meanwhile.  Audit-logged without the values.
create function api.contact_apply(p_t account_tokens, p_ip text)
returns users language plpgsql as $$
declare
	v_u	users;
begin
	if exists (select 1 from users where id <> p_t.user_id
	    and (email = p_t.new_value or phone = p_t.new_value)) then
		perform api.fail(409, 'account_exists');
	end if;
	if p_t.purpose = 'verify_email' then
		update users set email = p_t.new_value, email_verified_at = now(),
		    updated_at = now() where id = p_t.user_id returning * into v_u;
	else
		update users set phone = p_t.new_value, phone_verified_at = now(),
		    updated_at = now() where id = p_t.user_id returning * into v_u;
	end if;
	perform api.audit(v_u, 'contact_change', 'user', v_u.id, p_ip,
	    jsonb_build_object('field', case p_t.purpose when 'verify_email'
	        then 'email' else 'phone' end));
	return v_u;
end $$;

-- ------------------------------------------------------------- export

-- Everything held about account p_u: the account, its sessions, its
-- pledges (with their history), offers, pairings, the messages sent to
-- it (a message that carried a link or code without it), and the audit
-- entries about it or by it.
create function api.me_export_json(p_u users)
returns json language sql stable as $$
	select json_build_object(
	    'account', json_build_object('id', p_u.id, 'role', p_u.role,
	        'display_name', p_u.display_name, 'email', p_u.email,
	        'phone', p_u.phone, 'affiliation', p_u.affiliation,
	        'org_id', p_u.org_id, 'lang', p_u.lang,
	        'created_at', p_u.created_at, 'updated_at', p_u.updated_at,
	        'email_verified_at', p_u.email_verified_at,
	        'phone_verified_at', p_u.phone_verified_at,
	        'privacy_version', p_u.privacy_version,
	        'notifications_off', (select to_json(off)
	            from notification_prefs where user_id = p_u.id)),
	    'sessions', (select coalesce(json_agg(json_build_object(
	        'id', s.id, 'created_at', s.created_at,
	        'last_seen_at', s.last_seen_at, 'ip', host(s.ip),
	        'user_agent', s.user_agent) order by s.id), '[]')
	      from sessions s where s.user_id = p_u.id),
	    'pledges', (select coalesce(json_agg(json_build_object(
	        'id', p.id, 'need_id', p.need_id, 'need_title', n.title,
	        'amount', api.amount(n.kind in ('money', 'scholarship'),
	            p.quantity::bigint *
	            case when n.kind = 'scholarship' then n.unit_amount
	            else 1 end, n.unit),
	        'status', p.status, 'anonymous', p.anonymous,
	        'created_at', p.created_at, 'due_at', p.due_at,
	        'delivered_at', p.delivered_at, 'received_at', p.received_at,
	        'closed_at', p.closed_at,
	        'events', (select coalesce(json_agg(json_build_object(
	            'at', e.at, 'action', e.action, 'from', e.from_status,
	            'to', e.to_status, 'note', e.note) order by e.id), '[]')
	          from pledge_events e where e.pledge_id = p.id))
	        order by p.id), '[]')
	      from pledges p join needs n on n.id = p.need_id
	     where p.donor_id = p_u.id),
	    'offers', (select coalesce(json_agg(json_build_object(
	        'id', o.id, 'kind', o.kind, 'item', o.item,
	        'quantity', o.quantity, 'status', o.status,
	        'valid_until', o.valid_until, 'created_at', o.created_at)
	        order by o.id), '[]')
	      from offers o where o.donor_id = p_u.id),
	    'pairings', (select coalesce(json_agg(json_build_object(
	        'id', r.id, 'need_id', r.need_id, 'terms', r.terms,
	        'status', r.status, 'created_at', r.created_at,
	        'closed_at', r.closed_at) order by r.id), '[]')
	      from pairings r where r.donor_id = p_u.id),
	    'notifications', (select coalesce(json_agg(json_build_object(
	        'id', m.id, 'kind', m.kind, 'channel', m.channel,
	        'status', m.status, 'subject', m.subject, 'body', m.body,
	        'params', case when api.notify_secret(m.kind) then '{}'
	            else m.params end,
	        'created_at', m.created_at) order by m.id), '[]')
	      from notifications m where m.user_id = p_u.id),
	    'audit', (select coalesce(json_agg(json_build_object(
	        'id', a.id, 'at', a.at, 'actor_id', a.actor_id,
	        'action', a.action, 'target_type', a.target_type,
	        'target_id', a.target_id, 'ip', host(a.ip),
	        'detail', a.detail) order by a.id), '[]')
	      from audit_log a where a.actor_id = p_u.id
	        or (a.target_type = 'user' and a.target_id = p_u.id)))
$$;

-- GET /me/export.json, /api/v1/me/export: the download as JSON.
create function api.me_export(p_sid text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	return json_build_object('exported_at', now(),
	    'data', api.me_export_json(v_u))::text;
end $$;

-- GET /me/export.csv|xlsx (and /api/v1/): the same, one row per value:
-- the part, the record's number, the name and the value (a list or
-- object as JSON), in pages as every list download (098_list_exports).
create function api.me_export_rows(p_sid text, p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.require_login(p_sid);
	with d as (select api.me_export_json(v_u) j),
	items as (
		select 0 as part, 'account' as name, 1::bigint as i,
		    d.j -> 'account' as item
		  from d
		union all
		select s.ord, s.key, e.ord, e.value
		  from d, json_each(d.j) with ordinality s(key, value, ord),
		    json_array_elements(s.value) with ordinality e(value, ord)
		 where s.key <> 'account'),
	cells as (
		select row_number() over (order by it.part, it.i, f.ord) as n,
		    json_build_array(it.name, it.item ->> 'id', f.key,
		        case when json_typeof(f.value) in ('object', 'array')
		            then f.value::text else f.value #>> '{}' end) as r
		  from items it,
		    json_each(it.item) with ordinality f(key, value, ord))
	select array_agg(r order by n), array_agg(n order by n)
	  into v_rows, v_keys
	  from (select * from cells where n > coalesce(p_after, 0)
	        order by n limit api.export_rows_per_page()) c;
	return api.export_page('my-data', '我的数据',
	    array['部分 part', '编号 id', '项目 field', '值 value'],
	    v_rows, v_keys);
end $$;

-- ------------------------------------------------------------ deletion

-- What stops account p_u from being deleted: its pledges not yet
-- received or closed, and its live 1+1 pairings.
create function api.me_delete_blockers(p_u users)
returns json language sql stable as $$
	select json_build_object(
	    'open_pledges', (select count(*) from pledges where donor_id = p_u.id
	        and status in ('pledged', 'delivered', 'disputed')),
	    'live_pairings', (select count(*) from pairings
	        where donor_id = p_u.id and status in ('active', 'flagged')))
$$;

-- GET /me/data, /api/v1/me/data: the signed-in account's rights on one
-- page: its contact and a change waiting for verification, the
-- downloads, and whether the account can be deleted now (a donor's, with
-- no pledge or pairing in progress).
create function api.me_data_page(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	json;
begin
	v_u := api.require_login(p_sid);
	v_b := api.me_delete_blockers(v_u);
	return json_build_object('email', v_u.email, 'phone', v_u.phone,
	    'contact_pending', api.contact_pending(v_u.id),
	    'privacy_version', v_u.privacy_version,
	    'is_donor', v_u.role = 'donor',
	    'open_pledges', (v_b ->> 'open_pledges')::int,
	    'live_pairings', (v_b ->> 'live_pairings')::int,
	    'can_delete', v_u.role = 'donor'
	        and (v_b ->> 'open_pledges')::int = 0
	        and (v_b ->> 'live_pairings')::int = 0,
	    'privacy', api.privacy_current(p_lang))::text;
end $$;

-- POST /me/delete, /api/v1/me/delete: the signed-in donor deletes their
-- account.  403 for staff and admins (an admin disables those); 409
-- account_has_open_pledges while a pledge is pledged, delivered or
-- disputed, or a pairing live.  The account's personal fields are
-- erased (contact, password, affiliation) or replaced by a pseudonym
-- (the display name), its live offers withdrawn, its messages emptied,
-- every session and token ends; its pledges and the fund's records stay,
-- linked to the pseudonym.  The public log is not touched: it holds
-- only the display name it already had.  Audit-logged.
create function api.me_delete(p_sid text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	json;
begin
	v_u := api.require_login(p_sid);
	if v_u.role <> 'donor' then
		perform api.fail(403, 'forbidden');
	end if;
	select * into v_u from users where id = v_u.id for update;
	v_b := api.me_delete_blockers(v_u);
	if (v_b ->> 'open_pledges')::int > 0
	    or (v_b ->> 'live_pairings')::int > 0 then
		perform api.fail(409, 'account_has_open_pledges');
	end if;
	update offers set status = 'withdrawn', withdrawn_at = now()
	 where donor_id = v_u.id and status = 'live';
	update notifications set params = '{}', subject = null, body = null,
	    to_addr = null,
	    status = case when status in ('pending', 'held') then 'failed'
	        else status end,
	    last_error = case when status in ('pending', 'held')
	        then 'account deleted' else last_error end
	 where user_id = v_u.id;
	delete from login_throttle where key in ('acct:' || v_u.email,
	    'acct:' || v_u.phone);
	update users set display_name = api.l(coalesce(lang, 'zh'),
	        '已注销用户', 'deleted account') || ' ' || id,
	    email = null, phone = null, password_hash = null,
	    affiliation = null, email_verified_at = null,
	    phone_verified_at = null, org_id = null,
	    disabled_at = now(), deleted_at = now(), updated_at = now()
	 where id = v_u.id;
	delete from sessions where user_id = v_u.id;
	delete from account_tokens where user_id = v_u.id;
	perform api.audit(v_u, 'account_delete', 'user', v_u.id, p_ip);
	return json_build_object('ok', true, 'id', v_u.id)::text;
end $$;

-- ----------------------------------------------------------- children

-- POST /branch/children/{id}/withdraw, /api/v1/branch/children/{id}/withdraw
-- (staff of the child's organisation, admins): the guardian withdrew
-- consent.  The child is archived for good and its sealed private part
-- is to be purged once the retention period (the setting
-- child_private_retention_days) is over, by api.privacy_tick.  409
-- child_has_needs while one of its needs is under way (cancel them
-- first), 409 consent_withdrawn when it already was.
create function api.child_withdraw_consent(p_sid text, p_id bigint,
    p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_b	beneficiaries;
	v_at	timestamptz;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_b := api.child_for_change(v_u, p_id);
	if v_b.consent_withdrawn_at is not null then
		perform api.fail(409, 'consent_withdrawn');
	end if;
	if exists (select 1 from needs where beneficiary_id = p_id
	    and status = any (api.need_under_way())) then
		perform api.fail(409, 'child_has_needs');
	end if;
	v_at := now() + make_interval(days =>
	    api.setting_int('child_private_retention_days', 30));
	update beneficiaries set archived_at = coalesce(archived_at, now()),
	    consent_withdrawn_at = now(), private_purge_after = v_at,
	    updated_at = now()
	 where id = p_id;
	insert into beneficiary_history (beneficiary_id, actor_id, action)
	values (p_id, v_u.id, 'consent_withdrawn');
	perform api.audit(v_u, 'child_consent_withdraw', 'beneficiary', p_id,
	    p_ip, jsonb_build_object('purge_after', v_at));
	return json_build_object('id', p_id, 'archived', true,
	    'consent_withdrawn', true,
	    'purge_after', to_char(v_at at time zone 'Asia/Shanghai',
	        'YYYY-MM-DD"T"HH24:MI:SS'))::text;
end $$;

-- One batch of the periodic job (src/jobs.c): the sealed private parts
-- of at most p_limit children whose retention period is over are erased,
-- with the sealed former versions in their history; each purge is in the
-- audit log (no actor: the job).  {"done", "backlog"}.
create function api.privacy_tick(p_limit int default 100)
returns json language plpgsql as $$
declare
	v_b	beneficiaries;
	v_n	int := 0;
begin
	for v_b in select * from beneficiaries
	    where private_purge_after <= now() and private_purged_at is null
	    order by private_purge_after, id limit p_limit
	    for update skip locked loop
		delete from beneficiary_private where beneficiary_id = v_b.id;
		update beneficiary_history set prev_key_id = null,
		    prev_nonce = null, prev_sealed = null
		 where beneficiary_id = v_b.id and prev_sealed is not null;
		update beneficiaries set private_purged_at = now()
		 where id = v_b.id;
		insert into beneficiary_history (beneficiary_id, action)
		values (v_b.id, 'private_purged');
		perform api.audit(null::users, 'child_private_purge',
		    'beneficiary', v_b.id, null, jsonb_build_object(
		        'consent_withdrawn_at', v_b.consent_withdrawn_at));
		v_n := v_n + 1;
	end loop;
	return json_build_object('done', v_n, 'backlog', (select count(*)
	    from beneficiaries where private_purge_after <= now()
	      and private_purged_at is null));
end $$;
