-- The periodic jobs (src/jobs.c) work in bounded batches, each found
-- through an index that holds only the rows that may still come due, so
-- a batch costs the same however long the backlog (issue 11, item 5:
-- one statement over 30,000 overdue pledges outlasted the app role's
-- statement timeout every minute, and nothing ever expired).
--
-- Pledged pledges by due time: those past due expire
-- (api.pledges_tick), a pledge delivered, cancelled or expired leaves the
-- index.
create index pledges_due on pledges (due_at, id) where status = 'pledged';
-- Those whose donor has not yet been told it is due soon.
create index pledges_due_notice on pledges (due_at, id)
    where status = 'pledged' and due_notice_at is null;
