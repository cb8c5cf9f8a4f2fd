-- The foundation account's bank statements (issue 16, item 1).
--
-- An admin uploads the account's statement as the bank exports it (CSV);
-- src/lib/statement.c reads its lines by the columns the admin named for
-- that bank, once (fund_banks.mapping).  Each line is kept once per bank,
-- keyed by the bank's own line id or, without one, by the hash of its
-- fields and its place among equal lines (line_key): importing the same
-- file or an overlapping statement again adds nothing.  A received line
-- whose note holds one pledge's reference code and its amount is proposed
-- as that pledge's receipt; the rest wait for a person's decision
-- (api.fund_line_decide).  Statements and decisions are the admins' alone
-- (and the audit log's); the public log gets only what a confirmed pledge
-- writes (pledge_received, fund_received: the amount and the need).

create table fund_banks (
	id		bigint generated always as identity primary key,
	name		text not null unique check (length(name) between 1 and 50
			    and one_line_ok(name)),
	-- {"date": "交易日期", "amount": "金额", ...}: statement_cols' keys
	-- and the header row's texts.
	mapping		jsonb not null check (jsonb_typeof(mapping) = 'object'),
	updated_by	bigint not null references users (id),
	updated_at	timestamptz not null default now()
);

create table fund_statements (
	id		bigint generated always as identity primary key,
	bank_id		bigint not null references fund_banks (id),
	filename	text not null default '' check (length(filename) <= 200),
	encoding	text not null check (encoding in ('utf-8', 'gbk')),
	lines		int not null check (lines >= 0),	-- in the file
	new_lines	int not null check (new_lines >= 0),	-- kept from it
	imported_by	bigint not null references users (id),
	imported_at	timestamptz not null default now()
);

create table fund_statement_lines (
	id		bigint generated always as identity primary key,
	bank_id		bigint not null references fund_banks (id),
	statement_id	bigint not null references fund_statements (id),
	line_key	text not null check (length(line_key) between 1 and 140),
	row_no		int not null check (row_no > 0),
	booked_on	date not null,
	amount		bigint not null,	-- fen; received > 0
	balance		bigint,
	counterparty	text not null default '' check (length(counterparty) <= 200),
	note		text not null default '' check (length(note) <= 500),
	bank_line_id	text check (length(bank_line_id) <= 100),
	-- outgoing: money paid out (nothing to decide); proposed: names one
	-- live pledge and its amount; partial: the amount differs;
	-- duplicate: its pledge is named by an earlier line or received;
	-- unknown: names no pledge; ambiguous: names several, or one that
	-- can take no money; confirmed and ignored: decided.
	state		text not null check (state in ('outgoing', 'proposed',
			    'partial', 'duplicate', 'unknown', 'ambiguous',
			    'confirmed', 'ignored')),
	pledge_id	bigint references pledges (id),
	decided_by	bigint references users (id),
	decided_at	timestamptz,
	decision_note	text check (length(decision_note) <= 500),
	unique (bank_id, line_key),
	check ((state in ('confirmed', 'ignored')) = (decided_at is not null)),
	check (state <> 'confirmed' or pledge_id is not null)
);
-- A pledge is received from one line at most.
create unique index fund_statement_lines_confirmed
    on fund_statement_lines (pledge_id) where state = 'confirmed';
create index fund_statement_lines_statement
    on fund_statement_lines (statement_id, row_no);
create index fund_statement_lines_pledge on fund_statement_lines (pledge_id)
    where pledge_id is not null;
create index fund_statement_lines_open on fund_statement_lines (id)
    where state in ('partial', 'duplicate', 'unknown', 'ambiguous');

grant select, insert, update on fund_banks, fund_statements,
    fund_statement_lines to shop_app;
-- An import that found nothing new takes its statement back.
grant delete on fund_statements to shop_app;
