-- Pledges and fulfilment: from a promise to a gift confirmed as received.
--
-- The hard cap is needs.pledged <= needs.quantity (a CHECK of 001, the
-- last guard); api.pledge_create raises needs.pledged with one
-- conditional UPDATE, so concurrent pledges queue on the need's row and
-- the loser of a race sees what is left.

alter table pledges
	add column message text check (length(message) <= 500),
	add column message_state text check (message_state in
	    ('pending', 'approved', 'rejected')),
	add column receipt_code text unique
	    check (receipt_code ~ '^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$'),
	add column delivery_method text check (delivery_method in
	    ('school', 'post', 'transfer')),
	add column delivery_ref text check (length(delivery_ref) <= 80),
	add column delivery_note text check (length(delivery_note) <= 500),
	add column receive_note text check (length(receive_note) <= 500),
	add column received_by bigint references users (id),
	add column thank_you text check (length(thank_you) <= 500),
	add column dispute_reason text check (length(dispute_reason) <= 500),
	add column dispute_note text check (length(dispute_note) <= 500),
	add column due_notice_at timestamptz,
	add column updated_at timestamptz not null default now(),
	add constraint pledges_message_state
	    check ((message is null) = (message_state is null)),
	add constraint pledges_delivery
	    check (status in ('pledged', 'cancelled', 'expired')
	        or delivered_at is not null or status = 'received');

-- Every change of a pledge, in the transaction that made it: who did
-- what, when, and why.  Append-only.
create table pledge_events (
	id		bigint generated always as identity primary key,
	pledge_id	bigint not null references pledges (id),
	at		timestamptz not null default now(),
	actor_id	bigint references users (id),
	action		text not null check (action in ('pledged', 'delivered',
			    'received', 'disputed', 'resolved', 'cancelled',
			    'expired', 'message_approved', 'message_rejected',
			    'due_notice')),
	from_status	text,
	to_status	text,
	note		text check (length(note) <= 500)
);
create index pledge_events_pledge on pledge_events (pledge_id, id);

create function pledge_events_refuse() returns trigger
language plpgsql as $$
begin
	raise exception 'pledge_events is append-only';
end $$;
create trigger pledge_events_append_only before update or delete
    on pledge_events for each statement
    execute function pledge_events_refuse();

-- Photos taken at hand-over (JPEG or PNG, metadata stripped by the
-- module before they get here).
create table pledge_photos (
	id		bigint generated always as identity primary key,
	pledge_id	bigint not null references pledges (id),
	content_type	text not null check (content_type in
			    ('image/jpeg', 'image/png')),
	data		bytea not null check (length(data) between 32 and 2097152),
	created_at	timestamptz not null default now()
);
create index pledge_photos_pledge on pledge_photos (pledge_id);

-- The answer to the first request with an Idempotency-Key, so that a
-- replay gets it again and creates nothing.
create table idempotency_keys (
	donor_id	bigint not null references users (id),
	key		text not null check (length(key) between 8 and 100),
	request_hash	text not null,
	response	text,
	created_at	timestamptz not null default now(),
	primary key (donor_id, key)
);

-- Messages to be sent by an external relay (e-mail, SMS): the platform
-- writes them here and shows them on /me; sent_at is set by the relay.
create table if not exists notifications (
	id		bigint generated always as identity primary key,
	user_id		bigint not null references users (id),
	channel		text not null default 'email'
			    check (channel in ('email', 'sms')),
	kind		text not null check (length(kind) <= 40),
	subject		text not null check (length(subject) <= 200),
	body		text not null check (length(body) <= 2000),
	created_at	timestamptz not null default now(),
	sent_at		timestamptz
);
create index if not exists notifications_user
    on notifications (user_id, created_at desc);

-- Settings an admin may change (the pledge due period, ...).
create table if not exists settings (
	key		text primary key,
	value		text not null
);
insert into settings values ('pledge_due_days', '14')
    on conflict (key) do nothing;

grant update (pledged, received, status, updated_at) on needs to shop_app;
-- The trigger of 001 keeps need_counts as the status moves.
grant insert, update on need_counts to shop_app;
grant select, insert, update on pledges to shop_app;
grant select, insert on pledge_events, pledge_photos to shop_app;
grant select, insert, update on idempotency_keys to shop_app;
grant select, insert, update on notifications to shop_app;
grant select on settings to shop_app;
