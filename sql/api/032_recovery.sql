-- Accounts that can be recovered (issue 12, item 4): a forgotten
-- password, invitations to set one's own password, the verification of
-- a new account's e-mail address or phone, and the limit on the open
-- pledges of a donor who has not verified either.
--
-- Tokens are made by the module (256 random bits from OpenSSL, as 64 hex
-- digits; an SMS code is 6 digits).  The functions here get the hex
-- SHA-256 of the token (p_hash, what is stored and compared) and the
-- link or the code only to put into the message's params: the outbox
-- row holds it until it is sent.  Neither ever reaches a log or the
-- audit log.  The table is account_tokens (sql/017_recovery.sql).

-- How long each purpose's token lives.
create function api.token_lifetime(p_purpose text)
returns interval language sql immutable as $$
	select case p_purpose
	    when 'reset' then interval '30 minutes'
	    when 'invite' then interval '7 days'
	    when 'verify_email' then interval '3 days'
	    when 'verify_phone' then interval '30 minutes' end
$$;

-- A hex SHA-256 (64 lower-case hex digits) as bytes, or null.
create function api.token_bytes(p_hash text)
returns bytea language sql immutable as $$
	select case when p_hash ~ '^[0-9a-f]{64}$' then decode(p_hash, 'hex')
	    end
$$;

-- Whether the account showed its contact to be its own: the e-mail
-- address when it has one, else the phone.
create function api.user_verified(p_u users)
returns boolean language sql stable as $$
	select case when p_u.email is not null
	    then p_u.email_verified_at is not null
	    else p_u.phone_verified_at is not null end
$$;

-- Stores a new token of p_purpose for account p_user (its unused tokens
-- of that purpose are replaced; its tokens that ended a week ago go).
create function api.token_issue(p_user bigint, p_purpose text, p_hash text,
    p_by bigint, p_ip text)
returns void language plpgsql as $$
begin
	if api.token_bytes(p_hash) is null then
		perform api.fail(400, 'bad_request');
	end if;
	delete from account_tokens where user_id = p_user
	   and ((purpose = p_purpose and used_at is null)
	    or expires_at < now() - interval '7 days');
	insert into account_tokens (user_id, purpose, token_hash, expires_at,
	    created_by, ip)
	values (p_user, p_purpose, decode(p_hash, 'hex'),
	    now() + api.token_lifetime(p_purpose), p_by,
	    nullif(p_ip, '')::inet);
end $$;

