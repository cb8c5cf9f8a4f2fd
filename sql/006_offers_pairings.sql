-- Offers, proposals and "1+1" pairings (issue 6).
--
-- An offer is what a donor (or a caring organisation, through one of its
-- member donors) can give.  The matching engine (src/lib/match.c) proposes
-- needs for it; a proposal the donor accepts becomes ordinary pledges made
-- by api.pledge_create (the cap, idempotency, events, the public log), and
-- offer_pledges records which pledges came from which offer.  What an
-- offer has left is computed from those pledges (the live ones), so a
-- pledge cancelled or expired gives its part back without any trigger,
-- and accepting locks only the offer's row.
--
-- A pairing joins one donor with one child over a number of terms, on an
-- open scholarship need of the child (which has been through review and
-- the public notice to be open): each term is a pledge of one term of
-- that need, due by the term's date.  Lapses are found by
-- api.pairings_tick() (src/jobs.c).

create table offers (
	id		bigint generated always as identity primary key,
	donor_id	bigint not null references users (id),
	-- The caring organisation the donor gives for (shown as the giver).
	org_id		bigint references orgs (id),
	kind		text not null check (kind in
			    ('goods', 'money', 'scholarship', 'service')),
	category	text references categories (slug),
	item		text not null default '' check (length(item) <= 60),
	spec		text not null default '' check (length(spec) <= 60),
	unit		text not null default '' check (length(unit) <= 10),
	-- Units or places (goods, service), or a budget in fen (money,
	-- scholarship).
	quantity	bigint not null check (quantity between 1 and 2000000000),
	-- Scholarship: at most this many terms (null: as the budget allows)
	-- and at most this many fen per term (null: any).
	terms		integer check (terms between 1 and 24),
	unit_amount	integer check (unit_amount between 1 and 2000000000),
	towns		smallint[] not null default '{}'
			    check (cardinality(towns) <= 11),
	towns_only	boolean not null default false,
	campaign_id	smallint references campaigns (id),
	valid_until	date not null,
	note		text not null default '' check (length(note) <= 500),
	anonymous	boolean not null default false,
	status		text not null default 'live'
			    check (status in ('live', 'withdrawn')),
	-- Moves on every change that makes earlier proposals stale (an edit,
	-- an acceptance): an acceptance names the version it was shown.
	version		integer not null default 1,
	created_at	timestamptz not null default now(),
	updated_at	timestamptz not null default now(),
	withdrawn_at	timestamptz,
	check (kind = 'scholarship' or (terms is null and unit_amount is null)),
	check (not towns_only or cardinality(towns) > 0),
	check ((status = 'withdrawn') = (withdrawn_at is not null))
);
create index offers_donor on offers (donor_id, id desc);
create index offers_live on offers (kind, id) where status = 'live';

-- A proposal of the matching engine, when someone acted on it: staff
-- proposed it to the offer's donor (proposed_by), or the donor accepted
-- it from their offer's page (proposed_by null).  Accepting makes one
-- pledge (pledge_id), or for a child seeking a pair, a pairing
-- (pairing_id, made below).
create table proposals (
	id		bigint generated always as identity primary key,
	offer_id	bigint not null references offers (id),
	need_id		bigint not null references needs (id),
	quantity	integer not null check (quantity > 0),
	amount		bigint not null check (amount > 0),
	reasons		text[] not null default '{}',
	score		integer not null default 0,
	offer_version	integer not null,
	proposed_by	bigint references users (id),
	pairing		boolean not null default false,
	status		text not null check (status in ('proposed', 'accepted',
			    'declined', 'cancelled')),
	pledge_id	bigint unique references pledges (id),
	pairing_id	bigint,
	note		text check (length(note) <= 500),
	created_at	timestamptz not null default now(),
	decided_at	timestamptz,
	check ((status = 'proposed') = (decided_at is null)),
	check (status <> 'accepted' or pledge_id is not null
	    or pairing_id is not null)
);
create index proposals_offer on proposals (offer_id, offer_version);
create index proposals_need on proposals (need_id, status);
create unique index proposals_one_pending on proposals (offer_id, need_id)
    where status = 'proposed';

