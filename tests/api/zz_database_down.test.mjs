// A database that goes away gives 503 with Retry-After, never a hang, a
// 500 or a dead worker, and the platform recovers when it comes back.
// Runs last: it stops the test cluster for a moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get, getJson, assertApiError } from '../lib/env.mjs';

const cluster = (cmd) => execFileSync(
  process.env.SHOP_ROOT + '/sql/cluster.sh', [cmd, process.env.TEST_VAR],
  { stdio: 'inherit' });

test('503 while the database is down, 200 once it is back', async () => {
  assert.equal((await getJson('/healthz')).status, 200);
  cluster('stop');
  try {
    // Each answer within 5 s: a worker tries one connection at most
    // (about 2 s, PGCONNECT_TIMEOUT) and never waits for the database.
    // The bound is per request, not per round of three: on a machine at
    // load 20 three answers together took just over 5 s.
    const timed = async (f) => {
      const started = Date.now();
      const r = await f();
      assert.ok(Date.now() - started < 5000, `no hang (${Date.now() - started} ms)`);
      return r;
    };
    for (let i = 0; i < 6; i++) {
      const h = await timed(() => getJson('/healthz'));
      assertApiError(h, 503, 'unavailable');
      assert.equal(h.headers.get('retry-after'), '5');
      const list = await timed(() => getJson('/api/v1/needs'));
      assertApiError(list, 503, 'unavailable');
      const page = await timed(async () => {
        const res = await get('/needs');
        return { status: res.status, text: await res.text() };
      });
      assert.equal(page.status, 503);
      assert.match(page.text, /服务暂时不可用/);
    }
  } finally {
    cluster('start');
  }
  // Pooled connections died with the server; the first use recovers.
  let ok = 0;
  for (let i = 0; i < 10; i++) {
    const r = await getJson('/api/v1/needs');
    assert.ok(r.status === 200 || r.status === 503, `status ${r.status}`);
    if (r.status === 200) ok++;
  }
  assert.ok(ok >= 8, `recovered (${ok}/10)`);
  assert.equal((await getJson('/healthz')).status, 200);
});
