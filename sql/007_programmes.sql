-- The action plan's programmes (issue 7): its targets, the records that
-- feed them (green loans, trainings and events, young leaders, youths out
-- of poverty), the branches' quarterly reports, and the notifications
-- outbox their reminders go to.
--
-- Records name a registered youth by beneficiaries.id and hold no private
-- data of their own: a borrower's name and ID number are the
-- beneficiary's private record, under its access rules.  Each record
-- belongs to an organisation (org_id): the staff of that organisation's
-- ancestors see it, and the branch it sits under is credited with it.

-- The plan's targets.  What each metric counts and how is code
-- (api.metric_facts); here only its value and window, which the city
-- committee may change.  Money targets are in fen.
create table targets (
	id		smallint generated always as identity primary key,
	metric		text not null unique check (metric in ('leaders_young',
			    'leaders_ecommerce', 'training_attendance',
			    'leaders_rural', 'poverty_exits', 'finance_sessions',
			    'loans_disbursed')),
	value		bigint not null check (value > 0),
	starts_on	date not null,
	deadline	date not null,
	sort		smallint not null default 0,
	updated_at	timestamptz not null default now(),
	updated_by	bigint references users (id),
	check (deadline > starts_on)
);

-- From 济青字〔2017〕20号 of 2017-05-25: 二(工作目标), 三(二) and 三(四).
insert into targets (metric, value, starts_on, deadline, sort) values
	('leaders_young', 50, '2017-05-25', '2017-12-31', 1),
	('leaders_ecommerce', 100, '2017-05-25', '2017-12-31', 2),
	('training_attendance', 800, '2017-05-25', '2017-12-31', 3),
	('leaders_rural', 100, '2017-05-25', '2020-12-31', 4),
	('poverty_exits', 1000, '2017-05-25', '2020-12-31', 5),
	('finance_sessions', 50, '2017-05-25', '2020-12-31', 6),
	('loans_disbursed', 2000000000, '2017-05-25', '2020-12-31', 7);

-- 共青扶贫贷: a green loan to a registered youth.  Amounts in fen.  The
-- schedule is principal only: these loans are interest-subsidised
-- (财政贴息), the borrower repays the principal.
create table loans (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	beneficiary_id	bigint not null references beneficiaries (id),
	bank		text not null check (length(bank) between 1 and 60),
	amount		bigint not null check (amount between 1 and 50000000),
	term_months	smallint not null check (term_months between 1 and 120),
	purpose		text not null check (length(purpose) between 1 and 200),
	status		text not null default 'applied' check (status in
			    ('applied', 'approved', 'disbursed', 'repaying',
			    'repaid', 'rejected', 'defaulted')),
	applied_on	date not null,
	decided_on	date,
	disbursed_on	date,
	closed_on	date,
	note		text not null default '' check (length(note) <= 1000),
	created_by	bigint not null references users (id),
	created_at	timestamptz not null default now(),
	updated_at	timestamptz not null default now(),
	check ((status = 'applied') = (decided_on is null)),
	check ((status in ('disbursed', 'repaying', 'repaid', 'defaulted'))
	    = (disbursed_on is not null)),
	check ((status in ('repaid', 'defaulted', 'rejected'))
	    = (closed_on is not null)),
	check (decided_on >= applied_on),
	check (disbursed_on >= decided_on),
	check (closed_on >= applied_on)
);
create index loans_org on loans (org_id, status);
create index loans_beneficiary on loans (beneficiary_id);

-- The repayment schedule, made when the loan is disbursed.
create table loan_installments (
	loan_id		bigint not null references loans (id),
	seq		smallint not null check (seq >= 1),
	due_on		date not null,
	amount		bigint not null check (amount > 0),
	primary key (loan_id, seq)
);

create table loan_payments (
	id		bigint generated always as identity primary key,
	loan_id		bigint not null references loans (id),
	paid_on		date not null,
	amount		bigint not null check (amount > 0),
	note		text not null default '' check (length(note) <= 200),
	created_by	bigint not null references users (id),
	created_at	timestamptz not null default now()
);
create index loan_payments_loan on loan_payments (loan_id);

-- Never more repaid than lent (the api locks the loan first).
create function loan_payments_check() returns trigger
language plpgsql as $$
begin
	if (select sum(amount) from loan_payments where loan_id = new.loan_id)
	    > (select amount from loans where id = new.loan_id) then
		raise exception 'loan % repaid beyond its amount', new.loan_id
		    using errcode = 'check_violation';
	end if;
	return null;
end $$;
create trigger loan_payments_within after insert on loan_payments
    for each row execute function loan_payments_check();

