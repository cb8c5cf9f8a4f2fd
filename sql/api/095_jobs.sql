-- The periodic jobs' state (table job_runs, sql/014_job_batches.sql):
-- written by src/jobs.c after each batch, read by /healthz.

-- Records job p_job's run so far: p_batches batches done in p_ms
-- milliseconds since it started, p_done rows handled, p_backlog rows
-- still due after the latest batch (null: unknown), p_error the error
-- that stopped it (null: none).
create function api.job_run_save(p_job text, p_batches int, p_done bigint,
    p_backlog bigint, p_error text, p_ms int)
returns void language sql as $$
	insert into job_runs (job, started_at, saved_at, batches, done,
	    backlog, error)
	values (p_job, now() - make_interval(secs => p_ms / 1000.0), now(),
	    p_batches, p_done, p_backlog, p_error)
	on conflict (job) do update set started_at = excluded.started_at,
	    saved_at = excluded.saved_at, batches = excluded.batches,
	    done = excluded.done, backlog = excluded.backlog,
	    error = excluded.error
$$;

-- GET /healthz: {"status": "ok", "jobs": {job: {"last_run", "started",
-- "batches", "done", "backlog", "error"}}}, times in UTC (ISO 8601).
create function api.health()
returns text language sql stable as $$
	select json_build_object('status', 'ok', 'jobs', coalesce(
	    json_object_agg(job, json_build_object(
	        'last_run', to_char(saved_at at time zone 'UTC',
	            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	        'started', to_char(started_at at time zone 'UTC',
	            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	        'batches', batches, 'done', done, 'backlog', backlog,
	        'error', error) order by job), '{}'))::text
	  from job_runs
$$;
