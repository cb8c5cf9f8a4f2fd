-- log_integrate() (sql/022_log_integrate.sql) made each level's nodes by
-- joining the level below with itself, the left child "l.idx = r.idx -
-- 1" of each right child r.  That clause is an index key for l only: a
-- plan that walked l and looked for r scanned the whole batch of the
-- level for every node.  PostgreSQL chose that order when its statistics
-- knew nothing of the levels above the leaves -- the rows of those levels
-- are made in the same call, so they never do on a first integration,
-- and the demo's log is never integrated before make demo-large runs (no
-- job has).  2,155 entries read 390,758 nodes (tests/api/demo_large.test.mjs);
-- a million needs from an empty database, 2,170,922 entries, had not
-- finished after 20 minutes.  Each right child now looks up its left
-- sibling by the primary key, one probe a node, whatever the plan.
create or replace function log_integrate() returns bigint
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
		    sha256('\x01'::bytea || (select l.hash from log_nodes l
		        where l.level = v_level and l.idx = r.idx - 1) || r.hash)
		  from log_nodes r
		 where r.level = v_level
		   and r.idx between 2 * (v_from >> (v_level + 1)) + 1
		       and 2 * ((v_to >> (v_level + 1)) - 1) + 1
		   and r.idx % 2 = 1;
		v_level := v_level + 1;
	end loop;
	update log_integrated set size = v_to;
	return v_to;
end $$;
