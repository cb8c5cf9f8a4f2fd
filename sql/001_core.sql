-- Core of the platform: places, organisations, people, campaigns, children
-- (public part), needs and pledges.  Constraints here are the last line of
-- defence; the rules that span rows live in SQL functions (sql/api/).

create extension if not exists pg_trgm;

-- The towns (镇) of Jiyuan: the public filter and the unit of reporting.
create table towns (
	id		smallint primary key,
	slug		text not null unique check (slug ~ '^[a-z][a-z0-9-]{1,30}$'),
	name_zh		text not null,
	name_en		text not null,
	sort		smallint not null default 0
);

-- The organisation tree: the city committee at the root; town, unit and
-- college branches under it; schools under a town branch.  Caring
-- organisations (爱心企业, 社会组织) stand beside the tree (no parent).
create table orgs (
	id		bigint generated always as identity primary key,
	parent_id	bigint references orgs (id),
	kind		text not null check (kind in
			    ('city', 'town', 'unit', 'college', 'school', 'caring')),
	name		text not null check (length(name) between 1 and 100),
	name_en		text check (length(name_en) <= 200),
	town_id		smallint references towns (id),
	created_at	timestamptz not null default now(),
	check (case kind
	    when 'city' then parent_id is null
	    when 'caring' then parent_id is null
	    else parent_id is not null end),
	check (kind <> 'school' or town_id is not null)
);
create index orgs_parent on orgs (parent_id);

-- People with an account.  Staff and admins belong to an organisation; a
-- donor may name the caring organisation they give for.
create table users (
	id		bigint generated always as identity primary key,
	role		text not null check (role in ('admin', 'staff', 'donor')),
	org_id		bigint references orgs (id),
	display_name	text not null check (length(display_name) between 1 and 50),
	email		text unique check (length(email) <= 254),
	phone		text unique check (phone ~ '^1[3-9][0-9]{9}$'),
	password_hash	text,
	disabled_at	timestamptz,
	created_at	timestamptz not null default now(),
	check (role = 'donor' or org_id is not null)
);

create table categories (
	slug		text primary key check (slug ~ '^[a-z][a-z0-9-]{1,30}$'),
	name_zh		text not null,
	name_en		text not null,
	sort		smallint not null default 0
);

create table campaigns (
	id		smallint generated always as identity primary key,
	slug		text not null unique check (slug ~ '^[a-z][a-z0-9-]{1,40}$'),
	name_zh		text not null check (length(name_zh) between 1 and 60),
	name_en		text not null check (length(name_en) between 1 and 120),
	summary_zh	text not null default '',
	summary_en	text not null default '',
	starts_on	date not null,
	ends_on		date not null,
	check (ends_on >= starts_on)
);

-- A child or young person in need (贫困青少年), public part only: what the
-- public may see.  Nothing here identifies the child.
create table beneficiaries (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	alias		text not null check (length(alias) between 1 and 20),
	birth_year	smallint not null check (birth_year between 1990 and 2030),
	gender		text not null check (gender in ('f', 'm')),
	town_id		smallint not null references towns (id),
	school_stage	text not null check (school_stage in ('preschool',
			    'primary', 'junior', 'senior', 'vocational',
			    'college', 'none')),
	poverty_causes	text[] not null default '{}' check (poverty_causes <@
			    array['illness', 'disability', 'labour',
			    'education', 'disaster', 'left_behind', 'orphan',
			    'other']),
	poverty_level	text not null default 'poor' check (poverty_level in
			    ('extreme', 'poor', 'struggling')),
	left_behind	boolean not null default false,
	created_at	timestamptz not null default now(),
	archived_at	timestamptz
);
create index beneficiaries_org on beneficiaries (org_id);

