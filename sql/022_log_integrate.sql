-- The public log's tree, integrated in batches (issue 15), as Certificate
-- Transparency logs do (Trillian's sequencer and signer): the appending
-- transaction keeps every guarantee it gave -- the entry, its position
-- (gap-free, in commit order, under the log_head row lock) and its leaf
-- hash, and the leaf's copy in the tree (log_nodes level 0, apart from the
-- entry, so that an entry altered later no longer matches the tree) --
-- but no longer computes the subtrees the leaf completes, a lookup, a
-- hash and an insert per level while every other append waits for its
-- commit.
--
-- log_integrate() adds the subtree hashes of the leaves appended since it
-- last ran, level by level (one insert ... select per level, from the
-- level below), and counts them in log_integrated.  It runs before
-- anything reads the tree above the leaves: a checkpoint being signed
-- (api.log_head) and a proof being asked for (api.log_nodes), both in
-- sql/api/080_log.sql.  Integrators take log_integrated's row lock, so
-- one batch runs at a time, after the one before committed; the appends
-- they integrate are committed ones (log_head's size as their statement
-- sees it), so a batch never waits for an append nor an append for it.
--
-- An append still takes log_head's row lock (the order of commits), but
-- its position is the last entry's plus one, and the size in log_head is
-- written once per transaction (log_entries_commit below).

create table log_integrated (
	one		boolean primary key default true check (one),
	size		bigint not null check (size >= 0)
);
insert into log_integrated select true, size from log_head;

create function log_integrated_grow() returns trigger
language plpgsql as $$
begin
	if tg_op <> 'UPDATE' or new.size < old.size then
		raise exception 'log_integrated only grows'
		    using errcode = 'SL001';
	end if;
	return new;
end $$;
create trigger log_integrated_grow before update or delete
    on log_integrated for each row execute function log_integrated_grow();
create trigger log_integrated_no_truncate before truncate on log_integrated
    for each statement execute function log_refuse();

-- Integrates the leaves appended since the last batch; returns the size
-- of the tree whose every subtree is now stored.
create function log_integrate() returns bigint
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_from		bigint;
	v_to		bigint;
	v_level		int := 0;
begin
	select size into v_from from log_integrated for update;
	select size into v_to from log_head;
	if v_to <= v_from then
		return v_from;
	end if;
	-- Node (level + 1, i) covers leaves i * 2^(level+1) and up: the
	-- batch completes those ending after v_from and by v_to.
	while (v_to >> (v_level + 1)) > (v_from >> (v_level + 1)) loop
		insert into log_nodes (level, idx, hash)
		select v_level + 1, r.idx / 2,
		    sha256('\x01'::bytea || l.hash || r.hash)
		  from log_nodes r
		  join log_nodes l on l.level = v_level and l.idx = r.idx - 1
		 where r.level = v_level
		   and r.idx between 2 * (v_from >> (v_level + 1)) + 1
		       and 2 * ((v_to >> (v_level + 1)) - 1) + 1
		   and r.idx % 2 = 1;
		v_level := v_level + 1;
	end loop;
	update log_integrated set size = v_to;
	return v_to;
end $$;

-- The append trigger of sql/008_public_log.sql, as it was but for the
-- subtrees: the leaf goes into the tree, its ancestors wait for the next
-- batch.
create or replace function log_entries_append() returns trigger
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

	-- The position: waits here for an appending transaction to end
	-- (log_head's row lock), then follows the last entry; log_head's
	-- size follows at the commit (log_entries_commit).
	perform 1 from log_head for update;
	select coalesce(max(position), -1) + 1 into v_pos from log_entries;
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

	-- The leaf, in the tree; the subtrees it completes: log_integrate.
	insert into log_nodes values (0, v_pos, new.leaf_hash);
	return new;
end $$;

-- log_head's size and the monthly counts of sql/009_transparency.sql,
-- once per appending transaction, at its commit (a deferred trigger),
-- rather than once per entry: a transaction that appends thousands of
-- entries (an import, a test) made thousands of versions of the same two
-- rows, each update walking the chain of those before (quadratic: 4,500
-- appends in one statement took seconds).  The appender holds log_head's
-- row lock from its first append, so nobody else appends meanwhile; the
-- first firing at commit counts the entries past log_head's size and
-- moves it, the others find nothing left to do.
create function log_entries_commit() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_from		bigint;
	v_to		bigint;
begin
	select size into v_from from log_head;
	select max(position) + 1 into v_to from log_entries;
	if v_to is null or v_to <= v_from then
		return null;
	end if;
	insert into log_stats
	select date_trunc('month', created_at at time zone 'Asia/Shanghai')::date,
	    kind, count(*), coalesce(sum((fields ->> 'amount')::bigint), 0)
	  from log_entries where position >= v_from group by 1, 2
	on conflict (month, kind) do update
	    set n = log_stats.n + excluded.n,
	        amount = log_stats.amount + excluded.amount;
	update log_head set size = v_to;
	return null;
end $$;
drop trigger log_entries_stats on log_entries;
create constraint trigger log_entries_commit after insert on log_entries
    deferrable initially deferred
    for each row execute function log_entries_commit();

-- log_head only grows, and only to the number of entries.
create or replace function log_head_grow() returns trigger
language plpgsql as $$
begin
	if tg_op <> 'UPDATE' or new.size <= old.size or new.size <>
	    (select coalesce(max(position), -1) + 1 from log_entries) then
		raise exception 'log_head only grows by one entry at a time, '
		    'with the entries' using errcode = 'SL001';
	end if;
	return new;
end $$;

grant select on log_integrated to shop_app;
grant execute on function log_integrate() to shop_app;
