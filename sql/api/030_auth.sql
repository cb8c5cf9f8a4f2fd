-- Accounts, sessions, roles and the organisation tree.
--
-- A session is named by the hex SHA-256 of its token (p_sid): the token
-- itself never reaches the database.  Every function that reads or
-- changes a record resolves the session first and checks the role and
-- the organisation subtree; it denies unless a rule allows.

-- Whether org p_org is p_root or below it.
create function api.org_within(p_org bigint, p_root bigint)
returns boolean language sql stable as $$
	with recursive up(id, parent_id) as (
		select id, parent_id from orgs where id = p_org
		union all
		select o.id, o.parent_id from orgs o join up on o.id = up.parent_id
	)
	select p_org is not null and p_root is not null
	    and exists (select 1 from up where id = p_root)
$$;

-- Whether the caller sees the records of organisation p_org: admins all,
-- staff their own organisation's subtree.
create function api.sees_org(p_u users, p_org bigint)
returns boolean language sql stable as $$
	select p_u.role = 'admin'
	    or (p_u.role = 'staff' and api.org_within(p_org, p_u.org_id))
$$;

-- Whether the caller stands above organisation p_org: admins, and staff
-- of a branch strictly above it (those who verify its needs, review its
-- exits and manage its staff).
create function api.above_org(p_u users, p_org bigint)
returns boolean language sql stable as $$
	select p_u.role = 'admin'
	    or (p_u.role = 'staff' and p_org <> p_u.org_id
	        and api.org_within(p_org, p_u.org_id))
$$;

-- The live session's user, or null.  Expired sessions are deleted here;
-- last_seen_at moves at most once a minute (a write per request would
-- make every read a write).
create function api.session_user(p_sid text)
returns users language plpgsql as $$
declare
	v_s	sessions;
	v_u	users;
begin
	if p_sid is null or p_sid !~ '^[0-9a-f]{64}$' then
		return null;
	end if;
	select * into v_s from sessions where token_hash = decode(p_sid, 'hex');
	if not found then
		return null;
	end if;
	if v_s.expires_at <= now() or v_s.last_seen_at + v_s.idle_limit <= now() then
		delete from sessions where id = v_s.id;
		return null;
	end if;
	select * into v_u from users where id = v_s.user_id and disabled_at is null;
	if not found then
		delete from sessions where id = v_s.id;
		return null;
	end if;
	if v_s.last_seen_at < now() - interval '1 minute' then
		update sessions set last_seen_at = now() where id = v_s.id;
	end if;
	return v_u;
end $$;

-- The session's user, whoever it is: 401 without a session.
create function api.require_login(p_sid text)
returns users language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.session_user(p_sid);
	if v_u.id is null then
		perform api.fail(401, 'login_required');
	end if;
	return v_u;
end $$;

-- The session's user, who must have one of p_roles: 401 without a
-- session, 403 with the wrong role, and 403 until an account created by
-- someone else has chosen its own password.
create function api.require_user(p_sid text, p_roles text[])
returns users language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	if not v_u.role = any (p_roles) then
		perform api.fail(403, 'forbidden');
	end if;
	if v_u.must_change_password then
		perform api.fail(403, 'must_change_password');
	end if;
	return v_u;
end $$;

-- Who is looking, for the page layout: null for the public.
create function api.viewer(p_sid text)
returns json language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.session_user(p_sid);
	if v_u.id is null then
		return null;
	end if;
	return json_build_object('id', v_u.id, 'role', v_u.role,
	    'name', v_u.display_name,
	    'is_admin', v_u.role = 'admin', 'is_staff', v_u.role = 'staff',
	    'is_donor', v_u.role = 'donor',
	    'must_change_password', v_u.must_change_password,
	    'org_id', v_u.org_id,
	    'org_name', (select name from orgs where id = v_u.org_id));
end $$;

create function api.audit(p_actor users, p_action text, p_type text,
    p_target bigint, p_ip text, p_detail jsonb default '{}')
returns void language sql as $$
	insert into audit_log (actor_id, actor_role, action, target_type,
	    target_id, ip, detail)
	values (p_actor.id, p_actor.role, p_action, p_type, p_target,
	    nullif(p_ip, '')::inet, p_detail)
