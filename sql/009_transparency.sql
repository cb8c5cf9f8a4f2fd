-- The transparency page (sql/api/090_transparency.sql, src/transparency.c).
--
-- It reads the public log by kind (the latest gifts received, newest
-- first) and by time (the CSV of a period): two indexes, each costing an
-- append one more index entry.
create index log_entries_kind on log_entries (kind, position);
create index log_entries_time on log_entries (created_at);

-- Counts (and sums of amounts, fen) of the log's events by month
-- (Asia/Shanghai) and kind, kept by the appending transaction, so that
-- the page's monthly chart and the foundation account's totals cost a few
-- rows, not a pass over the log.  Appends are serialised already (the
-- log_head row lock, taken before this trigger runs), so these rows add
-- no contention and no lock-order risk; the log is append-only, so they
-- only grow, and they are exactly the sums of the entries (a rolled-back
-- append rolls its count back).
create table log_stats (
	month		date not null,
	kind		text not null,
	n		bigint not null check (n >= 0),
	amount		bigint not null check (amount >= 0),
	primary key (month, kind)
);

create function log_stats_add() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
	insert into log_stats values (date_trunc('month', new.created_at
	    at time zone 'Asia/Shanghai')::date, new.kind, 1,
	    coalesce((new.fields ->> 'amount')::bigint, 0))
	on conflict (month, kind) do update
	    set n = log_stats.n + 1, amount = log_stats.amount + excluded.amount;
	return null;
end $$;

create trigger log_entries_stats after insert on log_entries
    for each row execute function log_stats_add();

insert into log_stats
select date_trunc('month', created_at at time zone 'Asia/Shanghai')::date,
    kind, count(*), coalesce(sum((fields ->> 'amount')::bigint), 0)
  from log_entries group by 1, 2;

grant select on log_stats to shop_app;
