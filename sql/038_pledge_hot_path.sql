-- Two things a pledge paid for at every call and did not need (issue 15;
-- tests/bench/pledge_profile.sh shows each statement's planning).
--
-- 1. The commit trigger of the public log (sql/022_log_integrate.sql)
-- counts the new entries of each month with a query PostgreSQL planned
-- again at every commit (0.12 ms of a pledge's 3): for "position >= $1"
-- its generic plan expects a third of the log, so it kept making a plan
-- for the one entry of the transaction.  Bounded on both sides, the
-- generic plan is the index range walk the custom one was, and it is
-- kept for the session.
create or replace function log_entries_commit() returns trigger
language plpgsql security definer
set search_path = public, pg_temp
set plan_cache_mode = force_generic_plan as $$
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
	  from log_entries where position >= v_from and position < v_to
	 group by 1, 2
	on conflict (month, kind) do update
	    set n = log_stats.n + excluded.n,
	        amount = log_stats.amount + excluded.amount;
	update log_head set size = v_to;
	return null;
end $$;

-- 2. The default end of a need's notice (sql/004_children_needs.sql) ran,
-- a security-definer call, at every update naming the status column,
-- which every pledge's does; it only acts on a need entering its notice
-- without an end.
drop trigger needs_notice_default on needs;
create trigger needs_notice_default before insert or update of status
    on needs for each row
    when (new.status = 'notice' and new.notice_ends_at is null)
    execute function needs_notice_default();
