// The wall clock stepped back and forth around the job period (an NTP
// step, an operator's date -s): a cluster and a node of the test's own,
// both with libfaketime preloaded, reading their offset from a file the
// test rewrites (FAKETIME_TIMESTAMP_FILE); the monotonic clock is left
// alone, as a real step leaves it.  Issue 14: nothing changes that must
// not -- a step back un-does nothing and stops no job (the notice that
// ended stays ended, the pledge that expired stays expired, the due
// notice is not sent twice, checkpoints go on being signed, sessions
// live on), a step forward does what its time says exactly once, and the
// public log verifies against what was kept before each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { ROOT, VAR, psql, value, figure, login, logverify, assertPledgesWhole,
  readText } from '../lib.mjs';
import { hit, sleep } from '../../lib/load.mjs';
import { startNode } from '../../lib/kore.mjs';

const DIR = `${VAR}/clock`;
const OFFSET = `${DIR}/faketime`;
const ACCESS = `${DIR}/access.json`;
const LIB = '/usr/lib/x86_64-linux-gnu/faketime';
const PERIOD = 2; // s: the jobs and the checkpoints (SHOP_LOG_CHECKPOINT_SECONDS)
const FAKE = { FAKETIME_TIMESTAMP_FILE: OFFSET, FAKETIME_CACHE_DURATION: '1',
  FAKETIME_DONT_FAKE_MONOTONIC: '1' };
const skip = !existsSync(`${LIB}/libfaketime.so.1`) && 'libfaketime is not installed';
let node, owner, token, ids = {};

const q = (sql) => psql(owner, sql);
const v = (sql) => value(owner, sql);

