// Accounts and sessions: registration, sign-in, sessions, CSRF,
// throttling, password changes, disabled accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, getJson, sql, sqlValue, assertApiError, BASE, sendJson } from '../lib/env.mjs';
import { Api, Browser, demo, freshEmail } from '../lib/session.mjs';

const json = sendJson;

test('a donor registers through the API and is signed in', async () => {
  const email = freshEmail('reg');
  const r = await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '周女士',
    email, password: 'a long enough secret', affiliation: '晨光爱心志愿者协会' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.token, /^[0-9a-f]{64}$/);
  assert.match(r.body.csrf_token, /^[0-9a-f]{64}$/);
  assert.equal(r.body.user.role, 'donor');
  const me = await new Api(r.body.token).get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.email, email);
  assert.equal(me.body.user.affiliation, '晨光爱心志愿者协会');

  // The password is an scrypt hash with its parameters; the token is
  // stored only as its SHA-256.
  const hash = sqlValue(`select password_hash from users where email = '${email}'`);
  assert.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
  assert.equal(sqlValue(`select count(*) from sessions where token_hash =
      decode('${r.body.token}', 'hex')`), '0');
  assert.equal(sqlValue(`select count(*) from sessions where token_hash =
      sha256(decode('${r.body.token}', 'hex')::bytea) or token_hash =
      sha256(convert_to('${r.body.token}', 'UTF8'))`), '1');
});

test('registration refuses bad input with a 400 naming the field', async () => {
  const ok = { privacy_version: 1, display_name: '测试', email: freshEmail('bad'), password: 'x'.repeat(12) };
  const cases = [
    [{ ...ok, email: 'not-an-email' }, 'bad_email', 'email'],
    [{ ...ok, email: undefined, phone: '12345' }, 'bad_phone', 'phone'],
    [{ ...ok, email: undefined }, 'contact_required', 'email'],
    [{ ...ok, password: 'short' }, 'too_short', 'password'],
    [{ ...ok, password: 'x'.repeat(129) }, 'too_long', 'password'],
    [{ ...ok, display_name: 'x'.repeat(51) }, 'too_long', 'display_name'],
    [{ ...ok, display_name: '' }, 'required', 'display_name'],
    [{ ...ok, role: 'admin' }, 'unknown_field', 'role'],
    [{ ...ok, display_name: ['x'] }, 'bad_type', 'display_name'],
    [{ ...ok, display_name: 'a\u0001b' }, 'bad_text', 'display_name'],
    // A display name is public: no contact data in it.
    [{ ...ok, display_name: '王 13800138000' }, 'name_contact', 'display_name'],
    [{ ...ok, display_name: 'me@example.org' }, 'name_contact', 'display_name'],
    [{ ...ok, display_name: 'a\u0000b' }, 'bad_json', undefined],
  ];
  for (const [body, code, field] of cases) {
    const r = await json('POST', '/api/v1/register', body);
    assertApiError(r, 400, code, field);
  }
  assertApiError(await json('POST', '/api/v1/register', '{"display_name":'), 400, 'bad_json');
  const plain = await fetch(BASE + '/api/v1/register', { method: 'POST',
    headers: { 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(plain.status, 400);
  assert.equal((await plain.json()).error.code, 'unsupported_type');
  // Nothing was written by any of them.
  assert.equal(sqlValue(`select count(*) from users where email = '${ok.email}'`), '0');
});

test('a duplicate registration is a 409 and changes nothing', async () => {
  const email = freshEmail('dup');
  const body = { privacy_version: 1, display_name: '甲', email, password: 'first password 1' };
  assert.equal((await json('POST', '/api/v1/register', body)).status, 201);
  const again = await json('POST', '/api/v1/register', { ...body,
    email: email.toUpperCase(), display_name: '乙' });
  assertApiError(again, 409, 'account_exists');
  assert.equal(sqlValue(`select display_name from users where email = '${email}'`), '甲');
});

test('sign-in: the same answer for a wrong password and an unknown account', async () => {
  const email = freshEmail('in');
  await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '丙', email,
    password: 'right password here' });
  const wrong = await json('POST', '/api/v1/login', { identifier: email, password: 'wrong password' });
  const unknown = await json('POST', '/api/v1/login', { identifier: freshEmail('nobody'),
    password: 'wrong password' });
  assertApiError(wrong, 401, 'bad_credentials');
  assertApiError(unknown, 401, 'bad_credentials');
  assert.deepEqual(wrong.body, unknown.body);
  // Each sign-in gets a new token.
  const a = await Api.login(email, 'right password here');
  const b = await Api.login(email.toUpperCase(), 'right password here');
  assert.notEqual(a.token, b.token);
});

test('repeated failures slow down, then lock, for known and unknown accounts alike', async () => {
  for (const email of [freshEmail('lock'), freshEmail('ghost')]) {
    if (email.startsWith('lock')) {
      await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '丁', email,
        password: 'right password here' });
    }
    const seen = [];
    for (let i = 0; i < 6; i++) {
      const r = await json('POST', '/api/v1/login', { identifier: email, password: 'nope nope nope' });
      seen.push(r.status);
      if (r.status === 429) {
        assert.ok(Number(r.headers.get('retry-after')) > 0);
        assert.equal(r.body.error.code, 'too_many_attempts');
      }
    }
    assert.deepEqual(seen.slice(0, 3), [401, 401, 401]);
    assert.ok(seen.slice(3).every((s) => s === 429), `${email}: ${seen}`);
    // Even the right password is refused while locked.
    if (email.startsWith('lock')) {
      const r = await json('POST', '/api/v1/login', { identifier: email, password: 'right password here' });
      assert.equal(r.status, 429);
    }
  }
  // Both identifiers were counted (their locks may have run out by now).
  const counted = sql(`select key, failures from login_throttle where key like 'acct:%'
      and failures >= 3 and locked_until is not null`);
  assert.ok(counted.length >= 2);
  sql(`delete from login_throttle`);
});

