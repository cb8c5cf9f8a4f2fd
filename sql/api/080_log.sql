-- The public log (tables and the append trigger: sql/008_public_log.sql;
-- byte formats: sql/LOG_FORMAT.md).
--
-- Appending, for the SQL functions that change what the public sees: call
-- one of these as the LAST statement of the change, in its transaction
-- (the append holds the log's lock until the commit):
--
--   perform api.log_need_opened(v_need);              -- need is listed
--   perform api.log_pledge_event('pledge_made', v_pledge);
--   perform api.log_pledge_event('pledge_received', v_pledge, v_qty);
--   perform api.log_append('need_fulfilled', v_need);
--   perform api.log_append('fund_received', v_need_or_null,
--       jsonb_build_object('amount', v_fen, 'donor',
--           api.log_donor_name(v_user, v_anonymous)));
--   perform api.log_append('fund_paid_out', v_need_or_null,
--       jsonb_build_object('amount', v_fen));
--
-- The kinds and their fields (anything else is refused by the trigger):
--   need_opened       need; need_kind, category, town, quantity, unit
--                     [, unit_amount for a scholarship]
--   pledge_made       need; pledge, quantity, donor
--   pledge_delivered, pledge_received, pledge_cancelled, pledge_expired
--                     need; pledge, quantity
--   need_fulfilled    need
--   fund_received     [need]; amount, donor
--   fund_paid_out     [need]; amount
-- quantity is in the need's unit (fen for a money need, terms for a
-- scholarship); amount is fen; donor is a display name or 爱心人士, never
-- contact data.  No field can name a child.

-- Appends one event; returns its position.  (plpgsql, as the other
-- functions an append calls: its plan is kept for the session.)
create function api.log_append(p_kind text, p_need_id bigint,
    p_fields jsonb default '{}')
returns bigint language plpgsql as $$
declare
	v	bigint;
begin
	insert into log_entries (kind, need_id, fields)
	values (p_kind, p_need_id, coalesce(p_fields, '{}'))
	returning position into v;
	return v;
end $$;

-- What the log says of a donor: the display name, or 爱心人士 when they
-- give anonymously (or are unknown).
create function api.log_donor_name(p_user bigint, p_anonymous boolean)
returns text language sql stable as $$
	select api.donor_public_name(p_user, p_anonymous, 'zh')
$$;

-- The public facts of a need, as need_opened fields.  A money need counts
-- fen, whatever unit its page shows.
create function api.log_need_fields(p_need bigint)
returns jsonb language sql stable as $$
	select jsonb_strip_nulls(jsonb_build_object(
	    'need_kind', n.kind,
	    'category', n.category,
	    'town', t.slug,
	    'quantity', n.quantity,
	    'unit', case when n.kind = 'money' then 'fen' else n.unit end,
	    'unit_amount', n.unit_amount))
	  from needs n join towns t on t.id = n.town_id
	 where n.id = p_need
$$;

-- The fields of a pledge event; p_quantity defaults to the pledge's.
create function api.log_pledge_fields(p_kind text, p_pledge bigint,
    p_quantity int default null)
returns jsonb language plpgsql stable as $$
declare
	p	pledges;
begin
	select * into p from pledges where id = p_pledge;
	if not found then
		return null;
	end if;
	return jsonb_build_object('pledge', p.id,
	    'quantity', coalesce(p_quantity, p.quantity))
	    || case when p_kind = 'pledge_made' then jsonb_build_object(
	        'donor', api.log_donor_name(p.donor_id, p.anonymous))
	    else '{}' end;
end $$;

create function api.log_need_opened(p_need bigint)
returns bigint language plpgsql as $$
declare
	v_fields	jsonb := api.log_need_fields(p_need);
begin
	if v_fields is null then
		raise exception 'log: no need %', p_need;
	end if;
	return api.log_append('need_opened', p_need, v_fields);
end $$;

create function api.log_pledge_event(p_kind text, p_pledge bigint,
    p_quantity int default null)
returns bigint language plpgsql as $$
declare
	v_need		bigint;
begin
	select need_id into v_need from pledges where id = p_pledge;
	if not found then
		raise exception 'log: no pledge %', p_pledge;
	end if;
	return api.log_append(p_kind, v_need,
	    api.log_pledge_fields(p_kind, p_pledge, p_quantity));
end $$;

-- The perfect subtrees that make up a tree of p_size leaves, left to
-- right (one per bit of p_size), as base64.
create function api.log_frontier(p_size bigint)
returns json language plpgsql stable as $$
declare
	v_nodes		text[] := '{}';
	v_pos		bigint := 0;
	v_level		int := 62;