-- Trainings and events, with their attendance (a count, and optionally
-- the registered youths who came).
create table trainings (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	kind		text not null check (kind in ('entrepreneurship',
			    'ecommerce', 'finance', 'skills', 'youth_home',
			    'counselling', 'city_trip')),
	title		text not null check (length(title) between 1 and 80),
	held_on		date not null,
	organiser	text not null check (length(organiser) between 1 and 60),
	place		text not null check (length(place) between 1 and 60),
	attendance	integer not null check (attendance between 0 and 100000),
	note		text not null default '' check (length(note) <= 1000),
	created_by	bigint not null references users (id),
	created_at	timestamptz not null default now(),
	updated_at	timestamptz not null default now()
);
create index trainings_org on trainings (org_id, held_on);

create table training_attendees (
	training_id	bigint not null references trainings (id),
	beneficiary_id	bigint not null references beneficiaries (id),
	primary key (training_id, beneficiary_id)
);

-- No more registered attendees than the attendance counted.
create function training_attendees_check() returns trigger
language plpgsql as $$
declare
	v_id	bigint := (to_jsonb(new) ->> case when tg_table_name =
			    'trainings' then 'id' else 'training_id' end)::bigint;
begin
	if (select count(*) from training_attendees where training_id = v_id)
	    > (select attendance from trainings where id = v_id) then
		raise exception 'training % has more attendees than attendance',
		    v_id using errcode = 'check_violation';
	end if;
	return null;
end $$;
create trigger training_attendees_within after insert on training_attendees
    for each row execute function training_attendees_check();
create trigger trainings_attendance_within after update of attendance
    on trainings for each row execute function training_attendees_check();

-- The young leaders registry: 青年"领头雁", 电商"领头雁" and 农村青年
-- 致富带头人 (a person may be more than one), and the poor youths they
-- employ or help.  The leaders are adults who agreed to be listed; they
-- are never shown to the public.
create table leaders (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	name		text not null check (length(name) between 1 and 30),
	young		boolean not null default false,
	ecommerce	boolean not null default false,
	rural		boolean not null default false,
	business	text not null check (length(business) between 1 and 100),
	town_id		smallint references towns (id),
	since		date not null,
	note		text not null default '' check (length(note) <= 1000),
	created_by	bigint not null references users (id),
	created_at	timestamptz not null default now(),
	updated_at	timestamptz not null default now(),
	check (young or ecommerce or rural)
);
create index leaders_org on leaders (org_id);

create table leader_helps (
	leader_id	bigint not null references leaders (id),
	beneficiary_id	bigint not null references beneficiaries (id),
	relation	text not null check (relation in ('employs', 'helps')),
	since		date not null,
	primary key (leader_id, beneficiary_id)
);

-- A registered youth out of poverty (脱贫): recorded by the staff of one
-- organisation, verified (or rejected) by its parent branch or the city
-- committee, never by whoever recorded it.  Only verified exits count.
create table poverty_exits (
	id		bigint generated always as identity primary key,
	beneficiary_id	bigint not null references beneficiaries (id),
	org_id		bigint not null references orgs (id),
	exited_on	date not null,
	evidence	text not null check (length(evidence) between 1 and 2000),
	status		text not null default 'recorded' check (status in
			    ('recorded', 'verified', 'rejected')),
	recorded_by	bigint not null references users (id),
	recorded_at	timestamptz not null default now(),
	reviewed_by	bigint references users (id),
	reviewed_at	timestamptz,
	review_note	text not null default '' check (length(review_note) <= 500),
	check ((status = 'recorded') = (reviewed_by is null)),
	check ((reviewed_by is null) = (reviewed_at is null)),
	check (reviewed_by <> recorded_by)
);
create unique index poverty_exits_once on poverty_exits (beneficiary_id)
    where status <> 'rejected';
create index poverty_exits_org on poverty_exits (org_id, status);

-- Quarterly reports (每季度上报).  A report is due due_days after its
-- quarter ends unless report_deadlines says otherwise; reminders go out
-- from remind_days before.  Reports are expected from the first quarter
-- named here on.
create table report_settings (
	id		boolean primary key default true check (id),
	due_days	smallint not null default 10 check (due_days between 0 and 90),
	remind_days	smallint not null default 5 check (remind_days between 0 and 90),
	first_year	smallint not null check (first_year between 2017 and 2100),
	first_quarter	smallint not null check (first_quarter between 1 and 4),
	updated_at	timestamptz not null default now(),
	updated_by	bigint references users (id)
);
insert into report_settings (first_year, first_quarter)
select extract(year from d)::smallint, extract(quarter from d)::smallint
  from (select (now() at time zone 'Asia/Shanghai')::date as d) t;

create table report_deadlines (
	year		smallint not null check (year between 2017 and 2100),
	quarter		smallint not null check (quarter between 1 and 4),
	due_on		date not null,
	set_by		bigint references users (id),
	set_at		timestamptz not null default now(),
	primary key (year, quarter)
);

