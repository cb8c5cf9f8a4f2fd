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

-- What each job did in its latest run, written by the job after each
-- batch (whichever node ran it last) and read by /healthz on any node:
-- the run's start, its latest batch, how many batches and rows it did,
-- the due rows left after its latest batch (null: unknown, its first
-- batch failed), and the error that stopped it (a SQLSTATE, or a word
-- for an error of the module's own), null when it ended well.
create table job_runs (
	job		text primary key check (job ~ '^[a-z_]{1,40}$'),
	started_at	timestamptz not null,
	saved_at	timestamptz not null,
	batches		integer not null check (batches >= 0),
	done		bigint not null check (done >= 0),
	backlog		bigint check (backlog >= 0),
	error		text check (error ~ '^[0-9A-Za-z_]{1,40}$')
);

grant select, insert, update on job_runs to shop_app;
