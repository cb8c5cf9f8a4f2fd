-- Pay-outs from the designated foundation account.  Donors of money needs
-- pay into the foundation's receiving account (the platform takes no
-- payments); when the school confirms it, the log records fund_received.
-- The city committee then pays the money out to the school and records
-- the pay-out here, with the public log's fund_paid_out entry written in
-- the same transaction (log_position).  The bank reference and the note
-- are for admins: the log carries only the need and the amount.
create table fund_payouts (
	id		bigint generated always as identity primary key,
	need_id		bigint not null references needs (id),
	amount		bigint not null check (amount > 0),
	paid_on		date not null,
	reference	text not null check (length(reference) between 1 and 80),
	note		text not null default '' check (length(note) <= 500),
	recorded_by	bigint not null references users (id),
	-- The form's key or the API's Idempotency-Key: a second submit of
	-- one form records nothing more.
	idem_key	text check (length(idem_key) between 8 and 100),
	log_position	bigint not null unique,
	created_at	timestamptz not null default now()
);
create unique index fund_payouts_idem on fund_payouts (recorded_by, idem_key)
    where idem_key is not null;
create index fund_payouts_need on fund_payouts (need_id);

grant select, insert on fund_payouts to shop_app;
