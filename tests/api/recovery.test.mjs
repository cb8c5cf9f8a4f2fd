// Accounts that can be recovered (issue 12, item 4): a forgotten password,
// links that work once, verification of e-mail and phone, the open
// pledges of an unverified donor, invitations instead of typed passwords.
// The messages are read from the outbox as the owner: a token exists
// only there (its hash in account_tokens).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql, sqlValue, assertApiError, BASE, sendJson } from '../lib/env.mjs';
import { Api, Browser, demo, freshEmail } from '../lib/session.mjs';

const json = sendJson;

const PASSWORD = 'first password 123';

// A new donor (signed in); e-mail, or a phone when phone is true.
async function donor(phone = false) {
  const login = phone ? freshPhone() : freshEmail('rec');
  const r = await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '找回测试',
    [phone ? 'phone' : 'email']: login, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { login, api: new Api(r.body.token),
    id: sqlValue(`select id from users where email = lower('${login}') or phone = '${login}'`) };
}

let phones = 0;
function freshPhone() {
  for (;;) {
    const p = '139' + String((process.pid * 7919 + Date.now() + ++phones * 104729) % 1e8)
      .padStart(8, '0');
    if (sqlValue(`select count(*) from users where phone = '${p}'`) === '0') return p;
  }
}

// The latest message of a kind to the account whose e-mail or phone is
// login: { id, channel, params }, or null.
function outbox(login, kind) {
  const v = sqlValue(`select json_build_object('id', n.id, 'channel', n.channel,
      'params', n.params) from notifications n join users u on u.id = n.user_id
    where (u.email = lower('${login}') or u.phone = '${login}') and n.kind = '${kind}'
    order by n.id desc limit 1`);
  return v ? JSON.parse(v) : null;
}

// The token of the latest link of a kind to login, checked for its form.
function token(login, kind, path = '/password/reset') {
  const m = outbox(login, kind);
  assert.ok(m, `a ${kind} message to ${login}`);
  const url = new URL(m.params.link);
  assert.equal(url.origin + url.pathname, BASE + path);
  const t = url.searchParams.get('token');
  assert.match(t, /^[0-9a-f]{64}$/);
  return t;
}

const forgot = (identifier) => json('POST', '/api/v1/password/forgot', { identifier });
const reset = (tok, password) => json('POST', '/api/v1/password/reset',
  { token: tok, password });
const unthrottle = () => sql(`delete from login_throttle where key like 'forgot%'
    or key like 'verify:%'`);
const counts = () => sqlValue(`select (select count(*) from account_tokens) || '/' ||
    (select count(*) from notifications) || '/' || (select count(*) from users)`);

after(unthrottle);