test('logout ends the session on the server', async () => {
  const email = freshEmail('out');
  const r = await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '戊', email,
    password: 'right password here' });
  const api = new Api(r.body.token);
  assert.equal((await api.get('/api/v1/me')).status, 200);
  assert.equal((await api.post('/api/v1/logout')).status, 200);
  assertApiError(await api.get('/api/v1/me'), 401, 'login_required');
});

test('sessions expire after inactivity and at their absolute limit', async () => {
  const email = freshEmail('idle');
  const r = await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '己', email,
    password: 'right password here' });
  const api = new Api(r.body.token);
  const where = `user_id = (select id from users where email = '${email}')`;
  assert.equal(sqlValue(`select idle_limit from sessions where ${where}`), '7 days');
  sql(`update sessions set last_seen_at = now() - interval '8 days' where ${where}`);
  assertApiError(await api.get('/api/v1/me'), 401, 'login_required');

  const api2 = await Api.login(email, 'right password here');
  // Signing in again cleared the session that ran out.
  assert.equal(sqlValue(`select count(*) from sessions where ${where}`), '1');
  sql(`update sessions set expires_at = now() - interval '1 second' where ${where}`);
  assertApiError(await api2.get('/api/v1/me'), 401, 'login_required');

  // Staff sessions go idle after 30 minutes.
  const staff = demo('wangwu@example.com');
  const s = await Api.login(staff.login, staff.password);
  const swhere = `user_id = (select id from users where email = '${staff.login}')`;
  assert.equal(sqlValue(`select idle_limit from sessions where ${swhere} order by id desc limit 1`), '00:30:00');
  sql(`update sessions set last_seen_at = now() - interval '31 minutes' where ${swhere}`);
  assertApiError(await s.get('/api/v1/me'), 401, 'login_required');
});

