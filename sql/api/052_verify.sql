-- GET /verify/{code}, /api/v1/verify/{code}: one gift as anyone holding
-- its certificate may check it.  The code (pledges.verify_code, 128
-- random bits) is the only key: 404 for any other.
--
-- What it shows is what the public log and the need's public page show
-- already, and no more: the need's public title, kind and school, the
-- amount, the pledge's state and dates, the donor's public name (their
-- name unless they gave anonymously, as on the need's page: no child's
-- data, no contact), and where the gift is in the signed log: its
-- entries (position, kind, leaf hash, the entry itself) and the latest
-- signed checkpoint.  The module adds the inclusion proof of the last
-- of those entries the checkpoint covers (src/verify.c).
create function api.verify(p_code text, p_lang text)
returns text language plpgsql stable as $$
declare
	v_p	pledges;
	v_n	needs;
	v_c	log_checkpoints;
	v_need	json;
begin
	select * into v_p from pledges where verify_code = p_code;
	if not found then
		perform api.fail(404, 'not_found');
	end if;
	select * into v_n from needs where id = v_p.need_id;
	v_need := api.need_public(v_n, p_lang);
	select * into v_c from log_checkpoints
	 order by tree_size desc limit 1;
	return json_build_object(
	    'code', v_p.verify_code,
	    'need', json_build_object('id', v_n.id,
	        'title', v_need -> 'title',
	        'kind', v_n.kind, 'kind_name', v_need -> 'kind_name',
	        'org_name', v_need -> 'org_name',
	        'town_name', v_need -> 'town_name',
	        'is_public', api.need_is_public(v_n.status)),
	    'title', v_need ->> 'title',
	    'donor', api.donor_public_name(v_p.donor_id, v_p.anonymous, p_lang),
	    'amount_text', api.pledge_amount(v_n, v_p.quantity),
	    'amount', api.pledge_fen(v_p, v_n),
	    'quantity', v_p.quantity,
	    'status', v_p.status,
	    'status_name', api.pledge_status_name(v_p.status, p_lang),
	    'is_received', v_p.status = 'received',
	    'pledged_on', api.day(v_p.created_at),
	    'received_on', api.day(v_p.received_at),
	    'entries', (select coalesce(json_agg(json_build_object(
	        'position', l.position, 'kind', l.kind,
	        'kind_name', api.log_kind_name(l.kind, p_lang),
	        'leaf_hash', encode(l.leaf_hash, 'base64'),
	        'entry', l.entry) order by l.position), '[]')
	      from log_entries l
	     where (l.fields ->> 'pledge')::bigint = v_p.id
	       and l.fields ? 'pledge'),
	    'checkpoint', case when v_c.tree_size is not null then
	        json_build_object('tree_size', v_c.tree_size,
	        'root_hash', encode(v_c.root_hash, 'base64'),
	        'checkpoint', v_c.note,
	        'signed_at', api.minute(v_c.signed_at)) end)::text;
end $$;