test('forgot: a known and an unknown account get the same answer', async () => {
  unthrottle();
  const d = await donor();
  const known = await forgot(d.login);
  const unknown = await forgot(freshEmail('nobody'));
  assert.equal(known.status, 200, JSON.stringify(known.body));
  assert.equal(unknown.status, 200);
  assert.deepEqual(known.body, unknown.body);
  assert.deepEqual([...known.headers.keys()].sort(), [...unknown.headers.keys()].sort());
  // Only the known account got a link: to the public address, 30 minutes,
  // by e-mail.
  const m = outbox(d.login, 'password_reset');
  assert.equal(m.channel, 'email');
  assert.equal(m.params.minutes, 30);
  const t = token(d.login, 'password_reset');
  // Only the token's SHA-256 is stored, never the token; the audit log
  // has the request, not the token.
  assert.equal(sqlValue(`select count(*) from account_tokens where token_hash =
      sha256(convert_to('${t}', 'UTF8')) and purpose = 'reset'
      and expires_at between now() + interval '29 minutes' and now() + interval '30 minutes'`), '1');
  assert.equal(sqlValue(`select count(*) from account_tokens where token_hash = decode('${t}', 'hex')`), '0');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'password_reset_requested'
      and target_id = ${d.id}`), '1');
  assert.equal(sqlValue(`select count(*) from audit_log where detail::text like '%${t}%'`), '0');
  // The message is not listed on /me: a link there would prove nothing.
  const me = await d.api.get('/api/v1/me');
  assert.ok(!me.body.notifications.some((n) => n.kind === 'password_reset'));
});

test('forgot takes about as long for an unknown account as for a known one', async () => {
  unthrottle();
  const known = [];
  for (let i = 0; i < 5; i++) known.push((await donor()).login);
  const time = async (id) => { const t0 = performance.now();
    assert.equal((await forgot(id)).status, 200); return performance.now() - t0; };
  const a = [], b = [];
  for (let i = 0; i < 5; i++) {
    a.push(await time(known[i]));
    b.push(await time(freshEmail('ghost')));
  }
  const median = (x) => x.sort((p, q) => p - q)[2];
  assert.ok(Math.abs(median(a) - median(b)) < 50, `known ${a} unknown ${b}`);
  unthrottle();
});

test('a link works once: the password is set and every session ends', async () => {
  unthrottle();
  const d = await donor();
  const other = await Api.login(d.login, PASSWORD);
  assert.equal((await forgot(d.login)).status, 200);
  const t = token(d.login, 'password_reset');
  // The page shows the form for a live link, with only its origin as
  // Referer for what it leads to.
  const page = await fetch(`${BASE}/password/reset?token=${t}`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('referrer-policy'), 'origin');
  const html = await page.text();
  assert.match(html, new RegExp(`name="token" value="${t}"`));
  assert.match(html, /设置新密码/);

  const r = await reset(t, 'a brand new secret');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { ok: true, invite: false, login: d.login });
  assertApiError(await d.api.get('/api/v1/me'), 401, 'login_required');
  assertApiError(await other.get('/api/v1/me'), 401, 'login_required');
  assert.equal(sqlValue(`select count(*) from sessions where user_id = ${d.id}`), '0');
  assert.equal((await json('POST', '/api/v1/login', { identifier: d.login, password: PASSWORD })).status, 401);
  await Api.login(d.login, 'a brand new secret');
  // Once.
  assertApiError(await reset(t, 'yet another secret'), 400, 'bad_token', 'token');
  const again = await fetch(`${BASE}/password/reset?token=${t}`);
  assert.equal(again.status, 400);
  const text = await again.text();
  assert.match(text, /链接无效或已过期/);
  assert.match(text, /href="\/password\/forgot"/);
  assert.ok(!text.includes(t));
  await Api.login(d.login, 'a brand new secret');
  // Audit-logged, without the token.
  const audit = sql(`select actor_id, detail::text from audit_log where action = 'password_reset'
      and target_id = ${d.id}`);
  assert.deepEqual(audit, [[d.id, '{}']]);
  unthrottle();
});

test('an expired link, a replaced link, a disabled account: refused, nothing changes', async () => {
  unthrottle();
  const d = await donor();
  const hash = () => sqlValue(`select password_hash from users where id = ${d.id}`);
  const before = hash();
  await forgot(d.login);
  const first = token(d.login, 'password_reset');
  sql(`update account_tokens set expires_at = now() - interval '1 second'
      where token_hash = sha256(convert_to('${first}', 'UTF8'))`);
  assertApiError(await reset(first, 'a brand new secret'), 400, 'bad_token', 'token');
  // A newer link replaces the one before.
  sql(`update account_tokens set expires_at = now() + interval '10 minutes'
      where token_hash = sha256(convert_to('${first}', 'UTF8'))`);
  await forgot(d.login);
  const second = token(d.login, 'password_reset');
  assertApiError(await reset(first, 'a brand new secret'), 400, 'bad_token', 'token');
  assert.equal(hash(), before);
  // Disabled: the link dies, and no new one is sent.
  const admin = await Api.as('admin@example.com');
  assert.equal((await admin.post(`/api/v1/users/${d.id}/disable`)).status, 200);
  assertApiError(await reset(second, 'a brand new secret'), 400, 'bad_token', 'token');
  const n = outbox(d.login, 'password_reset').id;
  assert.equal((await forgot(d.login)).status, 200);
  assert.equal(outbox(d.login, 'password_reset').id, n);
  assert.equal((await admin.post(`/api/v1/users/${d.id}/enable`)).status, 200);
  assertApiError(await reset(second, 'a brand new secret'), 400, 'bad_token', 'token');
  assert.equal(hash(), before);
  unthrottle();
});

test('forgot is throttled per identifier and per address, known or not', async () => {
  unthrottle();
  const d = await donor();
  for (const id of [d.login, freshEmail('ghost')]) {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await forgot(id)).status);
    assert.deepEqual(seen, [200, 200, 200, 429], id);
    const r = await forgot(id.toUpperCase());
    assertApiError(r, 429, 'too_many_attempts');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
  // Only three links went to the account.
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${d.id}
      and kind = 'password_reset'`), '3');
  unthrottle();
  // From one address: 20 a quarter of an hour, whatever is typed.
  const seen = [];
  for (let i = 0; i < 21; i++) seen.push((await forgot(freshEmail('flood'))).status);
  assert.deepEqual(seen, [...Array(20).fill(200), 429]);
  unthrottle();
});

