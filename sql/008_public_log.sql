-- The public log: every event the public may see, appended in the same
-- transaction as the change itself, as a Merkle tree in the manner of
-- Certificate Transparency (RFC 6962 / RFC 9162).  The byte format of an
-- entry and of a checkpoint is defined in sql/LOG_FORMAT.md; this file is
-- one implementation of it, logverify (src/logverify/) another.
--
-- Append-only in the database too: the platform's role may only insert
-- and read; triggers refuse UPDATE, DELETE and TRUNCATE, even for the
-- owner.  Positions are gap-free and in commit order: they come from the
-- single row of log_head, updated by the appending transaction, so the
-- next append waits for that transaction to commit (or roll back, and then
-- reuses the position).  A plain sequence would skip numbers on rollback
-- and hand them out in a different order than commits.
--
-- Callers append with api.log_append (sql/api/080_log.sql) as the LAST
-- thing their transaction does: from there to the commit, every other
-- appending transaction waits, and taking log_head before other row locks
-- would invite deadlocks.  Appending transactions run in READ COMMITTED
-- (the default): under REPEATABLE READ a concurrent append is a
-- serialization failure (SQLSTATE 40001, answered 503 "busy").

-- The number of entries, and the lock that orders appends.
create table log_head (
	one		boolean primary key default true check (one),
	size		bigint not null check (size >= 0)
);
insert into log_head values (true, 0);

-- One event.  entry holds the canonical bytes (the UTF-8 text of
-- LOG_FORMAT.md), leaf_hash = SHA-256(0x00 || entry).  kind, need_id and
-- fields are the same event in columns, for queries (the transparency
-- page); entry is what the tree commits to.  The insert trigger below
-- assigns position, created_at, entry and leaf_hash: an inserter gives
-- only kind, need_id and fields.
create table log_entries (
	position	bigint primary key check (position >= 0),
	created_at	timestamptz not null,
	kind		text not null check (kind in ('need_opened',
			    'pledge_made', 'pledge_delivered', 'pledge_received',
			    'pledge_cancelled', 'pledge_expired', 'need_fulfilled',
			    'fund_received', 'fund_paid_out')),
	need_id		bigint,
	fields		jsonb not null default '{}',
	entry		text not null check (octet_length(entry) <= 1024),
	leaf_hash	bytea not null check (leaf_hash = sha256('\x00'::bytea
			    || convert_to(entry, 'UTF8'))),
	check (need_id is not null or kind in ('fund_received', 'fund_paid_out'))
);
create index log_entries_need on log_entries (need_id, position)
    where need_id is not null;
create index log_entries_pledge on log_entries (((fields ->> 'pledge')::bigint))
    where fields ? 'pledge';

-- The tree: the hash of each perfect subtree, (level, idx) covering
-- leaves idx * 2^level .. (idx + 1) * 2^level - 1; level 0 are the leaf
-- hashes again.  Written by the insert trigger (a leaf, and each subtree
-- it completes), so any root or proof needs O(log n) lookups, never a
-- pass over all leaves.  The tree is kept apart from the entries so that
-- an entry altered behind the platform's back (its text and leaf_hash
-- together) no longer matches the tree: the platform's proofs still come
-- from what was appended, and logverify names the altered entry.
create table log_nodes (
	level		smallint not null check (level between 0 and 62),
	idx		bigint not null check (idx >= 0),
	hash		bytea not null check (length(hash) = 32),
	primary key (level, idx)
);

-- Signed checkpoints, kept forever: the platform's signed statement of the
-- tree size and root (a C2SP signed note, LOG_FORMAT.md).
create table log_checkpoints (
	tree_size	bigint primary key check (tree_size >= 0),
	root_hash	bytea not null check (length(root_hash) = 32),
	note		text not null check (length(note) <= 4096),
	signed_at	timestamptz not null default now()
);

-- The hash of node (level, idx), NULL if the tree has no such node yet.
create function log_node(p_level int, p_idx bigint)
returns bytea language sql stable as $$
	select hash from log_nodes where level = p_level and idx = p_idx
$$;

