// The outbox's sender (issue 12) against a real SMTP server and a real
// HTTP receiver for SMS: who is told what, in which language, with
// links that work; retries (451 then 250 delivers once, with the same
// Message-ID), permanent refusals (550: failed at once, shown at
// /admin/outbox, retried by its button); the .eml file backend of make
// run; each account's choices, one-click unsubscribe, the staff digest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { sql, sqlValue, assertApiError, BASE } from '../lib/env.mjs';
import { Api, Browser, demo, freshEmail } from '../lib/session.mjs';
import { smtpServer, smsReceiver, startSender, until } from '../lib/mail.mjs';

const T = process.env.TEST_VAR;
let admin, smtp, sms, sender;

// A fresh open need of organisation org (goods, q units), or one on its
// public notice.
function newNeed(org, q = 5, title = '测试需求', status = 'open') {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, deadline, story, status, opened_at, notice_ends_at)
    select id, town_id, 'goods', 'books', '${title}', '本', ${q}, current_date + 30, '',
      '${status}', case when '${status}' = 'open' then now() end,
      case when '${status}' = 'notice' then now() + interval '5 days' end
      from orgs where id = ${org} returning id`);
  if (status === 'open') sql(`select api.log_need_opened(${id})`);
  return id;
}

// A demo school with its demo staff account (orgN@example.com).
const school = (n) => Number(sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
    where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
    order by o.id desc offset ${n} limit 1`));
const staffOf = (org) => { const a = demo(`org${org}@example.com`); return Api.login(a.login, a.password); };

// A new donor: their API client, e-mail and id.
async function newDonor(tag) {
  const email = freshEmail(tag);
  const r = await fetch(BASE + '/api/v1/register', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ privacy_version: 1, display_name: 'Ann ' + tag, email, password: 'a long enough secret' }) });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  const id = Number(body.user.id ?? sqlValue(`select id from users where email = '${email}'`));
  // Verified: the pledges these tests make are not limited.  Its
  // verification message gone out first, so that what a test then sets
  // up for the address (a 451, a 550) meets the messages it is about.
  sql(`update users set email_verified_at = now() where id = ${id}`);
  await until(() => sqlValue(`select count(*) from notifications where user_id = ${id}
      and status = 'pending'`) === '0', 15000, 'the verification message to go out');
  return { api: new Api(body.token), email, id, password: 'a long enough secret' };
}

// What addr received, less the verification every registration sends
// (tests/api/recovery.test.mjs tests that one).
const VERIFY = /请验证您的邮箱|verify your e-mail/i;
const mailTo = (addr) => smtp.received.filter((m) => m.to === addr
  && !VERIFY.test(m.mail.subject));
const row = (id) => sql(`select status, attempts, coalesce(last_error, '') from notifications
    where id = ${id}`)[0];

before(async () => {
  admin = await Api.as('admin@example.com');
});

after(async () => {
  await sender?.stop();
  await smtp?.close();
  await sms?.close();
});

test('make run writes each message as an .eml file: the school is told of a pledge', async () => {
  // The sender tests/run.sh started beside the nodes, with no SMTP server.
  const org = school(0);
  const need = newNeed(org, 5, '冬季棉衣 eml');
  const donor = await newDonor('eml');
  const r = await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 2 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const staffMail = `org${org}@example.com`;
  const id = sqlValue(`select n.id from notifications n join users u on u.id = n.user_id
      where u.email = '${staffMail}' and n.kind = 'pledge_new'
        and (n.params->>'pledge_id')::bigint = ${r.body.pledge.id}`);
  assert.ok(id, 'the staff of the need\'s school got a pledge_new message');
  const file = `${T}/mail/outbox-${id}.eml`;
  await until(() => existsSync(file), 15000, file);
  const mail = await simpleParser(readFileSync(file));
  assert.equal(mail.to.value[0].address, staffMail);
  assert.match(mail.subject, /新的认捐：冬季棉衣 eml/);
  assert.match(mail.text, /冬季棉衣 eml/);
  assert.equal(mail.messageId, `<outbox-${id}@localhost>`);
  assert.ok(mail.html.includes('/me/notifications'));
  assert.equal(row(id)[0], 'sent');
  // The donor's confirmation too, and nothing but .eml files for e-mail.
  const mine = sqlValue(`select id from notifications where user_id = ${donor.id}
      and kind = 'pledge_made'`);
  await until(() => existsSync(`${T}/mail/outbox-${mine}.eml`), 15000, 'the confirmation');
  assert.ok(readdirSync(`${T}/mail`).every((f) => /^outbox-\d+\.(eml|sms)$/.test(f)));
});

