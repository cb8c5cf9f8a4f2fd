-- Downloads of the lists staff and admins see (issue 16): each list of a
-- page as a table in the shape of sql/api/077_exports.sql, one page of
-- rows at a time, so that the module streams a list of any length
-- (src/export.c):
--   {"filename", "sheet", "columns": [...], "rows": [[cell, ...], ...],
--    "next": <cursor of the next page, or null after the last>}
-- Each function takes the page's filters and, last, the cursor the page
-- before returned (null: the first page); the module sends the same call
-- again with the cursor until next is null.  The caller is checked on
-- every page, as the list's page checks them.  Headers and names are
-- Chinese, as in the reports' exports: the files are forwarded as they
-- are.  Rows are newest first (the pages' order) by their number, the
-- cursor being the last number sent, so that a page is one index range
-- whatever its depth; the fund's ledger runs oldest first, as a ledger
-- reads.

create function api.export_rows_per_page()
returns int language sql immutable as $$ select 1000 $$;

-- The answer for one page: p_rows (ordered) and p_keys their cursors in
-- the same order; next is the last key when the page is full.
create function api.export_page(p_name text, p_sheet text, p_columns text[],
    p_rows json[], p_keys bigint[])
returns text language sql stable as $$
	select json_build_object(
	    'filename', p_name || '-' || to_char(api.today(), 'YYYYMMDD'),
	    'sheet', p_sheet,
	    'columns', to_json(p_columns),
	    'rows', coalesce(to_json(p_rows), '[]'),
	    'next', case when cardinality(p_keys) = api.export_rows_per_page()
	        then p_keys[cardinality(p_keys)] end)::text
$$;

-- A quantity as a cell: money needs count fen.
create function api.export_qty(p_kind text, p_value bigint)
returns json language sql immutable as $$
	select api.export_cell(p_value, p_kind = 'money')
$$;

-- GET /branch/children.csv|xlsx[?archived=1] (staff and admins, as
-- /branch/children): the register's public part only.  The private
-- record (beneficiary_private, sealed) is not read here at all.
create function api.export_children(p_sid text, p_archived boolean,
    p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_orgs	bigint[];
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	if v_u.role = 'staff' then
		v_orgs := array(select api.org_subtree(v_u.org_id));
	end if;
	select array_agg(json_build_array(b.id, b.alias, b.birth_year,
	        api.age(b.birth_year),
	        case b.gender when 'f' then '女' else '男' end,
	        t.name_zh, api.stage_name(b.school_stage, 'zh'),
	        api.level_name(b.poverty_level, 'zh'),
	        (select string_agg(api.cause_name(c, 'zh'), '、')
	           from unnest(b.poverty_causes) c),
	        case when b.left_behind then '是' else '否' end,
	        o.name, api.day(b.created_at), api.day(b.archived_at))
	        order by b.id desc),
	    array_agg(b.id order by b.id desc)
	  into v_rows, v_keys
	  from (select * from beneficiaries b
	         where (v_orgs is null or b.org_id = any (v_orgs))
	           and (b.archived_at is not null) = coalesce(p_archived, false)
	           and (p_after is null or b.id < p_after)
	         order by b.id desc limit api.export_rows_per_page()) b
	  join towns t on t.id = b.town_id join orgs o on o.id = b.org_id;
	return api.export_page(case when coalesce(p_archived, false)
	    then 'children-archived' else 'children' end,
	    case when coalesce(p_archived, false) then '儿童档案（已归档）'
	    else '儿童档案' end,
	    array['编号', '化名', '出生年份', '年龄', '性别', '镇', '学段',
	        '贫困程度', '致贫原因', '留守儿童', '单位', '登记日期', '归档日期'],
	    v_rows, v_keys);
end $$;

-- The needs of p_statuses in scope (p_orgs null: all), a page of rows.
create function api.export_needs_rows(p_orgs bigint[], p_statuses text[],
    p_after bigint, out rows json[], out keys bigint[])
language sql stable as $$
	select array_agg(json_build_array(n.id, n.title,
	        api.kind_name(n.kind, 'zh'), api.status_name(n.status, 'zh'),
	        o.name, b.alias, api.export_qty(n.kind, n.quantity),
	        api.export_qty(n.kind, n.pledged),
	        api.export_qty(n.kind, n.received), n.unit,
	        api.export_cell(n.unit_amount, true),
	        to_char(n.deadline, 'YYYY-MM-DD'), api.minute(n.notice_ends_at),
	        api.minute(n.updated_at))
	        order by n.id desc),
	    array_agg(n.id order by n.id desc)
	  from (select * from needs n
	         where n.status = any (p_statuses)
	           and (p_orgs is null or n.org_id = any (p_orgs))
	           and (p_after is null or n.id < p_after)
	         order by n.id desc limit api.export_rows_per_page()) n
	  join orgs o on o.id = n.org_id
	  left join beneficiaries b on b.id = n.beneficiary_id
$$;

create function api.export_needs_columns()
returns text[] language sql immutable as $$
	select array['编号', '标题', '类型', '状态', '单位', '儿童（化名）',
	    '数量', '已认捐', '已收到', '计量单位', '每学期金额（元）',
	    '截止日期', '公示结束', '更新时间']
$$;

-- GET /branch/needs.csv|xlsx?status= (staff and admins, as /branch/needs):
-- the needs in one state (submitted when none is given).
create function api.export_work_needs(p_sid text, p_status text,
    p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_orgs	bigint[];
	v_st	text := coalesce(p_status, 'submitted');
	v_r	record;
begin
	v_u := api.require_user(p_sid, array['admin', 'staff']);
	if v_u.role = 'staff' then
		v_orgs := array(select api.org_subtree(v_u.org_id));
	end if;
	v_r := api.export_needs_rows(v_orgs, array[v_st], p_after);
	return api.export_page('needs-' || replace(v_st, '_', '-'),
	    '需求（' || api.status_name(v_st, 'zh') || '）',
	    api.export_needs_columns(), v_r.rows, v_r.keys);
end $$;

-- GET /admin/needs.csv|xlsx (admins, as /admin/needs): the needs to
-- verify and those in their public notice, all of them (the page shows
-- the first 100 of each).
create function api.export_admin_needs(p_sid text, p_after bigint)
returns text language plpgsql as $$
declare
	v_r	record;
begin
	perform api.require_user(p_sid, array['admin']);
	v_r := api.export_needs_rows(null, array['submitted', 'notice'],
	    p_after);
	return api.export_page('needs-review', '待审核和公示中的需求',
	    api.export_needs_columns(), v_r.rows, v_r.keys);
end $$;

-- GET /branch/pledges.csv|xlsx (staff and admins, as /branch/pledges):
-- the pledges the page lists: on their way (pledged, delivered),
-- disputed, or with a message to moderate.  No donor: the page shows
-- none.
create function api.export_pledges(p_sid text, p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.require_user(p_sid, array['staff', 'admin']);
	select array_agg(json_build_array(p.id, n.id, n.title, o.name,
	        api.kind_name(n.kind, 'zh'), api.export_qty(n.kind, p.quantity),
	        case when n.kind = 'scholarship' then api.export_cell(
	            p.quantity::bigint * n.unit_amount, true) end,
	        n.unit, api.pledge_status_name(p.status, 'zh'),
	        api.day(p.created_at), api.day(p.due_at),
	        api.day(p.delivered_at), p.delivery_method, p.delivery_ref,
	        p.message, case p.message_state when 'pending' then '待审核'
	            when 'approved' then '已通过' when 'rejected' then '未通过'
	            end)
	        order by p.id desc),
	    array_agg(p.id order by p.id desc)
	  into v_rows, v_keys
	  from (select p.* from pledges p join needs n on n.id = p.need_id
	         where (p.status in ('pledged', 'delivered', 'disputed')
	             or p.message_state = 'pending')
	           and api.sees_org(v_u, n.org_id)
	           and (p_after is null or p.id < p_after)
	         order by p.id desc limit api.export_rows_per_page()) p
	  join needs n on n.id = p.need_id join orgs o on o.id = n.org_id;
	return api.export_page('pledges', '认捐',
	    array['认捐编号', '需求编号', '需求', '单位', '类型', '数量',
	        '金额（元）', '计量单位', '状态', '认捐日期', '约定送达',
	        '送达日期', '送达方式', '送达凭证', '留言', '留言审核'],
	    v_rows, v_keys);
end $$;

-- GET /programmes/loans.csv|xlsx?status= (as /programmes/loans).
create function api.export_loans(p_sid text, p_status text, p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.prog_user(p_sid);
	select array_agg(json_build_array(l.id, api.org_name(l.org_id, 'zh'),
	        api.youth_label(l.beneficiary_id, 'zh'), l.bank,
	        api.export_cell(l.amount, true), l.term_months, l.purpose,
	        api.loan_status_name(l.status, 'zh'),
	        to_char(l.applied_on, 'YYYY-MM-DD'),
	        to_char(l.decided_on, 'YYYY-MM-DD'),
	        to_char(l.disbursed_on, 'YYYY-MM-DD'),
	        to_char(l.closed_on, 'YYYY-MM-DD'),
	        api.export_cell(api.loan_repaid(l.id), true),
	        api.export_cell(case when l.disbursed_on is not null
	            then l.amount - api.loan_repaid(l.id) end, true), l.note)
	        order by l.id desc),
	    array_agg(l.id order by l.id desc)
	  into v_rows, v_keys
	  from (select * from loans
	         where org_id in (select api.prog_scope(v_u))
	           and (p_status is null or status = p_status)
	           and (p_after is null or id < p_after)
	         order by id desc limit api.export_rows_per_page()) l;
	return api.export_page('loans', '共青扶贫贷',
	    array['编号', '单位', '借款青年', '银行', '金额（元）', '期限（月）',
	        '用途', '状态', '申请日期', '审批日期', '放款日期', '结清日期',
	        '已还（元）', '未还（元）', '备注'],
	    v_rows, v_keys);
end $$;

-- GET /programmes/trainings.csv|xlsx?kind= (as /programmes/trainings).
create function api.export_trainings(p_sid text, p_kind text, p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.prog_user(p_sid);
	select array_agg(json_build_array(t.id, api.org_name(t.org_id, 'zh'),
	        api.training_kind_name(t.kind, 'zh'), t.title,
	        to_char(t.held_on, 'YYYY-MM-DD'), t.organiser, t.place,
	        t.attendance, (select count(*) from training_attendees a
	            where a.training_id = t.id), t.note)
	        order by t.id desc),
	    array_agg(t.id order by t.id desc)
	  into v_rows, v_keys
	  from (select * from trainings
	         where org_id in (select api.prog_scope(v_u))
	           and (p_kind is null or kind = p_kind)
	           and (p_after is null or id < p_after)
	         order by id desc limit api.export_rows_per_page()) t;
	return api.export_page('trainings', '培训和活动',
	    array['编号', '单位', '类型', '名称', '日期', '组织者', '地点',
	        '参加人数', '登记的青年', '备注'],
	    v_rows, v_keys);
end $$;

-- GET /programmes/leaders.csv|xlsx?kind= (as /programmes/leaders).
create function api.export_leaders(p_sid text, p_kind text, p_after bigint)
returns text language plpgsql as $$
declare
	v_u	users;
	v_rows	json[];
	v_keys	bigint[];
begin
	v_u := api.prog_user(p_sid);
	select array_agg(json_build_array(l.id, api.org_name(l.org_id, 'zh'),
	        l.name, (select string_agg(k, '、') from json_array_elements_text(
	            api.leader_kinds(l, 'zh')) k), l.business,
	        (select name_zh from towns where id = l.town_id),
	        to_char(l.since, 'YYYY-MM-DD'),
	        (select count(*) from leader_helps h where h.leader_id = l.id),
	        l.note)
	        order by l.id desc),
	    array_agg(l.id order by l.id desc)
	  into v_rows, v_keys
	  from (select * from leaders l
	         where org_id in (select api.prog_scope(v_u))
	           and api.leader_is(l, p_kind)
	           and (p_after is null or id < p_after)
	         order by id desc limit api.export_rows_per_page()) l;
	return api.export_page('leaders', '领头雁名册',
	    array['编号', '单位', '姓名', '类别', '产业', '镇', '认定日期',
	        '带动帮扶人数', '备注'],
	    v_rows, v_keys);
end $$;

-- GET /admin/fund.csv|xlsx (admins, as /admin/fund): the foundation
-- account's ledger, oldest first: each fund_received and fund_paid_out
-- of the public log, with the pay-out's bank reference and note (the
-- admins' own), and the balance after it.
create function api.export_fund(p_sid text, p_after bigint)
returns text language plpgsql as $$
declare
	v_rows	json[];
	v_keys	bigint[];
	v_bal	bigint;
begin
	perform api.require_user(p_sid, array['admin']);
	select coalesce(sum(case kind when 'fund_received' then 1 else -1 end
	    * (fields ->> 'amount')::bigint), 0) into v_bal
	  from log_entries
	 where kind in ('fund_received', 'fund_paid_out')
	   and p_after is not null and position <= p_after;
	select array_agg(json_build_array(e.position, api.minute(e.created_at),
	        case e.kind when 'fund_received' then '收到' else '拨付' end,
	        e.need_id, n.title, o.name,
	        case when e.kind = 'fund_received' then api.export_cell(
	            (e.fields ->> 'amount')::bigint, true) end,
	        case when e.kind = 'fund_paid_out' then api.export_cell(
	            (e.fields ->> 'amount')::bigint, true) end,
	        api.export_cell(v_bal + e.balance, true),
	        e.fields ->> 'donor', f.reference, f.note, u.display_name)
	        order by e.position),
	    array_agg(e.position order by e.position)
	  into v_rows, v_keys
	  from (select l.*, (sum(case l.kind when 'fund_received' then 1
	            else -1 end * (l.fields ->> 'amount')::bigint)
	            over (order by l.position))::bigint as balance
	          from (select * from log_entries
	                 where kind in ('fund_received', 'fund_paid_out')
	                   and (p_after is null or position > p_after)
	                 order by position
	                 limit api.export_rows_per_page()) l) e
	  left join needs n on n.id = e.need_id
	  left join orgs o on o.id = n.org_id
	  left join fund_payouts f on f.log_position = e.position
	  left join users u on u.id = f.recorded_by;
	return api.export_page('fund-ledger', '基金账户流水',
	    array['日志位置', '时间', '收支', '需求编号', '需求', '单位',
	        '收入（元）', '支出（元）', '余额（元）', '捐赠人',
	        '银行流水号', '备注', '经办人'],
	    v_rows, v_keys);
end $$;

-- GET /admin/audit.csv|xlsx (admins): the search of /admin/audit
-- (api.audit_match, sql/api/033_admin.sql), whole; the columns it shows.
create function api.export_audit(p_sid text, p_actor text, p_action text,
    p_type text, p_target bigint, p_from date, p_to date, p_after bigint)
returns text language plpgsql as $$
declare
	v_rows	json[];
	v_keys	bigint[];
begin
	perform api.require_user(p_sid, array['admin']);
	select array_agg(json_build_array(a.id, api.minute(a.at),
	        u.display_name, a.actor_role, a.action, a.target_type,
	        a.target_id, host(a.ip))
	        order by a.id desc),
	    array_agg(a.id order by a.id desc)
	  into v_rows, v_keys
	  from (select * from audit_log a
	         where (p_after is null or id < p_after)
	           and api.audit_match(a, p_actor, p_action, p_type, p_target,
	               p_from, p_to)
	         order by id desc limit api.export_rows_per_page()) a
	  left join users u on u.id = a.actor_id;
	return api.export_page('audit-log', '审计日志',
	    array['编号', '时间', '操作人', '角色', '操作', '对象类型',
	        '对象编号', 'IP'],
	    v_rows, v_keys);
end $$;
