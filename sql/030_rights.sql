-- Issue 18: personal-information rights (PIPL arts. 13-17, 31, 44-47) and
-- the city committee's administration of organisations and accounts.
--
-- The privacy notice, versioned: each version's text in both languages,
-- kept for good, so that the version an account accepted can always be
-- read again.  The current notice is the highest version.
create table privacy_notices (
	version		integer primary key check (version between 1 and 1000),
	published_on	date not null,
	title_zh	text not null,
	title_en	text not null,
	-- Paragraphs, in order.
	body_zh		text[] not null check (cardinality(body_zh) >= 1),
	body_en		text[] not null check (cardinality(body_en) >= 1)
);

insert into privacy_notices values (1, date '2026-12-06',
    '个人信息保护告知书', 'Privacy notice',
    array[
	'共青扶贫超市（共青团济源市委）为帮助困难青少年而处理你的个人信息。本告知书说明我们收集什么、为什么收集、保存多久，以及你享有的权利。',
	'我们收集：你注册时填写的昵称、电子邮箱或手机号、密码的散列值（不保存密码本身）、你所在的爱心组织（如填写）；你的认捐、对接、捐赠意向与收到的通知；登录时的网络地址与浏览器信息，用于账户安全。',
	'用途：让你认捐并跟踪捐赠、向你发送与捐赠有关的通知、核对基金会账目、防止滥用。你的昵称会出现在公开的捐赠记录中（匿名认捐除外）；电子邮箱和手机号从不公开。',
	'你的权利：你可以在“我的”页面查看和修改资料，经验证后更换电子邮箱或手机号，下载我们保存的关于你的全部信息（JSON 和 CSV），以及注销账户。',
	'注销账户：有进行中的认捐或“1+1”对接时不能注销，需先完成或取消。注销后，你的昵称、电子邮箱、手机号、密码和所在组织被删除或替换为化名，所有登录会话立即结束；基金会的账目记录（认捐、收款、拨付）依法保留，但只与化名关联；公开日志是不可更改的透明记录，只保留其中已有的昵称，不含任何联系方式。',
	'儿童信息：儿童的真实姓名、身份证号、监护人与住址等由学校在取得监护人同意后录入，加密保存，只有本校和市团委工作人员可见，从不公开。监护人撤回同意后，该儿童档案即归档，加密的隐私信息在保留期满后被彻底清除，清除记入审计日志。',
	'联系我们：共青团济源市委。本告知书更新时，新版本在此页面公布，注册时须同意当时的版本。'
    ],
    array[
	'The Youth Poverty-Relief Supermarket (Jiyuan City Youth League Committee) processes your personal information to help children in need. This notice says what we collect, why, for how long, and your rights.',
	'What we collect: the display name, e-mail address or mobile number you register with, a hash of your password (never the password itself), the caring organisation you give for (if any); your pledges, pairings, offers and the messages sent to you; the network address and browser of your sign-ins, for the account''s security.',
	'Why: so that you can pledge and follow your gifts, receive messages about them, so that the foundation''s books can be checked, and to prevent abuse. Your display name appears in the public record of gifts (unless you pledge anonymously); your e-mail address and phone number are never public.',
	'Your rights: on "Me" you can see and correct your details, change your e-mail address or phone number after verifying the new one, download everything we hold about you (JSON and CSV), and delete your account.',
	'Deleting your account: not while a pledge or a "1+1" pairing is in progress; settle or cancel it first. On deletion your display name, e-mail address, phone number, password and organisation are erased or replaced by a pseudonym, and every session ends at once; the foundation''s records (pledges, receipts, pay-outs) are kept as the law requires, linked only to the pseudonym; the public log is an unchangeable record of transparency and keeps only the display name it already holds, never a contact.',
	'Children: a child''s real name, ID number, guardian and address are entered by the school with the guardian''s consent, kept encrypted, seen only by the school''s and the city committee''s staff and never made public. When the guardian withdraws consent the child''s record is archived and the encrypted private part is erased for good once the retention period is over; the erasure is written to the audit log.',
	'Contact: Jiyuan City Youth League Committee. When this notice changes, the new version is published on this page, and registering means accepting the version then current.'
    ]);