-- A branch's report for a quarter.  A draft may change; a submitted
-- version is locked with the figures it was submitted with, and a
-- correction is a new version.
create table quarterly_reports (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	year		smallint not null check (year between 2017 and 2100),
	quarter		smallint not null check (quarter between 1 and 4),
	version		smallint not null check (version >= 1),
	status		text not null default 'draft' check (status in
			    ('draft', 'submitted')),
	narrative	text not null default '' check (length(narrative) <= 10000),
	figures		jsonb,
	created_by	bigint not null references users (id),
	created_at	timestamptz not null default now(),
	updated_at	timestamptz not null default now(),
	submitted_by	bigint references users (id),
	submitted_at	timestamptz,
	unique (org_id, year, quarter, version),
	check ((status = 'submitted') = (submitted_at is not null)),
	check ((status = 'submitted') = (submitted_by is not null)),
	check ((status = 'submitted') = (figures is not null))
);
create unique index quarterly_reports_one_draft
    on quarterly_reports (org_id, year, quarter) where status = 'draft';

create function quarterly_reports_lock() returns trigger
language plpgsql as $$
begin
	if old.status = 'submitted' then
		raise exception using errcode = 'SH409',
		    message = 'report_locked', detail = '{}';
	end if;
	return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger quarterly_reports_locked before update or delete
    on quarterly_reports for each row execute function quarterly_reports_lock();

-- The notifications outbox: what is to be sent by e-mail or SMS, written
-- in the transaction that decides it; a sender marks sent_at.  dedupe_key
-- makes a reminder go once per person.
create table if not exists notifications (
	id		bigint generated always as identity primary key,
	user_id		bigint not null references users (id),
	channel		text not null check (channel in ('email', 'sms')),
	kind		text not null check (length(kind) <= 40),
	subject		text not null check (length(subject) <= 200),
	body		text not null check (length(body) <= 4000),
	created_at	timestamptz not null default now(),
	sent_at		timestamptz
);
alter table notifications add column if not exists dedupe_key text
    check (length(dedupe_key) <= 100);
create unique index if not exists notifications_dedupe
    on notifications (user_id, kind, dedupe_key) where dedupe_key is not null;

-- No JIT compilation for this database's sessions.  The planner's row
-- estimates for recursive queries over the organisation tree (tens of
-- thousands of rows for a tree of thirty) push small queries over
-- jit_above_cost, and compiling them took 1 to 6 seconds a query on the
-- 2-core test machine (api.orgs_visible, the reports' roll-up): beyond
-- the 5 s statement timeout under load.  These are short OLTP queries;
-- JIT never pays here.  Needs the database's owner; elsewhere set
-- jit = off in postgresql.conf.
do $$
begin
	execute format('alter database %I set jit = off', current_database());
exception when insufficient_privilege then
	raise warning 'not the database owner: set jit = off in postgresql.conf';
end $$;

grant select on targets, loans, loan_installments, loan_payments, trainings,
    training_attendees, leaders, leader_helps, poverty_exits, report_settings,
    report_deadlines, quarterly_reports, notifications to shop_app;
grant update (value, deadline, updated_at, updated_by) on targets to shop_app;
grant insert (org_id, beneficiary_id, bank, amount, term_months, purpose,
    applied_on, note, created_by) on loans to shop_app;
grant update (status, decided_on, disbursed_on, closed_on, note, updated_at)
    on loans to shop_app;
grant insert on loan_installments to shop_app;
grant insert (loan_id, paid_on, amount, note, created_by) on loan_payments
    to shop_app;
grant insert (org_id, kind, title, held_on, organiser, place, attendance,
    note, created_by) on trainings to shop_app;
grant update (title, held_on, organiser, place, attendance, note, updated_at)
    on trainings to shop_app;
grant insert, delete on training_attendees to shop_app;
grant insert (org_id, name, young, ecommerce, rural, business, town_id, since,
    note, created_by) on leaders to shop_app;
grant update (updated_at) on leaders to shop_app;
grant insert, delete on leader_helps to shop_app;
grant insert (beneficiary_id, org_id, exited_on, evidence, recorded_by)
    on poverty_exits to shop_app;
grant update (status, reviewed_by, reviewed_at, review_note)
    on poverty_exits to shop_app;
grant update (due_days, remind_days, first_year, first_quarter, updated_at,
    updated_by) on report_settings to shop_app;
grant insert, update, delete on report_deadlines to shop_app;
grant insert (org_id, year, quarter, version, narrative, created_by)
    on quarterly_reports to shop_app;
grant update (status, narrative, figures, updated_at, submitted_by,
    submitted_at) on quarterly_reports to shop_app;
grant insert (user_id, channel, kind, subject, body, dedupe_key)
    on notifications to shop_app;
grant update (sent_at) on notifications to shop_app;