$$;

-- Opens a session for v_u; the idle and absolute limits depend on the role
-- (staff and admins: 30 minutes idle, 12 hours in all; donors: 7 days
-- idle, 30 days in all).  Returns the cookie's lifetime in seconds.
create function api.session_open(p_user users, p_sid text, p_ip text,
    p_ua text)
returns int language plpgsql as $$
declare
	v_idle	interval := case when p_user.role = 'donor'
			    then interval '7 days' else interval '30 minutes' end;
	v_max	interval := case when p_user.role = 'donor'
			    then interval '30 days' else interval '12 hours' end;
begin
	if p_sid !~ '^[0-9a-f]{64}$' then
		perform api.fail(400, 'bad_request');
	end if;
	-- The account's sessions that ran out go now (a request that finds
	-- one refuses it, but its transaction is rolled back with the 401).
	delete from sessions where user_id = p_user.id
	   and (expires_at <= now() or last_seen_at + idle_limit <= now());
	insert into sessions (token_hash, user_id, idle_limit, expires_at, ip,
	    user_agent)
	values (decode(p_sid, 'hex'), p_user.id, v_idle, now() + v_max,
	    nullif(p_ip, '')::inet, left(p_ua, 200));
	return extract(epoch from v_max)::int;
end $$;

-- Login, first step: the stored hash for what was typed (an e-mail or a
-- phone), or null; refuses while the identifier or the address is
-- locked.  The caller verifies the password off the event loop, against a
-- dummy hash when this returns null, so that time does not tell either.
create function api.login_begin(p_identifier text, p_ip text)
returns text language plpgsql as $$
declare
	v_until	timestamptz;
	v_hash	text;
begin
	select max(locked_until) into v_until from login_throttle
	 where key in ('acct:' || lower(p_identifier), 'ip:' || p_ip)
	   and locked_until > now();
	if v_until is not null then
		perform api.fail(429, 'too_many_attempts', json_build_object(
		    'retry_after', ceil(extract(epoch from v_until - now()))::int));
	end if;
	select password_hash into v_hash from users
	 where (email = lower(p_identifier) or phone = p_identifier)
	   and disabled_at is null;
	return json_build_object('hash', v_hash)::text;
end $$;

-- Records a failed login for a throttle key.  Failures count within 15
-- minutes; from p_slow on the key waits a little longer each time (2, 4,
-- 8 … up to 60 seconds), from p_limit on it is locked for 15 minutes.
create function api.login_failed(p_key text, p_slow int, p_limit int)
returns void language plpgsql as $$
declare
	v_n	int;
begin
	insert into login_throttle as t (key, failures) values (p_key, 1)
	on conflict (key) do update set
	    failures = case when t.first_at < now() - interval '15 minutes'
	        then 1 else t.failures + 1 end,
	    first_at = case when t.first_at < now() - interval '15 minutes'
	        then now() else t.first_at end,
	    last_at = now()
	returning failures into v_n;
	update login_throttle set locked_until = now() + case
	    when v_n >= p_limit then interval '15 minutes'
	    else make_interval(secs => least(60, 2 ^ (v_n - p_slow + 1))) end
	 where key = p_key and v_n >= p_slow;
end $$;