-- A text value of an entry: control characters (a line break would forge
-- a line) become spaces, and spaces at either end go.
create function log_text(p_value text)
returns text language sql immutable as $$
	select btrim(regexp_replace(p_value, '[\x01-\x1f\x7f]', ' ', 'g'))
$$;

-- A positive integer field of an event, or an error naming it.
create function log_int(p_fields jsonb, p_key text)
returns bigint language plpgsql immutable as $$
declare
	v	numeric;
begin
	if jsonb_typeof(p_fields -> p_key) is distinct from 'number' then
		raise exception 'log: field % must be a number', p_key;
	end if;
	v := (p_fields ->> p_key)::numeric;
	if v <> trunc(v) or v < 1 or v > 9007199254740991 then
		raise exception 'log: field % must be a positive integer', p_key;
	end if;
	return v::bigint;
end $$;

-- Before each insert: checks the event against its kind, rewrites its
-- fields in canonical form, takes the next position under the log_head
-- row lock, builds the entry and its leaf hash, and stores the subtree
-- hashes the new leaf completes.  Security definer: the platform's role
-- may not touch log_head or log_nodes itself.
create function log_entries_append() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_required	text[];
	v_optional	text[] := '{}';
	v_order		text[] := array['pledge', 'need_kind', 'category',
			    'town', 'quantity', 'amount', 'unit', 'unit_amount',
			    'donor'];
	v_in		jsonb := coalesce(new.fields, '{}');
	v_out		jsonb := '{}';
	v_key		text;
	v_text		text;
	v_entry		text;
	v_pos		bigint;
	v_hash		bytea;
	v_idx		bigint;
	v_level		int;
