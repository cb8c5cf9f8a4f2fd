-- What operators look at (src/obs.c, src/health.c): figures for
-- /metrics from the primary, and a replica's state from the replica.

-- The outbox's backlog (messages not yet sent) and the age of its oldest,
-- the log's size and the age of its latest checkpoint.  With the sender's
-- queue (a status column) the backlog is what waits to be sent; before
-- it, what has no sent_at.  Numbers only: /metrics prints each as a gauge
-- named after its key.
create function api.ops_metrics()
returns json language plpgsql stable as $$
declare
	v_backlog	bigint;
	v_oldest	double precision;
	v_size		bigint;
	v_cp		log_checkpoints;
begin
	if exists (select 1 from information_schema.columns
	    where table_schema = 'public' and table_name = 'notifications'
	    and column_name = 'status') then
		execute 'select count(*), extract(epoch from now() - '
		    'min(created_at)) from notifications where status = ''pending'''
		    into v_backlog, v_oldest;
	else
		select count(*), extract(epoch from now() - min(created_at))
		    into v_backlog, v_oldest
		    from notifications where sent_at is null;
	end if;
	select size into v_size from log_head;
	select * into v_cp from log_checkpoints order by tree_size desc limit 1;
	return json_build_object(
	    'outbox_backlog', v_backlog,
	    'outbox_oldest_seconds', coalesce(v_oldest, 0),
	    'log_entries', v_size,
	    'log_checkpoint_size', coalesce(v_cp.tree_size, 0),
	    'log_unsigned_entries', v_size - coalesce(v_cp.tree_size, 0),
	    'log_checkpoint_age_seconds', coalesce(extract(epoch from
	        now() - v_cp.signed_at), 0));
end $$;

-- Asked of the read-only database: whether it is replaying (a replica)
-- and how far behind it is: 0 when it has replayed all it received, else
-- the time since the last commit it replayed.
create function api.replica_status()
returns json language sql stable as $$
	select json_build_object(
	    'in_recovery', pg_is_in_recovery(),
	    'lag_seconds', case
	        when not pg_is_in_recovery() then 0
	        when pg_last_wal_receive_lsn() is not distinct from
	            pg_last_wal_replay_lsn() then 0
	        else coalesce(extract(epoch from now() -
	            pg_last_xact_replay_timestamp()), 0) end)
$$;
