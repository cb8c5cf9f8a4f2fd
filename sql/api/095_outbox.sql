-- The outbox (issue 12): who is told what, each account's choices, and
-- what build/shop-sender calls to drain it (src/sender/).
--
-- A message is a kind and its parameters (api.notify, sql/api/050),
-- written in the transaction of the event it tells of, and rendered in
-- the recipient's language when it is sent, from mail.<kind>.subject and
-- mail.<kind>.body in assets/messages_*.json.  Parameters are what the
-- text names ({{need_title}}); "path", a path on the site, becomes the
-- message's link ({{url}}).  Never a child's private part, never a
-- contact: a need's title, an amount, a date, a public alias at most.

-- The kinds an account may turn off (/me/notifications), who gets them,
-- and their names.  Every other kind (account and security messages:
-- password reset, verification, invitations) is always sent, at once.
create function api.notify_kinds()
returns table (kind text, audience text[], name_zh text, name_en text,
    sort int)
language sql immutable as $$
	values
	    ('pledge_made', array['donor'], '认捐确认', 'Pledge confirmed', 10),
	    ('due_soon', array['donor'], '认捐即将到期', 'Pledge due soon', 11),
	    ('received', array['donor'], '学校确认收到', 'Gift received', 12),
	    ('disputed', array['donor'], '学校暂未收到', 'Gift not found yet', 13),
	    ('expired', array['donor'], '认捐过期', 'Pledge expired', 14),
	    ('need_expired', array['donor'], '认捐的需求已截止',
	        'A need you pledged to closed', 15),
	    ('need_cancelled', array['donor'], '认捐的需求已撤销',
	        'A need you pledged to was cancelled', 16),
	    ('proposal', array['donor'], '为捐赠意向推荐需求',
	        'A need proposed for your offer', 17),
	    ('pairing_flagged', array['donor', 'staff'], '“1+1”结对逾期',
	        'A "1+1" pairing term is late', 18),
	    ('pairing_ended', array['donor', 'staff'], '“1+1”结对结束',
	        'A "1+1" pairing ended', 19),
	    ('pairing_lapsed', array['donor', 'staff'], '“1+1”结对中断',
	        'A "1+1" pairing lapsed', 20),
	    ('pairing_completed', array['donor'], '“1+1”结对完成',
	        'A "1+1" pairing completed', 21),
	    ('pledge_new', array['staff'], '新的认捐', 'A new pledge', 30),
	    ('pledge_delivered', array['staff'], '捐赠人标记已送出',
	        'A gift marked delivered', 31),
	    ('pledge_disputed', array['staff'], '认捐待核实',
	        'A gift disputed', 32),
	    ('pledge_message', array['staff'], '捐赠人留言待审核',
	        'A donor''s message to review', 33),
	    ('objection', array['staff'], '需求公示收到异议',
	        'An objection to a need', 34),
	    ('pairing', array['staff'], '新的“1+1”结对', 'A new "1+1" pairing', 35),
	    ('pairing_resolved', array['staff'], '“1+1”结对恢复',
	        'A "1+1" pairing put right', 36),
	    ('proposal_declined', array['staff', 'admin'], '推荐被谢绝',
	        'A proposal declined', 37),
	    ('report_due', array['staff'], '季度报告即将截止',
	        'Quarterly report due', 40),
	    ('report_late', array['staff'], '季度报告逾期',
	        'Quarterly report late', 41),
	    ('objection_waiting', array['admin'], '待处理的异议',
	        'Objections waiting', 50),
	    ('outbox_failing', array['admin'], '消息发送失败',
	        'Messages failing', 51)
$$;

-- A message's kind in words (the admins' outbox showed pledge_made):
-- those an account may turn off, and those it always gets.
create function api.notify_kind_name(p_kind text, p_lang text)
returns text language sql immutable as $$
	select coalesce((select api.l(p_lang, k.name_zh, k.name_en)
	      from api.notify_kinds() k where k.kind = p_kind),
	    case p_kind
	    when 'password_reset' then api.l(p_lang, '设置新密码', 'Password reset')
	    when 'invite' then api.l(p_lang, '账号邀请', 'Invitation')
	    when 'verify_email' then api.l(p_lang, '验证邮箱', 'E-mail check')
	    when 'verify_phone' then api.l(p_lang, '验证手机号', 'Phone check')
	    when 'digest' then api.l(p_lang, '每日汇总', 'Daily digest')
	    end, p_kind)