test('the web form signs in with a proper cookie', async () => {
  const b = new Browser();
  const page = await b.get('/login');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('set-cookie'), /csrf=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax/);
  const admin = demo('admin@example.com');
  const r = await b.post('/login', { identifier: admin.login, password: admin.password });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/admin?done=login');
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('sid='));
  assert.match(cookie, /^sid=[0-9a-f]{64}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
  const adminPage = await b.get('/admin');
  assert.equal(adminPage.status, 200);
  assert.match(adminPage.text, /团市委管理/);

  // A wrong password: the form again, with the message and the identifier.
  const c = new Browser();
  await c.get('/login');
  const bad = await c.post('/login', { identifier: admin.login, password: 'wrong!!' });
  assert.equal(bad.status, 401);
  assert.match(bad.text, /账号或密码不正确/);
  assert.match(bad.text, /value="admin@example.com"/);
  assert.ok(!bad.text.includes('wrong!!'));
  sql(`delete from login_throttle`);
});

test('next= only leads to a path of this site', async () => {
  const admin = demo('admin@example.com');
  for (const [next, where] of [['/needs?town=wangwu', '/needs?town=wangwu&done=login'],
    ['//evil.example/x', '/admin?done=login'], ['https://evil.example/', '/admin?done=login'],
    ['/\\evil.example', '/admin?done=login']]) {
    const b = new Browser();
    await b.get('/login');
    const r = await b.post('/login', { identifier: admin.login, password: admin.password, next });
    assert.equal(r.headers.get('location'), where, next);
  }
});

test('forms need the CSRF token, and a foreign Origin is refused', async () => {
  const admin = demo('admin@example.com');
  // Sign-in form without the double-submit token.
  const a = new Browser();
  await a.get('/login');
  assert.equal((await a.post('/login', { identifier: admin.login, password: admin.password,
    csrf: 'f'.repeat(64) })).status, 403);
  const noCookie = await fetch(BASE + '/login', { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ identifier: admin.login, password: admin.password }) });
  assert.equal(noCookie.status, 403);

  const b = new Browser();
  await b.login(admin.login, admin.password);
  // Session cookie, no or wrong token: refused, nothing changed.
  for (const csrf of ['', '0'.repeat(64)]) {
    const r = await b.post('/me', { display_name: 'hacked', csrf });
    assert.equal(r.status, 403);
  }
  const other = await b.post('/me', { display_name: 'hacked' }, { origin: 'http://evil.example' });
  assert.equal(other.status, 403);
  assert.notEqual(sqlValue(`select display_name from users where email = '${admin.login}'`), 'hacked');
  // The right token and our own origin: accepted.
  const ok = await b.post('/me', { display_name: admin.name }, { origin: BASE });
  assert.equal(ok.status, 303);

  // API calls made with the session cookie need X-CSRF-Token too.
  const me = await fetch(BASE + '/api/v1/me', { headers: { cookie: b.cookieHeader() } });
  const token = (await me.json()).csrf_token;
  const post = (h) => fetch(BASE + '/api/v1/me', { method: 'POST',
    headers: { cookie: b.cookieHeader(), 'content-type': 'application/json', ...h },
    body: JSON.stringify({ display_name: admin.name }) });
  assert.equal((await post({})).status, 403);
  assert.equal((await post({ 'x-csrf-token': token })).status, 200);
  // Sign-out is a POST with the token, not a link.
  assert.equal((await b.get('/logout')).status, 405);
  assert.equal((await b.post('/logout', { csrf: '' })).status, 403);
  assert.equal((await b.post('/logout', {})).status, 303);
  assert.equal((await b.get('/me')).status, 303);
});

test('changing the password ends every other session', async () => {
  const email = freshEmail('pw');
  await json('POST', '/api/v1/register', { privacy_version: 1, display_name: '庚', email, password: 'old password 123' });
  const one = await Api.login(email, 'old password 123');
  const two = await Api.login(email, 'old password 123');
  assertApiError(await one.post('/api/v1/me/password', { current_password: 'not it at all',
    new_password: 'new password 456' }), 400, 'wrong_password', 'current_password');
  assertApiError(await one.post('/api/v1/me/password', { current_password: 'old password 123',
    new_password: 'short' }), 400, 'too_short', 'new_password');
  assert.equal((await one.post('/api/v1/me/password', { current_password: 'old password 123',
    new_password: 'new password 456' })).status, 200);
  assert.equal((await one.get('/api/v1/me')).status, 200);
  assertApiError(await two.get('/api/v1/me'), 401, 'login_required');
  await Api.login(email, 'new password 456');
  const old = await json('POST', '/api/v1/login', { identifier: email, password: 'old password 123' });
  assert.equal(old.status, 401);
});

