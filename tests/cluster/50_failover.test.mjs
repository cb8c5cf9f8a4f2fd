// The primary lost under a pledge load: the replica is promoted
// (pg_ctl promote), PgBouncer is pointed at it (RELOAD), writes resume,
// and the public log still verifies against the last checkpoint a
// reader kept: no fork.  Runs last: the cluster's primary is then the
// former replica.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { BASE, DIR, cluster, sqlValue, login, newNeed, writeLoad, readLoad,
  failed, recovery, logverify, checkpoint, sleep, figure } from './lib.mjs';

let tokens;

before(async () => {
  tokens = [await login('donor2@example.com'), await login('donor3@example.com')];
});

test('primary lost: the replica promoted, writes resume, the log verifies', async () => {
  const state = `${DIR}/failover.state`;
  rmSync(state, { force: true });
  const need = newNeed(100000);
  let crashAt, promotedAt;
  // A reader keeps checkpoints while pledges go on.
  const keeper = (async () => {
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      await checkpoint();
      const v = logverify(state);
      assert.equal(v.status, 0, v.out);
      await sleep(300);
    }
  })();
  const [writes, reads] = await Promise.all([
    writeLoad(9000, tokens, need),
    readLoad(9000, 2, { authorization: 'Bearer ' + tokens[0] }, ['/api/v1/me']),
    keeper,
    (async () => {
      await sleep(2500);
      crashAt = Date.now();
      cluster('primary-crash');
      await sleep(500);
      cluster('failover');
      promotedAt = Date.now();
    })(),
  ]);
  const fw = failed(writes.answers);
  const fr = failed(reads);
  const firstWrite = writes.answers.filter((a) => a.at > crashAt && a.status === 201)
    .sort((x, y) => x.at - y.at)[0];
  figure(`primary lost (crash, promote after 0.5 s): ${writes.answers.length} pledges sent, ` +
    `${fw.length} failed (503 while there was no primary, sent again with their key); ` +
    `first pledge ${firstWrite.at - crashAt} ms after the crash ` +
    `(${firstWrite.at - promotedAt} ms after the promotion); ` +
    `reads with a session: ${fr.length} of ${reads.length} failed, all succeed again ` +
    `${recovery(reads, promotedAt)} ms after the promotion`);
  assert.ok(firstWrite, 'writes resumed');
  assert.equal(recovery(writes.answers, promotedAt + 3000), 0,
    'no write fails 3 s after the promotion');
  // Exactly once per key, on the new primary.
  assert.equal(Number(sqlValue(`select count(*) from pledges where need_id = ${need}`)),
    writes.keys.size);
  assert.equal(sqlValue('select pg_is_in_recovery()'), 'f');
  // The log extends the last checkpoint the reader kept, and the nodes
  // sign new ones over it.
  const before = await checkpoint();
  const v = logverify(state);
  assert.equal(v.status, 0, v.out);
  const h = await (await fetch(BASE + '/healthz')).json();
  assert.equal(h.database, 'ok');
  figure(`after the failover the log (size ${before.tree_size}) verifies against the ` +
    'checkpoint kept before the crash: no fork');
});
