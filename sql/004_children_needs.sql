-- Children and the life of a need: the private part of a child (sealed by
-- the application: the database holds ciphertext only), consent, the
-- history of a child's record; the events of a need, objections during
-- the public notice (公示), campaigns' targets, and settings.

-- The shelf's counters are kept by a trigger that now also fires for the
-- platform's role; it writes them with the owner's rights, so the role
-- needs no write access to need_counts itself.
alter function need_counts_track() security definer set search_path = public;

-- ---------------------------------------------------------------- children

-- Consent of the guardian: the day it was given and the staff member who
-- recorded it (the guardian's own name is in the private part).
alter table beneficiaries add column consent_on date
    check (consent_on >= date '2000-01-01');
alter table beneficiaries add column consent_recorded_by bigint
    references users (id);
alter table beneficiaries add column created_by bigint references users (id);
alter table beneficiaries add column updated_at timestamptz not null
    default now();
alter table beneficiaries add constraint beneficiaries_consent
    check ((consent_on is null) = (consent_recorded_by is null));

-- The private part (real name, ID number, guardian, phone, address,
-- notes) as one AES-256-GCM sealed JSON object: nonce, ciphertext with its
-- tag, and the id of the key that sealed it.  Encryption and decryption
-- happen in the application, which alone holds the key.
create table beneficiary_private (
	beneficiary_id	bigint primary key references beneficiaries (id),
	key_id		text not null check (key_id ~ '^[0-9a-f]{16}$'),
	nonce		bytea not null check (length(nonce) = 12),
	sealed		bytea not null check (length(sealed) between 16 and 16384),
	updated_at	timestamptz not null default now()
);

-- Every change of a child's record: who, when, which fields, the former
-- values of the public fields, and the former private part (still
-- sealed).  Append-only.
create table beneficiary_history (
	id		bigint generated always as identity primary key,
	beneficiary_id	bigint not null references beneficiaries (id),
	at		timestamptz not null default now(),
	actor_id	bigint references users (id),
	action		text not null check (action in ('create', 'update',
			    'archive', 'unarchive')),
	changed		text[] not null default '{}',
	before		jsonb not null default '{}',
	prev_key_id	text,
	prev_nonce	bytea,
	prev_sealed	bytea,
	check ((prev_key_id is null) = (prev_sealed is null)
	   and (prev_nonce is null) = (prev_sealed is null))
);
create index beneficiary_history_child on beneficiary_history
    (beneficiary_id, id);

create function append_only_refuse() returns trigger
language plpgsql as $$
begin
	raise exception '% is append-only', tg_table_name;
end $$;
create trigger beneficiary_history_append_only before update or delete
    on beneficiary_history for each statement
    execute function append_only_refuse();

-- ------------------------------------------------------------------ needs

alter table needs add column created_by bigint references users (id);
alter table needs add column verified_by bigint references users (id);
alter table needs add column verified_at timestamptz;
alter table needs add column verify_note text
    check (length(verify_note) <= 1000);
-- The public notice: when it ends, and since when it is paused by an
-- objection nobody has answered yet (the clock stops meanwhile).
alter table needs add column notice_ends_at timestamptz;
alter table needs add column notice_paused_at timestamptz;
update needs set notice_ends_at = now() + interval '5 days'
 where status = 'notice' and notice_ends_at is null;
alter table needs add constraint needs_notice_end
    check (status <> 'notice' or notice_ends_at is not null);
alter table needs add constraint needs_paused_in_notice
    check (notice_paused_at is null or status = 'notice');

create index needs_notice_due on needs (notice_ends_at)
    where status = 'notice';
create index needs_deadline_live on needs (deadline)
    where status in ('submitted', 'verified', 'notice', 'open');
create index needs_queue on needs (status, id)
    where status in ('submitted', 'verified', 'notice');
-- A work list: one organisation's needs in one state, newest first.
create index needs_org_work on needs (org_id, status, id);
-- A campaign's needs by state; covering what its page adds up (money
-- pledged), so that the sum reads the index only.
create index needs_campaign on needs (campaign_id, status)
    include (kind, pledged, unit_amount) where campaign_id is not null;