test('a real SMTP server receives the messages: recipient, language, links that work', async () => {
  // The sender of make test stops (by its PID); this one sends by SMTP.
  const pid = Number(readFileSync(`${T}/sender.pid`, 'utf8'));
  try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  await until(() => { try { process.kill(pid, 0); return false; } catch { return true; } },
    10000, 'the first sender to stop');
  smtp = await smtpServer();
  sms = await smsReceiver();
  sender = startSender({ SHOP_DATABASE: process.env.APP_DB, SHOP_VAR: T,
    SHOP_PUBLIC_URL: BASE, SHOP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SHOP_SMS_URL: `http://127.0.0.1:${sms.port}/sms`, SHOP_MAIL_FROM: '共青扶贫超市 <noreply@shop.test>',
    SHOP_SENDER_INTERVAL: '1', SHOP_SENDER_RETRY_BASE: '1', SHOP_SENDER_DIGEST_SECONDS: '1' },
    ['-v']);

  const donor = await newDonor('en');
  // English, chosen on /me/notifications.
  const set = await donor.api.post('/api/v1/me/notifications', { lang: 'en' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.prefs.lang, 'en');
  const org = school(1);
  const need = newNeed(org, 3, '英语词典');
  const p = (await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 })).body.pledge;
  const [m] = await until(() => mailTo(donor.email).length && mailTo(donor.email), 15000,
    'the confirmation by SMTP');
  assert.equal(m.mail.subject, 'Thank you for your pledge: 英语词典');
  assert.equal(m.from, 'noreply@shop.test');
  assert.match(m.mail.text, /^Dear Ann en/);
  assert.match(m.mail.text, new RegExp(`receipt code ${p.receipt_code}`));
  assert.match(m.mail.headers.get('message-id'), /^<outbox-\d+@shop\.test>$/);
  const header = (name) => (new RegExp(`^${name}: (.*)\r$`, 'mi').exec(m.raw.toString()) ?? [])[1];
  assert.match(header('List-Unsubscribe'), /^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?t=[0-9a-f]{64}&k=pledge_made>$/);
  assert.equal(header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.ok(m.mail.html.includes('英语词典'));
  // Its links work: the pledge and the settings, signed in as the donor.
  const links = [...m.mail.text.matchAll(/http:\/\/127\.0\.0\.1:\d+\/[^\s]+/g)].map((x) => x[0]);
  assert.ok(links.some((l) => l.endsWith(`/me/pledges/${p.id}`)), links.join(' '));
  assert.ok(links.some((l) => l.endsWith('/me/notifications')));
  const web = new Browser();
  await web.login(donor.email, donor.password);
  for (const l of links.filter((x) => !x.includes('/unsubscribe'))) {
    const r = await web.get(l.slice(BASE.length));
    assert.equal(r.status, 200, l);
  }
  // The school's staff, in Chinese, about the same pledge.
  const staff = await until(() => mailTo(`org${org}@example.com`).find((x) =>
    x.mail.subject === '新的认捐：英语词典'), 15000, 'the school\'s message');
  assert.match(staff.mail.text, /应在 \d{4}-\d\d-\d\d 前送达/);
  // The messages are listed on the donor's page in the reader's language.
  const mine = (await donor.api.get('/api/v1/me/pledges?lang=en')).body;
  assert.ok(mine.notifications.some((n) => n.subject === 'Thank you for your pledge: 英语词典'));

  // One click unsubscribes (RFC 8058): that kind is off, no session needed.
  const unsub = header('List-Unsubscribe').slice(1, -1);
  const look = await fetch(unsub);
  assert.equal(look.status, 200);
  assert.equal((await donor.api.get('/api/v1/me/notifications')).body.prefs.kinds
    .find((k) => k.kind === 'pledge_made').on, true, 'a GET changes nothing');
  const click = await fetch(unsub, { method: 'POST', body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(click.status, 200);
  assert.equal((await donor.api.get('/api/v1/me/notifications')).body.prefs.kinds
    .find((k) => k.kind === 'pledge_made').on, false);
  assert.equal((await fetch(unsub.replace(/t=[0-9a-f]+/, 't=' + '0'.repeat(64)),
    { method: 'POST' })).status, 404);
});

test('a server answering 451 then 250 delivers exactly once, with the same Message-ID', async () => {
  const donor = await newDonor('retry');
  smtp.tempfail.set(donor.email, 1);
  const need = newNeed(school(2), 2, '书包');
  await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  const id = sqlValue(`select id from notifications where user_id = ${donor.id} and kind = 'pledge_made'`);
  await until(() => mailTo(donor.email).length === 1, 20000, 'the retried message');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(mailTo(donor.email).length, 1, 'delivered exactly once');
  const tries = smtp.attempts.filter((a) => a.to === donor.email
    && a.messageId === `<outbox-${id}@shop.test>`);
  assert.deepEqual(tries.map((a) => a.code), [451, 250]);
  assert.equal(tries[0].messageId, tries[1].messageId);
  assert.equal(tries[0].messageId, `<outbox-${id}@shop.test>`);
  assert.deepEqual(row(id).slice(0, 2), ['sent', '2']);

  // The backoff: 1 minute doubling at each attempt, at most 6 hours.
  const backoff = (attempts) => {
    const n = sqlValue(`insert into notifications (user_id, channel, kind, params, attempts,
        first_attempt_at, next_attempt_at) values (${donor.id}, 'email', 'expired', '{}',
        ${attempts}, now(), now() + interval '1 day') returning id`);
    assert.equal(sqlValue(`select api.outbox_done(${n}, 'temporary', '451 later', 60)`), 'pending');
    return Number(sqlValue(`select round(extract(epoch from next_attempt_at - now()))
        from notifications where id = ${n}`));
  };
  assert.ok(Math.abs(backoff(1) - 60) <= 2);
  assert.ok(Math.abs(backoff(4) - 480) <= 2);
  assert.ok(Math.abs(backoff(12) - 6 * 3600) <= 2);
  // Temporary refusals end 24 hours after the first attempt.
  const late = await newDonor('late');
  smtp.tempfail.set(late.email, 100);
  const old = sqlValue(`insert into notifications (user_id, channel, kind, params, attempts,
      first_attempt_at) values (${late.id}, 'email', 'expired', '{"need_title": "旧"}', 9,
      now() - interval '25 hours') returning id`);
  sql('notify shop_outbox');
  await until(() => row(old)[0] === 'failed', 15000, 'the end of the 24 hours');
  assert.deepEqual(row(old).slice(0, 2), ['failed', '10']);
  assert.match(row(old)[2], /451/);
});

test('550 is not retried, shows as failed at /admin/outbox, and its button retries it', async () => {
  const donor = await newDonor('refused');
  smtp.refuse.set(donor.email, 550);
  const need = newNeed(school(2), 2, '文具');
  await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  const id = sqlValue(`select id from notifications where user_id = ${donor.id} and kind = 'pledge_made'`);
  await until(() => row(id)[0] === 'failed', 15000, 'the failure');
  await new Promise((r) => setTimeout(r, 2500));
  const [status, attempts, error] = row(id);
  assert.deepEqual([status, attempts], ['failed', '1']);
  assert.match(error, /550/);
  assert.equal(mailTo(donor.email).length, 0);
  // The admins are told, once a day.
  assert.ok(Number(sqlValue(`select count(*) from notifications n join users u on u.id = n.user_id
      where u.role = 'admin' and n.kind = 'outbox_failing'`)) >= 1);
  // Listed with its error, through the API and on the page.
  const list = await admin.get('/api/v1/admin/outbox?status=failed');
  assert.equal(list.status, 200);
  const item = list.body.messages.find((x) => x.id === Number(id));
  assert.ok(item, 'listed among the failed');
  assert.match(item.last_error, /550/);
  assert.equal(item.attempts, 1);
  assert.ok(list.body.counts.failed >= 1);
  const web = new Browser();
  const a = demo('admin@example.com');
  await web.login(a.login, a.password);
  const page = await web.get('/admin/outbox?status=failed');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`action="/admin/outbox/${id}/retry"`));
  assert.match(page.text, /550/);
  // The button: refused without the CSRF token, then queued again.
  assert.equal((await web.post(`/admin/outbox/${id}/retry`, { csrf: '0'.repeat(64) })).status, 403);
  smtp.refuse.delete(donor.email);
  const retry = await web.post(`/admin/outbox/${id}/retry`, {});
  assert.equal(retry.status, 303);
  assert.equal(retry.headers.get('location'), '/admin/outbox?done=admin_outbox_retry');
  assert.match((await web.get(retry.headers.get('location'))).text,
    /id="done">这条消息已重新排队/);
  await until(() => mailTo(donor.email).length === 1, 15000, 'the retried message');
  assert.equal(row(id)[0], 'sent');
  assertApiError(await admin.post(`/api/v1/admin/outbox/${id}/retry`), 409, 'bad_state');
  assertApiError(await admin.post('/api/v1/admin/outbox/999999999/retry'), 404, 'not_found');
});