begin
	while v_level >= 0 and p_size >> v_level = 0 loop
		v_level := v_level - 1;
	end loop;
	for v_level in reverse v_level .. 0 loop
		continue when (p_size >> v_level) & 1 = 0;
		v_nodes := v_nodes || encode(log_node(v_level,
		    v_pos >> v_level), 'base64');
		v_pos := v_pos + (1::bigint << v_level);
	end loop;
	return to_json(v_nodes);
end $$;

create function api.log_checkpoint_json(c log_checkpoints)
returns json language sql stable as $$
	select json_build_object(
	    'tree_size', c.tree_size,
	    'root_hash', encode(c.root_hash, 'base64'),
	    'checkpoint', c.note,
	    'signed_at', to_char(c.signed_at at time zone 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;

-- The tree's subtrees for every leaf appended so far (sql/
-- 022_log_integrate.sql), before the tree above the leaves is read; a
-- replica reads what the primary integrated.
create function api.log_tree()
returns bigint language plpgsql as $$
begin
	if pg_is_in_recovery() then
		return (select size from log_integrated);
	end if;
	return log_integrate();
end $$;

-- For GET /api/v1/log/checkpoint: the current size and the latest
-- checkpoint.  When the tree grew since, also the nodes the current root
-- is made of, and those the latest checkpoint's root is made of now (the
-- module checks they still give that root before it signs more).  The
-- size is the integrated tree's.
create function api.log_head()
returns text language plpgsql as $$
declare
	v_size		bigint;
	v_c		log_checkpoints;
begin
	v_size := api.log_tree();
	select * into v_c from log_checkpoints order by tree_size desc limit 1;
	if v_c.tree_size = v_size then
		return json_build_object('tree_size', v_size,
		    'latest', api.log_checkpoint_json(v_c))::text;
	end if;
	return json_build_object('tree_size', v_size,
	    'frontier', api.log_frontier(v_size),
	    'latest', case when v_c.tree_size is not null then
	        api.log_checkpoint_json(v_c)::jsonb || jsonb_build_object(
	        'frontier', api.log_frontier(v_c.tree_size)) end)::text;
end $$;

-- Stores a checkpoint the module signed; answers it (or the one already
-- stored for that size).
create function api.log_checkpoint_add(p_size bigint, p_root text,
    p_note text)
returns text language plpgsql as $$
declare
	v_c	log_checkpoints;
begin
	if p_size > (select size from log_head) then
		raise exception 'log: checkpoint beyond the log';
	end if;
	insert into log_checkpoints (tree_size, root_hash, note)
	values (p_size, decode(p_root, 'base64'), p_note)
	on conflict (tree_size) do nothing;
	select * into v_c from log_checkpoints where tree_size = p_size;
	return api.log_checkpoint_json(v_c)::text;
end $$;

-- GET /api/v1/log/entries: entries p_start .. p_end (inclusive, as in
-- RFC 6962 get-entries), at most 1000, cut at the end of the log.  400
-- when p_start is not in the log.
create function api.log_entries(p_start bigint, p_end bigint)
returns text language plpgsql stable as $$
declare
	v_size		bigint;
	v_end		bigint;
begin
	select size into v_size from log_head;
	if p_start >= v_size then
		perform api.fail(400, 'log_range', json_build_object('field',
		    'start'));
	end if;
	if p_end < p_start then
		perform api.fail(400, 'log_range', json_build_object('field',
		    'end'));
	end if;
	v_end := least(p_end, v_size - 1, p_start + 999);
	return json_build_object('tree_size', v_size,
	    'entries', (select coalesce(json_agg(json_build_object(
	        'index', e.position, 'entry', e.entry) order by e.position),
	        '[]') from log_entries e
	     where e.position between p_start and v_end))::text;
end $$;

-- The hashes of the nodes (p_levels[i], p_idx[i]) in that order, for the
-- proofs the module computes.  400 naming p_field when p_size is beyond
-- the log.
create function api.log_nodes(p_size bigint, p_field text, p_levels int[],
    p_idx bigint[])
returns text language plpgsql as $$
declare
	v_size		bigint;
begin
	select size into v_size from log_head;
	if p_size > (select size from log_integrated) then
		perform api.log_tree();
	end if;
	if p_size > v_size then
		perform api.fail(400, 'log_range', json_build_object('field',
		    p_field));
	end if;
	return json_build_object('tree_size', v_size,
	    'nodes', (select coalesce(json_agg(encode(log_node(u.l, u.i),
	        'base64') order by u.o), '[]')
	      from unnest(p_levels, p_idx) with ordinality as u(l, i, o)))::text;
end $$;
