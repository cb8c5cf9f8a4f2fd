// What the cluster tests share: the cluster's address (https, through
// nginx, trusting the cluster's own CA: tests/cluster/run.sh sets
// NODE_EXTRA_CA_CERTS), conf/cluster.sh to break and mend it, SQL as the
// owner (through PgBouncer) or as the superuser of one server, load
// generators that count what failed, and the figures for the report.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import * as load from '../lib/load.mjs';
import { hit, key, failed, failures, recovery, pct } from '../lib/load.mjs';

export const BASE = process.env.BASE_URL;
export const DIR = process.env.CLUSTER_ROOT;
export const ROOT = process.env.SHOP_ROOT;
export const CA = `${DIR}/tls/ca.pem`;
export const ENV = Object.fromEntries(readFileSync(`${DIR}/env`, 'utf8')
  .split('\n').filter(Boolean).map((l) => l.split('=')));

export { sleep } from '../lib/load.mjs';

// conf/cluster.sh CMD ARGS..., its output.
export function cluster(...args) {
  return execFileSync(`${ROOT}/conf/cluster.sh`, args, {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

// Rows of query (arrays of strings) as role: shop_owner and shop_app go
// through PgBouncer (wherever it points); postgres and replica are the
// superuser on the primary's or the replica's own socket.
export function sql(query, role = 'shop_owner') {
  const out = cluster('psql', role, 'shop', '-At', '-F', '\t',
    '-v', 'ON_ERROR_STOP=1', '-c', query);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export function sqlValue(query, role) {
  const rows = sql(query, role);
  return rows.length ? rows[0][0] : null;
}

// The figures of this run, printed by run.sh at the end.
export function figure(line) {
  appendFileSync(`${DIR}/figures.txt`, line + '\n');
  console.log('  figure: ' + line);
}

// The demo accounts make cluster wrote.
export function demo(login) {
  const line = readFileSync(`${DIR}/demo-accounts.txt`, 'utf8').split('\n')
    .find((l) => l.split('\t')[1] === login);
  assert.ok(line, `demo account ${login}`);
  const [role, , name, password] = line.split('\t');
  return { role, login, name, password };
}

export async function login(email) {
  const a = demo(email);
  return load.signIn(BASE, a.login, a.password);
}

// A fresh open goods need of the first school with quantity q.
export function newNeed(q) {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category,
      title, unit, quantity, deadline, story, status, opened_at)
    select id, town_id, 'goods', 'books', '集群测试', '本', ${q},
      current_date + 30, '', 'open', now()
    from orgs where kind = 'school' order by id limit 1 returning id`);
  sql(`select api.log_need_opened(${id})`);
  return Number(id);
}

export { key, failed, failures, recovery, pct };

// One pledge of one unit by token with Idempotency-Key k: the status (0
// when the connection failed).
export async function pledge(token, need, k) {
  return (await load.pledge(BASE, token, need, k)).status;
}

export const getOnce = (path, headers = {}) => hit(BASE, path, { headers });

// Public reads that always reach a node (a query string nginx's cache has
// never seen): every answer { status, ms, at }.
export const readLoad = (ms, workers, headers, paths) =>
  load.readLoad(BASE, ms, workers, headers, paths);

// Pledges on need, a failed one sent again with its key: { answers,
// keys: the keys that succeeded }.
export const writeLoad = (ms, tokens, need, workers) =>
  load.writeLoad(BASE, ms, tokens, need, workers);

// build/logverify against the cluster, keeping its checkpoint in state.
export function logverify(state, extra = []) {
  try {
    const out = execFileSync(`${ROOT}/build/logverify`, ['-s', state, ...extra,
      `https://localhost:${ENV.HTTPS_PORT}`], { encoding: 'utf8',
      env: { ...process.env, SSL_CERT_FILE: CA }, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, out };
  } catch (e) {
    return { status: e.status, out: String(e.stdout) + String(e.stderr) };
  }
}

// The latest checkpoint's tree size, signing one now if the tree grew.
export async function checkpoint() {
  const r = await fetch(BASE + '/api/v1/log/checkpoint');
  assert.equal(r.status, 200);
  return (await r.json());
}