test('the outbox is for admins only; bad filters are a 400', async () => {
  assertApiError(await (await Api.as('donor1@example.com')).get('/api/v1/admin/outbox'), 403, 'forbidden');
  assertApiError(await (await staffOf(school(0))).post('/api/v1/admin/outbox/1/retry'), 403, 'forbidden');
  const anon = await fetch(BASE + '/api/v1/admin/outbox');
  assert.equal(anon.status, 401);
  assertApiError(await admin.get('/api/v1/admin/outbox?status=lost'), 400, null, 'status');
  assertApiError(await admin.get('/api/v1/admin/outbox?page=0'), 400, null, 'page');
  const page2 = await admin.get('/api/v1/admin/outbox?page=2');
  assert.equal(page2.status, 200);
  assert.equal(page2.body.prev_page, 1);
});

test('a phone-only account gets SMS through the relay, never an e-mail row', async () => {
  const phone = '139' + String(Date.now()).slice(-8);
  const uid = sqlValue(`insert into users (role, display_name, phone) values ('donor', '短信用户',
      '${phone}') returning id`);
  sql(`select api.notify(${uid}, 'expired', jsonb_build_object('need_title', '雨伞',
      'amount', '1 把', 'due_on', '2026-01-01', 'path', '/me/pledges/1'))`);
  assert.equal(sqlValue(`select string_agg(distinct channel, ',') from notifications where user_id = ${uid}`), 'sms');
  const r = await until(() => sms.requests.find((x) => x.json?.to === phone), 15000, 'the SMS');
  assert.equal(r.type, 'application/json');
  assert.deepEqual(Object.keys(r.json).sort(), ['id', 'text', 'to']);
  assert.match(r.json.text, /认捐已过期：雨伞/);
  assert.match(r.json.text, /\/me\/pledges\/1/);
  assert.equal(row(r.json.id)[0], 'sent');
  // A relay's 5xx is tried again, its 4xx is final.
  sms.plan.set(phone, [503, 200]);
  sql(`select api.notify(${uid}, 'expired', '{"need_title": "雨伞二"}')`);
  await until(() => sms.requests.filter((x) => x.json?.to === phone && x.status === 200).length === 2,
    15000, 'the SMS after a 503');
  sms.plan.set(phone, [400]);
  const id3 = sqlValue(`insert into notifications (user_id, channel, kind, params)
      values (${uid}, 'sms', 'expired', '{"need_title": "雨伞三"}') returning id`);
  sql(`notify shop_outbox`);
  await until(() => row(id3)[0] === 'failed', 15000, 'the refused SMS');
  assert.match(row(id3)[2], /HTTP 400/);
});