-- Login, second step.  p_ok says whether the password matched the hash
-- login_begin returned.  On success: a new session, the throttle cleared.
-- On failure: the failure recorded (so it must not raise) and
-- {"ok": false}; the caller answers 401 the same way for a wrong password
-- and for an unknown account.
create function api.login_finish(p_identifier text, p_ip text, p_ok boolean,
    p_sid text, p_ua text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_age	int;
begin
	select * into v_u from users
	 where (email = lower(p_identifier) or phone = p_identifier)
	   and disabled_at is null;
	if not p_ok or v_u.id is null then
		-- An address may be shared by a whole school: it is allowed
		-- more than one account.
		perform api.login_failed('acct:' || lower(p_identifier), 3, 5);
		perform api.login_failed('ip:' || p_ip, 10, 30);
		return json_build_object('ok', false)::text;
	end if;
	delete from login_throttle where key = 'acct:' || lower(p_identifier);
	v_age := api.session_open(v_u, p_sid, p_ip, p_ua);
	if v_u.role <> 'donor' then
		perform api.audit(v_u, 'login', 'user', v_u.id, p_ip);
	end if;
	return json_build_object('ok', true, 'max_age', v_age,
	    'user', api.viewer(p_sid))::text;
end $$;

create function api.logout(p_sid text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.session_user(p_sid);
	if v_u.id is not null and v_u.role <> 'donor' then
		perform api.audit(v_u, 'logout', 'user', v_u.id, p_ip);
	end if;
	if p_sid ~ '^[0-9a-f]{64}$' then
		delete from sessions where token_hash = decode(p_sid, 'hex');
	end if;
	return '{"ok":true}';
end $$;

-- Whether a name holds something like contact data: an @, or seven digits
-- however they are spaced or dashed ("138 1234 5678").
create function api.looks_like_contact(p_name text)
returns boolean language sql immutable as $$
	select p_name ~ '[@＠]'
	    or regexp_replace(p_name, '[^0-9０-９]', '', 'g') ~ '[0-9０-９]{7}'
$$;

-- A name that is not a name (issue 19: a donor called <script>… was
-- listed, escaped but listed): markup, a link, or control characters.
create function api.looks_like_markup(p_name text)
returns boolean language sql immutable as $$
	select p_name ~ '[<>{}＜＞]' or p_name ~* '(://|www\.|\.(com|cn|net|org)\M)'
	    or p_name ~ '[[:cntrl:]]'
$$;

-- What the public sees of a donor: the display name, or 爱心人士 when
-- they give anonymously, are unknown, or the name holds something like
-- contact data (an @, or seven digits in a row).
create function api.donor_public_name(p_user bigint, p_anonymous boolean,
    p_lang text)
returns text language plpgsql stable as $$
declare
	v	text;
begin
	if not coalesce(p_anonymous, false) then
		select u.display_name into v from users u where u.id = p_user;
		if v is not null and not api.looks_like_contact(v)
		    and not api.looks_like_markup(v) then
			return v;
		end if;
	end if;
	return api.l(p_lang, '爱心人士', 'A caring donor');
end $$;

-- A display name is public: no e-mail address or phone number in it, no
-- markup or link.
create function api.check_display_name(p_name text)
returns void language plpgsql immutable as $$
begin
	if api.looks_like_contact(p_name) then
		perform api.fail(400, 'name_contact', '{"field":"display_name"}');
	end if;
	if api.looks_like_markup(p_name) then
		perform api.fail(400, 'name_markup', '{"field":"display_name"}');
	end if;
end $$;

-- What a registration is refused for, asked before its password is
-- hashed (about 140 ms of a CPU: only for a sign-up that can succeed):
-- 400 without a contact or for a name holding one, 409 when the e-mail
-- or phone is already registered; 400 without the current privacy
-- notice's version (api.privacy_check, sql/api/096_rights.sql).
-- api.register checks again.
create function api.register_check(p_name text, p_email text, p_phone text,
    p_privacy int)
returns text language plpgsql stable as $$
begin
	perform api.privacy_check(p_privacy);
	if p_email is null and p_phone is null then
		perform api.fail(400, 'contact_required', json_build_object(
		    'field', 'email'));
	end if;
	perform api.check_display_name(p_name);
	if exists (select 1 from users where email = lower(p_email)
	    or phone = p_phone) then
		perform api.fail(409, 'account_exists');
	end if;
	return '{}';
end $$;

-- A donor registers and is signed in.  409 when the e-mail or phone is
-- already registered.  The new account is sent the way to verify its
-- contact (api.verify_send, sql/api/032_recovery.sql: a link to the
-- e-mail address, p_link with its token's hash p_link_hash, or to a
-- phone-only account the code p_code, its hash p_code_hash).  The
-- version of the privacy notice accepted (p_privacy) is recorded.
create function api.register(p_name text, p_email text, p_phone text,
    p_affiliation text, p_privacy int, p_hash text, p_sid text, p_ip text,
    p_ua text, p_link_hash text, p_link text, p_code_hash text,
    p_code text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_age	int;
begin
	perform api.register_check(p_name, p_email, p_phone, p_privacy);
	insert into users (role, display_name, email, phone, password_hash,
	    affiliation, privacy_version)
	values ('donor', p_name, lower(p_email), p_phone, p_hash, p_affiliation,
	    p_privacy)
	returning * into v_u;
	perform api.verify_send(v_u, p_link_hash, p_link, p_code_hash, p_code,
	    p_ip);
	v_age := api.session_open(v_u, p_sid, p_ip, p_ua);
	return json_build_object('ok', true, 'max_age', v_age,
	    'user', api.viewer(p_sid))::text;
end $$;

-- The kinds of message that carry a one-time secret (a link with a
-- token, or a code; sql/api/032_recovery.sql): account and security
-- messages, which nobody may turn off and which are never listed on /me.
create function api.notify_secret(p_kind text)
returns boolean language sql immutable as $$
	select p_kind in ('password_reset', 'invite', 'verify_email',
	    'verify_phone')
$$;

-- The latest messages of the notifications outbox for one person, newest
-- first: what /me and /me/pledges show as "messages".  Ordered like the
-- notifications_user index so it is read from the index.  A message is
-- its kind and parameters: the module writes its subject and body in
-- the reader's language (src/outbox.c); older ones have their own.
-- Messages that carry a one-time secret (a reset link, a verification
-- code) are never shown: a code on the page would prove nothing.
create function api.messages_json(p_user bigint)
returns json language sql stable as $$
	select coalesce(json_agg(json_build_object(
	    'id', id, 'subject', subject, 'body', body, 'kind', kind,
	    'params', params, 'status', status,
	    'at', api.minute(created_at)) order by created_at desc, id desc),
	    '[]')
	  from (select * from notifications where user_id = p_user
	        and not api.notify_secret(kind)
	        order by created_at desc, id desc limit 20) x
$$;

-- The signed-in person's profile and their latest messages.
create function api.me(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	return json_build_object('user', json_build_object(
	    'id', v_u.id, 'role', v_u.role, 'display_name', v_u.display_name,
	    'email', v_u.email, 'phone', v_u.phone,
	    'affiliation', v_u.affiliation,
	    'must_change_password', v_u.must_change_password,
	    'verified', api.user_verified(v_u),
	    'verify_by', case when v_u.email is not null then 'email'
	        else 'sms' end,
	    'verify_sms', v_u.email is null,
	    'unverified_pledge_limit', case when v_u.role = 'donor'
	        then api.setting_int('unverified_pledge_limit', 3) end,
	    'role_name', api.role_name(v_u.role, p_lang),
	    'is_donor', v_u.role = 'donor',
	    'org_id', v_u.org_id,
	    'org_name', (select name from orgs where id = v_u.org_id),
	    'created_on', api.day(v_u.created_at),
	    'privacy_version', v_u.privacy_version,
	    'contact_pending', api.contact_pending(v_u.id)),
	    'notifications', api.messages_json(v_u.id))::text;
end $$;

create function api.me_update(p_sid text, p_name text, p_affiliation text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	perform api.check_display_name(p_name);
	update users set display_name = p_name,
	    affiliation = case when role = 'donor' then p_affiliation end,
	    updated_at = now()
	 where id = v_u.id;
	return '{"ok":true}';
end $$;

-- The caller's own password hash, to verify the current password.
create function api.password_current(p_sid text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	return json_build_object('hash', v_u.password_hash)::text;
end $$;

-- Sets a new password; every other session of the account ends.
create function api.password_set(p_sid text, p_hash text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	update users set password_hash = p_hash, must_change_password = false,
	    updated_at = now() where id = v_u.id;
	delete from sessions where user_id = v_u.id
	   and token_hash <> decode(p_sid, 'hex');
	if v_u.role <> 'donor' then
		perform api.audit(v_u, 'password_change', 'user', v_u.id, p_ip);
	end if;
	return '{"ok":true}';
end $$;
