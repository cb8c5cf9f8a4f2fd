-- Accounts, sessions, login throttling and the audit log.

-- E-mail addresses are kept lower-case so that uniqueness is case-blind.
alter table users add constraint users_email_lower check (email = lower(email));
alter table users add constraint users_contact
    check (email is not null or phone is not null or role <> 'donor');
alter table users add column affiliation text
    check (length(affiliation) <= 100);
alter table users add column must_change_password boolean not null default false;
alter table users add column created_by bigint references users (id);
alter table users add column updated_at timestamptz not null default now();
create index users_org on users (org_id);

-- A session: only the SHA-256 of its token is stored.  It ends after
-- idle_limit without use, at expires_at in any case, at logout, or when
-- its account is disabled (the row is deleted in the same transaction).
create table sessions (
	id		bigint generated always as identity primary key,
	token_hash	bytea not null unique check (length(token_hash) = 32),
	user_id		bigint not null references users (id) on delete cascade,
	created_at	timestamptz not null default now(),
	last_seen_at	timestamptz not null default now(),
	idle_limit	interval not null,
	expires_at	timestamptz not null,
	ip		inet,
	user_agent	text check (length(user_agent) <= 200)
);
create index sessions_user on sessions (user_id);

-- Failed logins per key ('acct:<identifier>' or 'ip:<address>'): the key
-- is what was typed, not an account, so the answer is the same whether
-- the account exists or not.
create table login_throttle (
	key		text primary key check (length(key) <= 300),
	failures	integer not null default 0,
	first_at	timestamptz not null default now(),
	last_at		timestamptz not null default now(),
	locked_until	timestamptz
);

-- What staff and admins did (not public): who, what, on which record,
-- when, from where.  Append-only for the platform's role.
create table audit_log (
	id		bigint generated always as identity primary key,
	at		timestamptz not null default now(),
	actor_id	bigint references users (id),
	actor_role	text,
	action		text not null check (length(action) <= 60),
	target_type	text check (length(target_type) <= 40),
	target_id	bigint,
	ip		inet,
	detail		jsonb not null default '{}'
);
create index audit_log_target on audit_log (target_type, target_id);
create index audit_log_actor on audit_log (actor_id, at desc);

create function audit_log_refuse_change() returns trigger
language plpgsql as $$
begin
	raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
    for each statement execute function audit_log_refuse_change();

grant select, insert, update, delete on sessions, login_throttle to shop_app;
grant select, insert on audit_log to shop_app;
grant select (id, role, org_id, display_name, email, phone, password_hash,
    disabled_at, created_at, affiliation, must_change_password, created_by,
    updated_at) on users to shop_app;
grant insert (role, org_id, display_name, email, phone, password_hash,
    affiliation, must_change_password, created_by) on users to shop_app;
grant update (display_name, email, phone, password_hash, disabled_at,
    affiliation, must_change_password, updated_at) on users to shop_app;
grant insert (parent_id, kind, name, name_en, town_id) on orgs to shop_app;
grant update (name, name_en) on orgs to shop_app;