$$;

-- Whether an account may turn kind p_kind off (and staff get it in the
-- digest).  plpgsql, as the other functions a pledge calls (PostgreSQL
-- plans a SQL function it does not inline on every call; this one's
-- plan is kept for the session).
create function api.notify_optional(p_kind text)
returns boolean language plpgsql immutable as $$
begin
	return exists (select 1 from api.notify_kinds() k where k.kind = p_kind);
end $$;

-- Tells every active staff member of organisation p_org.
create function api.notify_org(p_org bigint, p_kind text, p_params jsonb,
    p_dedupe text default null)
returns int language sql as $$
	select coalesce(sum(api.notify(u.id, p_kind, p_params, p_dedupe)), 0)::int
	  from users u
	 where u.org_id = p_org and u.role = 'staff' and u.disabled_at is null
$$;

-- Tells every active admin.
create function api.notify_admins(p_kind text, p_params jsonb,
    p_dedupe text default null)
returns int language sql as $$
	select coalesce(sum(api.notify(u.id, p_kind, p_params, p_dedupe)), 0)::int
	  from users u where u.role = 'admin' and u.disabled_at is null
$$;

-- What a message about pledge p_id names: the need, the amount, the due
-- day, the organisation; its path for the donor (p_staff false) or the
-- need's staff.
create function api.pledge_params(p_id bigint, p_staff boolean)
returns jsonb language plpgsql stable as $$
begin
	return (select jsonb_build_object('pledge_id', p.id, 'need_id', n.id,
	    'need_title', n.title, 'amount', api.pledge_amount(n, p.quantity),
	    'due_on', api.day(p.due_at), 'receipt_code', p.receipt_code,
	    'org_name', o.name,
	    'path', case when p_staff then '/branch/pledges'
	        else '/me/pledges/' || p.id end)
	  from pledges p join needs n on n.id = p.need_id
	  join orgs o on o.id = n.org_id
	 where p.id = p_id);
end $$;

-- Tells the staff of the need's organisation about pledge p_id: a new
-- pledge (pledge_new), a donor's message to review (pledge_message), a
-- delivery marked (pledge_delivered), a dispute (pledge_disputed: the
-- others of the school, not who raised it).  The message's parameters
-- are the same for each of them: made once.
create function api.notify_pledge_staff(p_id bigint, p_kind text,
    p_except bigint default null)
returns int language plpgsql as $$
declare
	v_params	jsonb;
	v_u		bigint;
	v_n		int := 0;
begin
	for v_u in select u.id
	  from pledges p join needs n on n.id = p.need_id
	  join users u on u.org_id = n.org_id
	 where p.id = p_id and u.role = 'staff' and u.disabled_at is null
	   and u.id is distinct from p_except
	 order by u.id loop
		v_params := coalesce(v_params, api.pledge_params(p_id, true));
		v_n := v_n + api.notify(v_u, p_kind, v_params, null);
	end loop;
	return v_n;
end $$;

-- Tells the donor that pledge p_id arrived: the school's thank-you and
-- where the hand-over photos are (the pledge's page; the first photo's
-- own address when there is one already).
create function api.notify_received(p_id bigint, p_thanks text)
returns int language sql as $$
	select api.notify(p.donor_id, 'received', api.pledge_params(p_id, false)
	    || jsonb_build_object('thank_you', p_thanks,
	        'photo_path', (select '/pledges/' || p_id || '/photos/' || min(ph.id)
	            from pledge_photos ph where ph.pledge_id = p_id)))
	  from pledges p where p.id = p_id
$$;

-- An objection to need p_need's notice: its staff, and the admins who
-- answer objections (with the branches above).  Never the objection's
-- text or contact: the page shows those to whom may read them.
create function api.notify_objection(p_need bigint)
returns int language sql as $$
	select api.notify_org(n.org_id, 'objection', jsonb_build_object(
	    'need_id', n.id, 'need_title', n.title,
	    'path', '/branch/needs/' || n.id))
	    + api.notify_admins('objection_waiting', jsonb_build_object(
	    'need_id', n.id, 'need_title', n.title, 'path', '/admin/needs'),
	    'objection:' || n.id || ':' || api.today())
	  from needs n where n.id = p_need
$$;

