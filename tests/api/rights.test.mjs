// Personal-information rights (issue 18, item 3): the privacy notice
// accepted at registration with its version; a change of e-mail address
// or phone that waits for the new one to be verified; the download of
// everything held about an account; its deletion, refused while a pledge
// is in progress, then pseudonymised with every session ended; and for
// children the guardian's withdrawal of consent, purged by the periodic
// job once the retention period (set to 0 here) is over.
import { test, before, after } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue, sendJson, assertApiError, schoolOf } from '../lib/env.mjs';
import { parseCsv } from '../lib/files.mjs';
import { Api, Browser, freshEmail } from '../lib/session.mjs';

const PASSWORD = 'rights password 1';
let admin, school, otherSchool, donorOther;
const ids = {};

async function register(over = {}) {
  const email = freshEmail('rights');
  const r = await sendJson('POST', '/api/v1/register', { privacy_version: 1,
    display_name: '权利测试', email, password: PASSWORD, ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { email, api: new Api(r.body.token), id: r.body.user.id };
}

const openNeed = () => sqlValue(`select id from needs where status = 'open'
    and kind = 'goods' and quantity - pledged > 5 order by id limit 1`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  admin = await Api.as('admin@example.com');
  ids.school = schoolOf('wangwu');
  ids.otherSchool = schoolOf('potou');
  school = await Api.as(`org${ids.school}@example.com`);
  otherSchool = await Api.as(`org${ids.otherSchool}@example.com`);
  donorOther = await Api.as('donor4@example.com');
  ids.retention = sqlValue(`select value from settings
      where key = 'child_private_retention_days'`);
});

after(async () => {
  // The retention as it was, for the tests after this one.
  await admin.post('/api/v1/settings', { child_private_retention_days:
    Number(ids.retention) });
});

test('the privacy notice is public, versioned, and says what deletion keeps', async () => {
  const r = await sendJson('GET', '/api/v1/privacy');
  assert.equal(r.status, 200);
  assert.equal(r.body.notice.version, 1);
  const text = r.body.notice.paragraphs.join('\n');
  assert.match(text, /化名/);
  assert.match(text, /公开日志/);
  assert.match(text, /保留期/);
  const page = await fetch(BASE + '/privacy');
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /个人信息保护告知书/);
  assert.match(html, /版本 1/);
  const en = await (await fetch(BASE + '/privacy', { headers: { 'accept-language': 'en' } })).text();
  assert.match(en, /pseudonym/);
  // The registration form links to it and asks for it.
  const form = await (await fetch(BASE + '/register')).text();
  assert.match(form, /name="privacy_version" value="1" required/);
});

test('registration without accepting the notice is refused, and writes nothing', async () => {
  const email = freshEmail('noconsent');
  const body = { display_name: '未同意', email, password: PASSWORD };
  assertApiError(await sendJson('POST', '/api/v1/register', body), 400,
    'privacy_consent_required', 'privacy_version');
  assertApiError(await sendJson('POST', '/api/v1/register', { ...body, privacy_version: 2 }),
    400, 'privacy_version_stale', 'privacy_version');
  assert.equal(sqlValue(`select count(*) from users where email = '${email}'`), '0');
  // The form, without its box ticked: the form again with the message.
  const b = new Browser();
  await b.get('/register');
  const r = await b.post('/register', { display_name: '未同意', email,
    password: PASSWORD, password2: PASSWORD });
  assert.equal(r.status, 400);
  assert.match(r.text, /请阅读并同意个人信息保护告知书/);
  assert.equal(sqlValue(`select count(*) from users where email = '${email}'`), '0');
  // Accepted: the version is recorded with the account.
  const ok = await register();
  assert.equal(sqlValue(`select privacy_version from users where id = ${ok.id}`), '1');
  const me = await ok.api.get('/api/v1/me');
  assert.equal(me.body.user.privacy_version, 1);
});