test('bad input: 400 naming the field, and nothing written', async () => {
  unthrottle();
  const d = await donor();
  await forgot(d.login);
  const t = token(d.login, 'password_reset');
  const before = counts();
  const cases = [
    ['/api/v1/password/forgot', { identifier: 'nobody' }, 'bad_identifier', 'identifier'],
    ['/api/v1/password/forgot', { identifier: '1380013800' }, 'bad_identifier', 'identifier'],
    ['/api/v1/password/forgot', {}, 'required', 'identifier'],
    ['/api/v1/password/forgot', { identifier: d.login, password: 'x' }, 'unknown_field', 'password'],
    ['/api/v1/password/forgot', { identifier: ['x'] }, 'bad_type', 'identifier'],
    ['/api/v1/password/reset', { token: 'xyz', password: 'a long new secret' }, 'bad_token', 'token'],
    ['/api/v1/password/reset', { token: t.toUpperCase(), password: 'a long new secret' }, 'bad_token', 'token'],
    ['/api/v1/password/reset', { password: 'a long new secret' }, 'required', 'token'],
    ['/api/v1/password/reset', { token: t, password: 'short' }, 'too_short', 'password'],
    ['/api/v1/password/reset', { token: t, password: 'x'.repeat(129) }, 'too_long', 'password'],
    ['/api/v1/password/reset', { token: t }, 'required', 'password'],
    ['/api/v1/verify/email', { token: 'abc' }, 'bad_token', 'token'],
    ['/api/v1/verify/email', {}, 'required', 'token'],
  ];
  for (const [path, body, code, field] of cases)
    assertApiError(await json('POST', path, body), 400, code, field);
  assertApiError(await d.api.post('/api/v1/me/verify/code', { verify_code: '12a456' }),
    400, 'bad_code', 'verify_code');
  assertApiError(await d.api.post('/api/v1/me/verify/code', { verify_code: '1234567' }),
    400, 'bad_code', 'verify_code');
  assertApiError(await d.api.post('/api/v1/me/verify/code', {}), 400, 'required', 'verify_code');
  assertApiError(await d.api.post('/api/v1/me/verify', { x: 1 }), 400, 'unknown_field', 'x');
  // GET on the API, and pages that take no POST.
  assert.equal((await json('GET', '/api/v1/password/forgot')).status, 405);
  assert.equal((await fetch(BASE + '/verify/email', { method: 'POST' })).status, 405);
  assert.equal(counts(), before);
  // The token was never used by any of them.
  assert.equal((await reset(t, 'a long new secret')).status, 200);
  unthrottle();
});

test('the forms: forgot, sent, reset with its message, then sign in', async () => {
  unthrottle();
  const d = await donor();
  const b = new Browser();
  const page = await b.get('/password/forgot');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('referrer-policy'), 'origin');
  assert.equal((await b.post('/password/forgot', { identifier: d.login, csrf: '0'.repeat(64) })).status, 403);
  const bad = await b.post('/password/forgot', { identifier: 'not an address' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /请填写有效的邮箱或 11 位手机号/);
  assert.match(bad.text, /value="not an address"/);
  const r = await b.post('/password/forgot', { identifier: d.login });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/password/forgot?done=password_forgot');
  assert.match((await b.get('/password/forgot?done=password_forgot')).text, /设置新密码的链接已经发出/);

  const t = token(d.login, 'password_reset');
  await b.get(`/password/reset?token=${t}`);
  const mismatch = await b.post('/password/reset', { token: t, password: 'a brand new secret',
    password2: 'another one entirely' });
  assert.equal(mismatch.status, 400);
  assert.match(mismatch.text, /两次输入的密码不一致/);
  assert.match(mismatch.text, new RegExp(`name="token" value="${t}"`));
  const ok = await b.post('/password/reset', { token: t, password: 'a brand new secret',
    password2: 'a brand new secret' });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  assert.equal(ok.headers.get('location'), '/login?done=password_reset');
  assert.match((await b.get('/login?done=password_reset')).text, /新密码已设置/);
  await b.login(d.login, 'a brand new secret');
  // A used link: the form is gone, a way to ask again is there.
  const used = await b.get(`/password/reset?token=${t}`);
  assert.equal(used.status, 400);
  assert.ok(!used.text.includes('name="password"'));
  unthrottle();
});

