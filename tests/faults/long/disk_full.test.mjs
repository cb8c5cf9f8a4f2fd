// The database's disk full: a cluster of the test's own (durable, data
// and WAL on one small tmpfs mounted for it: the test runs as root) and a
// node on it, under read and pledge load; the disk is filled to the last
// byte for 10 s, then the space comes back.  Issue 14: writes refused
// with a clear 503 (storage_full, with Retry-After), reads go on, and
// everything works again by itself once there is room; no pledge half
// written, the public log still verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { ROOT, VAR, psql, figure, login, newNeed, logverify,
  assertPledgesWhole, readText, pgRoot } from '../lib.mjs';
import { readLoad, writeLoad, failed, failures, recovery, sleep } from '../../lib/load.mjs';
import { startNode } from '../../lib/kore.mjs';

const DIR = `${VAR}/disk-full`;
const SIZE = '256m';
let node, db, owner, tokens, need, mounted = false;

before(async () => {
  mkdirSync(DIR, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=755`, 'tmpfs', DIR]);
  mounted = true;
  // Durable, as in production: no FAST.
  execFileSync(`${ROOT}/tests/demo-db.sh`, [DIR], { stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, FAST: '0' } });
  const sock = execFileSync(`${ROOT}/sql/cluster.sh`, ['sock', DIR], { encoding: 'utf8' }).trim();
  db = `host=${sock} dbname=shop user=shop_app`;
  owner = `host=${sock} dbname=shop user=shop_owner`;
  node = await startNode('disk-full', { db,
    env: { SHOP_VAR: DIR, SHOP_LOG_CHECKPOINT_SECONDS: '1' } });
  tokens = [];
  for (const n of [1, 2, 3]) {
    tokens.push(await login(`donor${n}@example.com`, node.base, `${DIR}/demo-accounts.txt`));
  }
  need = newNeed(1000000, owner);
});

after(async () => {
  if (node) await node.stop();
  if (mounted) {
    execFileSync(`${ROOT}/sql/cluster.sh`, ['wipe', DIR], { stdio: 'ignore' });
    execFileSync('umount', [DIR]);
  }
});

const df = () => execFileSync('df', ['-m', '--output=used,avail', DIR], { encoding: 'utf8' })
  .trim().split('\n')[1].trim().split(/\s+/).map(Number);

test('the database\'s disk full: writes refused 503, reads go on, back by itself', async () => {
  const state = `${VAR}/disk-full.logverify`;
  assert.equal(logverify(node.base, state).status, 0);
  const pgLog = `${pgRoot(DIR)}/server.log`;
  const logFrom = statSync(pgLog).size;
  let fullAt, freedAt, usedWhenFull;
  const on = () => freedAt === undefined || Date.now() < freedAt + 8000;
  const [reads, mine, writes] = await Promise.all([
    readLoad(node.base, on, 2),
    readLoad(node.base, on, 1, { authorization: 'Bearer ' + tokens[0] },
      ['/api/v1/me/pledges', '/api/v1/me']),
    writeLoad(node.base, on, tokens, need, 3),
    (async () => {
      await sleep(3000);
      // Every free byte taken (dd stops at ENOSPC).
      await new Promise((r) => execFile('dd', ['if=/dev/zero', `of=${DIR}/filler`,
        'bs=1M'], () => r()));
      fullAt = Date.now();
      usedWhenFull = df();
      await sleep(10000);
      rmSync(`${DIR}/filler`);
      freedAt = Date.now();
    })(),
  ]);
  const pledges = writes.answers;
  const during = (list) => list.filter((a) => a.at >= fullAt + 500 && a.at < freedAt);
  const fullWrites = during(pledges);
  const refused = fullWrites.filter((a) => a.status === 503);
  const wrong = failed(fullWrites).filter((a) => a.status !== 503 || !a.retryAfter);
  const fullReads = during([...reads, ...mine]);
  const readsFailed = failed(fullReads);
  const back = recovery(pledges, freedAt);
  const first = pledges.filter((a) => a.at >= freedAt && a.status === 201)
    .map((a) => a.at + a.ms - freedAt)[0];
  const made = fullWrites.filter((a) => a.status === 201).length;
  const panics = (readText(pgLog, logFrom).match(/PANIC: .*/g) ?? []);
  const codes = new Set(refused.map((a) => a.code));

  figure(`database disk full (${SIZE} tmpfs, data and WAL, ${usedWhenFull[0]} MB ` +
    `used, ${usedWhenFull[1]} MB free) for ${freedAt - fullAt} ms: ` +
    `${fullWrites.length} pledges sent, ${refused.length} refused 503 ` +
    `(${[...codes].join(', ')}), ${made} made all the same (room left in a ` +
    `page); ${fullReads.length} reads, ${readsFailed.length} failed ` +
    `(${failures(fullReads)}); after the space came back the first pledge made ` +
    `in ${first} ms, every one after it too; ${panics.length} PANIC in the server's log${panics.length ?
      ` (${panics[0]})` : ''}`);

  assert.ok(refused.length > 0, 'writes were refused');
  assert.deepEqual(wrong.map((a) => `${a.status} ${a.path}`), [],
    'a refused write is a 503 with Retry-After');
  assert.deepEqual([...codes], ['storage_full']);
  assert.equal(readsFailed.length, 0, `reads go on: ${failures(fullReads)}`);
  assert.ok(back < 5000, `back ${back} ms after the space came back`);
  // Each pledge whole, the keys that succeeded made one each.
  const w = assertPledgesWhole(need, owner);
  assert.equal(w.pledges, writes.keys.size);
  assert.equal(psql(owner, 'select 1').length, 1);
  const v = logverify(node.base, state);
  assert.equal(v.status, 0, v.out);
  assert.doesNotMatch(node.logText(), /restarting worker|sandbox violation/);
});