-- Need p_need was cancelled or expired (the needs_closed_notify trigger
-- of sql/018 calls this in the transaction that closed it).  Pledges
-- still live on it (pledged, delivered, being checked) stay valid until
-- their own due day: the donor may still hand the gift over and the
-- school confirm it; only what nobody pledged leaves the shelf.  Each such
-- donor is told, once per pledge, with the pledge's due day.
create function api.need_closed_notify(p_need bigint, p_status text)
returns int language sql as $$
	select coalesce(sum(api.notify(p.donor_id, 'need_' || p_status,
	    api.pledge_params(p.id, false) || jsonb_build_object(
	        'status', p.status), 'need_closed:' || p.id)), 0)::int
	  from pledges p
	 where p.need_id = p_need and p.status in ('pledged', 'delivered',
	     'disputed')
$$;

-- ---------------------------------------------------------- the sender

-- Claims up to p_limit due messages for p_lease seconds (several senders
-- may claim at once: each skips the rows another holds) and returns them
-- as a JSON array, each with what rendering needs: the recipient's
-- address on its channel, name and language, whether the kind may be
-- turned off, and the token of the account's unsubscribe links.
create function api.outbox_claim(p_limit int, p_lease int)
returns text language plpgsql as $$
declare
	v_ids	bigint[];
begin
	with c as (
		select id from notifications
		 where status = 'pending' and next_attempt_at <= now()
		 order by next_attempt_at, id
		 limit least(greatest(p_limit, 1), 500)
		 for update skip locked),
	u as (
		update notifications n set attempts = n.attempts + 1,
		    first_attempt_at = coalesce(n.first_attempt_at, now()),
		    next_attempt_at = now() + make_interval(secs =>
		        greatest(p_lease, 10))
		  from c where n.id = c.id
		returning n.id)
	select array_agg(id) into v_ids from u;
	-- A reset link or a code is kept only while it may be needed: an
	-- hour after a message carrying one was sent or failed, its
	-- parameters are emptied (a batch a round, so it always finishes;
	-- the kinds of api.notify_secret, spelled out for the index of 018).
	update notifications set params = '{}'
	 where id in (select id from notifications
	     where params <> '{}' and kind in ('password_reset', 'invite',
	         'verify_email', 'verify_phone')
	       and created_at < now() - interval '1 hour'
	       and status in ('sent', 'failed')
	     limit 100 for update skip locked);
	if v_ids is null then
		return '[]';
	end if;
	insert into notification_prefs (user_id)
	select distinct user_id from notifications where id = any (v_ids)
	on conflict (user_id) do nothing;
	return (select json_agg(json_build_object(
	    'id', n.id, 'channel', n.channel, 'kind', n.kind,
	    'params', n.params, 'subject', n.subject, 'body', n.body,
	    'attempts', n.attempts,
	    'to', coalesce(n.to_addr, case n.channel when 'email' then u.email
	        else u.phone end),
	    'name', u.display_name, 'lang', u.lang,
	    'optional', api.notify_optional(n.kind) or n.kind = 'digest',
	    'token', pr.token,
	    'date', extract(epoch from n.created_at)::bigint) order by n.id)
	  from notifications n join users u on u.id = n.user_id
	  join notification_prefs pr on pr.user_id = n.user_id
	 where n.id = any (v_ids))::text;
end $$;

