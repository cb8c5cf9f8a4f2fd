-- Accounts that can be recovered (issue 12, item 4): one-time tokens for
-- a forgotten password, an invitation and the verification of an e-mail
-- address or phone number, and the marks that an address was verified.

-- When the account's e-mail address or phone number was shown to be its
-- own (a link or a code that reached it).  Accounts that existed before
-- verification count as verified: they were made by the city committee,
-- or by donors who had no way to verify.
alter table users add column email_verified_at timestamptz;
alter table users add column phone_verified_at timestamptz;
update users set email_verified_at = created_at where email is not null;
update users set phone_verified_at = created_at where phone is not null;

-- A one-time token: only its SHA-256 is stored (of the 64 hex digits of
-- a link's token, or of the 6 digits of an SMS code), never the token.
-- The token itself exists only in the message that carries it (the
-- notifications outbox row's params, until it is sent).
--   reset         a forgotten password, 30 minutes
--   invite        an account made by someone else: set your password,
--                 7 days
--   verify_email  the link sent to a new account's e-mail address
--   verify_phone  the code sent to a new phone-only account (6 digits:
--                 few enough that attempts are counted, and it dies
--                 after 5 wrong ones)
-- A token is used once (used_at); a new token of a purpose replaces the
-- account's unused ones of that purpose.
create table account_tokens (
	id		bigint generated always as identity primary key,
	user_id		bigint not null references users (id) on delete cascade,
	purpose		text not null check (purpose in ('reset', 'invite',
			    'verify_email', 'verify_phone')),
	token_hash	bytea not null check (length(token_hash) = 32),
	created_at	timestamptz not null default now(),
	expires_at	timestamptz not null,
	used_at		timestamptz,
	attempts	integer not null default 0 check (attempts >= 0),
	created_by	bigint references users (id),
	ip		inet
);
-- Links are found by their token; codes by their account (six digits
-- repeat across accounts).
create unique index account_tokens_hash on account_tokens (token_hash)
    where purpose <> 'verify_phone';
create index account_tokens_user on account_tokens (user_id, purpose);

-- How many open pledges a donor may hold until their e-mail or phone is
-- verified (an admin changes it on /admin/needs).
insert into settings (key, value) values ('unverified_pledge_limit', '3')
    on conflict (key) do nothing;

grant select, insert, update, delete on account_tokens to shop_app;
grant select (email_verified_at, phone_verified_at) on users to shop_app;
grant insert (email_verified_at, phone_verified_at) on users to shop_app;
grant update (email_verified_at, phone_verified_at) on users to shop_app;
