// No costly work before authorization and validation (issue 14): an
// anonymous POST /api/v1/users once hashed a password with scrypt (about
// 140 ms of a CPU) before its session was checked, and 16 anonymous
// callers took a donor's sign-in from 158 ms to 2,216 ms.  Every task a
// request begins (a password hashed or checked, a workbook, a matching
// run, a photo decoded) is counted in /metrics (shop_work_total,
// src/obs.c); here, requests that are refused, for
// who asks or for what they send, must not move those counters.  Before
// the fix a sign-up refused for a taken e-mail (409) or a name holding a
// phone number hashed its password first, and an anonymous photo upload
// read the photo (now: decoded it with libvips on a task) before its
// session was asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, sql } from '../lib/env.mjs';
import { Api, demo } from '../lib/session.mjs';

const METRICS = process.env.METRICS_URL;
const N = 4;

// The costly work counted so far: { task }.
async function work() {
  const text = await (await fetch(METRICS)).text();
  const w = { task: Number(/^shop_work_total\{kind="task"\} (\d+)$/m
    .exec(text)?.[1]) };
  assert.ok(Number.isInteger(w.task), text.slice(0, 300));
  return w;
}

async function call(method, path, { body, headers = {}, token } = {}) {
  const h = { ...headers };
  if (token) h.authorization = 'Bearer ' + token;
  if (body !== undefined && !(body instanceof FormData))
    h['content-type'] = 'application/json';
  const r = await fetch(BASE + path, { method, headers: h, redirect: 'manual',
    body: body === undefined || body instanceof FormData ? body :
      JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

// Each request N times: refused with one of statuses, and no work begun.
async function refusedWithoutWork(name, statuses, send) {
  const before = await work();
  for (let i = 0; i < N; i++) {
    const status = await send(i);
    assert.ok(statuses.includes(status), `${name}: ${status}`);
  }
  assert.deepEqual(await work(), before, `${name} began costly work`);
}

test('the counters count: a sign-up and a sign-in each begin one task', async () => {
  const before = await work();
  const email = `costly-${randomBytes(4).toString('hex')}@example.com`;
  assert.equal(await call('POST', '/api/v1/register', { body: {
    privacy_version: 1, display_name: '计数', email, password: 'a long enough password' } }), 201);
  assert.equal(await call('POST', '/api/v1/login', { body: {
    identifier: email, password: 'a long enough password' } }), 200);
  const after = await work();
  assert.equal(after.task - before.task, 2);
});

test('accounts: anonymous and unauthorised creation begins nothing', async () => {
  const donor = await Api.as('donor2@example.com');
  const body = { role: 'staff', org_id: 1, display_name: '某人',
    email: 'someone@example.com', password: 'a long enough password' };
  await refusedWithoutWork('anonymous POST /api/v1/users', [400, 401, 403],
    () => call('POST', '/api/v1/users', { body }));
  const { password, ...invite } = body;
  await refusedWithoutWork('anonymous invitation', [401, 403],
    () => call('POST', '/api/v1/users', { body: invite }));
  await refusedWithoutWork('a donor\'s invitation', [403],
    () => call('POST', '/api/v1/users', { body: invite, token: donor.token }));
});

test('sign-up: refused ones hash no password', async () => {
  const taken = demo('donor2@example.com').login;
  await refusedWithoutWork('a taken e-mail', [409], (i) => call('POST',
    '/api/v1/register', { body: { privacy_version: 1, display_name: '重复', email: taken,
      password: `a long enough password ${i}` } }));
  await refusedWithoutWork('a name holding a phone number', [400], (i) =>
    call('POST', '/api/v1/register', { body: { privacy_version: 1, display_name: '找我 13800138000',
      email: `name-${i}-${randomBytes(4).toString('hex')}@example.com`,
      password: 'a long enough password' } }));
  await refusedWithoutWork('a short password', [400], () => call('POST',
    '/api/v1/register', { body: { privacy_version: 1, display_name: '短', email: 'short@example.com',
      password: 'short' } }));
});

test('passwords: sign-in, change and reset refused before any hashing', async () => {
  await refusedWithoutWork('a sign-in without a password', [400], () =>
    call('POST', '/api/v1/login', { body: { identifier: 'x@example.com' } }));
  const locked = `locked-${randomBytes(4).toString('hex')}@example.com`;
  sql(`insert into login_throttle (key, failures, locked_until)
       values ('acct:${locked}', 5, now() + interval '1 hour')`);
  await refusedWithoutWork('a locked account', [429], () => call('POST',
    '/api/v1/login', { body: { identifier: locked, password: 'whatever it is' } }));
  await refusedWithoutWork('an anonymous password change', [401], () =>
    call('POST', '/api/v1/me/password', { body: {
      current_password: 'whatever it is', new_password: 'a long enough password' } }));
  await refusedWithoutWork('a reset with an unknown token', [400, 404, 410],
    () => call('POST', '/api/v1/password/reset', { body: {
      token: randomBytes(32).toString('hex'), password: 'a long enough password' } }));
});

test('workbooks and matching runs: nothing for the anonymous or a donor', async () => {
  const donor = await Api.as('donor2@example.com');
  for (const path of ['/api/v1/reports/rollup.xlsx?year=2024&quarter=1',
    '/api/v1/reports/1/export.xlsx', '/api/v1/matching',
    '/api/v1/needs/1/offers', '/api/v1/me/recommended']) {
    await refusedWithoutWork(`anonymous ${path}`, [401, 403, 404],
      () => call('GET', path));
    if (!path.includes('recommended'))
      await refusedWithoutWork(`a donor's ${path}`, [403, 404],
        () => call('GET', path, { token: donor.token }));
  }
  await refusedWithoutWork('anonymous proposals', [400, 401, 403, 404],
    () => call('POST', '/api/v1/needs/1/proposals', { body: {} }));
});

test('photos: nobody but the need\'s staff and the donor has a photo decoded', async () => {
  const donor = await Api.as('donor2@example.com');
  const pledge = sql(`select id from pledges where donor_id <> (select id
    from users where email = 'donor2@example.com') order by id limit 1`)[0][0];
  const csrf = randomBytes(32).toString('hex');
  const form = () => {
    const f = new FormData();
    f.append('photo', new Blob([Buffer.from([0xff, 0xd8, 0xff, 0xe0,
      ...randomBytes(2000)])], { type: 'image/jpeg' }), 'x.jpg');
    f.append('csrf', csrf);
    return f;
  };
  await refusedWithoutWork('an anonymous photo', [401], () => call('POST',
    `/api/v1/pledges/${pledge}/photos`, { body: form(),
      headers: { cookie: `csrf=${csrf}` } }));
  await refusedWithoutWork('a donor\'s photo', [403, 404], () => call('POST',
    `/api/v1/pledges/${pledge}/photos`, { body: form(), token: donor.token }));
});
