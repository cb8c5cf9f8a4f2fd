-- Where to take a gift (issue 12, item 3).
--
-- An organisation's delivery details: the address gifts are brought or
-- posted to, the person who takes them, a phone and the hours someone is
-- there.  Staff edit their own organisation's, admins any
-- (api.org_contact_save); only donors holding a live pledge there see
-- them (api.pledge_where).
--
-- Money and scholarship pledges are paid into the foundation's account
-- (settings fund_payee, fund_bank, fund_account, edited by admins), with
-- the pledge's reference code in the transfer's note, so that a line of
-- the bank statement names its pledge.  The reference code is not the
-- receipt code: that one is a secret the donor shows the school at
-- hand-over; this one is written on a bank transfer, for anyone at the
-- bank to read.

-- A phone number people can call: a mainland mobile number as in
-- users.phone, or a landline with its area code (0391-6612345, or
-- 03916612345), with an extension after a dash.
create function phone_ok(p_phone text)
returns boolean language sql immutable parallel safe as $$
	select p_phone ~ ('^(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}'
	    '(-[0-9]{1,6})?)$')
$$;

-- Text a person typed on one line: no control characters.
create function one_line_ok(p_text text)
returns boolean language sql immutable parallel safe as $$
	select p_text !~ '[[:cntrl:]]'
$$;

alter table orgs
	add column address text check (length(address) between 5 and 200
	    and address !~ '[\x01-\x09\x0b-\x1f\x7f]'),
	add column contact_name text check (length(contact_name)
	    between 1 and 50 and one_line_ok(contact_name)),
	add column contact_phone text check (phone_ok(contact_phone)),
	add column hours text check (length(hours) between 1 and 120
	    and hours !~ '[\x01-\x09\x0b-\x1f\x7f]'),
	add column contact_updated_at timestamptz,
	add column contact_updated_by bigint references users (id);

grant update (address, contact_name, contact_phone, hours,
    contact_updated_at, contact_updated_by) on orgs to shop_app;

-- The foundation's receiving account, empty until an admin sets it.  The
-- app role may not insert settings: the rows are here.
insert into settings (key, value) values
    ('fund_payee', ''), ('fund_bank', ''), ('fund_account', '')
    on conflict (key) do nothing;
alter table settings add constraint settings_fund_text
    check (key not in ('fund_payee', 'fund_bank')
        or (length(value) <= 100 and one_line_ok(value)));
alter table settings add constraint settings_fund_account
    check (key <> 'fund_account' or value ~ '^([0-9]([ -]?[0-9]){7,33})?$');

-- A new reference code: JY and 8 characters a person can read out and
-- type (no 0/O, 1/I: the receipt codes' alphabet), from the CSPRNG
-- behind gen_random_uuid; drawn again while a pledge has it.  40 random
-- bits: a statement line with a typo names no pledge, nearly always.
-- The default of pledges.reference_code, so that every pledge gets one in
-- the transaction that makes it, whichever code inserts it.
create function pledge_reference_new()
returns text language plpgsql volatile as $$
declare
	v_code	text;
begin
	loop
		select 'JY' || string_agg(substr(
		    'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
		    get_byte(b.r, i) % 32 + 1, 1), '' order by i)
		  into v_code
		  from (select uuid_send(gen_random_uuid()) as r) b,
		       generate_series(0, 7) i;
		exit when not exists (select 1 from public.pledges
		    where reference_code = v_code);
	end loop;
	return v_code;
end $$;
grant execute on function pledge_reference_new() to shop_app;

alter table pledges add column reference_code text
    check (reference_code ~ '^JY[A-HJ-NP-Z2-9]{8}$');

-- The pledges made before: a code each.  Rows of one statement do not
-- see each other's new codes, so any two that drew the same draw again.
do $$
begin
	update pledges set reference_code = pledge_reference_new();
	loop
		update pledges set reference_code = pledge_reference_new()
		 where id in (select max(id) from pledges
		     group by reference_code having count(*) > 1);
		exit when not found;
	end loop;
end $$;

alter table pledges
	alter column reference_code set default pledge_reference_new(),
	alter column reference_code set not null,
	add constraint pledges_reference_code_key unique (reference_code);
