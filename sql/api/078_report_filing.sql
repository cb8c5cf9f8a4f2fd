-- Quarterly reports, the pages and what branches and the city committee
-- do with them: file, save, submit, correct; set the due days; remind.
-- What a report is and counts: 076_reports.sql.

-- GET /reports, /api/v1/reports.  Staff of a branch: their quarters,
-- newest first, each with its state, versions and draft.  Admins: every
-- branch × quarter of p_year (default this year) with its state, the
-- counts, the roll-up of p_quarter (default the last quarter ended), the
-- settings and the due days.
create function api.reports_page(p_sid text, p_lang text, p_year int,
    p_quarter int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_today	date := api.today();
	v_year	int := coalesce(p_year, extract(year from api.today())::int);
	v_q	int;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	if v_u.role = 'staff' then
		v_u := api.report_filer(p_sid);
		return json_build_object(
		    'title', api.l(p_lang, '季度报告', 'Quarterly reports'),
		    'is_branch', true,
		    'org_name', api.org_name(v_u.org_id, p_lang),
		    'quarters', (select coalesce(json_agg(json_build_object(
		        'year', c.year, 'quarter', c.quarter,
		        'label', api.quarter_label(c.year, c.quarter, p_lang),
		        'due_on', to_char(c.due_on, 'YYYY-MM-DD'),
		        'state', c.state,
		        'state_name', api.report_state_name(c.state, p_lang),
		        'latest_id', c.latest_id, 'version', c.latest_version,
		        'draft_id', c.draft_id,
		        'submitted_on', to_char(c.submitted_on, 'YYYY-MM-DD'),
		        'can_create', c.latest_id is null and c.draft_id is null)
		        order by c.year desc, c.quarter desc), '[]')
		      from api.report_cells(v_today) c
		     where c.org_id = v_u.org_id))::text;
	end if;
	if p_quarter is not null
	    and api.quarter_start(v_year, p_quarter) > v_today then
		perform api.fail(400, 'bad_quarter', '{"field":"quarter"}');
	end if;
	v_q := coalesce(p_quarter, (select max(quarter)
	    from api.report_cells(v_today) where year = v_year and ended),
	    (select max(quarter) from api.report_cells(v_today)
	      where year = v_year));
	return json_build_object(
	    'title', api.l(p_lang, '季度报告', 'Quarterly reports'),
	    'is_city', true,
	    'year', v_year,
	    'years', (select json_agg(json_build_object('value', y,
	        'selected', y = v_year) order by y desc)
	      from report_settings s, generate_series(s.first_year,
	          greatest(s.first_year, extract(year from v_today)::int)) y),
	    'quarters', (select coalesce(json_agg(json_build_object(
	        'quarter', q.quarter,
	        'label', api.quarter_label(v_year, q.quarter, p_lang),
	        'due_on', to_char(api.report_due(v_year, q.quarter), 'YYYY-MM-DD'),
	        'override', exists (select 1 from report_deadlines d
	            where d.year = v_year and d.quarter = q.quarter),
	        'selected', q.quarter = v_q,
	        'submitted', q.n_sub, 'late', q.n_late, 'missing', q.n_miss,
	        'pending', q.n_pend) order by q.quarter), '[]')
	      from (select c.quarter,
	              count(*) filter (where c.state = 'submitted') as n_sub,
	              count(*) filter (where c.state = 'late') as n_late,
	              count(*) filter (where c.state = 'missing') as n_miss,
	              count(*) filter (where c.state = 'pending') as n_pend
	              from api.report_cells(v_today) c where c.year = v_year
	             group by c.quarter) q),
	    'rows', (select coalesce(json_agg(json_build_object(
	        'org_id', o.id, 'name', api.l(p_lang, o.name, o.name_en),
	        'cells', (select json_agg(json_build_object(
	            'quarter', c.quarter, 'state', c.state,
	            'state_name', api.report_state_name(c.state, p_lang),
	            'report_id', coalesce(c.latest_id, c.draft_id),
	            'latest_id', c.latest_id, 'version', c.latest_version,
	            'draft', c.draft_id is not null,
	            'submitted_on', to_char(c.submitted_on, 'YYYY-MM-DD'))
	            order by c.quarter)
	          from api.report_cells(v_today) c
	         where c.org_id = o.id and c.year = v_year))
	        order by case o.kind when 'town' then 1 when 'unit' then 2
	            else 3 end, coalesce(t.sort, 100), o.id), '[]')
	      from orgs o left join towns t on t.id = o.town_id
	     where o.kind in ('town', 'unit', 'college')),
	    'rollup', case when v_q is not null
	        then api.report_rollup(v_year, v_q, p_lang) end,
	    'settings', (select json_build_object('due_days', due_days,
	        'remind_days', remind_days, 'first_year', first_year,
	        'first_quarter', first_quarter,
	        'first_label', api.quarter_label(first_year, first_quarter,
	            p_lang)) from report_settings),
	    'outbox', (select count(*) from notifications
	        where kind in ('report_due', 'report_late')
	          and status in ('pending', 'held')))::text;
end $$;

-- A report of the caller's own branch, locked, to change: 404 when the
-- caller may not read it (admins read any, staff their branch's), 403
-- when they may read it but it is not their branch's (admins read
-- reports, branches write them).
create function api.report_own(p_user users, p_id bigint)
returns quarterly_reports language plpgsql as $$
declare
	v_r	quarterly_reports;
begin
	v_r := api.prog_find(p_user, null::quarterly_reports, p_id, true);
	if p_user.role <> 'staff' or p_user.org_id <> v_r.org_id then
		perform api.fail(403, 'forbidden');
	end if;
	return v_r;
end $$;

-- POST /reports, /api/v1/reports (staff of a branch): the first draft of
-- a quarter's report (year, quarter), from the first reporting quarter
-- to the current one.  409 when the quarter already has a report.
create function api.report_create(p_sid text, p_year int, p_quarter int,
    p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_id	bigint;
begin
	v_u := api.report_filer(p_sid);
	if not exists (select 1 from api.report_cells(api.today()) c
	    where c.org_id = v_u.org_id and c.year = p_year
	      and c.quarter = p_quarter) then
		perform api.fail(400, 'bad_quarter', '{"field":"quarter"}');
	end if;
	if exists (select 1 from quarterly_reports where org_id = v_u.org_id
	    and year = p_year and quarter = p_quarter) then
		perform api.fail(409, 'report_exists');
	end if;
	insert into quarterly_reports (org_id, year, quarter, version, created_by)
	values (v_u.org_id, p_year, p_quarter, 1, v_u.id)
	returning id into v_id;
	perform api.audit(v_u, 'report_create', 'report', v_id, p_ip,
	    jsonb_build_object('year', p_year, 'quarter', p_quarter));
	return json_build_object('id', v_id, 'version', 1)::text;
end $$;

-- The figures of report r: frozen when submitted, live for a draft.
create function api.report_figures_of(r quarterly_reports)
returns jsonb language sql stable as $$
	select coalesce(r.figures, api.branch_figures(r.org_id, r.year, r.quarter))
$$;

-- GET /reports/{id}, /api/v1/reports/{id}: a version with its figures,
-- the other versions of its quarter, and what the caller may do.
create function api.report_get(p_sid text, p_lang text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_r	quarterly_reports;
	v_c	record;
	v_mine	boolean;
	v_last	int;
begin
	v_u := api.prog_user(p_sid);
	v_r := api.prog_find(v_u, null::quarterly_reports, p_id, false);
	v_mine := v_u.role = 'staff' and v_u.org_id = v_r.org_id;
	select * into v_c from api.report_cells(api.today()) c
	 where c.org_id = v_r.org_id and c.year = v_r.year
	   and c.quarter = v_r.quarter;
	select max(version) into v_last from quarterly_reports
	 where org_id = v_r.org_id and year = v_r.year and quarter = v_r.quarter;
	return json_build_object(
	    'title', api.org_name(v_r.org_id, p_lang) || ' · '
	        || api.quarter_label(v_r.year, v_r.quarter, p_lang),
	    'report', json_build_object(
	        'id', v_r.id, 'org_id', v_r.org_id,
	        'org_name', api.org_name(v_r.org_id, p_lang),
	        'year', v_r.year, 'quarter', v_r.quarter,
	        'label', api.quarter_label(v_r.year, v_r.quarter, p_lang),
	        'version', v_r.version, 'status', v_r.status,
	        'is_draft', v_r.status = 'draft',
	        'status_name', case v_r.status when 'draft'
	            then api.l(p_lang, '草稿', 'draft')
	            else api.l(p_lang, '已提交', 'submitted') end,
	        'narrative', v_r.narrative,
	        'created_by', api.user_name(v_r.created_by),
	        'submitted_by', api.user_name(v_r.submitted_by),
	        'submitted_at', api.minute(v_r.submitted_at),
	        'due_on', to_char(api.report_due(v_r.year, v_r.quarter),
	            'YYYY-MM-DD'),
	        'state', v_c.state,
	        'state_name', api.report_state_name(v_c.state, p_lang),
	        'latest', v_r.version = v_last),
	    'figures', api.report_rows(api.report_figures_of(v_r), p_lang),
	    'live', v_r.status = 'draft',
	    'versions', (select json_agg(json_build_object('id', r.id,
	        'version', r.version, 'status', r.status,
	        'current', r.id = v_r.id,
	        'submitted_at', api.minute(r.submitted_at))
	        order by r.version desc)
	      from quarterly_reports r where r.org_id = v_r.org_id
	       and r.year = v_r.year and r.quarter = v_r.quarter),
	    'can_edit', v_mine and v_r.status = 'draft',
	    'can_revise', v_mine and v_r.status = 'submitted'
	        and v_r.version = v_last)::text;
end $$;

-- POST /reports/{id}, /api/v1/reports/{id} (staff of the branch): saves
-- the narrative of a draft (action save, the default) or submits it
-- (action submit: the narrative must not be empty; the figures are
-- computed and frozen; the version is locked).  409 once submitted.
create function api.report_save(p_sid text, p_id bigint, p_narrative text,
    p_action text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_r	quarterly_reports;
	v_text	text;
begin
	v_u := api.prog_user(p_sid);
	v_r := api.report_own(v_u, p_id);
	if v_r.status <> 'draft' then
		perform api.fail(409, 'report_locked');
	end if;
	v_text := coalesce(p_narrative, v_r.narrative);
	if p_action = 'submit' then
		if btrim(v_text) = '' then
			perform api.fail(400, 'required', '{"field":"narrative"}');
		end if;
		update quarterly_reports set narrative = v_text,
		    status = 'submitted', submitted_by = v_u.id,
		    submitted_at = now(), updated_at = now(),
		    figures = api.branch_figures(org_id, year, quarter)
		 where id = p_id;
	else
		update quarterly_reports set narrative = v_text, updated_at = now()
		 where id = p_id;
	end if;
	perform api.audit(v_u, case when p_action = 'submit'
	    then 'report_submit' else 'report_save' end, 'report', p_id, p_ip,
	    jsonb_build_object('version', v_r.version));
	return json_build_object('id', p_id, 'status', case when p_action
	    = 'submit' then 'submitted' else 'draft' end)::text;
end $$;

-- POST /reports/{id}/revise, /api/v1/reports/{id}/revise (staff of the
-- branch): a correction of the latest submitted version, as a new draft
-- version with its narrative.  409 unless p_id is that version.
create function api.report_revise(p_sid text, p_id bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_r	quarterly_reports;
	v_id	bigint;
begin
	v_u := api.prog_user(p_sid);
	v_r := api.report_own(v_u, p_id);
	if v_r.status <> 'submitted' or exists (select 1 from quarterly_reports
	    where org_id = v_r.org_id and year = v_r.year
	      and quarter = v_r.quarter and version > v_r.version) then
		perform api.fail(409, 'not_latest');
	end if;
	insert into quarterly_reports (org_id, year, quarter, version, narrative,
	    created_by)
	values (v_r.org_id, v_r.year, v_r.quarter, v_r.version + 1,
	    v_r.narrative, v_u.id)
	returning id into v_id;
	perform api.audit(v_u, 'report_revise', 'report', v_id, p_ip,
	    jsonb_build_object('from', p_id, 'version', v_r.version + 1));
	return json_build_object('id', v_id, 'version', v_r.version + 1)::text;
end $$;

-- POST /reports/settings, /api/v1/reports/settings (admins): when
-- reports are due, when reminders start, from which quarter reports are
-- expected.  Fields not given stay.
create function api.report_settings_save(p_sid text, p_due_days int,
    p_remind_days int, p_first_year int, p_first_quarter int, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_s	report_settings;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_s from report_settings for update;
	update report_settings set
	    due_days = coalesce(p_due_days, due_days),
	    remind_days = coalesce(p_remind_days, remind_days),
	    first_year = coalesce(p_first_year, first_year),
	    first_quarter = coalesce(p_first_quarter, first_quarter),
	    updated_at = now(), updated_by = v_u.id;
	perform api.audit(v_u, 'report_settings', 'report_settings', null, p_ip,
	    jsonb_build_object('due_days', coalesce(p_due_days, v_s.due_days),
	        'remind_days', coalesce(p_remind_days, v_s.remind_days),
	        'first_year', coalesce(p_first_year, v_s.first_year),
	        'first_quarter', coalesce(p_first_quarter, v_s.first_quarter)));
	return (select json_build_object('due_days', due_days,
	    'remind_days', remind_days, 'first_year', first_year,
	    'first_quarter', first_quarter) from report_settings)::text;
end $$;

-- POST /reports/deadlines, /api/v1/reports/deadlines (admins): the due
-- day of one quarter (due_on), or back to the rule when due_on is empty.
create function api.report_deadline_set(p_sid text, p_year int,
    p_quarter int, p_due_on date, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_due	date;
begin
	v_u := api.require_user(p_sid, array['admin']);
	v_due := p_due_on;
	if v_due is null then
		delete from report_deadlines where year = p_year
		   and quarter = p_quarter;
	else
		if v_due < api.quarter_start(p_year, p_quarter) then
			perform api.fail(400, 'bad_date', '{"field":"due_on"}');
		end if;
		insert into report_deadlines (year, quarter, due_on, set_by)
		values (p_year, p_quarter, v_due, v_u.id)
		on conflict (year, quarter) do update set due_on = excluded.due_on,
		    set_by = excluded.set_by, set_at = now();
	end if;
	perform api.audit(v_u, 'report_deadline', 'report_settings', null, p_ip,
	    jsonb_build_object('year', p_year, 'quarter', p_quarter,
	        'due_on', v_due));
	return json_build_object('year', p_year, 'quarter', p_quarter,
	    'due_on', to_char(api.report_due(p_year, p_quarter),
	        'YYYY-MM-DD'))::text;
end $$;

-- The reminders due on p_today and not yet written, one row a branch and
-- quarter: "due soon" from remind_days before the due day while nothing
-- is submitted, "late" once the day has passed without a report, for the
-- branch's active staff who can be reached (by e-mail, else SMS) and have
-- not had that reminder yet.  A cell whose staff all have it is done and
-- drops out, so what is left is what the job still has to do.
create function api.report_reminders_due(p_today date)
returns table (org_id bigint, name text, year int, quarter int,
    due_on date, late boolean)
language sql stable as $$
	select c.org_id, o.name, c.year, c.quarter, c.due_on,
	    c.state = 'missing'
	  from api.report_cells(p_today) c
	  join orgs o on o.id = c.org_id
	  cross join report_settings s
	 where (c.state = 'missing' or (c.state = 'pending'
	       and p_today >= c.due_on - s.remind_days))
	   and exists (select 1 from users u
	       where u.org_id = c.org_id and u.role = 'staff'
	         and u.disabled_at is null
	         and (u.email is not null or u.phone is not null)
	         and not exists (select 1 from notifications n
	             where n.user_id = u.id and n.kind = case when c.state
	                 = 'missing' then 'report_late' else 'report_due' end
	               and n.dedupe_key = 'report:' || c.org_id || ':'
	                   || c.year || 'Q' || c.quarter))
$$;

-- Writes the reminders of api.report_reminders_due for at most p_limit
-- branch-quarters (all when null) to the notifications outbox, once per
-- person and quarter (the dedupe key; two writers at once still write one).
-- Returns how many were written.  Run by the periodic job
-- (api.reports_tick) and from the city committee's page.
create function api.report_reminders(p_today date, p_limit int default null)
returns int language plpgsql as $$
declare
	v_c	record;
	v_n	int := 0;
begin
	for v_c in select * from api.report_reminders_due(p_today) d
	    order by d.year, d.quarter, d.org_id limit p_limit loop
		v_n := v_n + api.notify_org(v_c.org_id, case when v_c.late
		    then 'report_late' else 'report_due' end,
		    jsonb_build_object('org_name', v_c.name, 'year', v_c.year,
		        'quarter', v_c.quarter,
		        'due_on', to_char(v_c.due_on, 'YYYY-MM-DD'),
		        'path', '/reports'),
		    'report:' || v_c.org_id || ':' || v_c.year || 'Q' || v_c.quarter);
	end loop;
	return v_n;
end $$;

-- One batch of the periodic job (src/jobs.c): the reminders due today
-- for at most p_limit branch-quarters.  Returns {"done": reminders
-- written, "backlog": branch-quarters still owed one}.
create function api.reports_tick(p_limit int default 100)
returns json language plpgsql as $$
declare
	v_n	int;
begin
	v_n := api.report_reminders(api.today(), p_limit);
	return json_build_object('done', v_n, 'backlog', (select count(*)
	    from api.report_reminders_due(api.today())));
end $$;

-- POST /reports/remind, /api/v1/reports/remind (admins): the reminders
-- due today, now.
create function api.reports_remind(p_sid text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_n	int;
begin
	v_u := api.require_user(p_sid, array['admin']);
	v_n := api.report_reminders(api.today());
	perform api.audit(v_u, 'report_remind', 'report_settings', null, p_ip,
	    jsonb_build_object('written', v_n));
	return json_build_object('written', v_n)::text;
end $$;