// Sets the wall clock's offset (seconds) for both, and waits until both
// keep it (each reads the file at most a second old): the database's
// now() and the time the node writes in its access log.
async function step(seconds) {
  writeFileSync(OFFSET, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  const t0 = Date.now();
  for (;;) {
    const db = Number(v('select extract(epoch from now())')) - Date.now() / 1000;
    const r = await fetch(`${node.base}/healthz`);
    await r.arrayBuffer();
    const id = r.headers.get('x-request-id');
    const line = readText(ACCESS).split('\n').find((l) => l.includes(`"id":"${id}"`));
    const web = Date.parse(JSON.parse(line ?? '{}').time) / 1000 - Date.now() / 1000;
    if (Math.abs(db - seconds) < 5 && Math.abs(web - seconds) < 5) return;
    assert.ok(Date.now() - t0 < 10000, `the clocks are ${db} s and ${web} s off, ` +
      `not ${seconds} s`);
    await sleep(200);
  }
}

before(async () => {
  if (skip) return;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(OFFSET, '+0\n');
  execFileSync(`${ROOT}/tests/demo-db.sh`, [DIR], { stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, FAST: '1', LD_PRELOAD: `${LIB}/libfaketime.so.1`, ...FAKE } });
  const sock = execFileSync(`${ROOT}/sql/cluster.sh`, ['sock', DIR], { encoding: 'utf8' }).trim();
  owner = `host=${sock} dbname=shop user=shop_owner`;
  node = await startNode('clock', { db: `host=${sock} dbname=shop user=shop_app`,
    env: { SHOP_VAR: DIR, SHOP_LOG_CHECKPOINT_SECONDS: String(PERIOD), SHOP_ACCESS_LOG: ACCESS,
      LD_PRELOAD: `${LIB}/libfaketimeMT.so.1`, ...FAKE } });
  token = await login('donor1@example.com', node.base, `${DIR}/demo-accounts.txt`);

  // Around "now": a notice that ends in 30 minutes, a pledge due in 30
  // minutes, a pledge whose due notice is owed in 30 minutes (due in two
  // days and a half hour), a need whose deadline is days away.
  const school = v("select id from orgs where kind = 'school' order by id limit 1");
  const need = (status, extra = '') => Number(v(`insert into needs (org_id, town_id, kind,
      category, title, unit, quantity, deadline, story, status, opened_at,
      notice_ends_at) select id, town_id, 'goods', 'books', '时钟测试', '本', 100,
      current_date + 3, '', '${status}', ${status === 'open' ? 'now()' : 'null'},
      ${status === 'notice' ? "now() + interval '30 minutes'" : 'null'}
    from orgs where id = ${school} returning id`));
  ids.notice = need('notice');
  ids.open = need('open');
  q(`select api.log_need_opened(${ids.open})`);
  for (const [name, due] of [['expiring', '30 minutes'], ['told', '2 days 30 minutes']]) {
    const r = await hit(node.base, `/api/v1/needs/${ids.open}/pledges`, { method: 'POST',
      headers: { authorization: 'Bearer ' + token }, body: { quantity: 1 } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    ids[name] = r.json.pledge.id;
    q(`update pledges set due_at = now() + interval '${due}' where id = ${ids[name]}`);
  }
});

after(async () => {
  if (skip) return;
  if (node) await node.stop();
  execFileSync(`${ROOT}/sql/cluster.sh`, ['wipe', DIR], { stdio: 'ignore' });
});

// What must not change but once: the counts of what the jobs did to the
// test's rows, and their states.
function facts() {
  const [row] = q(`select
      (select status from needs where id = ${ids.notice}),
      (select status from needs where id = ${ids.open}),
      (select status from pledges where id = ${ids.expiring}),
      (select count(*) from need_events where need_id = ${ids.notice}
        and to_status = 'open'),
      (select count(*) from log_entries where need_id = ${ids.notice}
        and kind = 'need_opened'),
      (select count(*) from pledge_events where pledge_id = ${ids.expiring}
        and action = 'expired'),
      (select count(*) from log_entries where kind = 'pledge_expired'
        and (fields ->> 'pledge')::bigint = ${ids.expiring}),
      (select count(*) from pledge_events where pledge_id = ${ids.told}
        and action = 'due_notice'),
      (select count(*) from notifications where kind = 'due_soon'
        and params ->> 'pledge_id' = '${ids.told}')`);
  const [notice, open, expiring, opened, openedLog, expired,
    expiredLog, told, toldMail] = row;
  return { notice, open, expiring, opened: Number(opened),
    openedLog: Number(openedLog), expired: Number(expired),
    expiredLog: Number(expiredLog), told: Number(told), toldMail: Number(toldMail) };
}

// A new pledge (the log grows), then the next periodic checkpoint must
// cover it: { ms until it did }.
async function checkpointCovers() {
  const r = await hit(node.base, `/api/v1/needs/${ids.open}/pledges`, { method: 'POST',
    headers: { authorization: 'Bearer ' + token }, body: { quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const size = Number(v('select size from log_head'));
  const t0 = Date.now();
  for (;;) {
    if (Number(v('select coalesce(max(tree_size), 0) from log_checkpoints')) >= size)
      return Date.now() - t0;
    assert.ok(Date.now() - t0 < PERIOD * 5000, `no checkpoint of ${size} entries ` +
      `within ${PERIOD * 5} s`);
    await sleep(100);
  }
}

// Waits a few job periods, then the facts, the checkpoint and the log.
async function settle(label, state, seen) {
  await sleep(PERIOD * 2500);
  const f = facts();
  const cp = await checkpointCovers();
  const lv = logverify(node.base, state);
  assert.equal(lv.status, 0, `${label}: ${lv.out}`);
  const me = await hit(node.base, '/api/v1/me', { headers: { authorization: 'Bearer ' + token } });
  seen.push(`${label}: notice ${f.notice}, pledge ${f.expiring}, due notices ` +
    `${f.told}, checkpoint after ${cp} ms, session ${me.status}`);
  return { f, me: me.status };
}

test('the wall clock stepped back and forth around the job period', { skip }, async () => {
  const state = `${DIR}/logverify.state`;
  const seen = [];
  assert.equal(logverify(node.base, state).status, 0);
  const start = await settle('now', state, seen);
  assert.deepEqual([start.f.notice, start.f.expiring, start.f.told], ['notice', 'pledged', 0]);

  // Back an hour: nothing is due, nothing stops.
  await step(-3600);
  const back = await settle('an hour back', state, seen);
  assert.deepEqual(back.f, start.f, 'a step back changes nothing');
  assert.equal(back.me, 200, 'the session lives on');

  // Forward to an hour ahead: the notice ends, the pledge expires, the
  // due notice goes out, each once.
  await step(3600);
  const ahead = await settle('an hour ahead', state, seen);
  assert.equal(ahead.f.notice, 'open');
  assert.equal(ahead.f.expiring, 'expired');
  assert.deepEqual([ahead.f.opened, ahead.f.openedLog, ahead.f.expired,
    ahead.f.expiredLog, ahead.f.told], [1, 1, 1, 1, 1]);
  assert.ok(ahead.f.toldMail > 0, 'the donor is told (a message a channel)');

  // Back again past all of it: nothing is un-done or done twice.
  await step(-3600);
  const again = await settle('an hour back again', state, seen);
  assert.deepEqual(again.f, ahead.f, 'a step back un-does nothing and does nothing twice');

  await step(0);
  const now = await settle('now again', state, seen);
  assert.deepEqual(now.f, ahead.f);
  // The expired pledge's quantity back on the shelf, the others held.
  assertPledgesWhole(ids.open, owner);
  figure(`wall clock stepped (libfaketime, jobs every ${PERIOD} s): ${seen.join('; ')}`);
  assert.doesNotMatch(node.logText(), /restarting worker|sandbox violation/);
});
