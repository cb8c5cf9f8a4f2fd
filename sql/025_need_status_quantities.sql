-- A need's status agrees with its quantities (issue 14, found item 6):
-- the demo data had seven open needs with nothing left that still said
-- can_pledge, because only the functions of sql/api kept the two in step.
--
--   before open (draft .. notice, rejected): nothing pledged or received;
--   open: something left to pledge;
--   fully_pledged: nothing left to pledge, not all of it received;
--   fulfilled: all of it received (so all of it pledged).
--
-- cancelled and expired keep what they held: their live pledges are
-- released after the need closed (api.pledges_release).  The functions
-- that move pledged and received (api.pledge_create, api.pledges_release,
-- api.pledge_mark_received) set the status in the same UPDATE, so they
-- satisfy the CHECK as they are.

-- Rows written before the constraint (the demo data's seven): the status
-- follows the quantities, which the pledges back.  Through the status
-- triggers, so that need_events records the change as the system's.
update needs set status = 'fully_pledged', updated_at = now()
 where status = 'open' and pledged = quantity and received < quantity;
update needs set status = 'open', updated_at = now()
 where status = 'fully_pledged' and pledged < quantity;

alter table needs add constraint needs_status_quantities check (
	case status
	when 'open' then pledged < quantity
	when 'fully_pledged' then pledged = quantity and received < quantity
	when 'fulfilled' then received = quantity
	when 'cancelled' then true
	when 'expired' then true
	else pledged = 0 and received = 0
	end);

-- And one refusal that did not go through api.fail (issue 14, found item
-- 5): a submitted quarterly report is locked, which PostgreSQL logged as
-- an ERROR each time someone tried; api.fail keeps it out of the log like
-- every other refusal (the same SHnnn, code and detail).
create or replace function quarterly_reports_lock() returns trigger
language plpgsql as $$
begin
	if old.status = 'submitted' then
		perform api.fail(409, 'report_locked');
	end if;
	return case when tg_op = 'DELETE' then old else new end;
end $$;
