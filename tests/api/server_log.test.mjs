// What the logs say (issue 14, found item 5): a refusal of the api
// functions (SQLSTATE SHnnn: not_found, too_much, login_required...) is
// the platform working and leaves no ERROR in PostgreSQL's log, where it
// buried the real errors; a real failure is still logged, by PostgreSQL
// and by the module (src/db.c, which writes one such line a second).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { getJson, sql, assertApiError, BASE } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

const T = process.env.TEST_VAR;
const PG_LOG = () => `${realpathSync(`${T}/pg`)}/server.log`;
const KORE_LOG = `${T}/kore.log`;

// What file has gained since offset.
const since = (file, offset) => readFileSync(file).subarray(offset).toString('utf8');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A refusal's message is its code, one word: "ERROR:  not_found".
const REFUSAL = /ERROR:\s+[a-z_]+\s*$/m;

test('refusals leave no ERROR in the database server\'s log', async () => {
  const from = statSync(PG_LOG()).size;
  const donor = await Api.as('donor1@example.com');
  // 404, 409, 401, 400, each decided by an api function.
  assertApiError(await getJson(`/api/v1/needs/${900000000 + (Date.now() % 1000000)}`),
    404, 'not_found');
  const full = sql(`select id from needs where status = 'fully_pledged' order by id limit 1`)[0][0];
  assertApiError(await donor.post(`/api/v1/needs/${full}/pledges`, { quantity: 1 }), 409,
    'not_open');
  assertApiError(await getJson('/api/v1/me', { headers: { authorization:
    'Bearer ' + '0'.repeat(64) } }), 401);
  const r = await fetch(`${BASE}/api/v1/login`, { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: 'nobody-here@example.com', password: 'x'.repeat(12) }) });
  assert.equal(r.status, 401);
  await sleep(200);
  const added = since(PG_LOG(), from);
  assert.doesNotMatch(added, REFUSAL, added);
  // Nor any before, from every test that ran in this server so far.
  const all = readFileSync(PG_LOG(), 'utf8');
  assert.doesNotMatch(all, REFUSAL, (all.match(REFUSAL) ?? [''])[0]);
});

test('a real failure is still logged, by the server and by the module', async (t) => {
  const donor = await Api.as('donor2@example.com');
  const pgFrom = statSync(PG_LOG()).size;
  const koreFrom = statSync(KORE_LOG).size;
  // The platform's role loses a right it needs: an error no rule
  // expects (42501), answered 500.
  sql('revoke execute on function api.me(text, text) from public, shop_app');
  try {
    const r = await donor.get('/api/v1/me');
    assertApiError(r, 500, 'internal');
  } finally {
    sql('grant execute on function api.me(text, text) to public, shop_app');
  }
  assert.equal((await donor.get('/api/v1/me')).status, 200);
  await sleep(200);
  assert.match(since(PG_LOG(), pgFrom), /ERROR:\s+permission denied for function me/);
  const kore = since(KORE_LOG, koreFrom);
  assert.match(kore, /statement \d+ failed: SQLSTATE 42501/);
  t.diagnostic(kore.split('\n').filter((l) => /SQLSTATE/.test(l)).join('\n'));
});
