-- The foundation account's bank statements (issue 16, item 1; tables in
-- sql/027_statements.sql).  Admins only: the city committee keeps the
-- account.  src/statements.c reads the file (src/lib/statement.c) with
-- the bank's columns (api.fund_bank_mapping) and hands its lines here in
-- one call (api.fund_statement_import), which keeps the new ones and
-- proposes receipts; api.fund_statement_confirm confirms a statement's
-- proposals in one transaction, api.fund_line_decide settles one line.
-- Statements and decisions go to the audit log, never the public log: a
-- confirmed pledge writes there what any receipt writes (the amount, the
-- need, the donor's public name).

-- What the fund expects from pledge p_p: fen for money, terms × the
-- amount of a term for a scholarship.
create function api.pledge_transfer_amount(p_p pledges)
returns bigint language sql stable as $$
	select api.pledge_fen(p_p, n) from needs n where n.id = p_p.need_id
$$;

create function api.fund_line_state_name(p_state text, p_lang text)
returns text language sql immutable parallel safe as $$
	select case p_state
	    when 'outgoing' then api.l(p_lang, '支出', 'outgoing')
	    when 'proposed' then api.l(p_lang, '待确认到账', 'proposed')
	    when 'partial' then api.l(p_lang, '金额不符', 'amount differs')
	    when 'duplicate' then api.l(p_lang, '重复', 'duplicate')
	    when 'unknown' then api.l(p_lang, '无认捐编号', 'no reference code')
	    when 'ambiguous' then api.l(p_lang, '需人工判断', 'ambiguous')
	    when 'confirmed' then api.l(p_lang, '已确认到账', 'confirmed')
	    when 'ignored' then api.l(p_lang, '已忽略', 'ignored')
	    else p_state end
$$;

-- The reference codes a transfer's note holds (upper-cased, spaces
-- taken out: "jyab cdefgh" names JYABCDEFGH).
create function api.reference_codes(p_note text)
returns text[] language sql immutable parallel safe as $$
	select coalesce(array_agg(distinct m[1]), '{}')
	  from regexp_matches(regexp_replace(upper(p_note), '\s', '', 'g'),
	      'JY[A-HJ-NP-Z2-9]{8}', 'g') m
$$;

-- The lines src/lib/statement.c read (p_lines), each with its key: the
-- bank's id for it, or the hash of its fields and its place among the
-- lines of equal hash (two equal transfers on one day stay two).
create function api.fund_lines_keyed(p_lines json)
returns table (row_no int, booked_on date, amount bigint, balance bigint,
    counterparty text, note text, line_id text, line_key text)
language sql stable as $$
	select e."row", e."date", e.amount, e.balance,
	    coalesce(e.counterparty, ''), coalesce(e.note, ''), e.line_id,
	    coalesce('id:' || e.line_id, 'h:' || e.hash || ':' ||
	        row_number() over (partition by e.line_id is null, e.hash
	            order by e."row"))
	  from json_to_recordset(p_lines) as e("row" int, "date" date,
	      amount bigint, balance bigint, counterparty text, note text,
	      line_id text, hash text)
$$;

-- The bank p_bank's columns as last used: {bank, mapping} (mapping null
-- for a bank not seen yet).  Admins only; the file is read after this.
create function api.fund_bank_mapping(p_sid text, p_bank text)
returns text language plpgsql as $$
begin
	perform api.require_user(p_sid, array['admin']);
	return json_build_object('bank', p_bank, 'mapping',
	    (select mapping from fund_banks where name = p_bank))::text;
end $$;