-- A need, posted by an organisation for a child or for a school.
-- quantity counts units (goods), fen (money), terms (scholarship) or
-- places (service); a scholarship also has the amount of one term.
-- pledged counts the live pledges (pledged, delivered, received,
-- disputed); received counts what the need's organisation confirmed.
create table needs (
	id		bigint generated always as identity primary key,
	org_id		bigint not null references orgs (id),
	beneficiary_id	bigint references beneficiaries (id),
	town_id		smallint not null references towns (id),
	kind		text not null check (kind in
			    ('goods', 'money', 'scholarship', 'service')),
	category	text not null references categories (slug),
	campaign_id	smallint references campaigns (id),
	title		text not null check (length(title) between 1 and 80),
	item		text not null default '' check (length(item) <= 60),
	spec		text not null default '' check (length(spec) <= 60),
	unit		text not null check (length(unit) between 1 and 10),
	quantity	integer not null check (quantity > 0),
	unit_amount	integer check (unit_amount > 0),
	pledged		integer not null default 0,
	received	integer not null default 0,
	urgency		smallint not null default 2 check (urgency between 1 and 3),
	deadline	date not null,
	story		text not null default '' check (length(story) <= 4000),
	status		text not null default 'draft' check (status in ('draft',
			    'submitted', 'verified', 'notice', 'open',
			    'fully_pledged', 'fulfilled', 'rejected',
			    'cancelled', 'expired')),
	created_at	timestamptz not null default now(),
	opened_at	timestamptz,
	updated_at	timestamptz not null default now(),
	search		text generated always as (title || ' ' || item || ' ' ||
			    spec || ' ' || story) stored,
	check (pledged between 0 and quantity),
	check (received between 0 and pledged),
	check ((kind = 'scholarship') = (unit_amount is not null)),
	check (status not in ('open', 'fully_pledged', 'fulfilled')
	    or opened_at is not null)
);
create index needs_org on needs (org_id, status);
create index needs_beneficiary on needs (beneficiary_id);
-- The public shelf: one index per sort order, over listed needs only.
create index needs_shelf_urgent on needs (status, urgency desc, deadline, id)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_deadline on needs (status, deadline, id)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_shelf_newest on needs (status, opened_at desc, id desc)
    where status in ('open', 'fully_pledged', 'fulfilled');
create index needs_search on needs using gin (search gin_trgm_ops);

-- A donor's promise against a need.
create table pledges (
	id		bigint generated always as identity primary key,
	need_id		bigint not null references needs (id),
	donor_id	bigint not null references users (id),
	quantity	integer not null check (quantity > 0),
	status		text not null default 'pledged' check (status in
			    ('pledged', 'delivered', 'received', 'disputed',
			    'cancelled', 'expired')),
	anonymous	boolean not null default false,
	created_at	timestamptz not null default now(),
	due_at		timestamptz not null,
	delivered_at	timestamptz,
	received_at	timestamptz,
	closed_at	timestamptz
);
create index pledges_need on pledges (need_id, status);
create index pledges_donor on pledges (donor_id, created_at desc);

-- Exact counts of needs per status and filter cell, kept by a trigger, so
-- that the shelf can give its total without counting 100,000 rows on
-- every page.  campaign_id 0 stands for "no campaign".
create table need_counts (
	status		text not null,
	kind		text not null,
	category	text not null,
	town_id		smallint not null,
	campaign_id	smallint not null,
	n		integer not null check (n >= 0),
	primary key (status, kind, category, town_id, campaign_id)
);

create function need_counts_track() returns trigger
language plpgsql as $$
begin
	if tg_op in ('UPDATE', 'DELETE') then
		update need_counts set n = n - 1
		 where status = old.status and kind = old.kind
		   and category = old.category and town_id = old.town_id
		   and campaign_id = coalesce(old.campaign_id, 0);
	end if;
	if tg_op in ('UPDATE', 'INSERT') then
		insert into need_counts values (new.status, new.kind,
		    new.category, new.town_id, coalesce(new.campaign_id, 0), 1)
		on conflict (status, kind, category, town_id, campaign_id)
		do update set n = need_counts.n + 1;
	end if;
	return null;
end $$;

create trigger needs_count_ins after insert or delete on needs
    for each row execute function need_counts_track();
create trigger needs_count_upd after update of status, kind, category,
    town_id, campaign_id on needs for each row
    when (old.status is distinct from new.status
       or old.kind is distinct from new.kind
       or old.category is distinct from new.category
       or old.town_id is distinct from new.town_id
       or old.campaign_id is distinct from new.campaign_id)
    execute function need_counts_track();

-- What the platform's role may do.  It never owns a table.
grant select on towns, orgs, categories, campaigns, beneficiaries, needs,
    pledges, need_counts to shop_app;
grant select (id, role, org_id, display_name, disabled_at, created_at)
    on users to shop_app;