test('a new e-mail address replaces the old one only once its link comes back', async () => {
  const d = await register();
  const next = freshEmail('moved');
  assertApiError(await d.api.post('/api/v1/me/contact', { email: d.email }), 400,
    'contact_unchanged');
  assertApiError(await d.api.post('/api/v1/me/contact', {}), 400, 'contact_required');
  assertApiError(await d.api.post('/api/v1/me/contact', { email: 'admin@example.com' }),
    409, 'account_exists');
  const r = await d.api.post('/api/v1/me/contact', { email: next });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.channel, 'email');
  // Nothing changed yet; the link went to the new address.
  assert.equal(sqlValue(`select email from users where id = ${d.id}`), d.email);
  const [link, to] = sql(`select params->>'link', to_addr from notifications
      where user_id = ${d.id} and to_addr is not null order by id desc limit 1`)[0];
  assert.equal(to, next);
  const data = await d.api.get('/api/v1/me/data');
  assert.deepEqual(data.body.contact_pending, { email: next });
  const token = new URL(link).searchParams.get('token');
  const v = await sendJson('POST', '/api/v1/verify/email', { token });
  assert.equal(v.status, 200, JSON.stringify(v.body));
  assert.equal(sqlValue(`select email from users where id = ${d.id}`), next);
  assert.equal(sqlValue(`select email_verified_at is not null from users where id = ${d.id}`), 't');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'contact_change'
      and target_id = ${d.id}`), '1');
  // The old address signs in no more; the new one does.
  const login = await sendJson('POST', '/api/v1/login', { identifier: d.email, password: PASSWORD });
  assert.equal(login.status, 401);
  await Api.login(next, PASSWORD);
  // Addressed to the new address, not the old one: as the run's sender
  // wrote it (no SMTP server here: a file), or, when no sender runs (the
  // outbox tests stop it), as a sender would claim it (rolled back).
  const msg = sqlValue(`select id from notifications where to_addr = '${next}'`);
  const file = `${process.env.TEST_VAR}/mail/outbox-${msg}.eml`;
  for (let i = 0; i < 20 && !existsSync(file); i++) await sleep(250);
  if (existsSync(file)) {
    const eml = readFileSync(file, 'utf8');
    // The header may be folded onto a second line.
    const to = eml.match(/^To:.*(\r\n[ \t].*)*/m)[0];
    assert.ok(to.includes(`<${next}>`), to);
    assert.ok(!eml.includes(d.email));
  } else {
    // This message first in the queue (in the same rolled-back
    // transaction): the pledges of earlier test files may have left
    // more than a claim's 500 waiting before it.
    const claimed = JSON.parse(sql(`begin;
        update notifications set next_attempt_at = '-infinity' where id = ${msg};
        select replace(api.outbox_claim(1, 60), E'\n', ' '); rollback;`)[0][0]);
    assert.equal(claimed.find((m) => m.id === Number(msg)).to, next);
  }
});

test('a new phone is verified by the code sent to it', async () => {
  const d = await register();
  const phone = '139' + String(Date.now() % 1e8).padStart(8, '0');
  const r = await d.api.post('/api/v1/me/contact', { phone });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.channel, 'sms');
  const [code, to, channel] = sql(`select params->>'code', to_addr, channel from notifications
      where user_id = ${d.id} and to_addr is not null order by id desc limit 1`)[0];
  assert.equal(to, phone);
  assert.equal(channel, 'sms');
  assert.equal(sqlValue(`select phone from users where id = ${d.id}`), null);
  assertApiError(await d.api.post('/api/v1/me/verify/code',
    { verify_code: code === '000000' ? '000001' : '000000' }), 400, 'bad_code');
  const ok = await d.api.post('/api/v1/me/verify/code', { verify_code: code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.ok, true);
  assert.equal(sqlValue(`select phone from users where id = ${d.id}`), phone);
  // The e-mail address stays: a phone was added beside it.
  assert.equal(sqlValue(`select email from users where id = ${d.id}`), d.email);
});

test('the download holds the account, its pledges, messages and audit entries, and no one else\'s', async () => {
  const d = await register({ affiliation: '导出测试公司' });
  const need = openNeed();
  const p = await d.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const theirs = await donorOther.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal(theirs.status, 201);
  await d.api.post('/api/v1/me/contact', { email: freshEmail('exp') });
  sql(`insert into audit_log (actor_id, actor_role, action, target_type, target_id)
      values (null, 'admin', 'test_about_donor', 'user', ${d.id})`);
  const r = await d.api.get('/api/v1/me/export');
  assert.equal(r.status, 200);
  const x = r.body.data;
  assert.equal(x.account.email, d.email);
  assert.equal(x.account.affiliation, '导出测试公司');
  assert.equal(x.account.privacy_version, 1);
  assert.deepEqual(x.pledges.map((q) => q.id), [p.body.pledge.id]);
  assert.equal(x.pledges[0].need_id, Number(need));
  assert.ok(x.pledges[0].events.length >= 1);
  assert.ok(x.sessions.length >= 1);
  // The messages: the verification link's message is there, without its link.
  assert.ok(x.notifications.length >= 2);
  assert.ok(x.notifications.some((n) => n.kind === 'verify_email'));
  assert.ok(!JSON.stringify(x.notifications).includes('token='));
  assert.ok(x.audit.some((a) => a.action === 'test_about_donor'));
  assert.ok(!JSON.stringify(x).includes(String(theirs.body.pledge.receipt_code)));
  // The same as CSV, one row per value.
  const csv = await d.api.get('/api/v1/me/export.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const rows = parseCsv(csv.body);
  assert.deepEqual(rows[0], ['部分 part', '编号 id', '项目 field', '值 value']);
  assert.ok(rows.some((row) => row[0] === 'account' && row[2] === 'email' && row[3] === d.email));
  assert.ok(rows.some((row) => row[0] === 'pledges' && row[1] === String(p.body.pledge.id)
    && row[2] === 'status' && row[3] === 'pledged'));
  assert.ok(rows.some((row) => row[0] === 'audit' && row[3] === 'test_about_donor'));
  const xlsx = await fetch(BASE + '/api/v1/me/export.xlsx',
    { headers: { authorization: 'Bearer ' + d.api.token } });
  assert.equal(xlsx.status, 200);
  assert.equal((await xlsx.arrayBuffer()).byteLength > 100, true);
  // Nobody signed in gets nothing.
  assertApiError(await sendJson('GET', '/api/v1/me/export'), 401, 'login_required');
  assertApiError(await sendJson('GET', '/api/v1/me/data'), 401, 'login_required');
});

test('deletion is refused while a pledge is in progress, then pseudonymises and ends every session', async () => {
  const d = await register({ affiliation: '注销测试公司' });
  const second = await Api.login(d.email, PASSWORD);
  const need = openNeed();
  const p = await d.api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const pledged = sqlValue(`select pledged from needs where id = ${need}`);
  assertApiError(await d.api.post('/api/v1/me/delete', {}), 400, 'required', 'confirm');
  assertApiError(await d.api.post('/api/v1/me/delete', { confirm: true }), 409,
    'account_has_open_pledges');
  const page = await d.api.get('/api/v1/me/data');
  assert.equal(page.body.can_delete, false);
  assert.equal(page.body.open_pledges, 1);
  assert.equal(sqlValue(`select email from users where id = ${d.id}`), d.email);
  // Staff and admins are disabled by an admin, not deleted by themselves.
  assertApiError(await school.post('/api/v1/me/delete', { confirm: true }), 403, 'forbidden');
  // Cancelled, the pledge is settled: now the account goes.
  assert.equal((await d.api.post(`/api/v1/pledges/${p.body.pledge.id}/cancel`)).status, 200);
  const r = await d.api.post('/api/v1/me/delete', { confirm: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [name, email, phone, hash, aff, deleted] = sql(`select display_name, email, phone,
      password_hash, affiliation, deleted_at is not null from users where id = ${d.id}`)[0];
  assert.equal(name, `已注销用户 ${d.id}`);
  assert.deepEqual([email, phone, hash, aff, deleted], ['', '', '', '', 't']);
  assert.equal(sqlValue(`select count(*) from sessions where user_id = ${d.id}`), '0');
  assertApiError(await d.api.get('/api/v1/me'), 401, 'login_required');
  assertApiError(await second.get('/api/v1/me'), 401, 'login_required');
  const login = await sendJson('POST', '/api/v1/login', { identifier: d.email, password: PASSWORD });
  assert.equal(login.status, 401);
  // The fund's records stay, with the pseudonym; the shelf is whole.
  assert.equal(sqlValue(`select donor_id from pledges where id = ${p.body.pledge.id}`), String(d.id));
  assert.equal(sqlValue(`select pledged from needs where id = ${need}`), String(Number(pledged) - 1));
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'account_delete'
      and target_id = ${d.id}`), '1');
  assert.ok(!JSON.stringify(sql(`select params, subject, body from notifications
      where user_id = ${d.id}`)).includes('权利测试'));
  // The address is free again.
  await register({ email: d.email });
});

