// What the fault tests share (tests/faults/, run by tests/run.sh with
// its throwaway database and nodes): SQL as a role, the test cluster's
// sql/cluster.sh, sign-ins of the demo donors, a fresh need, logverify,
// and the figures, printed and kept in TEST_VAR/figures.txt (run.sh
// prints them all at the end).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, realpathSync } from 'node:fs';
import assert from 'node:assert/strict';
import { demo } from '../lib/session.mjs';
import { signIn } from '../lib/load.mjs';

export const ROOT = process.env.SHOP_ROOT;
export const VAR = process.env.TEST_VAR;
export const BASE = process.env.BASE_URL;
export const PGBIN = '/usr/lib/postgresql/15/bin';
export const DB = { app: process.env.APP_DB, owner: process.env.OWNER_DB,
  super: process.env.SUPER_DB };

// Rows of query (arrays of strings) run by psql on conninfo db.
export function psql(db, query) {
  const out = execFileSync(`${PGBIN}/psql`, ['-X', '-q', '-At', '-F', '\t',
    '-v', 'ON_ERROR_STOP=1', db, '-c', query], { encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export const value = (db, query) => psql(db, query)[0]?.[0] ?? null;

// psql without blocking this process (a load it runs goes on meanwhile).
export function psqlAsync(db, query) {
  return new Promise((resolve, reject) => {
    execFile(`${PGBIN}/psql`, ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1',
      db, '-c', query], { encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(err))
      : resolve(out.split('\n').filter((l) => l !== '').map((l) => l.split('\t')))));
  });
}

// sql/cluster.sh CMD of a cluster (default: the test run's), without
// blocking this process: the load it measures goes on meanwhile (a
// synchronous call held every request in flight for as long as the
// server took to start, and the figures with it).
export function pgCluster(cmd, dir = VAR) {
  return new Promise((resolve, reject) => {
    execFile(`${ROOT}/sql/cluster.sh`, [cmd, dir], (e, out, err) =>
      (e ? reject(new Error(`cluster.sh ${cmd}: ${err}`)) : resolve()));
  });
}

// The cluster's own directory (its data/ and server.log).
export const pgRoot = (dir = VAR) => realpathSync(`${dir}/pg`);

export function figure(line) {
  appendFileSync(`${VAR}/figures.txt`, line + '\n');
  console.log('  figure: ' + line);
}

// A token of the demo account with this e-mail, from node base; with
// file, an account of another cluster's demo (its demo-accounts.txt).
export async function login(email, base = BASE, file) {
  const a = file ? readFileSync(file, 'utf8').split('\n').map((l) => l.split('\t'))
    .filter((f) => f[1] === email).map(([, login, , password]) => ({ login, password }))[0]
    : demo(email);
  assert.ok(a, `demo account ${email}`);
  return signIn(base, a.login, a.password);
}

// A fresh open goods need of the first school, quantity q, with its
// entry in the public log; on conninfo db (the owner's).
export function newNeed(q, db = DB.owner, title = '故障测试') {
  const id = value(db, `insert into needs (org_id, town_id, kind, category,
      title, unit, quantity, deadline, story, status, opened_at)
    select id, town_id, 'goods', 'books', '${title}', '本', ${q},
      current_date + 30, '', 'open', now()
    from orgs where kind = 'school' order by id limit 1 returning id`);
  psql(db, `select api.log_need_opened(${id})`);
  return Number(id);
}

// build/logverify against base, keeping its checkpoint in state (so a
// later run checks that the log still extends it): { status, out }.
export function logverify(base, state) {
  const r = spawnSync(`${ROOT}/build/logverify`, ['-s', state, base],
    { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// What the pledges on need say of themselves, each written whole: its
// pledged event, its public log entry and, for a key, the key's answer;
// the need's pledged equal to what its live pledges hold, never more
// than its quantity.  Returns { pledges, pledged, quantity }.
export function assertPledgesWhole(need, db = DB.owner) {
  const [row] = psql(db, `select n.quantity, n.pledged,
      (select coalesce(sum(p.quantity), 0) from pledges p where p.need_id = n.id
        and p.status in ('pledged', 'delivered', 'disputed', 'received')),
      (select count(*) from pledges p where p.need_id = n.id),
      (select count(*) from pledges p where p.need_id = n.id and not exists
        (select 1 from pledge_events e where e.pledge_id = p.id
          and e.action = 'pledged')),
      (select count(*) from pledges p where p.need_id = n.id and not exists
        (select 1 from log_entries l where l.need_id = n.id
          and l.kind = 'pledge_made' and (l.fields ->> 'pledge')::bigint = p.id)),
      (select count(*) from idempotency_keys k where k.response is null
        or (k.response::json -> 'pledge' ->> 'need_id')::bigint = n.id
        and not exists (select 1 from pledges p
          where p.id = (k.response::json -> 'pledge' ->> 'id')::bigint))
    from needs n where n.id = ${need}`).map((r) => r.map(Number));
  const [quantity, pledged, live, pledges, noEvent, noEntry, badKeys] = row;
  assert.equal(pledged, live, 'the need holds what its live pledges hold');
  assert.ok(pledged <= quantity, `${pledged} pledged of ${quantity}`);
  assert.equal(noEvent, 0, 'a pledge without its event');
  assert.equal(noEntry, 0, 'a pledge without its log entry');
  assert.equal(badKeys, 0, 'a key without its answer or its pledge');
  return { pledges, pledged, quantity };
}

// A file's text ('' if there is none), from byte offset `from` on.
export function readText(f, from = 0) {
  try { return readFileSync(f).subarray(from).toString('utf8'); } catch { return ''; }
}
