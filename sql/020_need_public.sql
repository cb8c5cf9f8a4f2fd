-- The public JSON of each listed need, in both languages, kept ready
-- (issue 15): a page of the shelf is then an index walk and the
-- concatenation of stored texts, not a join of six tables and the writing
-- of twenty JSON objects on every request.
--
-- One row per need in a public state (notice, open, fully_pledged,
-- fulfilled), written by api.need_json (sql/api/010_needs.sql), so its
-- text is exactly what the shelf answered before.  Kept in the same
-- transaction as every change that alters it, by triggers on what feeds
-- it: the needs themselves (pledge, receipt, edit, status), and the
-- towns, organisations, categories, campaigns and children they name.
-- A need's JSON holds the child's age, which changes with the year: year
-- is the Shanghai year it was written in, and a reader that finds another
-- year writes the JSON afresh instead of using it.  When the api schema
-- is rebuilt (a new api.need_json), sql/api/099_need_public.sql writes
-- every row again.
--
-- Triggers are statement-level with transition tables: a bulk load
-- (make demo-large) writes its rows in one statement, a pledge one row.
-- Before the api schema exists (a fresh database being migrated) they do
-- nothing: the api build writes the rows.

create table need_public (
	need_id		bigint primary key references needs (id)
			    on delete cascade,
	year		smallint not null,
	zh		text not null,
	en		text not null
) with (fillfactor = 70);	-- room for HOT updates (one per pledge)

-- Whether api.need_json exists yet (not while a fresh database migrates).
create function need_public_ready() returns boolean
language sql stable as $$
	select to_regproc('api.need_json') is not null
$$;

-- Writes the JSON of the needs in p_ids that are listed, and forgets it
-- for the others.  Security definer: the platform's role reads the table
-- and never writes it but through its changes to what feeds it.
create function need_public_write(p_ids bigint[]) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_year	smallint := extract(year from now() at time zone
		    'Asia/Shanghai');
begin
	if not need_public_ready() then
		return;
	end if;
	delete from need_public p
	 where p.need_id = any (p_ids)
	   and not exists (select 1 from needs n where n.id = p.need_id
	       and n.status in ('notice', 'open', 'fully_pledged',
	           'fulfilled'));
	insert into need_public (need_id, year, zh, en)
	select n.id, v_year,
	    api.need_json(n, t, o, c, cp, b, 'zh'),
	    api.need_json(n, t, o, c, cp, b, 'en')
	  from unnest(p_ids) u(id)
	  join needs n on n.id = u.id
	  join towns t on t.id = n.town_id
	  join orgs o on o.id = n.org_id
	  join categories c on c.slug = n.category
	  left join campaigns cp on cp.id = n.campaign_id
	  left join beneficiaries b on b.id = n.beneficiary_id
	 where n.status in ('notice', 'open', 'fully_pledged', 'fulfilled')
	on conflict (need_id) do update
	    set year = excluded.year, zh = excluded.zh, en = excluded.en;
end $$;

-- Every row anew (after the api build; also to refresh a new year).
create function need_public_rebuild() returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_year	smallint := extract(year from now() at time zone
		    'Asia/Shanghai');
begin
	if not need_public_ready() then
		return;
	end if;
	truncate need_public;
	insert into need_public (need_id, year, zh, en)
	select n.id, v_year,
	    api.need_json(n, t, o, c, cp, b, 'zh'),
	    api.need_json(n, t, o, c, cp, b, 'en')
	  from needs n
	  join towns t on t.id = n.town_id
	  join orgs o on o.id = n.org_id
	  join categories c on c.slug = n.category
	  left join campaigns cp on cp.id = n.campaign_id
	  left join beneficiaries b on b.id = n.beneficiary_id
	 where n.status in ('notice', 'open', 'fully_pledged', 'fulfilled');
end $$;

-- Needs inserted: their rows, from the transition table (a bulk insert
-- is one pass, not one lookup per need).
create function need_public_needs() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_year	smallint := extract(year from now() at time zone
		    'Asia/Shanghai');