test('registration sends a link to the e-mail address, which verifies it', async () => {
  unthrottle();
  const d = await donor();
  const m = outbox(d.login, 'verify_email');
  assert.equal(m.channel, 'email');
  assert.equal(m.params.days, 3);
  const t = token(d.login, 'verify_email', '/verify/email');
  let me = (await d.api.get('/api/v1/me')).body.user;
  assert.equal(me.verified, false);
  assert.equal(me.verify_by, 'email');
  assert.ok(!(await d.api.get('/api/v1/me')).body.notifications.some((n) => n.kind === 'verify_email'));
  // The link, opened anywhere (no session).
  const page = await fetch(`${BASE}/verify/email?token=${t}`, { redirect: 'manual' });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /邮箱已验证/);
  me = (await d.api.get('/api/v1/me')).body.user;
  assert.equal(me.verified, true);
  assert.ok(sqlValue(`select email_verified_at from users where id = ${d.id}`));
  // Opened again (a mail scanner may have been first): the same answer.
  assert.equal((await fetch(`${BASE}/verify/email?token=${t}`)).status, 200);
  // Verified: no more links.
  assertApiError(await d.api.post('/api/v1/me/verify'), 409, 'already_verified');
  // A link that is not one.
  const bad = await fetch(`${BASE}/verify/email?token=${'0'.repeat(64)}`);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /链接无效或已过期/);
  assert.equal((await fetch(`${BASE}/verify/email?token=zz`)).status, 400);
  assert.equal((await fetch(`${BASE}/verify/email`)).status, 400);

  // Through the API, and an expired link.
  const e = await donor();
  const te = token(e.login, 'verify_email', '/verify/email');
  sql(`update account_tokens set expires_at = now() - interval '1 second'
      where user_id = ${e.id} and purpose = 'verify_email'`);
  assertApiError(await json('POST', '/api/v1/verify/email', { token: te }), 400, 'bad_token', 'token');
  // A new link (the resend) works; the old one stays dead.
  assert.equal((await e.api.post('/api/v1/me/verify')).status, 200);
  const te2 = token(e.login, 'verify_email', '/verify/email');
  assert.notEqual(te2, te);
  const ok = await json('POST', '/api/v1/verify/email', { token: te2 });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { ok: true, email: e.login });
  unthrottle();
});

test('a phone-only donor verifies with the code sent by SMS; wrong codes are counted', async () => {
  unthrottle();
  const d = await donor(true);
  const m = outbox(d.login, 'verify_phone');
  assert.equal(m.channel, 'sms');
  assert.match(m.params.code, /^[0-9]{6}$/);
  assert.equal((await d.api.get('/api/v1/me')).body.user.verify_by, 'sms');
  const wrong = m.params.code === '000000' ? '000001' : '000000';
  assertApiError(await d.api.post('/api/v1/me/verify/code', { verify_code: wrong }),
    400, 'bad_code', 'verify_code');
  assert.equal(sqlValue(`select attempts from account_tokens where user_id = ${d.id}
      and purpose = 'verify_phone'`), '1');
  assert.equal(sqlValue(`select phone_verified_at is null from users where id = ${d.id}`), 't');
  const ok = await d.api.post('/api/v1/me/verify/code', { verify_code: m.params.code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await d.api.get('/api/v1/me')).body.user.verified, true);
  assert.equal(sqlValue(`select phone_verified_at is not null from users where id = ${d.id}`), 't');
  assertApiError(await d.api.post('/api/v1/me/verify/code', { verify_code: m.params.code }),
    409, 'already_verified');

  // Five wrong tries and the code is dead, even the right one; a new code
  // works.
  const p = await donor(true);
  const code = outbox(p.login, 'verify_phone').params.code;
  const other = code === '111111' ? '222222' : '111111';
  for (let i = 0; i < 5; i++)
    assertApiError(await p.api.post('/api/v1/me/verify/code', { verify_code: other }), 400, 'bad_code');
  assertApiError(await p.api.post('/api/v1/me/verify/code', { verify_code: code }), 400, 'code_expired');
  assert.equal((await p.api.post('/api/v1/me/verify')).body.channel, 'sms');
  const code2 = outbox(p.login, 'verify_phone').params.code;
  assert.equal((await p.api.post('/api/v1/me/verify/code', { verify_code: code2 })).status, 200);

  // The form on /me.
  const w = await donor(true);
  const b = new Browser();
  await b.login(w.login, PASSWORD);
  const page = await b.get('/me');
  assert.match(page.text, /action="\/me\/verify\/code"/);
  const wcode = outbox(w.login, 'verify_phone').params.code;
  const bad = await b.post('/me/verify/code', { verify_code: wcode === '999999' ? '999998' : '999999' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /验证码不正确/);
  const good = await b.post('/me/verify/code', { verify_code: wcode });
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), '/me?done=me_verify_code');
  const after = await b.get('/me?done=me_verify_code');
  assert.match(after.text, /手机号已验证/);
  assert.ok(!after.text.includes('action="/me/verify/code"'));
  unthrottle();
});

