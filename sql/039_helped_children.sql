-- How many children a gift has reached, kept rather than counted: the
-- home page (api.home) counted the distinct children among every need
-- with something received, at each refresh (11 ms at 100,000 needs,
-- ten times that at a million: the home page is what everybody opens on
-- a campaign day, and each worker refreshes it every second).
--
-- helped_children holds, for each child with a need that received
-- something, how many such needs; helped_total how many children that
-- is.  A trigger keeps both in the transaction that changes a need's
-- received quantity or its child (a receipt, a dispute resolved), never
-- a pledge's (it does not name the column received).
create table helped_children (
	beneficiary_id	bigint primary key references beneficiaries (id),
	needs		int not null check (needs > 0)
);

create table helped_total (
	one	boolean primary key default true check (one),
	n	bigint not null check (n >= 0)
);

insert into helped_children
select beneficiary_id, count(*) from needs
 where received > 0 and beneficiary_id is not null
 group by beneficiary_id;
insert into helped_total values (true, (select count(*) from helped_children));

-- The child a need counts for (received > 0), before and after; only a
-- child's first need and last need move the total.  Concurrent receipts
-- for the same child meet on its row: the insert's conflict and the
-- update's row lock order them.
create function helped_track() returns trigger
language plpgsql as $$
declare
	v_old	bigint;
	v_new	bigint;
	v_first	boolean;
begin
	if tg_op in ('UPDATE', 'DELETE') and old.received > 0 then
		v_old := old.beneficiary_id;
	end if;
	if tg_op in ('UPDATE', 'INSERT') and new.received > 0 then
		v_new := new.beneficiary_id;
	end if;
	if v_old is not distinct from v_new then
		return null;
	end if;
	if v_old is not null then
		update helped_children set needs = needs - 1
		 where beneficiary_id = v_old and needs > 1;
		if not found then
			delete from helped_children where beneficiary_id = v_old;
			update helped_total set n = n - 1;
		end if;
	end if;
	if v_new is not null then
		-- xmax is 0 on the row an insert made, not on one it updated.
		insert into helped_children values (v_new, 1)
		on conflict (beneficiary_id)
		do update set needs = helped_children.needs + 1
		returning xmax = 0 into v_first;
		if v_first then
			update helped_total set n = n + 1;
		end if;
	end if;
	return null;
end $$;

create trigger needs_helped_ins after insert on needs for each row
    when (new.received > 0 and new.beneficiary_id is not null)
    execute function helped_track();
create trigger needs_helped_del after delete on needs for each row
    when (old.received > 0 and old.beneficiary_id is not null)
    execute function helped_track();
create trigger needs_helped_upd after update of received, beneficiary_id
    on needs for each row
    when ((old.received > 0) is distinct from (new.received > 0)
       or old.beneficiary_id is distinct from new.beneficiary_id)
    execute function helped_track();

grant select, insert, update, delete on helped_children to shop_app;
grant select, update on helped_total to shop_app;