begin
	if not need_public_ready() then
		return null;
	end if;
	insert into need_public (need_id, year, zh, en)
	select n.id, v_year,
	    api.need_json(n, t, o, c, cp, b, 'zh'),
	    api.need_json(n, t, o, c, cp, b, 'en')
	  from changed n
	  join towns t on t.id = n.town_id
	  join orgs o on o.id = n.org_id
	  join categories c on c.slug = n.category
	  left join campaigns cp on cp.id = n.campaign_id
	  left join beneficiaries b on b.id = n.beneficiary_id
	 where n.status in ('notice', 'open', 'fully_pledged', 'fulfilled');
	return null;
end $$;

create trigger needs_public_ins after insert on needs
    referencing new table as changed
    for each statement execute function need_public_needs();

-- A need changed in what its JSON shows (a pledge, a receipt, an edit, a
-- move): its row.  Row by row, from the new row itself and a lookup by
-- key of each row it names: an update of one need (a pledge) costs a few
-- index lookups, not a join planned for many.
create function need_public_need() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
	if not need_public_ready() then
		return null;
	end if;
	if new.status not in ('notice', 'open', 'fully_pledged',
	    'fulfilled') then
		delete from need_public where need_id = new.id;
		return null;
	end if;
	insert into need_public (need_id, year, zh, en)
	select new.id, extract(year from now() at time zone 'Asia/Shanghai'),
	    api.need_json(new, t, o, c, cp, b, 'zh'),
	    api.need_json(new, t, o, c, cp, b, 'en')
	  from towns t, orgs o, categories c
	  left join campaigns cp on cp.id = new.campaign_id
	  left join beneficiaries b on b.id = new.beneficiary_id
	 where t.id = new.town_id and o.id = new.org_id
	   and c.slug = new.category
	on conflict (need_id) do update
	    set year = excluded.year, zh = excluded.zh, en = excluded.en;
	return null;
end $$;

create trigger needs_public_upd after update on needs for each row
    when ((old.title, old.kind, old.category, old.town_id, old.org_id,
        old.campaign_id, old.beneficiary_id, old.item, old.spec, old.unit,
        old.quantity, old.unit_amount, old.pledged, old.received,
        old.urgency, old.deadline, old.status, old.opened_at)
        is distinct from
        (new.title, new.kind, new.category, new.town_id, new.org_id,
        new.campaign_id, new.beneficiary_id, new.item, new.spec, new.unit,
        new.quantity, new.unit_amount, new.pledged, new.received,
        new.urgency, new.deadline, new.status, new.opened_at))
    execute function need_public_need();

-- A town, organisation, category, campaign or child changed: the needs
-- that name it.  (They are never deleted while a need names them: the
-- foreign keys refuse it.)
create function need_public_names() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_ids	bigint[];
begin
	if not need_public_ready() then
		return null;
	end if;
	case tg_table_name
	when 'towns' then
		select array_agg(n.id) into v_ids from needs n
		 where n.town_id in (select id from changed);
	when 'orgs' then
		select array_agg(n.id) into v_ids from needs n
		 where n.org_id in (select id from changed);
	when 'categories' then
		select array_agg(n.id) into v_ids from needs n
		 where n.category in (select slug from changed);
	when 'campaigns' then
		select array_agg(n.id) into v_ids from needs n
		 where n.campaign_id in (select id from changed);
	when 'beneficiaries' then
		select array_agg(n.id) into v_ids from needs n
		 where n.beneficiary_id in (select id from changed);
	end case;
	if v_ids is not null then
		perform need_public_write(v_ids);
	end if;
	return null;
end $$;

create trigger towns_need_public after update on towns
    referencing new table as changed
    for each statement execute function need_public_names();
create trigger orgs_need_public after update on orgs
    referencing new table as changed
    for each statement execute function need_public_names();
create trigger categories_need_public after update on categories
    referencing new table as changed
    for each statement execute function need_public_names();
create trigger campaigns_need_public after update on campaigns
    referencing new table as changed
    for each statement execute function need_public_names();
create trigger beneficiaries_need_public after update on beneficiaries
    referencing new table as changed
    for each statement execute function need_public_names();

do $$ begin perform need_public_rebuild(); end $$;

grant select on need_public to shop_app;