test('sending the verification again is throttled', async () => {
  unthrottle();
  const d = await donor();
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push((await d.api.post('/api/v1/me/verify')).status);
  assert.deepEqual(seen, [200, 200, 200, 429]);
  // Each sent link replaced the one before: one is live.
  assert.equal(sqlValue(`select count(*) from account_tokens where user_id = ${d.id}
      and purpose = 'verify_email' and used_at is null`), '1');
  const b = new Browser();
  await b.login(d.login, PASSWORD);
  assert.equal((await b.post('/me/verify', { csrf: '' })).status, 403);
  const r = await b.post('/me/verify', {});
  assert.equal(r.status, 429);
  assert.match(r.text, /尝试次数过多/);
  assertApiError(await new Api('0'.repeat(64)).post('/api/v1/me/verify'), 401, 'login_required');
  unthrottle();
  const ok = await b.post('/me/verify', {});
  assert.equal(ok.status, 303);
  assert.match((await b.get('/me?done=me_verify')).text, /已重新发送/);
  unthrottle();
});

test('until verified a donor holds at most 3 open pledges; verified donors have no such limit', async () => {
  unthrottle();
  const need = sqlValue(`select id from needs where status = 'open' and kind = 'goods'
      and quantity - pledged >= 20 order by id limit 1`);
  const d = await donor();
  const pledge = (api) => api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  const made = [];
  for (let i = 0; i < 3; i++) {
    const r = await pledge(d.api);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(r.body.pledge.id);
  }
  const before = sqlValue(`select pledged from needs where id = ${need}`);
  const fourth = await pledge(d.api);
  assertApiError(fourth, 403, 'verify_first');
  assert.equal(fourth.body.error.limit, 3);
  assert.match(fourth.body.error.message, /3 份进行中的认捐/);
  assert.equal(sqlValue(`select pledged from needs where id = ${need}`), before);
  assert.equal(sqlValue(`select count(*) from pledges where donor_id = ${d.id}`), '3');
  // The form says the same on its page.
  const b = new Browser();
  await b.login(d.login, PASSWORD);
  await b.get(`/needs/${need}`);
  const form = await b.post(`/needs/${need}/pledge`, { quantity: '1' });
  assert.equal(form.status, 403);
  assert.match(form.text, /验证邮箱或手机号之前/);
  // A cancelled pledge is not open: room for one more.
  assert.equal((await d.api.post(`/api/v1/pledges/${made.pop()}/cancel`)).status, 200);
  const r = await pledge(d.api);
  assert.equal(r.status, 201);
  made.push(r.body.pledge.id);
  // Verified: no limit.
  const t = token(d.login, 'verify_email', '/verify/email');
  assert.equal((await json('POST', '/api/v1/verify/email', { token: t })).status, 200);
  for (let i = 0; i < 2; i++) {
    const more = await pledge(d.api);
    assert.equal(more.status, 201, JSON.stringify(more.body));
    made.push(more.body.pledge.id);
  }
  // A demo donor counts as verified.
  const demoDonor = await Api.as('donor4@example.com');
  assert.equal((await demoDonor.get('/api/v1/me')).body.user.verified, true);

  // The limit is a setting an admin changes (0 to 100).
  const admin = await Api.as('admin@example.com');
  assertApiError(await admin.post('/api/v1/settings', { unverified_pledge_limit: 101 }),
    400, 'bad_number', 'unverified_pledge_limit');
  assert.equal((await admin.post('/api/v1/settings', { unverified_pledge_limit: 1 })).status, 200);
  const e = await donor();
  const one = await pledge(e.api);
  assert.equal(one.status, 201);
  const two = await pledge(e.api);
  assertApiError(two, 403, 'verify_first');
  assert.equal(two.body.error.limit, 1);
  assert.equal((await admin.post('/api/v1/settings', { unverified_pledge_limit: 3 })).status, 200);
  assert.equal((await pledge(e.api)).status, 201);
  const adminPage = new Browser();
  await adminPage.login(demo('admin@example.com').login, demo('admin@example.com').password);
  assert.match((await adminPage.get('/admin/needs')).text,
    /name="unverified_pledge_limit" type="number" min="0" max="100" required value="3"/);
  // Back on the shelf.
  for (const id of made) await d.api.post(`/api/v1/pledges/${id}/cancel`);
  for (const p of sql(`select id from pledges where donor_id = ${e.id} and status = 'pledged'`))
    await e.api.post(`/api/v1/pledges/${p[0]}/cancel`);
  unthrottle();
});

