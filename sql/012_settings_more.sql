-- The settings an admin can change on /admin/needs besides the notice:
-- how long a donor has to deliver a pledge, and the pairing terms' grace
-- and return periods (sql/api/062_pairings.sql).  Rows with the defaults
-- the code used when they were missing, so a change is an UPDATE of a
-- known key (the app role may not insert settings).
insert into settings (key, value) values
    ('pledge_due_days', '14'),
    ('pairing_grace_days', '14'),
    ('pairing_return_days', '30')
    on conflict (key) do nothing;