-- What happened to a need: every change of status (written by the trigger
-- below, in the same transaction) and other steps (edits, objections),
-- with who, when and why.  Append-only.
create table need_events (
	id		bigint generated always as identity primary key,
	need_id		bigint not null references needs (id),
	at		timestamptz not null default now(),
	actor_id	bigint references users (id),
	actor_role	text not null check (actor_role in ('admin', 'staff',
			    'donor', 'public', 'system')),
	action		text not null check (action ~ '^[a-z_]{1,30}$'),
	from_status	text,
	to_status	text not null,
	note		text not null default '' check (length(note) <= 1000)
);
create index need_events_need on need_events (need_id, id);
create trigger need_events_append_only before update or delete
    on need_events for each statement execute function append_only_refuse();

-- The moves a need's status may make.  Those into and between
-- fully_pledged and fulfilled belong to pledges; every other one to the
-- transitions of sql/api (need_transition, the notice and deadline job).
create table need_moves (
	from_status	text not null,
	to_status	text not null,
	primary key (from_status, to_status)
);
insert into need_moves values
	('draft', 'submitted'), ('draft', 'cancelled'),
	('submitted', 'verified'), ('submitted', 'rejected'),
	('submitted', 'draft'), ('submitted', 'cancelled'),
	('submitted', 'expired'),
	('verified', 'notice'), ('verified', 'rejected'),
	('verified', 'cancelled'), ('verified', 'expired'),
	('notice', 'open'), ('notice', 'rejected'), ('notice', 'cancelled'),
	('notice', 'expired'),
	('rejected', 'draft'),
	('open', 'fully_pledged'), ('open', 'fulfilled'), ('open', 'cancelled'),
	('open', 'expired'),
	('fully_pledged', 'open'), ('fully_pledged', 'fulfilled'),
	('fully_pledged', 'expired');

create function needs_status_guard() returns trigger
language plpgsql as $$
begin
	if not exists (select 1 from need_moves
	    where from_status = old.status and to_status = new.status) then
		raise exception using errcode = '23514',
		    message = format('a need may not go from %s to %s',
		    old.status, new.status);
	end if;
	return new;
end $$;
create trigger needs_status_guard before update of status on needs
    for each row when (old.status is distinct from new.status)
    execute function needs_status_guard();

-- Records each change of status in need_events.  Who and why come from
-- the transaction's settings shop.actor_id, shop.actor_role, shop.action
-- and shop.note (set by api.need_set_status); without them the change is
-- recorded as the system's.
create function needs_status_event() returns trigger
language plpgsql security definer set search_path = public as $$
begin
	insert into need_events (need_id, actor_id, actor_role, action,
	    from_status, to_status, note)
	values (new.id,
	    nullif(current_setting('shop.actor_id', true), '')::bigint,
	    coalesce(nullif(current_setting('shop.actor_role', true), ''),
	        'system'),
	    coalesce(nullif(current_setting('shop.action', true), ''),
	        case when tg_op = 'INSERT' then 'create' else 'status' end),
	    case when tg_op = 'UPDATE' then old.status end, new.status,
	    left(coalesce(current_setting('shop.note', true), ''), 1000));
	return null;
end $$;
create trigger needs_status_event_ins after insert on needs
    for each row execute function needs_status_event();
create trigger needs_status_event_upd after update of status on needs
    for each row when (old.status is distinct from new.status)
    execute function needs_status_event();

-- A need that enters the notice without an end (bulk and demo data) gets
-- the configured period, so that needs_notice_end holds for every row.
create function needs_notice_default() returns trigger
language plpgsql security definer set search_path = public as $$
begin
	if new.status = 'notice' and new.notice_ends_at is null then
		new.notice_ends_at := now() + make_interval(days =>
		    coalesce((select value::int from settings
		        where key = 'notice_days'), 5));
	end if;
	return new;
end $$;
create trigger needs_notice_default before insert or update of status
    on needs for each row execute function needs_notice_default();

