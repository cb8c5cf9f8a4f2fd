-- Messages are written as a kind and its parameters, and rendered in the
-- recipient's language from the message catalogues when they are sent
-- (mail.<kind>.subject and mail.<kind>.body in assets/messages_*.json);
-- subject and body stay for the messages written before.  Each account
-- has the language its messages are written in.
alter table notifications add column params jsonb not null default '{}'
    check (jsonb_typeof(params) = 'object');
alter table notifications alter column subject drop not null;
alter table notifications alter column body drop not null;
alter table users add column lang text not null default 'zh'
    check (lang in ('zh', 'en'));

-- The platform's role reads users by column (003): the new one too, or
-- every function reading a whole row of users is refused.
grant insert (params) on notifications to shop_app;
grant select (lang), insert (lang), update (lang) on users to shop_app;
