// The replica's lag under a pledge load (what the public pages may miss),
// and read-your-writes: whoever just pledged sees it on the public page at
// once, whatever the lag.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, sql, login, newNeed, writeLoad, pct, sleep, figure } from './lib.mjs';

let tokens;

before(async () => {
  tokens = await Promise.all(['donor6@example.com', 'donor7@example.com',
    'donor8@example.com'].map(login));
});

test('replica lag under a pledge load', async () => {
  const need = newNeed(1000000);
  const samples = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      const [row] = sql(`select coalesce(extract(epoch from replay_lag), 0),
          pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
        from pg_stat_replication where application_name <> 'pg_basebackup'`, 'postgres');
      if (row) samples.push({ lag: Number(row[0]) * 1000, bytes: Number(row[1]) });
      await sleep(100);
    }
  })();
  const t = Date.now();
  const w = await writeLoad(6000, tokens, need, 4);
  running = false;
  await sampler;
  const secs = (Date.now() - t) / 1000;
  const ok = w.answers.filter((a) => a.status === 201).length;
  const lags = samples.map((s) => s.lag);
  const bytes = samples.map((s) => s.bytes);
  figure(`replica lag under ${(ok / secs).toFixed(0)} pledges/s (4 clients, 6 s): ` +
    `replay lag p50 ${pct(lags, 0.5).toFixed(1)} ms, p99 ${pct(lags, 0.99).toFixed(1)} ms, ` +
    `max ${Math.max(...lags).toFixed(1)} ms; WAL not yet replayed p50 ` +
    `${pct(bytes, 0.5)} B, max ${Math.max(...bytes)} B (${samples.length} samples)`);
  assert.ok(samples.length > 10);
  assert.ok(ok > 0);
  assert.ok(Math.max(...lags) < 5000, 'the replica keeps up');
});

test('read-your-writes: the pledger reads the primary, the need shows the pledge', async () => {
  const need = newNeed(50);
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${BASE}/api/v1/needs/${need}/pledges`, { method: 'POST',
      headers: { authorization: 'Bearer ' + tokens[0], 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 1 }) });
    assert.equal(r.status, 201);
    const rw = r.headers.getSetCookie().find((c) => c.startsWith('rw='));
    assert.ok(rw, 'a write sets the rw cookie');
    // The public page, as the browser sends it right after: no session,
    // the rw cookie.
    const page = await fetch(`${BASE}/api/v1/needs/${need}?ryw=${i}`,
      { headers: { cookie: 'rw=1' } });
    const body = await page.json();
    assert.equal(body.need?.pledged ?? body.pledged, i + 1);
  }
});
