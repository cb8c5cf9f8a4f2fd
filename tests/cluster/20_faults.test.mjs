// Faults the cluster survives, each under load, with the figures: a Kore
// node killed, PgBouncer restarted, the replica stopped.  GETs are public
// pages with a query string nginx's cache has never seen, so every one
// reaches a node; writes are pledges with an Idempotency-Key, sent again
// with the same key after a failure (as a client should).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ENV, cluster, sqlValue, login, newNeed, readLoad,
  writeLoad, failed, failures, recovery, pct, sleep, figure, getOnce } from './lib.mjs';

let tokens;

before(async () => {
  tokens = [await login('donor4@example.com'), await login('donor5@example.com')];
});

// Pledges on need whose keys succeeded: exactly one each.
function assertOnce(need, keys) {
  const n = Number(sqlValue(`select count(*) from pledges where need_id = ${need}`));
  assert.equal(n, keys.size, 'one pledge per key that succeeded, none twice');
}

test('a Kore node killed under load: no GET fails, writes go on on the other node', async () => {
  const need = newNeed(100000);
  const t0 = Date.now();
  const killAt = t0 + 2500;
  const [reads, writes] = await Promise.all([
    readLoad(8000, 6),
    writeLoad(8000, tokens, need),
    (async () => { await sleep(killAt - Date.now()); cluster('node-kill', '1'); })(),
  ]);
  const fr = failed(reads);
  const fw = failed(writes.answers);
  const during = reads.filter((a) => a.at >= killAt && a.at < killAt + 2000).map((a) => a.ms);
  const wAfter = writes.answers.filter((a) => a.at > killAt && a.status === 201);
  figure(`node killed: ${reads.length} GETs, ${fr.length} failed (${failures(reads)}); ` +
    `${writes.answers.length} pledges sent, ${fw.length} failed (in flight on the ` +
    `dead node, sent again with their key), ${writes.keys.size} made; ` +
    `GET p50/p99 in the 2 s after the kill ${pct(during, 0.5)}/${pct(during, 0.99)} ms; ` +
    `first pledge after the kill ${wAfter.length ? wAfter[0].at - killAt : '-'} ms`);
  assert.equal(fr.length, 0, 'nginx sends a GET to the other node, even one in flight');
  assert.ok(fw.length <= 2, 'only pledges in flight failed');
  assert.ok(wAfter.length > 0, 'pledges went on');
  assertOnce(need, writes.keys);
  cluster('node-start', '1');
  // Both nodes serve again.
  const ups = new Set();
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${BASE}/api/v1/needs?both=${i}`);
    await r.arrayBuffer();
    ups.add(r.status);
  }
  assert.deepEqual([...ups], [200]);
});

test('PgBouncer restarted: the nodes reconnect by themselves', async () => {
  const need = newNeed(100000);
  const stopAt = Date.now() + 2000;
  let startAt;
  const [reads, writes] = await Promise.all([
    readLoad(9000, 4),
    writeLoad(9000, tokens, need),
    (async () => {
      await sleep(stopAt - Date.now());
      cluster('pgbouncer-stop');
      await sleep(1000);
      startAt = Date.now();
      cluster('pgbouncer-start');
    })(),
  ]);
  const fr = failed(reads);
  const fw = failed(writes.answers);
  const frDown = fr.filter((a) => a.at < startAt);
  const rr = recovery(reads, startAt);
  const rw = recovery(writes.answers, startAt);
  figure(`PgBouncer down 1 s, then started: ${reads.length} GETs, ${fr.length} failed ` +
    `(${frDown.length} while it was down, 503; after: ` +
    `${failures(fr.filter((a) => a.at >= startAt))}); ${writes.answers.length} pledges sent, ` +
    `${fw.length} failed (503, sent again with their key); all reads succeed again ` +
    `${rr} ms and writes ${rw} ms after it was back`);
  // A request on a connection opened just before the restart may still
  // fail as PgBouncer comes back (one in ~1,500 here); none later.
  assert.deepEqual(fr.filter((a) => a.at >= startAt + 1000), [],
    'no read fails a second after it is back');
  assert.ok(rr < 2000 && rw < 2000, 'recovered within 2 s');
  assertOnce(need, writes.keys);
});

test('the replica stopped: public pages are read from the primary', async (ctx) => {
  ctx.after(() => cluster('replica-start'));
  const stopAt = Date.now() + 1500;
  const [reads] = await Promise.all([
    readLoad(6000, 4),
    (async () => { await sleep(stopAt - Date.now()); cluster('replica-stop'); })(),
  ]);
  const fr = failed(reads);
  const slow = reads.filter((a) => a.at >= stopAt).map((a) => a.ms);
  const h = await (await fetch(BASE + '/healthz')).json();
  assert.equal(h.status, 'degraded');
  assert.deepEqual(h.failing, ['replica']);
  assert.equal(h.database, 'ok');
  let fallbacks = 0;
  for (const port of [ENV.METRICS1_PORT, ENV.METRICS2_PORT]) {
    const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    fallbacks += Number(m.match(/^shop_db_fallbacks_total\{pool="replica"\} (\d+)$/m)[1]);
  }
  figure(`replica stopped: ${reads.length} public GETs, ${fr.length} failed ` +
    `(${failures(reads)}); the nodes sent ${fallbacks} statements meant for the ` +
    `replica to the primary; slowest GET after the stop ${Math.max(...slow)} ms`);
  assert.equal(fr.length, 0, 'no public page failed');
  cluster('replica-start');
  // Back on the replica within a few seconds (each worker waits 5 s).
  const t = Date.now();
  for (;;) {
    const r = await (await fetch(BASE + '/healthz')).json();
    if (r.status === 'ok') break;
    assert.ok(Date.now() - t < 15000, 'the replica is back in /healthz');
    await sleep(250);
  }
  assert.equal((await getOnce('/needs?back=1')).status, 200);
  // It caught up with what was written meanwhile.
  const lsn = sqlValue('select pg_current_wal_lsn()', 'postgres');
  for (let i = 0; i < 40; i++) {
    if (sqlValue(`select pg_last_wal_replay_lsn() >= '${lsn}'`, 'replica') === 't') break;
    await sleep(250);
  }
  assert.equal(sqlValue(`select pg_last_wal_replay_lsn() >= '${lsn}'`, 'replica'), 't');
});