begin
	case new.kind
	when 'need_opened' then
		v_required := array['need_kind', 'category', 'town', 'quantity',
		    'unit'];
		v_optional := array['unit_amount'];
	when 'pledge_made' then
		v_required := array['pledge', 'quantity', 'donor'];
	when 'pledge_delivered', 'pledge_received', 'pledge_cancelled',
	    'pledge_expired' then
		v_required := array['pledge', 'quantity'];
	when 'need_fulfilled' then
		v_required := '{}';
	when 'fund_received' then
		v_required := array['amount', 'donor'];
	when 'fund_paid_out' then
		v_required := array['amount'];
	else
		raise exception 'log: unknown kind %', new.kind;
	end case;
	if jsonb_typeof(v_in) <> 'object' then
		raise exception 'log: fields must be an object';
	end if;
	if new.kind in ('fund_received', 'fund_paid_out') then
		if new.need_id is not null and new.need_id < 1 then
			raise exception 'log: need must be positive';
		end if;
	elsif new.need_id is null or new.need_id < 1 then
		raise exception 'log: % needs a need', new.kind;
	end if;

	-- Only the fields of the kind: nothing else can reach the log.
	for v_key in select jsonb_object_keys(v_in) loop
		if not (v_key = any (v_required || v_optional)) then
			raise exception 'log: % takes no field %', new.kind, v_key;
		end if;
	end loop;
	foreach v_key in array v_required loop
		if not v_in ? v_key or v_in -> v_key = 'null' then
			raise exception 'log: % needs field %', new.kind, v_key;
		end if;
	end loop;

	foreach v_key in array v_order loop
		continue when not v_in ? v_key or v_in -> v_key = 'null';
		if v_key in ('pledge', 'quantity', 'amount', 'unit_amount') then
			v_out := v_out || jsonb_build_object(v_key,
			    log_int(v_in, v_key));
			continue;
		end if;
		if jsonb_typeof(v_in -> v_key) <> 'string' then
			raise exception 'log: field % must be text', v_key;
		end if;
		v_text := log_text(v_in ->> v_key);
		case v_key
		when 'need_kind' then
			if v_text not in ('goods', 'money', 'scholarship',
			    'service') then
				raise exception 'log: unknown need kind %', v_text;
			end if;
		when 'category', 'town' then
			if v_text !~ '^[a-z][a-z0-9-]{0,40}$' then
				raise exception 'log: % is not a slug', v_key;
			end if;
		when 'unit' then
			if length(v_text) not between 1 and 10 then
				raise exception 'log: bad unit';
			end if;
		when 'donor' then
			-- A display name, never contact data: a name that holds
			-- an @ or seven digits is logged as 爱心人士.
			if v_text = '' or length(v_text) > 50 or v_text ~ '@'
			    or length(regexp_replace(v_text, '[^0-9０-９]', '',
			    'g')) >= 7 then
				v_text := '爱心人士';
			end if;
		end case;
		v_out := v_out || jsonb_build_object(v_key, v_text);
	end loop;
	if new.kind = 'need_opened' and ((v_out ->> 'need_kind' =
	    'scholarship') <> (v_out ? 'unit_amount')) then
		raise exception 'log: unit_amount goes with scholarships only';
	end if;

	-- The position: waits here for an appending transaction to end.
	update log_head set size = size + 1 returning size - 1 into v_pos;
	new.position := v_pos;
	-- The owner may date an event (demo data); the platform may not.
	new.created_at := coalesce(new.created_at, clock_timestamp());
	new.fields := v_out;

	v_entry := 'index ' || v_pos || E'\n' ||
	    'time ' || to_char(new.created_at at time zone 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"') || E'\n' ||
	    'kind ' || new.kind || E'\n';
	if new.need_id is not null then
		v_entry := v_entry || 'need ' || new.need_id || E'\n';
	end if;
	foreach v_key in array v_order loop
		continue when not v_out ? v_key;
		v_entry := v_entry || v_key || ' ' || (v_out ->> v_key) || E'\n';
	end loop;
	new.entry := v_entry;
	new.leaf_hash := sha256('\x00'::bytea || convert_to(v_entry, 'UTF8'));

	-- The leaf, and each subtree it completes from its two halves.
	v_hash := new.leaf_hash;
	v_idx := v_pos;
	v_level := 0;
	insert into log_nodes values (0, v_pos, v_hash);
	while v_idx % 2 = 1 loop
		v_hash := sha256('\x01'::bytea || (select hash from log_nodes
		    where level = v_level and idx = v_idx - 1) || v_hash);
		v_idx := v_idx / 2;
		v_level := v_level + 1;
		insert into log_nodes values (v_level, v_idx, v_hash);
	end loop;
	return new;
end $$;

create trigger log_entries_append before insert on log_entries
    for each row execute function log_entries_append();

-- The log is never rewritten, not even by its owner.
create function log_refuse() returns trigger
language plpgsql as $$
begin
	raise exception 'the public log is append-only: % on % refused',
	    tg_op, tg_table_name using errcode = 'SL001';
end $$;

create trigger log_entries_frozen before update or delete on log_entries
    for each row execute function log_refuse();
create trigger log_entries_no_truncate before truncate on log_entries
    for each statement execute function log_refuse();
create trigger log_nodes_frozen before update or delete on log_nodes
    for each row execute function log_refuse();
create trigger log_nodes_no_truncate before truncate on log_nodes
    for each statement execute function log_refuse();
create trigger log_checkpoints_frozen before update or delete
    on log_checkpoints for each row execute function log_refuse();
create trigger log_checkpoints_no_truncate before truncate on log_checkpoints
    for each statement execute function log_refuse();

-- log_head only ever grows by one, and only under an insert.
create function log_head_grow() returns trigger
language plpgsql as $$
begin
	if tg_op <> 'UPDATE' or new.size <> old.size + 1 then
		raise exception 'log_head only grows by one entry at a time'
		    using errcode = 'SL001';
	end if;
	return new;
end $$;

create trigger log_head_grow before update or delete on log_head
    for each row execute function log_head_grow();
create trigger log_head_no_truncate before truncate on log_head
    for each statement execute function log_refuse();

-- The platform's role reads everything, inserts events (only kind,
-- need_id and fields: the rest is the trigger's) and checkpoints, and
-- changes nothing.
grant select on log_head, log_entries, log_nodes, log_checkpoints
    to shop_app;
grant insert (kind, need_id, fields) on log_entries to shop_app;
grant insert on log_checkpoints to shop_app;