test('a kind without catalogue text is refused with a clear error', async () => {
  const id = sqlValue(`insert into notifications (user_id, channel, kind, params)
      select id, 'email', 'no_such_kind', '{}' from users where email = 'donor8@example.com'
      returning id`);
  sql('notify shop_outbox');
  await until(() => row(id)[0] === 'failed', 15000, 'the refusal');
  assert.match(row(id)[2], /no text for kind no_such_kind/);
});

test('each kind can be turned off; account messages cannot; the language is chosen', async () => {
  const donor = await newDonor('prefs');
  const got = await donor.api.get('/api/v1/me/notifications');
  assert.equal(got.status, 200);
  assert.equal(got.body.prefs.digest_allowed, false);
  assert.ok(got.body.prefs.kinds.every((k) => k.on));
  assert.ok(got.body.prefs.kinds.some((k) => k.kind === 'need_expired'));
  assert.ok(!got.body.prefs.kinds.some((k) => k.kind === 'pledge_new'), 'staff kinds are not a donor\'s');
  assertApiError(await donor.api.post('/api/v1/me/notifications', { password_reset: false }), 400, null, 'password_reset');
  assertApiError(await donor.api.post('/api/v1/me/notifications', { pledge_new: false }), 400, 'not_optional', 'pledge_new');
  assertApiError(await donor.api.post('/api/v1/me/notifications', { digest: true }), 400, 'digest_staff_only', 'digest');
  assertApiError(await donor.api.post('/api/v1/me/notifications', { lang: 'fr' }), 400, null, 'lang');
  const off = await donor.api.post('/api/v1/me/notifications', { pledge_made: false });
  assert.equal(off.status, 200);
  assert.equal(off.body.prefs.kinds.find((k) => k.kind === 'pledge_made').on, false);
  assert.equal(off.body.prefs.kinds.find((k) => k.kind === 'received').on, true);
  const need = newNeed(school(3), 2, '台灯');
  const p = (await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 })).body.pledge;
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${donor.id}
      and kind = 'pledge_made'`), '0');
  // The school is still told.
  assert.equal(sqlValue(`select count(*) from notifications where kind = 'pledge_new'
      and (params->>'pledge_id')::bigint = ${p.id}`), '1');
  // The page: its form sets every kind at once (unticked boxes are off).
  const web = new Browser();
  await web.login(donor.email, donor.password);
  const page = await web.get('/me/notifications');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('name="received"'));
  const saved = await web.post('/me/notifications', { lang: 'en', received: '1' });
  assert.equal(saved.status, 303);
  const now = (await donor.api.get('/api/v1/me/notifications')).body.prefs;
  assert.equal(now.lang, 'en');
  assert.deepEqual(now.kinds.filter((k) => k.on).map((k) => k.kind), ['received']);
  assert.equal((await web.post('/me/notifications', { lang: 'en', csrf: '0'.repeat(64) })).status, 403);
  assert.equal((await fetch(BASE + '/api/v1/me/notifications')).status, 401);
});

test('staff may choose a daily digest: the day\'s messages become one', async () => {
  const org = school(4);
  const staff = await staffOf(org);
  const addr = `org${org}@example.com`;
  const me = await staff.get('/api/v1/me/notifications');
  assert.equal(me.body.prefs.digest_allowed, true);
  assert.equal((await staff.post('/api/v1/me/notifications', { digest: true })).status, 200);
  const donor = await newDonor('digest');
  const need = newNeed(org, 4, '篮球');
  await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1, message: '加油' });
  await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 2 });
  const held = sql(`select n.id, n.kind from notifications n join users u on u.id = n.user_id
      where u.email = '${addr}' and n.status = 'held' order by n.id`);
  assert.deepEqual(held.map((h) => h[1]), ['pledge_new', 'pledge_message', 'pledge_new']);
  // The donor's own confirmation is not held.
  assert.equal(sqlValue(`select status from notifications where user_id = ${donor.id}
      and kind = 'pledge_made' limit 1`) === 'held', false);
  // The digest hour passed since they were written: one message lists them.
  sql(`update notifications set created_at = created_at - interval '2 days'
      where id in (${held.map((h) => h[0]).join(',')})`);
  const d = await until(() => mailTo(addr).find((x) => /今日汇总/.test(x.mail.subject)), 20000,
    'the digest');
  assert.match(d.mail.subject, /3 条消息/);
  assert.equal((d.mail.text.match(/新的认捐：篮球/g) ?? []).length, 2);
  assert.match(d.mail.text, /捐赠人留言待审核：篮球/);
  assert.equal(sqlValue(`select count(*) from notifications where id in (${held.map((h) => h[0]).join(',')})
      and status = 'folded' and digest_id is not null`), '3');
  assert.equal((await staff.post('/api/v1/me/notifications', { digest: false })).status, 200);
});

test('the school hears of deliveries, disputes and objections; admins of objections', async () => {
  const org = school(5);
  const staff = await staffOf(org);
  const donor = await newDonor('flow');
  const need = newNeed(org, 3, '毛毯');
  const p = (await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 })).body.pledge;
  await donor.api.post(`/api/v1/pledges/${p.id}/deliver`, { method: 'school' });
  const kinds = () => sql(`select n.kind from notifications n join users u on u.id = n.user_id
      where u.org_id = ${org} and (n.params->>'pledge_id')::bigint = ${p.id} order by n.id`).map((x) => x[0]);
  assert.deepEqual(kinds(), ['pledge_new', 'pledge_delivered']);
  assert.equal((await staff.post(`/api/v1/pledges/${p.id}/dispute`, { reason: '没有收到' })).status, 200);
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${donor.id} and kind = 'disputed'`), '1');
  assert.equal((await staff.post(`/api/v1/pledges/${p.id}/receive`, { thank_you: '谢谢您的毛毯' })).status, 200);
  const received = await until(() => mailTo(donor.email).find((x) => /学校已收到/.test(x.mail.subject)),
    15000, 'the thank-you');
  assert.match(received.mail.text, /谢谢您的毛毯/);
  assert.match(received.mail.text, new RegExp(`/me/pledges/${p.id}`));
  // An objection during a need's notice: its school, and the admins.
  const onNotice = newNeed(org, 1, '公示中的需求', 'notice');
  const o = await fetch(`${BASE}/api/v1/needs/${onNotice}/objections`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: '情况不属实，请核实' }) });
  assert.equal(o.status, 201);
  assert.ok(Number(sqlValue(`select count(*) from notifications n join users u on u.id = n.user_id
      where u.org_id = ${org} and n.kind = 'objection' and (n.params->>'need_id')::bigint = ${onNotice}`)) >= 1);
  assert.ok(Number(sqlValue(`select count(*) from notifications n join users u on u.id = n.user_id
      where u.role = 'admin' and n.kind = 'objection_waiting' and (n.params->>'need_id')::bigint = ${onNotice}`)) >= 1);
  // Nothing of the objection's text or contact is in a message.
  assert.equal(sqlValue(`select count(*) from notifications where params::text like '%情况不属实%'`), '0');
});