-- An objection from the public during the notice.  The contact, if any,
-- is sealed like a child's private part; the address is kept to limit
-- how many one sender may file.
create table objections (
	id		bigint generated always as identity primary key,
	need_id		bigint not null references needs (id),
	created_at	timestamptz not null default now(),
	reason		text not null check (length(reason) between 5 and 1000),
	contact_key_id	text check (contact_key_id ~ '^[0-9a-f]{16}$'),
	contact_nonce	bytea check (length(contact_nonce) = 12),
	contact_sealed	bytea check (length(contact_sealed) between 16 and 1024),
	ip		inet,
	status		text not null default 'open' check (status in ('open',
			    'dismissed', 'upheld')),
	resolved_at	timestamptz,
	resolved_by	bigint references users (id),
	resolution	text check (length(resolution) <= 1000),
	check ((contact_key_id is null) = (contact_sealed is null)
	   and (contact_nonce is null) = (contact_sealed is null)),
	check ((status = 'open') = (resolved_at is null))
);
create index objections_need on objections (need_id, status);
create index objections_open on objections (created_at)
    where status = 'open';
create index objections_ip on objections (ip, created_at);

-- -------------------------------------------------------------- campaigns

alter table campaigns add column description_zh text not null default ''
    check (length(description_zh) <= 4000);
alter table campaigns add column description_en text not null default ''
    check (length(description_en) <= 8000);
-- How many needs the campaign means to see fulfilled (none: no target).
alter table campaigns add column target_needs integer
    check (target_needs between 1 and 1000000);
alter table campaigns add column updated_at timestamptz not null
    default now();

-- --------------------------------------------------------------- settings

-- What the city committee may change without a new release: one row a
-- setting, its value as text (each api function reads its own).  Made to
-- agree with sql/005_pledges.sql, which creates the same table if it is
-- not there yet, whichever of the two a database gets first.
create table if not exists settings (
	key		text primary key,
	value		text not null
);
alter table settings add column if not exists updated_at timestamptz
    not null default now();
alter table settings add column if not exists updated_by bigint
    references users (id);
alter table settings add constraint settings_notice_days
    check (key <> 'notice_days' or value ~ '^([0-9]|[12][0-9]|30)$');
insert into settings (key, value) values ('notice_days', '5')
    on conflict (key) do nothing;

-- ----------------------------------------------------------------- grants

grant usage on sequence beneficiaries_id_seq to shop_app;
grant insert (id, org_id, alias, birth_year, gender, town_id, school_stage,
    poverty_causes, poverty_level, left_behind, consent_on,
    consent_recorded_by, created_by) on beneficiaries to shop_app;
grant update (alias, birth_year, gender, town_id, school_stage,
    poverty_causes, poverty_level, left_behind, consent_on,
    consent_recorded_by, archived_at, updated_at) on beneficiaries to shop_app;
grant select, insert, update on beneficiary_private to shop_app;
grant select, insert on beneficiary_history, need_events to shop_app;
grant insert (org_id, beneficiary_id, town_id, kind, category, campaign_id,
    title, item, spec, unit, quantity, unit_amount, urgency, deadline, story,
    created_by) on needs to shop_app;
grant update (beneficiary_id, town_id, kind, category, campaign_id, title,
    item, spec, unit, quantity, unit_amount, urgency, deadline, story,
    status, opened_at, updated_at, verified_by, verified_at, verify_note,
    notice_ends_at, notice_paused_at) on needs to shop_app;
grant select on need_moves to shop_app;
grant select, insert on objections to shop_app;
grant update (status, resolved_at, resolved_by, resolution) on objections
    to shop_app;
grant insert (slug, name_zh, name_en, summary_zh, summary_en, starts_on,
    ends_on, description_zh, description_en, target_needs) on campaigns
    to shop_app;
grant update (name_zh, name_en, summary_zh, summary_en, starts_on, ends_on,
    description_zh, description_en, target_needs, updated_at) on campaigns
    to shop_app;
grant select on settings to shop_app;
grant update (value, updated_at, updated_by) on settings to shop_app;
