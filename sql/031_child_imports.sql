-- Children imported from a school's spreadsheet (issue 18, item 2).
--
-- An import is read and checked first (every row's problems listed,
-- nothing written to the register); a file without problems is kept here
-- as it will be written: each row's public fields as api.child_check
-- reads them, and its private part already sealed by the module to the
-- child's number, reserved then (the same sealing as a child typed in
-- one by one).  Confirming writes every row in one transaction, or none,
-- and empties rows: the sealed parts then live in beneficiary_private
-- only.  An import not confirmed is dropped after a day (by the next
-- upload of its organisation).

create table child_imports (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	created_by	bigint not null references users (id),
	filename	text not null default '' check (length(filename) <= 200),
	encoding	text not null check (encoding in ('utf-8', 'gbk')),
	row_count	int not null check (row_count between 1 and 10000),
	-- [{"row", "id", "public": {...}, "key_id", "nonce", "sealed"}]
	rows		jsonb not null check (jsonb_typeof(rows) = 'array'),
	warnings	jsonb not null default '[]',
	created_at	timestamptz not null default now(),
	confirmed_at	timestamptz,
	confirmed_by	bigint references users (id)
);
create index child_imports_org on child_imports (org_id, id);

grant select, insert, update, delete on child_imports to shop_app;
