-- The syntax of an idempotency key, the last line of defence: 8 to 100
-- of A-Z a-z 0-9 - _ . : as form.c's form_key_ok checks it for the
-- Idempotency-Key header and a form's idem field (pledges, the fund's
-- pay-outs), and as the keys the api functions make themselves
-- ('pairing-12-t3', 'offer-4-v2-n9', 'proposal-7') are written.
alter table idempotency_keys
    add constraint idempotency_keys_key_syntax
    check (key ~ '^[A-Za-z0-9._:-]{8,100}$');
alter table fund_payouts
    add constraint fund_payouts_idem_key_syntax
    check (idem_key ~ '^[A-Za-z0-9._:-]{8,100}$');