-- What became of a claimed message: 'sent'; 'permanent' (refused for
-- good: an SMTP 5xx, an HTTP 4xx, no address), failed at once;
-- 'temporary' (4xx, no connection, a relay's 5xx), tried again in
-- p_base seconds doubled at each attempt up to 6 hours, until 24 hours
-- after the first attempt, then failed.  The admins are told when
-- messages fail, once a day.  Returns the message's status.
create function api.outbox_done(p_id bigint, p_result text, p_error text,
    p_base int)
returns text language plpgsql as $$
declare
	v_n	notifications;
begin
	select * into v_n from notifications where id = p_id for update;
	if v_n.id is null or v_n.status <> 'pending' then
		return coalesce(v_n.status, 'gone');
	end if;
	if p_result = 'sent' then
		update notifications set status = 'sent', sent_at = now(),
		    last_error = null
		 where id = p_id;
		return 'sent';
	end if;
	if p_result = 'permanent'
	    or v_n.first_attempt_at <= now() - interval '24 hours' then
		update notifications set status = 'failed',
		    last_error = left(coalesce(p_error, 'failed'), 500)
		 where id = p_id;
		-- Not about its own kind: a failing alert does not beget more.
		if v_n.kind <> 'outbox_failing' then
			perform api.notify_admins('outbox_failing',
			    jsonb_build_object('path', '/admin/outbox?status=failed',
			        'day', api.today()),
			    'outbox:' || api.today());
		end if;
		return 'failed';
	end if;
	update notifications set last_error = left(coalesce(p_error,
	    'temporary failure'), 500),
	    next_attempt_at = now() + least(interval '6 hours',
	        make_interval(secs => greatest(p_base, 1)::double precision
	            * power(2, least(greatest(v_n.attempts, 1) - 1, 20))))
	 where id = p_id;
	return 'pending';
end $$;

-- The daily digest of staff who chose one: each day at digest_hour
-- (a setting; 18:00 Shanghai time by default) the messages held for one
-- account before that hour become one message listing them (the first
-- 50, and how many more).  Works on at most p_limit accounts a call;
-- several senders may call it at once (each skips the accounts another
-- holds).  Returns how many digests it wrote.
create function api.outbox_digest(p_limit int)
returns int language plpgsql as $$
declare
	v_cut	timestamptz;
	v_user	bigint;
	v_ids	bigint[];
	v_items	jsonb;
	v_id	bigint;
	v_n	int := 0;
begin
	v_cut := (api.today() + make_interval(hours =>
	    api.setting_int('digest_hour', 18)))::timestamp
	    at time zone 'Asia/Shanghai';
	if v_cut > now() then
		v_cut := v_cut - interval '1 day';
	end if;
	for v_user in select pr.user_id from notification_prefs pr
	    where exists (select 1 from notifications n
	        where n.user_id = pr.user_id and n.status = 'held'
	          and n.created_at < v_cut)
	    order by pr.user_id limit greatest(p_limit, 1)
	    for update of pr skip locked loop
		select array_agg(id order by id) into v_ids from (select id
		    from notifications where user_id = v_user
		     and status = 'held' and created_at < v_cut
		     order by id for update) h;
		select jsonb_agg(jsonb_build_object('kind', kind, 'params',
		    params) order by id) into v_items from (select id, kind,
		    params from notifications where id = any (v_ids)
		    order by id limit 50) f;
		insert into notifications (user_id, channel, kind, params)
		select u.id, case when u.email is not null then 'email'
		    else 'sms' end, 'digest', jsonb_build_object(
		    'count', cardinality(v_ids), 'items', v_items,
		    'more', greatest(cardinality(v_ids) - 50, 0),
		    'day', api.day(v_cut), 'path', '/branch')
		  from users u where u.id = v_user
		   and (u.email is not null or u.phone is not null)
		returning id into v_id;
		update notifications set status = case when v_id is null
		    then 'failed' else 'folded' end, digest_id = v_id,
		    last_error = case when v_id is null then 'no address' end
		 where id = any (v_ids);
		v_n := v_n + 1;
	end loop;
	if v_n > 0 then
		perform pg_notify('shop_outbox', '');
	end if;
	return v_n;
end $$;

-- ------------------------------------------------------------- admins

create function api.outbox_status_name(p_status text, p_lang text)
returns text language sql immutable as $$
	select case p_status
	    when 'pending' then api.l(p_lang, '待发送', 'pending')
	    when 'held' then api.l(p_lang, '待汇总', 'held for the digest')
	    when 'sent' then api.l(p_lang, '已发送', 'sent')
	    when 'failed' then api.l(p_lang, '发送失败', 'failed')
	    else api.l(p_lang, '已并入汇总', 'in a digest') end
$$;

-- GET /admin/outbox, /api/v1/admin/outbox (admins): the messages, newest
-- first, 50 a page, of one status or all; how many wait, hold or failed.
-- 400 for an unknown status.
create function api.outbox_list(p_sid text, p_status text, p_page int,
    p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_per	int := 50;
	v_page	int := greatest(coalesce(p_page, 1), 1);
	v_ids	bigint[];
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_status is not null and p_status not in ('pending', 'held', 'sent',
	    'failed', 'folded') then
		perform api.fail(400, 'unknown_value', '{"field":"status"}');
	end if;
	if p_status is null then
		v_ids := array(select id from notifications order by id desc
		    limit v_per + 1 offset (v_page - 1) * v_per);
	else
		v_ids := array(select id from notifications
		    where status = p_status order by id desc
		    limit v_per + 1 offset (v_page - 1) * v_per);
	end if;
	return json_build_object('status', p_status, 'page', v_page,
	    'prev_page', case when v_page > 1 then v_page - 1 end,
	    'next_page', case when cardinality(v_ids) > v_per
	        then v_page + 1 end,
	    'counts', json_build_object(
	        'pending', (select count(*) from notifications
	            where status = 'pending'),
	        'held', (select count(*) from notifications
	            where status = 'held'),
	        'failed', (select count(*) from notifications
	            where status = 'failed')),
	    'statuses', (select json_agg(json_build_object('status', s,
	        'name', api.outbox_status_name(s, p_lang),
	        'current', s is not distinct from p_status) order by k)
	        from unnest(array['pending', 'failed', 'held', 'sent',
	            'folded']) with ordinality x(s, k)),
	    'messages', (select coalesce(json_agg(json_build_object(
	        'id', n.id, 'kind', n.kind,
	        'kind_name', api.notify_kind_name(n.kind, p_lang),
	        'channel', n.channel,
	        'status', n.status,
	        'status_name', api.outbox_status_name(n.status, p_lang),
	        'is_failed', n.status = 'failed',
	        'user_id', n.user_id, 'recipient', u.display_name,
	        'to', case n.channel when 'email' then u.email else u.phone end,
	        'attempts', n.attempts, 'created_at', api.minute(n.created_at),
	        'next_attempt_at', case when n.status = 'pending'
	            then api.minute(n.next_attempt_at) end,
	        'sent_at', api.minute(n.sent_at), 'last_error', n.last_error,
	        'digest_id', n.digest_id,
	        'can_retry', n.status in ('failed', 'pending'))
	        order by n.id desc), '[]')
	        from (select * from notifications where id = any (v_ids[1:v_per])) n
	        join users u on u.id = n.user_id))::text;
end $$;

-- POST /admin/outbox/{id}/retry, /api/v1/admin/outbox/{id}/retry
-- (admins): a failed message (or one waiting for its next attempt) is
-- sent again now, with a new 24 hours of attempts.  404 for no such
-- message, 409 when it was sent (or is held or folded).
create function api.outbox_retry(p_sid text, p_id bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_n	notifications;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_n from notifications where id = p_id for update;
	if v_n.id is null then
		perform api.fail(404, 'not_found');
	end if;
	if v_n.status not in ('failed', 'pending') then
		perform api.fail(409, 'bad_state');
	end if;
	update notifications set status = 'pending', attempts = 0,
	    first_attempt_at = null, next_attempt_at = now()
	 where id = p_id;
	perform pg_notify('shop_outbox', '');
	perform api.audit(v_u, 'outbox_retry', 'notification', p_id, p_ip);
	return json_build_object('id', p_id, 'status', 'pending')::text;
end $$;

-- ------------------------------------------------ each account's choices

create function api.notify_prefs_json(p_u users, p_lang text)
returns json language sql stable as $$
	select json_build_object('lang', p_u.lang,
	    'lang_zh', p_u.lang = 'zh', 'lang_en', p_u.lang = 'en',
	    'digest', coalesce(pr.digest, false),
	    'digest_allowed', p_u.role = 'staff',
	    'channel', case when p_u.email is not null then 'email'
	        when p_u.phone is not null then 'sms' end,
	    'kinds', (select coalesce(json_agg(json_build_object(
	        'kind', k.kind, 'name', api.l(p_lang, k.name_zh, k.name_en),
	        'on', not k.kind = any (coalesce(pr.off, '{}')))
	        order by k.sort), '[]')
	      from api.notify_kinds() k where p_u.role = any (k.audience)))
	  from (select 1) one
	  left join notification_prefs pr on pr.user_id = p_u.id
$$;

-- GET /me/notifications, /api/v1/me/notifications: the messages the
-- signed-in account gets, in which language, and (staff) whether as a
-- daily digest.
create function api.notify_prefs(p_sid text, p_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
begin
	v_u := api.require_login(p_sid);
	return json_build_object('prefs', api.notify_prefs_json(v_u,
	    p_lang))::text;
end $$;

-- POST /me/notifications, /api/v1/me/notifications: p_kinds turns kinds
-- on (true) or off (false); with p_all (the form, whose unticked boxes
-- send nothing) every kind of the account not named in it is off.
-- p_lang (zh, en) is the language of its messages; p_digest (staff
-- only) gathers the day's messages into one.  Turning the digest off
-- sends what it held at once.  400 naming a kind the account cannot
-- turn off, a language we do not write, or a digest for non-staff.
create function api.notify_prefs_set(p_sid text, p_kinds jsonb,
    p_all boolean, p_lang text, p_digest boolean, p_ui_lang text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_k	text;
	v_mine	text[];
	v_off	text[];
begin
	v_u := api.require_login(p_sid);
	v_mine := array(select k.kind from api.notify_kinds() k
	    where v_u.role = any (k.audience));
	for v_k in select jsonb_object_keys(coalesce(p_kinds, '{}')) loop
		if not v_k = any (v_mine) then
			perform api.fail(400, 'not_optional',
			    json_build_object('field', v_k));
		end if;
	end loop;
	if p_lang is not null and p_lang not in ('zh', 'en') then
		perform api.fail(400, 'unknown_value', '{"field":"lang"}');
	end if;
	if p_digest and v_u.role <> 'staff' then
		perform api.fail(400, 'digest_staff_only', '{"field":"digest"}');
	end if;
	insert into notification_prefs (user_id) values (v_u.id)
	on conflict (user_id) do nothing;
	select off into v_off from notification_prefs where user_id = v_u.id
	   for update;
	if p_all then
		v_off := array(select k from unnest(v_mine) k
		    where coalesce(p_kinds ->> k, 'false') <> 'true');
	else
		v_off := array(select k from unnest(v_off) k
		    where not coalesce(p_kinds, '{}') ? k)
		    || array(select key from jsonb_each_text(coalesce(p_kinds,
		        '{}')) where value = 'false');
	end if;
	update notification_prefs set off = v_off,
	    digest = coalesce(p_digest, digest), updated_at = now()
	 where user_id = v_u.id;
	if p_lang is not null then
		update users set lang = p_lang where id = v_u.id;
		v_u.lang := p_lang;
	end if;
	if not coalesce(p_digest, true) then
		update notifications set status = 'pending',
		    next_attempt_at = now()
		 where user_id = v_u.id and status = 'held';
		perform pg_notify('shop_outbox', '');
	end if;
	return json_build_object('prefs', api.notify_prefs_json(v_u,
	    p_ui_lang))::text;
end $$;

-- The account and kind of a one-click unsubscribe link; 404 for a token
-- or kind that names nothing that can be turned off.  'digest' stands
-- for every kind a digest gathers (the staff's).
create function api.unsubscribe_kinds(p_token text, p_kind text,
    out p_user users, out p_kinds text[])
language plpgsql stable as $$
begin
	select u.* into p_user from notification_prefs pr
	  join users u on u.id = pr.user_id where pr.token = p_token;
	p_kinds := array(select k.kind from api.notify_kinds() k
	    where p_user.role = any (k.audience)
	      and (k.kind = p_kind or (p_kind = 'digest'
	          and 'staff' = any (k.audience))));
	if p_user.id is null or cardinality(p_kinds) = 0 then
		perform api.fail(404, 'not_found');
	end if;
end $$;

-- GET /unsubscribe?t=&k=: what the link would turn off (the page asks
-- before it does: mail scanners follow links).
create function api.unsubscribe_info(p_token text, p_kind text,
    p_lang text)
returns text language plpgsql as $$
declare
	v_r	record;
begin
	v_r := api.unsubscribe_kinds(p_token, p_kind);
	return json_build_object('token', p_token, 'kind', p_kind,
	    'names', (select string_agg(api.l(p_lang, k.name_zh, k.name_en),
	        '、' order by k.sort) from api.notify_kinds() k
	        where k.kind = any (v_r.p_kinds)))::text;
end $$;

-- POST /unsubscribe?t=&k= (RFC 8058 one-click, or the page's button):
-- turns the link's kinds off for its account.
create function api.unsubscribe(p_token text, p_kind text, p_lang text)
returns text language plpgsql as $$
declare
	v_r	record;
begin
	v_r := api.unsubscribe_kinds(p_token, p_kind);
	update notification_prefs set off = array(select distinct k from
	    unnest(off || v_r.p_kinds) k order by k), updated_at = now()
	 where user_id = (v_r.p_user).id;
	return json_build_object('ok', true, 'kind', p_kind,
	    'names', (select string_agg(api.l(p_lang, k.name_zh, k.name_en),
	        '、' order by k.sort) from api.notify_kinds() k
	        where k.kind = any (v_r.p_kinds)))::text;
end $$;