-- Sends account p_u the way to verify its contact: a link
-- (/verify/email?token=, p_link with its token's hash p_link_hash) to
-- its e-mail address, or to a phone-only account a code by SMS (p_code,
-- its hash p_code_hash).  Returns the channel, 'email' or 'sms'.
create function api.verify_send(p_u users, p_link_hash text, p_link text,
    p_code_hash text, p_code text, p_ip text)
returns text language plpgsql as $$
begin
	if p_u.email is not null then
		perform api.token_issue(p_u.id, 'verify_email', p_link_hash,
		    p_u.id, p_ip);
		perform api.notify(p_u.id, 'verify_email', jsonb_build_object(
		    'name', p_u.display_name, 'link', p_link, 'days', 3));
		return 'email';
	end if;
	if p_code !~ '^[0-9]{6}$' then
		perform api.fail(400, 'bad_request');
	end if;
	perform api.token_issue(p_u.id, 'verify_phone', p_code_hash, p_u.id,
	    p_ip);
	perform api.notify(p_u.id, 'verify_phone', jsonb_build_object(
	    'code', p_code, 'minutes', 30));
	return 'sms';
end $$;

-- Counts a request against throttle key p_key: 429 while the key is
-- locked; from the p_limit-th request in a quarter of an hour it is
-- locked for 15 minutes (api.login_failed's counting).
create function api.throttle_hit(p_key text, p_limit int)
returns void language plpgsql as $$
declare
	v_until	timestamptz;
begin
	select locked_until into v_until from login_throttle
	 where key = p_key and locked_until > now();
	if v_until is not null then
		perform api.fail(429, 'too_many_attempts', json_build_object(
		    'retry_after', ceil(extract(epoch from v_until - now()))::int));
	end if;
	perform api.login_failed(p_key, p_limit, p_limit);
end $$;

-- POST /password/forgot, /api/v1/password/forgot: a link to set a new
-- password (p_link, its token's hash p_hash), valid 30 minutes, to the
-- account whose e-mail or phone p_identifier is, when there is one and
-- it is not disabled.  The answer is the same whether there is or not,
-- and so is the work but for a token and a message: the throttle counts
-- what was typed, not an account.  429 from the 4th request in a quarter
-- of an hour for one identifier, or the 21st from one address.
create function api.password_forgot(p_identifier text, p_ip text,
    p_hash text, p_link text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	perform api.throttle_hit('forgot-ip:' || p_ip, 20);
	perform api.throttle_hit('forgot:' || lower(p_identifier), 3);
	select * into v_u from users
	 where (email = lower(p_identifier) or phone = p_identifier)
	   and disabled_at is null;
	if v_u.id is not null then
		perform api.token_issue(v_u.id, 'reset', p_hash, null, p_ip);
		perform api.notify(v_u.id, 'password_reset', jsonb_build_object(
		    'name', v_u.display_name, 'link', p_link, 'minutes', 30));
		perform api.audit(null, 'password_reset_requested', 'user',
		    v_u.id, p_ip);
	end if;
	return '{"ok":true}';
end $$;

-- The live token p_hash sets a password with (a reset or an invitation),
-- locked for the change when p_lock; 400 bad_token (field token) when
-- there is none: unknown, used, expired, replaced, or of an account
-- that is disabled.
create function api.password_token(p_hash text, p_lock boolean)
returns account_tokens language plpgsql as $$
declare
	v_t	account_tokens;
begin
	if p_lock then
		select t.* into v_t from account_tokens t
		  join users u on u.id = t.user_id
		 where t.token_hash = api.token_bytes(p_hash)
		   and t.purpose in ('reset', 'invite') and t.used_at is null
		   and t.expires_at > now() and u.disabled_at is null
		   for update of t, u;
	else
		select t.* into v_t from account_tokens t
		  join users u on u.id = t.user_id
		 where t.token_hash = api.token_bytes(p_hash)
		   and t.purpose in ('reset', 'invite') and t.used_at is null
		   and t.expires_at > now() and u.disabled_at is null;
	end if;
	if v_t.id is null then
		perform api.fail(400, 'bad_token', '{"field":"token"}');
	end if;
	return v_t;
end $$;

-- GET /password/reset, and the first step of a reset: whether the token
-- is live, checked before any password is hashed.  {"ok", "invite",
-- "login"} (login: the account's e-mail or phone, for the form).
create function api.password_token_check(p_hash text)
returns text language plpgsql as $$
declare
	v_t	account_tokens;
begin
	v_t := api.password_token(p_hash, false);
	return json_build_object('ok', true, 'invite', v_t.purpose = 'invite',
	    'login', (select coalesce(email, phone) from users
	        where id = v_t.user_id))::text;
end $$;

-- POST /password/reset, /api/v1/password/reset, the second step:
-- p_password_hash (made on a task once the first step found the token
-- live) becomes the account's password; the token is used and the
-- account's other reset and invitation tokens die; every session of the
-- account ends; the address the link went to counts as verified.  400
-- bad_token when the token died in between.  Audit-logged (without the
-- token).
create function api.password_reset(p_hash text, p_password_hash text,
    p_ip text)
returns text language plpgsql as $$
declare
	v_t	account_tokens;
	v_u	users;
begin
	v_t := api.password_token(p_hash, true);
	if p_password_hash is null or p_password_hash !~ '^\$scrypt\$' then
		perform api.fail(400, 'bad_request');
	end if;
	update users set password_hash = p_password_hash,
	    must_change_password = false,
	    email_verified_at = case when email is not null
	        then coalesce(email_verified_at, now()) end,
	    phone_verified_at = case when email is null and phone is not null
	        then coalesce(phone_verified_at, now())
	        else phone_verified_at end,
	    updated_at = now()
	 where id = v_t.user_id
	returning * into v_u;
	update account_tokens set used_at = now() where id = v_t.id;
	delete from account_tokens where user_id = v_u.id
	   and purpose in ('reset', 'invite') and used_at is null;
	delete from sessions where user_id = v_u.id;
	perform api.audit(v_u, case when v_t.purpose = 'invite'
	    then 'invite_accepted' else 'password_reset' end, 'user', v_u.id,
	    p_ip);
	return json_build_object('ok', true,
	    'invite', v_t.purpose = 'invite',
	    'login', coalesce(v_u.email, v_u.phone))::text;
end $$;

-- GET /verify/email?token=, POST /api/v1/verify/email: the link sent to
-- an account's e-mail address; the address is verified.  A link already
-- used answers the same while the address stays verified (a mail
-- scanner may have opened it first).  400 bad_token (field token) when
-- the link is unknown, expired, replaced, or its account disabled.
create function api.verify_email(p_hash text, p_ip text)
returns text language plpgsql as $$
declare
	v_t	account_tokens;
	v_u	users;
begin
	select t.* into v_t from account_tokens t
	  join users u on u.id = t.user_id
	 where t.token_hash = api.token_bytes(p_hash)
	   and t.purpose = 'verify_email' and u.disabled_at is null
	   and (t.used_at is not null or t.expires_at > now())
	   for update of t, u;
	if v_t.id is null then
		perform api.fail(400, 'bad_token', '{"field":"token"}');
	end if;
	if v_t.new_value is not null then
		-- A change of address (api.contact_change): done once.
		if v_t.used_at is null then
			v_u := api.contact_apply(v_t, p_ip);
			update account_tokens set used_at = now()
			 where id = v_t.id;
		end if;
		return json_build_object('ok', true, 'email',
		    v_t.new_value)::text;
	end if;
	update users set email_verified_at = coalesce(email_verified_at, now()),
	    updated_at = now()
	 where id = v_t.user_id and email is not null
	returning * into v_u;
	if v_u.id is null or v_u.email_verified_at is null then
		perform api.fail(400, 'bad_token', '{"field":"token"}');
	end if;
	if v_t.used_at is null then
		update account_tokens set used_at = now() where id = v_t.id;
	end if;
	return json_build_object('ok', true, 'email', v_u.email)::text;
end $$;

-- POST /me/verify, /api/v1/me/verify: a new link (or, to a phone-only
-- account, a new code) to verify the signed-in account's contact; the
-- one sent before dies.  409 already_verified; 429 from the 4th in a
-- quarter of an hour.
create function api.verify_resend(p_sid text, p_link_hash text,
    p_link text, p_code_hash text, p_code text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	if api.user_verified(v_u) then
		perform api.fail(409, 'already_verified');
	end if;
	perform api.throttle_hit('verify:' || v_u.id, 3);
	return json_build_object('ok', true, 'channel', api.verify_send(v_u,
	    p_link_hash, p_link, p_code_hash, p_code, p_ip))::text;
end $$;

-- POST /me/verify/code, /api/v1/me/verify/code: the 6-digit code sent by
-- SMS to the signed-in phone-only account (p_code_hash, its SHA-256);
-- the phone is verified.  A wrong code is counted, so it is answered
-- {"ok": false, "error": "bad_code"} rather than raised (a raise would
-- undo the count); a code dies after 5 wrong tries or 30 minutes:
-- {"ok": false, "error": "code_expired"}.  409 already_verified.  The
-- code sent to a new phone (api.contact_change) is typed here too: the
-- phone then becomes the account's.
create function api.verify_code(p_sid text, p_code_hash text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	account_tokens;
begin
	v_u := api.require_login(p_sid);
	if api.user_verified(v_u) and not exists (select 1 from account_tokens
	    where user_id = v_u.id and purpose = 'verify_phone'
	      and new_value is not null and used_at is null) then
		perform api.fail(409, 'already_verified');
	end if;
	select * into v_t from account_tokens
	 where user_id = v_u.id and purpose = 'verify_phone'
	   and used_at is null and expires_at > now() and attempts < 5
	 order by id desc limit 1
	   for update;
	if v_t.id is null then
		return '{"ok":false,"error":"code_expired"}';
	end if;
	if v_t.token_hash is distinct from api.token_bytes(p_code_hash) then
		update account_tokens set attempts = attempts + 1
		 where id = v_t.id;
		return '{"ok":false,"error":"bad_code"}';
	end if;
	if v_t.new_value is not null then
		perform api.contact_apply(v_t, p_ip);
	else
		update users set phone_verified_at = now(), updated_at = now()
		 where id = v_u.id;
	end if;
	update account_tokens set used_at = now() where id = v_t.id;
	return '{"ok":true}';
end $$;

-- POST /accounts/{id}/reset, /api/v1/users/{id}/reset: a link to set a
-- new password (30 minutes), sent to the account itself, never shown to
-- the caller; an account that never set its password gets a new
-- invitation (7 days, link with &invite=1) instead.  Admins may send it
-- to any account, staff to the staff of the organisations below theirs
-- (as for disabling); 404 for the others.  409 account_disabled, 409
-- no_contact.  Audit-logged.
create function api.account_send_link(p_sid text, p_id bigint, p_hash text,
    p_link text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_t	users;
	v_kind	text;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	v_t := api.account_manageable(v_u, p_id);
	if v_t.disabled_at is not null then
		perform api.fail(409, 'account_disabled');
	end if;
	if v_t.email is null and v_t.phone is null then
		perform api.fail(409, 'no_contact');
	end if;
	v_kind := case when v_t.password_hash is null then 'invite'
	    else 'reset' end;
	perform api.token_issue(v_t.id, v_kind, p_hash, v_u.id, p_ip);
	if v_kind = 'invite' then
		perform api.invite_notify(v_t, v_u, p_link);
	else
		perform api.notify(v_t.id, 'password_reset', jsonb_build_object(
		    'name', v_t.display_name, 'link', p_link, 'minutes', 30));
	end if;
	perform api.audit(v_u, 'password_link_sent', 'user', v_t.id, p_ip,
	    jsonb_build_object('kind', v_kind));
	return json_build_object('id', v_t.id, 'sent', v_kind)::text;
end $$;

-- The invitation to account p_t, from p_by: p_link with &invite=1.
create function api.invite_notify(p_t users, p_by users, p_link text)
returns void language plpgsql as $$
begin
	perform api.notify(p_t.id, 'invite', jsonb_build_object(
	    'name', p_t.display_name, 'link', p_link || '&invite=1',
	    'days', 7, 'by', p_by.display_name,
	    'org', (select name from orgs where id = p_t.org_id)));
end $$;

-- Until a donor's e-mail or phone is verified they may hold at most
-- unverified_pledge_limit (3) open pledges (pledged, delivered or
-- disputed): 403 verify_first, with the limit.  This also keeps one new
-- account from reserving the whole shelf.  Called by api.pledge_create;
-- the account's row is locked, so that two pledges at once cannot both
-- pass the count.
create function api.pledge_verified_check(p_u users)
returns void language plpgsql as $$
declare
	v_limit	int;
	v_n	int;
begin
	if p_u.role <> 'donor' or api.user_verified(p_u) then
		return;
	end if;
	v_limit := api.setting_int('unverified_pledge_limit', 3);
	perform 1 from users where id = p_u.id for update;
	select count(*) into v_n from pledges
	 where donor_id = p_u.id
	   and status in ('pledged', 'delivered', 'disputed');
	if v_n >= v_limit then
		perform api.fail(403, 'verify_first', json_build_object(
		    'limit', v_limit));
	end if;
end $$;
