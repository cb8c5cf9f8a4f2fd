// The restore drill: a backup; pledges (A), a signed checkpoint; the time
// T; more pledges (B) and a checkpoint; the keys lost; make restore to T.
// Then A is there and B is not, the keys are back, the log verifies and
// is consistent with the checkpoint signed before T, and the platform
// takes pledges again.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BASE, DIR, cluster, sqlValue, login, newNeed, pledge, key,
  logverify, checkpoint, sleep, figure } from './lib.mjs';

let token;

before(async () => { token = await login('donor1@example.com'); });

const sha = (f) => createHash('sha256').update(readFileSync(f)).digest('hex');

async function pledges(need, n) {
  for (let i = 0; i < n; i++)
    assert.equal(await pledge(token, need, key()), 201);
}

test('backup, pledges, restore to a time between them: rows, keys and log', async () => {
  const keys = { data: sha(`${DIR}/keys/data.key`), log: sha(`${DIR}/keys/log_ed25519.pem`) };
  const pub = await (await fetch(BASE + '/api/v1/log/key')).text();
  const state = `${DIR}/drill.state`;
  rmSync(state, { force: true });
  assert.equal(logverify(state).status, 0);

  let t = Date.now();
  cluster('backup');
  const backupMs = Date.now() - t;

  const a = newNeed(100);
  await pledges(a, 10);
  const cpA = await checkpoint();
  const vA = logverify(state);
  assert.equal(vA.status, 0, vA.out);
  copyFileSync(state, `${DIR}/drill-a.state`);
  await sleep(1000);
  const target = sqlValue('select now()::text');
  await sleep(1000);

  const b = newNeed(100);
  await pledges(b, 10);
  const cpB = await checkpoint();
  assert.ok(cpB.tree_size > cpA.tree_size);
  assert.equal(logverify(state).status, 0);
  copyFileSync(state, `${DIR}/drill-b.state`);

  // The disk with the keys died too.
  rmSync(`${DIR}/keys/data.key`);
  rmSync(`${DIR}/keys/log_ed25519.pem`);

  t = Date.now();
  cluster('restore', target);
  const restoreMs = Date.now() - t;

  // A is there, B never happened.
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${a}`), '10');
  assert.equal(sqlValue(`select count(*) from needs where id = ${b}`), '0');
  // The keys are the same files, the log's public key the same.
  assert.equal(sha(`${DIR}/keys/data.key`), keys.data);
  assert.equal(sha(`${DIR}/keys/log_ed25519.pem`), keys.log);
  assert.equal(await (await fetch(BASE + '/api/v1/log/key')).text(), pub);
  // A child's private part still opens (the data key).
  const sealed = sqlValue('select count(*) from beneficiary_private');
  assert.ok(Number(sealed) > 0);

  // The log verifies, and extends the checkpoint signed before T.
  const head = await checkpoint();
  assert.equal(head.tree_size, cpA.tree_size, 'the log as it was at T');
  const after = logverify(`${DIR}/drill-a.state`);
  assert.equal(after.status, 0, after.out);
  // Someone who kept the checkpoint signed after T sees the log lost
  // entries it had signed: the price of going back in time.
  const lost = logverify(`${DIR}/drill-b.state`);
  assert.notEqual(lost.status, 0, 'a checkpoint after T is not in the restored log');

  // The platform takes pledges again, and the log grows from A.
  const c = newNeed(10);
  await pledges(c, 2);
  await checkpoint();
  const again = logverify(`${DIR}/drill-a.state`);
  assert.equal(again.status, 0, again.out);
  const h = await (await fetch(BASE + '/healthz')).json();
  assert.equal(h.status, 'ok', JSON.stringify(h));

  figure(`backup (pgBackRest, with WAL archiving) ${(backupMs / 1000).toFixed(1)} s; ` +
    `restore to a time between two batches of pledges, the replica made again and ` +
    `the nodes restarted ${(restoreMs / 1000).toFixed(1)} s; rows, keys and the log ` +
    `(logverify against the checkpoint of size ${cpA.tree_size} signed before T) as they were`);
});
