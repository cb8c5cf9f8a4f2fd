-- The sender (issue 12): the outbox becomes a queue that build/shop-sender
-- drains, and each account chooses which messages it gets.
--
-- A message's life (status):
--   pending ──sent──▶ sent
--      │  ▲ temporary refusal (4xx, no connection): again at
--      │  │ next_attempt_at, 1 minute doubling up to 6 hours, for 24 hours
--      │  └──────────────┐
--      ├──permanent refusal (5xx), 24 hours of temporary ones──▶ failed
--      │                                   (an admin may retry it: pending)
--   held ──(the day's digest, staff who chose one)──▶ folded into a digest
-- A sender claims due rows with FOR UPDATE SKIP LOCKED and leases them
-- (next_attempt_at moves past the time it needs), so several may run; a
-- sender that dies leaves its rows to be claimed again once the lease is
-- over: at least once.  attempts counts the tries, first_attempt_at starts
-- the 24 hours.
alter table notifications
    add column status text not null default 'pending'
	check (status in ('pending', 'held', 'sent', 'failed', 'folded')),
    add column attempts int not null default 0 check (attempts >= 0),
    add column next_attempt_at timestamptz not null default now(),
    add column first_attempt_at timestamptz,
    add column last_error text check (length(last_error) <= 500),
    add column digest_id bigint references notifications (id);

-- What was marked sent before; the backlog of more than a day that
-- nothing ever sent is not sent now, days late (an admin may retry it).
update notifications set status = 'sent' where sent_at is not null;
update notifications set status = 'failed',
    last_error = 'written before the sender existed: not sent days late'
 where sent_at is null and created_at < now() - interval '1 day';

-- The sender's claim, and the admin's list by status, newest first.
create index notifications_due on notifications (next_attempt_at, id)
    where status = 'pending';
create index notifications_status on notifications (status, id);
create index notifications_held on notifications (user_id, id)
    where status = 'held';

-- Each account's choices (/me/notifications): the kinds it turned off,
-- whether staff get one digest a day instead of one message per event,
-- and the token of the one-click unsubscribe links in its messages
-- (RFC 8058; it can turn messages off, nothing else).  No row: the
-- defaults (everything on, no digest).
create table notification_prefs (
	user_id		bigint primary key references users (id),
	off		text[] not null default '{}',
	digest		boolean not null default false,
	token		text not null unique default
			    replace(gen_random_uuid()::text, '-', '') ||
			    replace(gen_random_uuid()::text, '-', ''),
	updated_at	timestamptz not null default now()
);

grant select, insert, update on notification_prefs to shop_app;
grant select, insert, update on notifications to shop_app;

-- A need that closes (cancelled, or expired at its deadline) tells the
-- donors whose pledges on it are still live, in the same transaction,
-- whichever function closed it (api.need_closed_notify, sql/api/095).
create function needs_closed_notify()
returns trigger language plpgsql as $$
begin
	perform api.need_closed_notify(new.id, new.status);
	return null;
end $$;
create trigger needs_closed_notify after update of status on needs
    for each row when (new.status in ('expired', 'cancelled')
        and old.status is distinct from new.status)
    execute function needs_closed_notify();

-- The messages whose parameters carry a one-time secret (a reset link, a
-- code), still holding it: the sender empties them an hour after sending
-- (api.outbox_claim), found through this index.
create index notifications_secret on notifications (created_at)
    where params <> '{}' and kind in ('password_reset', 'invite',
        'verify_email', 'verify_phone');
