-- Exports of quarterly reports and of a quarter's roll-up, as a table
-- the module writes as CSV or as an .xlsx workbook:
--   {"filename": "<ascii, no extension>", "sheet": "<sheet name>",
--    "columns": ["<header>", ...], "rows": [[cell, ...], ...]}
-- where a cell is a string, an integer, or {"fen": n} for money.  The
-- headers are Chinese whatever the reader's language: the city committee
-- forwards these files as they are.

create function api.export_cell(p_value bigint, p_money boolean)
returns json language sql immutable as $$
	select case when p_money and p_value is not null
	    then json_build_object('fen', p_value) else to_json(p_value) end
$$;

-- GET /reports/{id}/export.csv|xlsx (and /api/v1/...): one version.
create function api.report_export(p_sid text, p_id bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_r	quarterly_reports;
	v_st	text;
begin
	v_u := api.prog_user(p_sid);
	v_r := api.prog_find(v_u, null::quarterly_reports, p_id, false);
	select state into v_st from api.report_cells(api.today()) c
	 where c.org_id = v_r.org_id and c.year = v_r.year
	   and c.quarter = v_r.quarter;
	return json_build_object(
	    'filename', 'report-' || v_r.org_id || '-' || v_r.year || 'Q'
	        || v_r.quarter || '-v' || v_r.version,
	    'sheet', api.quarter_label(v_r.year, v_r.quarter, 'zh'),
	    'columns', json_build_array('项目', '数值'),
	    'rows', (select json_agg(x.row order by x.i) from (
	        select 1 as i, json_build_array('单位',
	            api.org_name(v_r.org_id, 'zh')) as row
	        union all select 2, json_build_array('季度',
	            api.quarter_label(v_r.year, v_r.quarter, 'zh'))
	        union all select 3, json_build_array('版本', v_r.version)
	        union all select 4, json_build_array('状态',
	            case v_r.status when 'draft' then '草稿（数据为实时计算）'
	            else '已提交' end)
	        union all select 5, json_build_array('提交时间',
	            coalesce(api.minute(v_r.submitted_at), ''))
	        union all select 6, json_build_array('截止日期',
	            to_char(api.report_due(v_r.year, v_r.quarter), 'YYYY-MM-DD'))
	        union all select 7, json_build_array('上报情况',
	            coalesce(api.report_state_name(v_st, 'zh'), ''))
	        union all select 10 + f.sort, json_build_array(f.label,
	            api.export_cell((api.report_figures_of(v_r) ->> f.key)::bigint,
	                f.is_money))
	          from api.report_fields('zh') f
	        union all select 100, json_build_array('工作开展情况',
	            v_r.narrative)) x))::text;
end $$;

-- GET /reports/rollup.csv|xlsx?year=&quarter= (admins): the roll-up of a
-- quarter, a row per branch and its two totals (submitted, live).
create function api.rollup_export(p_sid text, p_year int, p_quarter int)
returns text language plpgsql as $$
declare
	v_u	users;
	v_ru	json;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_year is null or p_quarter is null then
		perform api.fail(400, 'required', json_build_object('field',
		    case when p_year is null then 'year' else 'quarter' end));
	end if;
	if api.quarter_start(p_year, p_quarter) > api.today() then
		perform api.fail(400, 'bad_quarter', '{"field":"quarter"}');
	end if;
	v_ru := api.report_rollup(p_year, p_quarter, 'zh');
	return json_build_object(
	    'filename', 'rollup-' || p_year || 'Q' || p_quarter,
	    'sheet', api.quarter_label(p_year, p_quarter, 'zh') || '汇总',
	    'columns', (select json_agg(h order by i) from (
	        select 1 as i, '单位' as h union all select 2, '上报情况'
	        union all select 3, '版本'
	        union all select 10 + f.sort, f.label
	          from api.report_fields('zh') f) c),
	    'rows', (select json_agg(x.row order by x.i) from (
	        select r.i, (select json_agg(c order by k) from (
	            select 1 as k, to_json(r.v ->> 'name') as c
	            union all select 2, to_json(coalesce(r.v ->> 'state_name', '')
	                || case when (r.v ->> 'live')::boolean
	                   then '（实时数据）' else '' end)
	            union all select 3, r.v -> 'version'
	            union all select 10 + e.k, api.export_cell(
	                (e.c ->> 'value')::bigint, (e.c ->> 'is_money')::boolean)
	              from json_array_elements(r.v -> 'values')
	                  with ordinality e(c, k)) cs) as row
	          from json_array_elements(v_ru -> 'rows') with ordinality r(v, i)
	        union all
	        select t.i, (select json_agg(c order by k) from (
	            select 1 as k, to_json(t.name) as c
	            union all select 2, to_json(''::text)
	            union all select 3, to_json(''::text)
	            union all select 10 + e.k, api.export_cell(
	                (e.c ->> 'value')::bigint, (e.c ->> 'is_money')::boolean)
	              from json_array_elements(v_ru -> t.key)
	                  with ordinality e(c, k)) cs)
	          from (values (100000, 'total_submitted',
	                   '已上报合计（最新提交版本）'),
	               (100001, 'total_live',
	                   '实时合计（未上报单位及团市委直属）')) t(i, key, name)
	        ) x))::text;
end $$;
