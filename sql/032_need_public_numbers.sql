-- A pledge (or a receipt) changes a listed need's counts and nothing else
-- its public JSON shows (issue 15): rewriting that JSON in both languages
-- (api.need_json: four lookups and forty pieces of text each) was the
-- largest trigger of the pledge's transaction.  The five numbers the
-- counts feed sit side by side in the stored text, in the order
-- api.need_json writes them,
--
--   ,"pledged":P,"received":R,"remaining":Q-P,"pledged_pct":P*100/Q,
--   "received_pct":R*100/Q,
--
-- and nowhere else: a text field is written by to_json, in which a
-- quotation mark is always escaped, so ,"pledged": cannot occur inside
-- one.  When only pledged, received or the columns no JSON shows changed,
-- and the need stays in the same listed state, the old row's numbers are
-- replaced by the new row's; anything else writes the JSON anew, as
-- before, and so does a stored text without the old numbers in it (one
-- written by another api.need_json) or of another year (a child's age).

-- The numbers of need n as api.need_json writes them.  (plpgsql: a SQL
-- function with a stable body, as || is, would be planned at every call.)
create function need_public_numbers(n needs) returns text
language plpgsql immutable as $$
begin
	return ',"pledged":' || n.pledged
	    || ',"received":' || n.received
	    || ',"remaining":' || (n.quantity - n.pledged)
	    || ',"pledged_pct":' || (n.pledged::bigint * 100 / n.quantity)
	    || ',"received_pct":' || (n.received::bigint * 100 / n.quantity)
	    || ',';
end $$;

create or replace function need_public_need() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
	v_year	smallint := extract(year from now() at time zone
		    'Asia/Shanghai');
	v_from	text;
	v_to	text;
begin
	if not need_public_ready() then
		return null;
	end if;
	if new.status in ('notice', 'open', 'fully_pledged', 'fulfilled')
	    and (old.title, old.kind, old.category, old.town_id, old.org_id,
	    old.campaign_id, old.beneficiary_id, old.item, old.spec, old.unit,
	    old.quantity, old.unit_amount, old.urgency, old.deadline,
	    old.status, old.opened_at)
	    is not distinct from
	    (new.title, new.kind, new.category, new.town_id, new.org_id,
	    new.campaign_id, new.beneficiary_id, new.item, new.spec, new.unit,
	    new.quantity, new.unit_amount, new.urgency, new.deadline,
	    new.status, new.opened_at) then
		v_from := need_public_numbers(old);
		v_to := need_public_numbers(new);
		update need_public
		   set zh = replace(zh, v_from, v_to), en = replace(en, v_from, v_to)
		 where need_id = new.id and year = v_year
		   and strpos(zh, v_from) > 0 and strpos(en, v_from) > 0;
		if found then
			return null;
		end if;
	end if;
	-- Written afresh (or forgotten, once it is no longer listed).
	perform need_public_write(array[new.id]);
	return null;
end $$;