test('a need that expires with live pledges: they stay valid, their donors are told', async () => {
  const donor = await newDonor('closed');
  const need = newNeed(school(6), 5, '过期的需求');
  const p = (await donor.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 2 })).body.pledge;
  sql(`update needs set deadline = current_date - 1 where id = ${need}`);
  await until(() => sqlValue(`select status from needs where id = ${need}`) === 'expired', 15000, 'the expiry');
  assert.equal(sqlValue(`select status from pledges where id = ${p.id}`), 'pledged');
  const m = await until(() => mailTo(donor.email).find((x) => /需求已截止/.test(x.mail.subject)),
    15000, 'the donor told');
  assert.match(m.mail.text, /仍然有效/);
  // The pledge can still be delivered and received.
  assert.equal((await donor.api.post(`/api/v1/pledges/${p.id}/deliver`, { method: 'school' })).status, 200);
});

test('a reset link or a code is kept in the outbox only an hour after it went out', async () => {
  // The SMTP sender of the tests above is still running.
  assert.ok(sender, 'runs after the SMTP tests');
  const user = sqlValue(`select id from users where email = 'donor1@example.com'`);
  const [old, recent] = ['2 hours', '1 minute'].map((age) => sqlValue(`insert into notifications
      (user_id, channel, kind, params, status, sent_at, created_at)
      values (${user}, 'email', 'password_reset', '{"link": "http://x/?token=secret"}',
        'sent', now() - interval '${age}', now() - interval '${age}') returning id`));
  await until(() => sqlValue(`select params = '{}' from notifications where id = ${old}`) === 't',
    15000, 'the old link to be emptied');
  assert.equal(sqlValue(`select params->>'link' from notifications where id = ${recent}`),
    'http://x/?token=secret');
});
