// A worker killed with SIGKILL five times under read and pledge load (a
// node of the test's own on the run's database, so that the run's nodes
// keep a log with no death in it).  Issue 14: the parent starts a new
// worker each time, only the requests the dead one held are lost, no
// pledge is half-written (a pledge whose answer was lost is sent again
// with its Idempotency-Key and answered from the first), the cap holds
// and the public log still verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { VAR, DB, figure, login, newNeed, logverify, assertPledgesWhole,
  value } from './lib.mjs';
import { readLoad, writeLoad, failed, failures, sleep } from '../lib/load.mjs';
import { startNode } from '../lib/kore.mjs';

const KILLS = 5;
const CAP = 150; // the need the pledges fill while workers die
let node, tokens, flow, capped;

before(async () => {
  node = await startNode('worker-kill', { wrap: 'ulimit -c 0 &&' });
  tokens = [];
  for (const n of [5, 6, 7, 8]) tokens.push(await login(`donor${n}@example.com`, node.base));
  flow = newNeed(1000000);
  capped = newNeed(CAP);
});

after(async () => { if (node) await node.stop(); });

// Kills one of the node's live workers (turn by turn) and waits until
// the parent has started another: { pid, at, replaced (ms) }.
async function killOne(i) {
  const live = node.workers().filter((w) => w.state !== 'Z');
  assert.equal(live.length, 2, 'two workers before the kill');
  const pid = live[i % 2].pid;
  // What it holds: its sockets (clients' connections, and a few of its
  // own: the listener, the database's, the parent's channel).
  const sockets = readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:'); } catch { return false; }
  }).length;
  const at = Date.now();
  process.kill(pid, 'SIGKILL');
  for (;;) {
    const now = node.workers();
    if (!existsSync(`/proc/${pid}`) && now.length === 2 &&
      now.every((w) => w.state !== 'Z' && w.pid !== pid))
      return { pid, at, sockets, replaced: Date.now() - at };
    assert.ok(Date.now() - at < 10000, `worker ${pid} not replaced: ` +
      JSON.stringify(now));
    await sleep(20);
  }
}

test('five workers killed under load: replaced, only what they held lost, pledges whole', async () => {
  const kills = [];
  let done = false;
  const on = () => !done;
  const [reads, mine, writes, fills] = await Promise.all([
    readLoad(node.base, on, 3),
    readLoad(node.base, on, 1, { authorization: 'Bearer ' + tokens[0] },
      ['/api/v1/me/pledges', '/api/v1/me']),
    writeLoad(node.base, on, tokens.slice(0, 2), flow, 2),
    writeLoad(node.base, on, tokens.slice(2), capped, 3),
    (async () => {
      await sleep(2000);
      for (let i = 0; i < KILLS; i++) {
        kills.push(await killOne(i));
        await sleep(2500);
      }
      done = true;
    })(),
  ]);
  const all = [...reads, ...mine, ...writes.answers, ...fills.answers];
  const lost = failed(all);
  // What a killed worker held: the requests in flight on it, and those
  // sent on its keep-alive connections before this client saw them
  // closed (within a second of the kill).  Every loss is one of those,
  // no more at a kill than the sockets the worker had.
  const byKill = kills.map((k) => lost.filter((a) => a.at <= k.at + 1000 &&
    a.at + a.ms >= k.at));
  const strays = lost.filter((a) => !byKill.some((l) => l.includes(a)));
  const replays = [...writes.answers, ...fills.answers].filter((a) => a.status === 200);
  const full = fills.answers.filter((a) => a.status === 409);

  figure(`${KILLS} workers killed (SIGKILL) under load, ${all.length} requests: ` +
    `each replaced after ${kills.map((k) => k.replaced).join('/')} ms; ` +
    `${lost.length} requests lost (${failures(all)}): ` +
    `${byKill.map((l, i) => `${l.length} of ${kills[i].sockets}`).join(', ')} at ` +
    `each kill (lost of the sockets the worker held); ` +
    `${writes.keys.size + fills.keys.size} pledges made, ${replays.length} ` +
    `of them answered again from their key after a lost answer; the need of ` +
    `${CAP} filled to ${value(DB.owner, `select pledged from needs where id = ${capped}`)} ` +
    `(${full.length} pledges refused 409 after)`);

  assert.equal(node.logText().match(/restarting worker/g)?.length, KILLS);
  assert.deepEqual(strays.map((a) => `${a.status} ${a.path}`), [],
    'only what a killed worker held was lost');
  assert.ok(byKill.every((l, i) => l.length <= kills[i].sockets));
  assert.ok(lost.every((a) => a.status === 0), `lost, not failed: ${failures(all)}`);

  // Each pledge whole and once; the capped need exactly at its cap.
  const f = assertPledgesWhole(flow);
  assert.equal(f.pledges, writes.keys.size);
  const c = assertPledgesWhole(capped);
  assert.equal(c.pledges, fills.keys.size);
  assert.equal(c.pledged, Math.min(CAP, fills.keys.size));
  const v = logverify(node.base, `${VAR}/worker-kill.logverify`);
  assert.equal(v.status, 0, v.out);
  const h = await fetch(`${node.base}/healthz`);
  assert.equal(h.status, 200);
});
