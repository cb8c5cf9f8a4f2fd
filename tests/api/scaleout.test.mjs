// Two Kore nodes on one database (tests/run.sh starts the second): a node
// keeps no state of its own, so a session, an Idempotency-Key and the cap
// of a need hold whichever node a request reaches, and both sign the
// public log with the same key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const SECOND = process.env.SECOND_URL;
let donor;

before(async () => {
  assert.ok(SECOND, 'SECOND_URL');
  donor = await Api.as('donor6@example.com');
});

const call = (base, method, path, token, body, headers = {}) =>
  fetch(base + path, { method, headers: { authorization: 'Bearer ' + token,
    'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

test('a session opened on one node works on the other, cookie and CSRF included', async () => {
  assert.equal((await call(SECOND, 'GET', '/api/v1/me', donor.token)).status, 200);
  const b = new Browser();
  const d = demo('donor7@example.com');
  await b.login(d.login, d.password);
  const me = await fetch(SECOND + '/api/v1/me', { headers: { cookie: b.cookieHeader() } });
  const token = (await me.json()).csrf_token;
  const r = await fetch(SECOND + '/api/v1/me', { method: 'POST',
    headers: { cookie: b.cookieHeader(), 'content-type': 'application/json',
      'x-csrf-token': token }, body: JSON.stringify({ display_name: d.name }) });
  assert.equal(r.status, 200);
  // Signing out on the second node ends it on the first.
  assert.equal((await call(SECOND, 'POST', '/api/v1/logout', donor.token, {})).status, 200);
  assert.equal((await call(BASE, 'GET', '/api/v1/me', donor.token)).status, 401);
  donor = await Api.as('donor6@example.com');
});

test('an Idempotency-Key replayed on the other node returns the first answer', async () => {
  const need = sqlValue(`select id from needs where status = 'open' and kind = 'goods'
      and quantity - pledged >= 3 order by id desc limit 1`);
  const key = `scale-${Date.now()}`;
  const a = await call(BASE, 'POST', `/api/v1/needs/${need}/pledges`, donor.token,
    { quantity: 1 }, { 'idempotency-key': key });
  const b = await call(SECOND, 'POST', `/api/v1/needs/${need}/pledges`, donor.token,
    { quantity: 1 }, { 'idempotency-key': key });
  assert.equal(a.status, 201);
  assert.deepEqual(b.body, a.body);
});

test('the cap holds with pledges spread over both nodes', async () => {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, deadline, status, opened_at)
    select id, town_id, 'goods', 'books', '两个节点', '本', 25, current_date + 30, 'open', now()
    from orgs where kind = 'school' order by id limit 1 returning id`);
  sql(`select api.log_need_opened(${id})`);
  const res = await Promise.all(Array.from({ length: 80 }, (_, i) =>
    call(i % 2 ? SECOND : BASE, 'POST', `/api/v1/needs/${id}/pledges`, donor.token,
      { quantity: 1 })));
  const counts = {};
  for (const r of res) counts[r.status] = (counts[r.status] ?? 0) + 1;
  assert.deepEqual(counts, { 201: 25, 409: 55 });
  assert.equal(sqlValue(`select pledged from needs where id = ${id}`), '25');
});

test('both nodes publish the same log key and checkpoints that agree', async () => {
  const k1 = await (await fetch(BASE + '/api/v1/log/key')).text();
  const k2 = await (await fetch(SECOND + '/api/v1/log/key')).text();
  assert.equal(k1, k2);
  const c1 = await (await fetch(BASE + '/api/v1/log/checkpoint')).json();
  const c2 = await (await fetch(SECOND + '/api/v1/log/checkpoint')).json();
  const small = c1.tree_size <= c2.tree_size ? c1 : c2;
  assert.equal(sqlValue(`select encode(root_hash, 'base64') from log_checkpoints
      where tree_size = ${small.tree_size}`), small.root_hash);
});