test('invite → set the password → sign in; nobody types a password for staff', async () => {
  unthrottle();
  const admin = await Api.as('admin@example.com');
  const school = sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
  const email = freshEmail('invite');
  const before = counts();
  // The old way is gone: a typed password is an unknown field.
  assertApiError(await admin.post('/api/v1/users', { role: 'staff', org_id: Number(school),
    display_name: '新老师', email, password: 'first pass 123' }), 400, 'unknown_field', 'password');
  assert.equal(counts(), before);
  const c = await admin.post('/api/v1/users', { role: 'staff', org_id: Number(school),
    display_name: '新老师', email });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.invited, true);
  assert.ok(!JSON.stringify(c.body).includes('token'));
  const id = String(c.body.id);
  assert.equal(sqlValue(`select password_hash is null and not must_change_password
      and email_verified_at is null from users where id = ${id}`), 't');
  // The invitation: to the e-mail, 7 days, naming the organisation and
  // who invited.
  const m = outbox(email, 'invite');
  assert.equal(m.channel, 'email');
  assert.equal(m.params.days, 7);
  assert.equal(m.params.org, sqlValue(`select name from orgs where id = ${school}`));
  assert.equal(m.params.by, demo('admin@example.com').name);
  assert.match(m.params.link, /&invite=1$/);
  const t = token(email, 'invite');
  assert.equal(sqlValue(`select expires_at - created_at from account_tokens
      where user_id = ${id} and purpose = 'invite'`), '7 days');
  // No password yet: signing in is refused like a wrong password.
  const no = await json('POST', '/api/v1/login', { identifier: email, password: 'anything at all' });
  assertApiError(no, 401, 'bad_credentials');
  // The page welcomes them and names the account.
  const page = await fetch(`${BASE}/password/reset?token=${t}&invite=1`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /欢迎！请设置您的密码/);
  assert.match(html, new RegExp(email.replace(/[.]/g, '\\.')));
  const r = await reset(t, 'my own pass 456');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.invite, true);
  const staff = await Api.login(email, 'my own pass 456');
  assert.equal((await staff.get('/api/v1/orgs')).status, 200);
  assert.equal(sqlValue(`select email_verified_at is not null from users where id = ${id}`), 't');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'invite_accepted'
      and target_id = ${id}`), '1');
  assertApiError(await reset(t, 'my own pass 789'), 400, 'bad_token', 'token');

  // Who may invite: admins; staff of a branch only below it (the
  // access matrix walks the rest); donors and schools never.
  const body = () => ({ role: 'staff', org_id: Number(school), display_name: '甲', email: freshEmail('inv') });
  assertApiError(await (await Api.as('donor1@example.com')).post('/api/v1/users', body()), 403, 'forbidden');
  assertApiError(await (await Api.as(`org${school}@example.com`)).post('/api/v1/users', body()), 403, 'forbidden');
  assertApiError(await new Api('0'.repeat(64)).post('/api/v1/users', body()), 401, 'login_required');

  // The form on /admin has no password field; the account shows as invited.
  const b = new Browser();
  await b.login(demo('admin@example.com').login, demo('admin@example.com').password);
  const adminPage = await b.get('/admin');
  assert.ok(!/name="password"/.test(adminPage.text));
  const email2 = freshEmail('invform');
  const f = await b.post('/accounts', { role: 'staff', org_id: school, display_name: '表单老师',
    email: email2, from: 'admin' });
  assert.equal(f.status, 303);
  assert.match((await b.get('/admin')).text, /已邀请，待设置密码/);
  assert.ok(outbox(email2, 'invite'));
  unthrottle();
});

test('an admin sends a reset link, or a new invitation; the caller never sees it', async () => {
  unthrottle();
  const admin = await Api.as('admin@example.com');
  const school = sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
  const email = freshEmail('relink');
  const id = (await admin.post('/api/v1/users', { role: 'staff', org_id: Number(school),
    display_name: '乙老师', email })).body.id;
  const first = token(email, 'invite');
  // Not set yet: a new invitation, the first one dead.
  const again = await admin.post(`/api/v1/users/${id}/reset`);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(again.body, { id, sent: 'invite' });
  const second = token(email, 'invite');
  assertApiError(await reset(first, 'a staff secret 1'), 400, 'bad_token');
  assert.equal((await reset(second, 'a staff secret 1')).status, 200);
  // Set: a reset link (30 minutes); it ends the sessions.
  const s = await Api.login(email, 'a staff secret 1');
  const r = await admin.post(`/api/v1/users/${id}/reset`);
  assert.deepEqual(r.body, { id, sent: 'reset' });
  const t = token(email, 'password_reset');
  assert.equal((await reset(t, 'a staff secret 2')).status, 200);
  assertApiError(await s.get('/api/v1/me'), 401, 'login_required');
  await Api.login(email, 'a staff secret 2');
  const audit = sql(`select actor_role, detail->>'kind' from audit_log where action = 'password_link_sent'
      and target_id = ${id} order by id`);
  assert.deepEqual(audit, [['admin', 'invite'], ['admin', 'reset']]);
  // Who may: not donors, not staff outside their subtree; a disabled
  // account gets nothing; an unknown one is 404.
  const donorApi = await Api.as('donor1@example.com');
  assertApiError(await donorApi.post(`/api/v1/users/${id}/reset`), 403, 'forbidden');
  const potou = await Api.as('potou@example.com');
  const wangwuSchoolStaff = sqlValue(`select u.id from users u join orgs o on o.id = u.org_id
      join towns t on t.id = o.town_id where o.kind = 'school' and t.slug = 'wangwu'
      order by u.id limit 1`);
  assertApiError(await potou.post(`/api/v1/users/${wangwuSchoolStaff}/reset`), 404, 'not_found');
  assertApiError(await admin.post('/api/v1/users/999999999/reset'), 404, 'not_found');
  assert.equal((await admin.post(`/api/v1/users/${id}/disable`)).status, 200);
  const n = outbox(email, 'password_reset').id;
  assertApiError(await admin.post(`/api/v1/users/${id}/reset`), 409, 'account_disabled');
  assert.equal(outbox(email, 'password_reset').id, n);
  // The button on /admin.
  assert.equal((await admin.post(`/api/v1/users/${id}/enable`)).status, 200);
  const b = new Browser();
  await b.login(demo('admin@example.com').login, demo('admin@example.com').password);
  assert.match((await b.get('/admin')).text, new RegExp(`action="/accounts/${id}/reset"`));
  assert.equal((await b.post(`/accounts/${id}/reset`, { from: 'admin' })).status, 303);
  assert.notEqual(outbox(email, 'password_reset').id, n);
  unthrottle();
});

test('no token reaches the server logs', async () => {
  const logs = ['kore.log', 'kore-access.log', 'kore2.log', 'kore2-access.log']
    .map((f) => { try { return readFileSync(`${process.env.TEST_VAR}/${f}`, 'utf8'); }
    catch { return ''; } }).join('\n');
  const tokens = sql(`select n.params->>'link' from notifications n
      where n.params ? 'link'`).map((r) => new URL(r[0]).searchParams.get('token'));
  assert.ok(tokens.length > 5);
  for (const t of tokens) assert.ok(!logs.includes(t), 'a token in a log');
  const codes = sql(`select n.params->>'code' from notifications n where n.kind = 'verify_phone'`);
  for (const [c] of codes) assert.ok(!logs.includes(`code=${c}`));
});