-- POST /admin/fund/import, /api/v1/fund/statements (admins): the lines
-- src/lib/statement.c read from bank p_bank's statement p_filename with
-- the columns p_mapping (kept for the bank).  Lines this bank's
-- statements already held (same key) are left as they are; the new
-- ones are kept and the received ones classified.  Returns {statement
-- (the new statement's id, or when nothing was new the bank's latest),
-- created, lines, new_lines, skipped, counts}.
create function api.fund_statement_import(p_sid text, p_bank text,
    p_mapping json, p_filename text, p_encoding text, p_lines json,
    p_skipped int, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_bank	fund_banks;
	v_st	bigint;
	v_total	int := json_array_length(p_lines);
	v_new	int;
begin
	v_u := api.require_user(p_sid, array['admin']);
	if p_bank is null or length(p_bank) > 50 or not one_line_ok(p_bank) then
		perform api.fail(400, 'required', '{"field":"bank_name"}');
	end if;
	-- One import of a bank at a time: the second waits, then finds the
	-- first one's lines.
	insert into fund_banks (name, mapping, updated_by)
	values (p_bank, p_mapping::jsonb, v_u.id)
	on conflict (name) do update set mapping = excluded.mapping,
	    updated_by = excluded.updated_by, updated_at = now()
	  where fund_banks.mapping is distinct from excluded.mapping;
	select * into v_bank from fund_banks where name = p_bank for update;

	insert into fund_statements (bank_id, filename, encoding, lines,
	    new_lines, imported_by)
	values (v_bank.id, coalesce(left(p_filename, 200), ''), p_encoding,
	    v_total, 0, v_u.id)
	returning id into v_st;
	-- The keys kept before, looked up at once (right after a large
	-- import the table's statistics are old, and a plan probing it
	-- line by line would scan it for every line), as a set: the file's
	-- lines are matched against it by hash, not by walking an array
	-- for every line (10,000 lines already kept took 5 s so).
	create temporary table if not exists fund_old_keys (line_key text)
	    on commit drop;
	truncate fund_old_keys;
	insert into fund_old_keys
	select l.line_key from fund_statement_lines l
	 where l.bank_id = v_bank.id and l.line_key = any (array(
	     select k.line_key from api.fund_lines_keyed(p_lines) k));
	analyze fund_old_keys;
	-- Of two received lines naming one pledge, the first in the file is
	-- classified, the second is a duplicate; one set-based statement.
	with k as (select * from api.fund_lines_keyed(p_lines)),
	n as (
		select k.*, x.named, x.pid
		  from k cross join lateral (select count(*) as named,
		      min(p.id) as pid from pledges p
		      where k.amount > 0 and p.reference_code = any (
		          api.reference_codes(k.note))) x
		 where not exists (select 1 from fund_old_keys o
		     where o.line_key = k.line_key)),
	r as (
		select n.*, case when n.named = 1 then row_number() over (
		    partition by n.named = 1, n.pid order by n.row_no) end as nth
		  from n)
	insert into fund_statement_lines (bank_id, statement_id, line_key,
	    row_no, booked_on, amount, balance, counterparty, note,
	    bank_line_id, state, pledge_id)
	select v_bank.id, v_st, r.line_key, r.row_no, r.booked_on, r.amount,
	    r.balance, r.counterparty, r.note, r.line_id,
	    case when r.amount <= 0 then 'outgoing'
	        when r.named = 0 then 'unknown'
	        when r.named > 1 then 'ambiguous'
	        when p.status = 'received' or r.nth > 1 or exists (select 1
	            from fund_statement_lines l where l.pledge_id = p.id
	             and l.state in ('proposed', 'confirmed')) then 'duplicate'
	        when p.status not in ('pledged', 'delivered', 'disputed')
	            or api.pledge_transfer_amount(p) is null then 'ambiguous'
	        when api.pledge_transfer_amount(p) <> r.amount then 'partial'
	        else 'proposed' end,
	    case when r.named = 1 then r.pid end
	  from r left join pledges p on p.id = r.pid and r.named = 1
	 order by r.row_no;
	get diagnostics v_new = row_count;
	if v_new = 0 then
		-- Nothing new: no statement, and the bank's latest named.
		delete from fund_statements where id = v_st;
		select max(statement_id) into v_st from fund_statement_lines
		 where bank_id = v_bank.id;
		return json_build_object('statement', v_st, 'created', false,
		    'lines', v_total, 'new_lines', 0, 'skipped', p_skipped,
		    'counts', '{}'::json)::text;
	end if;
	update fund_statements set new_lines = v_new where id = v_st;
	perform api.audit(v_u, 'fund_statement_import', 'fund_statement',
	    v_st, p_ip, jsonb_build_object('bank', p_bank, 'lines', v_total,
	        'new_lines', v_new, 'filename', p_filename));
	return json_build_object('statement', v_st, 'created', true,
	    'lines', v_total, 'new_lines', v_new, 'skipped', p_skipped,
	    'counts', (select json_object_agg(state, n) from (select state,
	        count(*) as n from fund_statement_lines
	        where statement_id = v_st group by state) s))::text;
end $$;

-- A line as the admins' pages show it, with the pledge it names.
create function api.fund_line_json(p_l fund_statement_lines, p_lang text)
returns json language sql stable as $$
	select json_build_object('id', p_l.id, 'row', p_l.row_no,
	    'date', to_char(p_l.booked_on, 'YYYY-MM-DD'), 'amount', p_l.amount,
	    'balance', p_l.balance, 'counterparty', p_l.counterparty,
	    'note', p_l.note, 'bank_line_id', p_l.bank_line_id,
	    'state', p_l.state,
	    'state_name', api.fund_line_state_name(p_l.state, p_lang),
	    'decided_at', api.minute(p_l.decided_at),
	    'decided_by', (select display_name from users
	        where id = p_l.decided_by),
	    'decision_note', p_l.decision_note,
	    'pledge', (select json_build_object('id', p.id,
	        'reference_code', p.reference_code,
	        'amount', api.pledge_transfer_amount(p), 'status', p.status,
	        'status_name', api.pledge_status_name(p.status, p_lang),
	        'need_id', n.id, 'title', n.title, 'org_name', o.name)
	      from pledges p join needs n on n.id = p.need_id
	      join orgs o on o.id = n.org_id where p.id = p_l.pledge_id))
$$;

-- GET /admin/fund/import, /api/v1/fund/statements (admins): the banks
-- and their columns, the latest 50 statements with their lines by
-- state, and how many lines wait for a decision.
create function api.fund_statements_page(p_sid text, p_lang text)
returns text language plpgsql as $$
begin
	perform api.require_user(p_sid, array['admin']);
	return json_build_object(
	    'title', api.l(p_lang, '导入银行流水', 'Import a bank statement'),
	    'banks', (select coalesce(json_agg(json_build_object('name', b.name,
	        'mapping', b.mapping, 'updated_at', api.minute(b.updated_at))
	        order by b.name), '[]') from fund_banks b),
	    'waiting', (select count(*) from fund_statement_lines
	        where state in ('partial', 'duplicate', 'unknown', 'ambiguous')),
	    'statements', (select coalesce(json_agg(json_build_object(
	        'id', s.id, 'bank', b.name, 'filename', s.filename,
	        'encoding', s.encoding, 'lines', s.lines,
	        'new_lines', s.new_lines, 'imported_at', api.minute(s.imported_at),
	        'imported_by', u.display_name,
	        'proposed', (select count(*) from fund_statement_lines l
	            where l.statement_id = s.id and l.state = 'proposed'),
	        'waiting', (select count(*) from fund_statement_lines l
	            where l.statement_id = s.id and l.state in ('partial',
	                'duplicate', 'unknown', 'ambiguous')))
	        order by s.id desc), '[]')
	      from (select * from fund_statements order by id desc limit 50) s
	      join fund_banks b on b.id = s.bank_id
	      join users u on u.id = s.imported_by))::text;
end $$;

-- GET /admin/fund/import/{id}, /api/v1/fund/statements/{id} (admins):
-- a statement's lines by what is to be done with them: proposed
-- receipts, lines to decide (with the live pledges of the same amount as
-- candidates), lines decided, and the number of outgoing ones.
create function api.fund_statement_page(p_sid text, p_lang text, p_id bigint)
returns text language plpgsql as $$
declare
	v_s	fund_statements;
begin
	perform api.require_user(p_sid, array['admin']);
	select * into v_s from fund_statements where id = p_id;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	return json_build_object(
	    'title', api.l(p_lang, '银行流水', 'Bank statement') || ' #' || v_s.id,
	    'statement', json_build_object('id', v_s.id,
	        'bank', (select name from fund_banks where id = v_s.bank_id),
	        'filename', v_s.filename, 'encoding', v_s.encoding,
	        'lines', v_s.lines, 'new_lines', v_s.new_lines,
	        'imported_at', api.minute(v_s.imported_at),
	        'imported_by', (select display_name from users
	            where id = v_s.imported_by)),
	    'proposed', (select coalesce(json_agg(api.fund_line_json(l, p_lang)
	        order by l.row_no), '[]') from fund_statement_lines l
	        where l.statement_id = p_id and l.state = 'proposed'),
	    'review', (select coalesce(json_agg(
	        (api.fund_line_json(l, p_lang)::jsonb || jsonb_build_object(
	            'code', (select reference_code from pledges
	                where id = l.pledge_id),
	            'candidates', (select coalesce(jsonb_agg(jsonb_build_object(
	                'id', c.id, 'reference_code', c.reference_code,
	                'title', c.title)), '[]')
	              from (select p.id, p.reference_code, n.title
	                      from pledges p join needs n on n.id = p.need_id
	                     where p.status in ('pledged', 'delivered', 'disputed')
	                       and n.kind in ('money', 'scholarship')
	                       and api.pledge_transfer_amount(p) = l.amount
	                     order by p.id limit 5) c)))
	        order by l.row_no), '[]') from fund_statement_lines l
	        where l.statement_id = p_id and l.state in ('partial',
	            'duplicate', 'unknown', 'ambiguous')),
	    'decided', (select coalesce(json_agg(api.fund_line_json(l, p_lang)
	        order by l.row_no), '[]') from fund_statement_lines l
	        where l.statement_id = p_id and l.state in ('confirmed',
	            'ignored')),
	    'outgoing', (select count(*) from fund_statement_lines l
	        where l.statement_id = p_id and l.state = 'outgoing'))::text;
end $$;

-- Line v_l (held) confirms pledge p_pledge as received by v_u: the
-- pledge must still wait for its money; a money pledge may receive
-- less than promised (the rest goes back on the shelf), never more;
-- a scholarship exactly its terms.
create function api.fund_line_receive(v_u users, v_l fund_statement_lines,
    p_pledge bigint, p_note text, p_ip text)
returns void language plpgsql as $$
declare
	v_p	pledges;
	v_n	needs;
	v_want	bigint;
begin
	select * into v_p from pledges where id = p_pledge for update;
	if not found then
		perform api.fail(404, 'not_found', '{"field":"pledge"}');
	end if;
	select * into v_n from needs where id = v_p.need_id;
	if v_n.kind not in ('money', 'scholarship') then
		perform api.fail(409, 'not_a_transfer', '{"field":"pledge"}');
	end if;
	if v_p.status not in ('pledged', 'delivered', 'disputed') then
		perform api.fail(409, 'bad_state', '{"field":"pledge"}');
	end if;
	v_want := api.pledge_transfer_amount(v_p);
	if v_l.amount > v_want or (v_l.amount < v_want
	    and v_n.kind <> 'money') then
		perform api.fail(409, 'amount_mismatch', json_build_object(
		    'field', 'pledge', 'amount', api.amount(true, v_l.amount, null),
		    'expected', api.amount(true, v_want, null)));
	end if;
	if v_l.amount < v_want then
		perform 1 from needs where id = v_n.id for update;
		update needs set pledged = pledged - (v_want - v_l.amount)::int,
		    status = case when status = 'fully_pledged' then 'open'
		        else status end, updated_at = now()
		 where id = v_n.id;
		update pledges set quantity = v_l.amount::int, updated_at = now()
		 where id = v_p.id returning * into v_p;
	end if;
	perform api.pledge_mark_received(v_u, v_p, coalesce(p_note,
	    '基金账户已到账（银行流水）'), null);
	update fund_statement_lines set state = 'confirmed', pledge_id = v_p.id,
	    decided_by = v_u.id, decided_at = now(), decision_note = p_note
	 where id = v_l.id;
	perform api.audit(v_u, 'fund_line_confirm', 'fund_statement_line',
	    v_l.id, p_ip, jsonb_build_object('pledge', v_p.id,
	        'amount', v_l.amount, 'expected', v_want,
	        'was', v_l.state));
end $$;

-- POST /admin/fund/import/{id}/confirm, /api/v1/fund/statements/{id}/
-- confirm (admins): every proposed receipt of statement p_id confirmed,
-- in one transaction.  A proposal whose pledge stopped waiting for its
-- money meanwhile is left for a person (ambiguous).  Returns {statement,
-- confirmed, left}.
create function api.fund_statement_confirm(p_sid text, p_id bigint, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_l	fund_statement_lines;
	v_done	int := 0;
	v_left	int := 0;
begin
	v_u := api.require_user(p_sid, array['admin']);
	perform 1 from fund_statements where id = p_id;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	for v_l in select * from fund_statement_lines
	    where statement_id = p_id and state = 'proposed'
	    order by row_no for update loop
		if exists (select 1 from pledges p where p.id = v_l.pledge_id
		    and p.status in ('pledged', 'delivered', 'disputed')
		    and api.pledge_transfer_amount(p) = v_l.amount) then
			perform api.fund_line_receive(v_u, v_l, v_l.pledge_id,
			    null, p_ip);
			v_done := v_done + 1;
		else
			update fund_statement_lines set state = 'ambiguous'
			 where id = v_l.id;
			v_left := v_left + 1;
		end if;
	end loop;
	return json_build_object('statement', p_id, 'confirmed', v_done,
	    'left', v_left)::text;
end $$;

-- POST /admin/fund/lines/{id}, /api/v1/fund/lines/{id} (admins): a
-- person's decision on one received line not yet decided: confirm it as
-- the receipt of a pledge (p_pledge, or the pledge of reference code
-- p_code), or ignore it (not a donation, or settled elsewhere), with a
-- note.  409 for a line decided already or outgoing, or a pledge that
-- cannot take it (api.fund_line_receive).  Returns the line.
create function api.fund_line_decide(p_sid text, p_id bigint, p_action text,
    p_pledge bigint, p_code text, p_note text, p_ip text)
returns text language plpgsql as $$
declare
	v_u	users;
	v_l	fund_statement_lines;
	v_pid	bigint := p_pledge;
begin
	v_u := api.require_user(p_sid, array['admin']);
	select * into v_l from fund_statement_lines where id = p_id for update;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	if v_l.state in ('confirmed', 'ignored', 'outgoing') then
		perform api.fail(409, 'bad_state');
	end if;
	if p_action = 'ignore' then
		update fund_statement_lines set state = 'ignored',
		    decided_by = v_u.id, decided_at = now(), decision_note = p_note
		 where id = p_id;
		perform api.audit(v_u, 'fund_line_ignore', 'fund_statement_line',
		    p_id, p_ip, jsonb_build_object('was', v_l.state,
		        'note', p_note));
	else
		if v_pid is null and p_code is not null then
			select id into v_pid from pledges
			 where reference_code = upper(regexp_replace(p_code, '\s',
			     '', 'g'));
			if not found then
				perform api.fail(404, 'not_found', '{"field":"reference_code"}');
			end if;
		end if;
		if v_pid is null then
			perform api.fail(400, 'required', '{"field":"pledge"}');
		end if;
		perform api.fund_line_receive(v_u, v_l, v_pid, p_note, p_ip);
	end if;
	select * into v_l from fund_statement_lines where id = p_id;
	return json_build_object('line', api.fund_line_json(v_l, 'zh'),
	    'statement', v_l.statement_id)::text;
end $$;