test('an account whose password someone else chose must choose its own first', async () => {
  // Accounts are invited now (tests/api/recovery.test.mjs); one made the
  // old way, with a first password typed by an admin, still has to change
  // it before anything else.
  const admin = await Api.as('admin@example.com');
  const school = sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
  const email = freshEmail('new');
  const c = await admin.post('/api/v1/users', { role: 'staff', org_id: Number(school),
    display_name: '新老师', email });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const link = sqlValue(`select params->>'link' from notifications where user_id = ${c.body.id}
      and kind = 'invite'`);
  const r = await json('POST', '/api/v1/password/reset', { token: new URL(link).searchParams.get('token'),
    password: 'first pass 123' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  sql(`update users set must_change_password = true where id = ${c.body.id}`);
  const staff = await Api.login(email, 'first pass 123');
  assertApiError(await staff.get('/api/v1/orgs'), 403, 'must_change_password');
  assert.equal((await staff.get('/api/v1/me')).body.user.must_change_password, true);
  assert.equal((await staff.post('/api/v1/me/password', { current_password: 'first pass 123',
    new_password: 'my own pass 456' })).status, 200);
  assert.equal((await staff.get('/api/v1/orgs')).status, 200);
});

test('a disabled account is out at once, and it is in the audit log', async () => {
  const adminAcct = demo('admin@example.com');
  const admin = await Api.login(adminAcct.login, adminAcct.password);
  const staffAcct = demo('sili@example.com');
  const staff = await Api.login(staffAcct.login, staffAcct.password);
  assert.equal((await staff.get('/api/v1/me')).status, 200);
  const id = sqlValue(`select id from users where email = '${staffAcct.login}'`);
  assert.equal((await admin.post(`/api/v1/users/${id}/disable`)).status, 200);
  assertApiError(await staff.get('/api/v1/me'), 401, 'login_required');
  assert.equal((await json('POST', '/api/v1/login', { identifier: staffAcct.login,
    password: staffAcct.password })).status, 401);
  const audit = await admin.get('/api/v1/audit');
  const entry = audit.body.items.find((e) => e.action === 'account_disable' &&
    String(e.target_id) === id);
  assert.ok(entry, 'audited');
  assert.equal(entry.actor_role, 'admin');
  assert.ok(entry.ip);
  assert.equal((await admin.post(`/api/v1/users/${id}/enable`)).status, 200);
  assert.equal((await Api.login(staffAcct.login, staffAcct.password)).token.length, 64);
  // Nobody disables themselves; an unknown account is 404.
  const self = sqlValue(`select id from users where email = '${adminAcct.login}'`);
  assertApiError(await admin.post(`/api/v1/users/${self}/disable`), 400, 'not_yourself');
  assertApiError(await admin.post('/api/v1/users/999999/disable'), 404, 'not_found');
  assertApiError(await admin.post('/api/v1/users/abc/disable'), 404, 'not_found');
});

test('the first admin comes from the command line, with no password in the code', async () => {
  const { execFileSync } = await import('node:child_process');
  const email = freshEmail('first');
  const out = execFileSync(process.env.SHOP_ROOT + '/build/shop-admin',
    ['create-admin', email, '首任管理员'],
    { env: { ...process.env, OWNER_DATABASE: process.env.OWNER_DB,
      SHOP_ADMIN_PASSWORD: 'chosen by the operator' }, encoding: 'utf8' });
  assert.match(out, /administrator .* created/);
  const api = await Api.login(email, 'chosen by the operator');
  assert.equal((await api.get('/api/v1/audit')).status, 200);
  // Too short a password is refused.
  assert.throws(() => execFileSync(process.env.SHOP_ROOT + '/build/shop-admin',
    ['create-admin', freshEmail('x'), 'x'], { env: { ...process.env,
      OWNER_DATABASE: process.env.OWNER_DB, SHOP_ADMIN_PASSWORD: 'short' },
    stdio: 'pipe' }));
});
