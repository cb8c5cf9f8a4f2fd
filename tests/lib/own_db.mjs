// A database of a test's own, in the run's cluster: created as the
// platform's is (owner shop_owner, C.UTF-8, schema public closed to
// others), migrated, and loaded with the demo seed.  For a test whose
// data would change what the other tests see (a large export, the bulk
// demo generator).  Run by tests/run.sh, which sets SHOP_ROOT and the
// cluster's connection strings.
import { execFileSync } from 'node:child_process';

const PSQL = '/usr/lib/postgresql/15/bin/psql';

// Runs psql on conn with args, stopping at the first error; its output.
export const psql = (conn, args) => execFileSync(PSQL, ['-X', '-q', '-At',
  '-v', 'ON_ERROR_STOP=1', conn, ...args], { encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'] });

// Creates (again, if a run before left it) the database name, migrated
// and seeded; returns its connection strings as owner and as the app,
// and drop(), which removes it (call it in the test file's after).
export function ownDatabase(name) {
  const { SHOP_ROOT, SUPER_DB, OWNER_DB, APP_DB } = process.env;
  if (!SHOP_ROOT || !SUPER_DB || !OWNER_DB || !APP_DB) {
    throw new Error('a database of its own: run by tests/run.sh');
  }
  const at = (conn) => conn.replace('dbname=shop', `dbname=${name}`);
  const drop = () => psql(SUPER_DB, ['-c', `drop database if exists ${name} with (force)`]);
  drop();
  psql(SUPER_DB, ['-c', `create database ${name} owner shop_owner encoding 'UTF8' ` +
    "lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' template template0"]);
  psql(at(SUPER_DB), ['-c', 'revoke all on schema public from public; ' +
    'alter schema public owner to shop_owner; grant usage on schema public to shop_app;']);
  const owner = at(OWNER_DB);
  execFileSync(`${SHOP_ROOT}/sql/migrate.sh`, [owner], { stdio: 'ignore' });
  psql(owner, ['-f', `${SHOP_ROOT}/sql/demo/seed.sql`]);
  return { owner, app: at(APP_DB), drop };
}