test('a guardian\'s withdrawal of consent archives the child, and the job purges its private part', async () => {
  const r = await school.post('/api/v1/branch/children', {
    alias: '撤回测试', birth_year: 2013, gender: 'm', school_stage: 'primary',
    poverty_level: 'poor', cause_illness: true, cause_left_behind: true, left_behind: true,
    consent: true, consent_on: '2026-09-01',
    real_name: '撤回真名', id_number: '11010519491231002X', guardian: '撤回监护人',
    guardian_relation: '父亲', phone: '0391-6612345', address: '王屋镇某村', notes: '无' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  // An edit, so that the history holds a sealed former private part.
  const child = (await school.get(`/api/v1/branch/children/${id}`)).body;
  assert.ok(child.child.has_private);
  assert.equal(sqlValue(`select count(*) from beneficiary_private where beneficiary_id = ${id}`), '1');
  sql(`insert into beneficiary_history (beneficiary_id, action, prev_key_id, prev_nonce, prev_sealed)
      select beneficiary_id, 'update', key_id, nonce, sealed from beneficiary_private
      where beneficiary_id = ${id}`);
  // Who may not.
  assertApiError(await donorOther.post(`/api/v1/branch/children/${id}/withdraw`), 403, 'forbidden');
  assertApiError(await otherSchool.post(`/api/v1/branch/children/${id}/withdraw`), 404, 'not_found');
  assertApiError(await sendJson('POST', `/api/v1/branch/children/${id}/withdraw`, {}), 401);
  // The retention period, 0 days: purged at the job's next run.
  assertApiError(await admin.post('/api/v1/settings', { child_private_retention_days: -1 }),
    400);
  assert.equal((await admin.post('/api/v1/settings', { child_private_retention_days: 0 })).status, 200);
  const w = await school.post(`/api/v1/branch/children/${id}/withdraw`);
  assert.equal(w.status, 200, JSON.stringify(w.body));
  assert.equal(w.body.consent_withdrawn, true);
  assert.equal(sqlValue(`select archived_at is not null from beneficiaries where id = ${id}`), 't');
  assertApiError(await school.post(`/api/v1/branch/children/${id}/withdraw`), 409, 'consent_withdrawn');
  assertApiError(await school.post(`/api/v1/branch/children/${id}/unarchive`), 409, 'consent_withdrawn');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'child_consent_withdraw'
      and target_id = ${id}`), '1');
  // The periodic job (every second in the tests) purges it.
  let purged = false;
  for (let i = 0; i < 60 && !purged; i++) {
    purged = sqlValue(`select private_purged_at is not null from beneficiaries where id = ${id}`) === 't';
    if (!purged) await sleep(250);
  }
  assert.ok(purged, 'the job purged the private part');
  assert.equal(sqlValue(`select count(*) from beneficiary_private where beneficiary_id = ${id}`), '0');
  assert.equal(sqlValue(`select count(*) from beneficiary_history where beneficiary_id = ${id}
      and prev_sealed is not null`), '0');
  const audit = sql(`select actor_id, detail from audit_log where action = 'child_private_purge'
      and target_id = ${id}`);
  assert.equal(audit.length, 1);
  assert.equal(audit[0][0], '');
  const after = await school.get(`/api/v1/branch/children/${id}`);
  assert.equal(after.body.child.has_private, false);
  assert.equal(after.body.child.private_purged, true);
  assert.ok(after.body.history.some((h) => h.action === 'private_purged'));
  const priv = await school.get(`/api/v1/branch/children/${id}/private`);
  assert.equal(priv.status, 200);
  assert.ok(!JSON.stringify(priv.body).includes('撤回真名'));
  // The history stays append-only for anything but the purge.
  assert.throws(() => sql(`update beneficiary_history set action = 'create'
      where beneficiary_id = ${id}`, { quiet: true }), /append-only/);
  assert.throws(() => sql(`delete from beneficiary_history where beneficiary_id = ${id}`,
    { quiet: true }), /append-only/);
});
