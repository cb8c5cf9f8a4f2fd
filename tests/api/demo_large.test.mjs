// make demo-large (sql/demo/large.sql), the data the benchmarks grow,
// run small in a database of its own (the same cluster, migrated and
// loaded with the demo): it ends with its own checks (the need counts
// and the children helped fail it; pages not all-visible are a
// warning), and every page the shelf reads must be all-visible.  They
// were not on this cluster (asynchronous commits, as the bench's): the
// vacuum could not mark the freshly committed rows (nor, at 100,000
// needs, the few pages it left dead rows on), and the shelf's
// index-only scans read the table until autovacuum came by.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ownDatabase, psql } from '../lib/own_db.mjs';

let db = null;

after(() => {
  if (db) {
    try { db.drop(); } catch { /* the cluster goes with the run */ }
  }
});

test('make demo-large generates 1,000 needs that pass its checks, every page all-visible', { timeout: 300000 }, () => {
  const ROOT = process.env.SHOP_ROOT;
  db = ownDatabase('shop_large');
  const { owner } = db;
  psql(owner, ['-f', `${ROOT}/sql/demo/log_seed.sql`]);
  const seqRead = () => Number(psql(owner, ['-c',
    "select seq_tup_read from pg_stat_user_tables where relname = 'pledges'"]));
  // As on a database in use: its statistics say how small pledges is,
  // and that the public log's tree holds leaves only (the demo's log was
  // never integrated: no job ran).
  psql(owner, ['-c', 'analyze pledges, log_nodes']);
  const seqBefore = seqRead();
  const nodeReads = () => Number(psql(owner, ['-c',
    "select t.seq_tup_read + i.idx_tup_read from pg_stat_user_tables t " +
    "join pg_stat_user_indexes i using (relid) where t.relname = 'log_nodes'"]));
  const nodesBefore = nodeReads();
  let out;
  try {
    out = psql(owner, ['-v', 'total=1000', '-f', `${ROOT}/sql/demo/large.sql`]);
  } catch (e) {
    assert.fail(`large.sql failed: ${e.stdout}${e.stderr}`);
  }
  assert.match(out, /^1000\|\d+\|\d+$/m, 'it reports 1,000 needs');
  assert.ok(!out.includes('warning'), out);
  // Each generated pledge's reference code is checked unused with a
  // lookup of pledges (pledge_reference_new): planned while the table
  // held the demo's few pledges (and its statistics said so), that was a
  // scan of the whole table, which grows in the same statement -- a
  // million needs from an empty database took hours.  Now a few whole
  // reads of the table at most, not one per pledge.  (The statistics of
  // the psql that ended are read once they show its inserts.)
  const pledges = Number(psql(owner, ['-c', 'select count(*) from pledges']));
  let inserted = 0;
  for (let i = 0; i < 50 && inserted < pledges; i++) {
    inserted = Number(psql(owner, ['-c', "select pg_stat_clear_snapshot(); " +
      "select n_tup_ins from pg_stat_user_tables where relname = 'pledges'"]).trim().split('\n').pop());
    if (inserted < pledges) execFileSync('sleep', ['0.1']);
  }
  const scanned = seqRead() - seqBefore;
  assert.ok(scanned < 10 * pledges, `rows of pledges scanned: ${scanned}, for ${pledges} pledges`);
  // The tree's subtrees (log_integrate): each node made reads its two
  // children, whatever the statistics say of the levels above the leaves.
  const entries = Number(psql(owner, ['-c', 'select count(*) from log_entries']));
  const read = nodeReads() - nodesBefore;
  assert.ok(read < 10 * entries, `tree nodes read: ${read}, for ${entries} entries`);
  // Data the platform could have produced: its jobs, run right after,
  // find nothing to do.  They found every pledge still pledged overdue
  // (made a day after its need opened, months ago): a server started on
  // these data expired them for minutes, under the benchmarks.
  for (const job of ['needs_tick', 'pledges_tick', 'pairings_tick']) {
    const { done, backlog } = JSON.parse(psql(owner, ['-c', `select api.${job}(100000)`]));
    assert.deepEqual({ done, backlog }, { done: 0, backlog: 0 }, job);
  }
  const pages = psql(owner, ['-c', "select relname || ' ' || relallvisible || '/' || relpages " +
    "from pg_class where relname in ('needs', 'need_public') order by 1"]).trim().split('\n');
  for (const line of pages) {
    const [, seen, all] = /(\d+)\/(\d+)$/.exec(line);
    assert.ok(Number(all) > 0 && seen === all, `all-visible: ${line}`);
  }
});
