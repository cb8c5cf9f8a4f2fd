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

const ROOT = process.env.SHOP_ROOT;
const PSQL = '/usr/lib/postgresql/15/bin/psql';
const DB = 'shop_large';
let made = false;

const psql = (conn, args) => execFileSync(PSQL, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
  conn, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

after(() => {
  if (made) {
    try {
      psql(process.env.SUPER_DB, ['-c', `drop database if exists ${DB} with (force)`]);
    } catch { /* the cluster goes with the run */ }
  }
});

test('make demo-large generates 1,000 needs that pass its checks, every page all-visible', { timeout: 300000 }, () => {
  assert.ok(ROOT && process.env.SUPER_DB && process.env.OWNER_DB, 'run by tests/run.sh');
  psql(process.env.SUPER_DB, ['-c', `drop database if exists ${DB} with (force)`,
    '-c', `create database ${DB} owner shop_owner encoding 'UTF8' ` +
      "lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' template template0"]);
  made = true;
  psql(process.env.SUPER_DB.replace('dbname=shop', `dbname=${DB}`), ['-c',
    'revoke all on schema public from public; alter schema public owner to shop_owner; ' +
    'grant usage on schema public to shop_app;']);
  const owner = process.env.OWNER_DB.replace('dbname=shop', `dbname=${DB}`);
  execFileSync(`${ROOT}/sql/migrate.sh`, [owner], { stdio: 'ignore' });
  psql(owner, ['-f', `${ROOT}/sql/demo/seed.sql`, '-f', `${ROOT}/sql/demo/log_seed.sql`]);
  let out;
  try {
    out = psql(owner, ['-v', 'total=1000', '-f', `${ROOT}/sql/demo/large.sql`]);
  } catch (e) {
    assert.fail(`large.sql failed: ${e.stdout}${e.stderr}`);
  }
  assert.match(out, /^1000\|\d+\|\d+$/m, 'it reports 1,000 needs');
  assert.ok(!out.includes('warning'), out);
  const pages = psql(owner, ['-c', "select relname || ' ' || relallvisible || '/' || relpages " +
    "from pg_class where relname in ('needs', 'need_public') order by 1"]).trim().split('\n');
  for (const line of pages) {
    const [, seen, all] = /(\d+)\/(\d+)$/.exec(line);
    assert.ok(Number(all) > 0 && seen === all, `all-visible: ${line}`);
  }
});