-- Which pledges came from which offer, and what each took from it
-- (units, places or fen; terms for a scholarship).
create table offer_pledges (
	pledge_id	bigint primary key references pledges (id),
	offer_id	bigint not null references offers (id),
	amount		bigint not null check (amount > 0),
	terms		integer not null default 0 check (terms >= 0)
);
create index offer_pledges_offer on offer_pledges (offer_id);

-- What a donor likes to support, for "为我推荐".
create table donor_prefs (
	user_id		bigint primary key references users (id),
	kind		text check (kind in
			    ('goods', 'money', 'scholarship', 'service')),
	category	text references categories (slug),
	towns		smallint[] not null default '{}'
			    check (cardinality(towns) <= 3),
	updated_at	timestamptz not null default now()
);

-- "1+1": one donor, one child, a number of terms of the child's open
-- scholarship need.  active → flagged (a term missed its date and the
-- grace period) → active again (delivered) or lapsed (not resolved in
-- time: the child goes back to the pool); ended by either side with a
-- reason; completed when every term arrived.
create table pairings (
	id		bigint generated always as identity primary key,
	donor_id	bigint not null references users (id),
	beneficiary_id	bigint not null references beneficiaries (id),
	need_id		bigint not null references needs (id),
	offer_id	bigint references offers (id),
	terms		integer not null check (terms between 1 and 12),
	unit_amount	integer not null check (unit_amount > 0),
	term_months	integer not null default 6
			    check (term_months between 1 and 12),
	first_due	date not null,
	status		text not null default 'active' check (status in
			    ('active', 'flagged', 'lapsed', 'ended', 'completed')),
	created_at	timestamptz not null default now(),
	flagged_at	timestamptz,
	closed_at	timestamptz,
	closed_by	bigint references users (id),
	end_reason	text check (length(end_reason) <= 500),
	check ((status = 'flagged') = (flagged_at is not null)),
	check ((status in ('lapsed', 'ended', 'completed'))
	    = (closed_at is not null))
);
create unique index pairings_one_live on pairings (beneficiary_id)
    where status in ('active', 'flagged');
create index pairings_donor on pairings (donor_id, id desc);
create index pairings_live on pairings (status) where status in
    ('active', 'flagged');

alter table proposals add constraint proposals_pairing
    foreign key (pairing_id) references pairings (id);

-- The terms of a pairing: when each is due, and its pledge (the latest:
-- a term renewed after its pledge expired points to the new one; the
-- events keep the rest).
create table pairing_terms (
	pairing_id	bigint not null references pairings (id),
	term		smallint not null check (term between 1 and 12),
	due_on		date not null,
	pledge_id	bigint not null unique references pledges (id),
	primary key (pairing_id, term)
);

-- What happened to a pairing, who did it and why.  Append-only.
create table pairing_events (
	id		bigint generated always as identity primary key,
	pairing_id	bigint not null references pairings (id),
	at		timestamptz not null default now(),
	actor_id	bigint references users (id),
	action		text not null check (action in ('created', 'flagged',
			    'resolved', 'renewed', 'lapsed', 'ended',
			    'completed')),
	term		smallint,
	note		text check (length(note) <= 500)
);
create index pairing_events_pairing on pairing_events (pairing_id, id);

create function pairing_events_refuse() returns trigger
language plpgsql as $$
begin
	raise exception 'pairing_events is append-only';
end $$;
create trigger pairing_events_append_only before update or delete
    on pairing_events for each statement
    execute function pairing_events_refuse();

-- The pool of children seeking a pair: those whose pairing lapsed or was
-- ended.  Matching proposes scholarship offers for their open needs; a
-- new pairing takes the child out again.
create table pair_seekers (
	beneficiary_id	bigint primary key references beneficiaries (id),
	since		timestamptz not null default now(),
	pairing_id	bigint references pairings (id),
	reason		text not null check (reason in ('lapsed', 'ended'))
);

grant select, insert, update on offers to shop_app;
grant select, insert, update on proposals to shop_app;
grant select, insert on offer_pledges to shop_app;
grant select, insert, update on donor_prefs to shop_app;
grant select, insert, update on pairings to shop_app;
grant select, insert, update on pairing_terms to shop_app;
grant select, insert on pairing_events to shop_app;
grant select, insert, update, delete on pair_seekers to shop_app;
-- Term pledges are due by their term's date (api.pledge_create takes a
-- due time); needs, pledges and notifications are granted in 005.