-- Which version of the notice an account accepted (null: an account made
-- before there was one, or by an admin or a branch), and when a donor
-- deleted their account: its personal fields are then erased or
-- pseudonymised, its rows in the fund's records kept.
alter table users add column privacy_version integer
    references privacy_notices (version);
alter table users add column deleted_at timestamptz;
alter table users drop constraint users_contact;
alter table users add constraint users_contact
    check (email is not null or phone is not null or role <> 'donor'
        or deleted_at is not null);

-- A change of e-mail address or phone: the new value waits with the
-- token sent to it, and replaces the old one only when the link or the
-- code comes back (sql/api/032_recovery.sql).
alter table account_tokens add column new_value text
    check (length(new_value) <= 254);

-- A message sent somewhere else than the account's contact: the new
-- address of a change, which the account does not hold yet.
alter table notifications add column to_addr text
    check (length(to_addr) <= 254);

-- A guardian's withdrawal of consent: the child is archived, and its
-- sealed private part (and the sealed former versions in its history)
-- erased once private_purge_after is past (api.privacy_tick, a periodic
-- job).  private_purged_at says it was.
alter table beneficiaries add column consent_withdrawn_at timestamptz;
alter table beneficiaries add column private_purge_after timestamptz;
alter table beneficiaries add column private_purged_at timestamptz;
create index beneficiaries_purge_due on beneficiaries (private_purge_after)
    where private_purge_after is not null and private_purged_at is null;

alter table beneficiary_history drop constraint beneficiary_history_action_check;
alter table beneficiary_history add constraint beneficiary_history_action_check
    check (action in ('create', 'update', 'archive', 'unarchive',
        'consent_withdrawn', 'private_purged'));

-- The history stays append-only but for one change: the purge empties
-- the sealed former private parts, and nothing else.
drop trigger beneficiary_history_append_only on beneficiary_history;
create trigger beneficiary_history_no_delete before delete
    on beneficiary_history for each statement
    execute function append_only_refuse();
create function beneficiary_history_purge_only() returns trigger
language plpgsql as $$
begin
	if new.prev_sealed is null and new.prev_key_id is null
	    and new.prev_nonce is null
	    and (new.id, new.beneficiary_id, new.at, new.actor_id, new.action,
	        new.changed, new.before) is not distinct from
	        (old.id, old.beneficiary_id, old.at, old.actor_id, old.action,
	        old.changed, old.before) then
		return new;
	end if;
	raise exception 'beneficiary_history is append-only';
end $$;
create trigger beneficiary_history_purge_only before update
    on beneficiary_history for each row
    execute function beneficiary_history_purge_only();

-- How long a child's sealed private part is kept after the guardian
-- withdrew consent, in days (an admin changes it; 0: at the next run of
-- the job).
insert into settings (key, value) values ('child_private_retention_days', '30')
    on conflict (key) do nothing;

-- Organisations an admin disabled: their open needs leave the shelf and
-- they post no new ones (sql/api/031_accounts.sql).
alter table orgs add column disabled_at timestamptz;

grant select on privacy_notices to shop_app;
grant select (privacy_version, deleted_at) on users to shop_app;
grant insert (privacy_version) on users to shop_app;
grant update (privacy_version, deleted_at, role, org_id) on users to shop_app;
grant update (new_value) on account_tokens to shop_app;
grant insert (to_addr) on notifications to shop_app;
grant update (consent_withdrawn_at, private_purge_after, private_purged_at)
    on beneficiaries to shop_app;
grant delete on beneficiary_private to shop_app;
grant update (prev_key_id, prev_nonce, prev_sealed) on beneficiary_history
    to shop_app;
grant update (parent_id, town_id, disabled_at) on orgs to shop_app;
