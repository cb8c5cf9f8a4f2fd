// What the cluster tests share: the cluster's address (https, through
// nginx, trusting the cluster's own CA: tests/cluster/run.sh sets
// NODE_EXTRA_CA_CERTS), conf/cluster.sh to break and mend it, SQL as the
// owner (through PgBouncer) or as the superuser of one server, load
// generators that count what failed, and the figures for the report.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';

export const BASE = process.env.BASE_URL;
export const DIR = process.env.CLUSTER_ROOT;
export const ROOT = process.env.SHOP_ROOT;
export const CA = `${DIR}/tls/ca.pem`;
export const ENV = Object.fromEntries(readFileSync(`${DIR}/env`, 'utf8')
  .split('\n').filter(Boolean).map((l) => l.split('=')));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  const r = await fetch(BASE + '/api/v1/login', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: a.login, password: a.password }) });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.token;
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

export const key = () => randomBytes(12).toString('hex');

// One pledge of one unit by token with Idempotency-Key k: the status (0
// when the connection failed).
export async function pledge(token, need, k) {
  try {
    const r = await fetch(`${BASE}/api/v1/needs/${need}/pledges`, {
      method: 'POST', headers: { authorization: 'Bearer ' + token,
        'content-type': 'application/json', 'idempotency-key': k },
      body: JSON.stringify({ quantity: 1 }), signal: AbortSignal.timeout(10000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

// Public reads that always reach a node (a query string nginx's cache has
// never seen; the module ignores names it does not know).
const PUBLIC = ['/api/v1/needs', '/needs', '/api/v1/home', '/campaigns',
  '/api/v1/transparency'];

export async function getOnce(path, headers = {}) {
  const t = Date.now();
  try {
    const r = await fetch(BASE + path, { headers,
      signal: AbortSignal.timeout(15000) });
    await r.arrayBuffer();
    return { status: r.status, ms: Date.now() - t, at: t, path };
  } catch (e) {
    return { status: 0, ms: Date.now() - t, at: t, path,
      error: String(e.cause?.code ?? e.cause?.message ?? e.name) };
  }
}

// What failed, for a figure: "503 /needs ×3, 0 (UND_ERR_SOCKET) /x ×1".
export function failures(answers) {
  const n = new Map();
  for (const a of failed(answers)) {
    const path = (a.path ?? '').replace(/\?.*/, '');
    const k = `${a.status}${a.error ? ` (${a.error})` : ''} ${path}`.trim();
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';
}

// Runs `workers` loops of GETs (public pages, cache-busted; with headers
// when given) for ms; returns every answer { status, ms, at }.
export async function readLoad(ms, workers = 6, headers = {}, paths = PUBLIC) {
  const until = Date.now() + ms;
  const out = [];
  let n = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (Date.now() < until) {
      const p = paths[n++ % paths.length];
      out.push(await getOnce(`${p}?cb=${key()}`, headers));
    }
  }));
  return out;
}

// Runs `workers` loops of pledges on need by tokens for ms; a failed
// pledge is sent again with its key until it succeeds or time is up.
// Returns { answers: [{status, at}], keys: keys that succeeded }.
export async function writeLoad(ms, tokens, need, workers = 2) {
  const until = Date.now() + ms;
  const answers = [];
  const keys = new Set();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const token = tokens[w % tokens.length];
    while (Date.now() < until) {
      const k = key();
      for (;;) {
        const at = Date.now();
        const status = await pledge(token, need, k);
        answers.push({ status, at });
        if (status === 201 || status === 200) { keys.add(k); break; }
        if (Date.now() > until + 5000) break;
        await sleep(200);
      }
    }
  }));
  return { answers, keys };
}

export const failed = (answers) => answers.filter((a) => a.status === 0 ||
  a.status >= 500);

// Milliseconds from t to the first success after it that is followed
// only by successes; 0 when nothing failed after t.
export function recovery(answers, t) {
  const after = answers.filter((a) => a.at >= t).sort((a, b) => a.at - b.at);
  let last = -1;
  after.forEach((a, i) => { if (a.status === 0 || a.status >= 500) last = i; });
  if (last === -1) return 0;
  return last + 1 < after.length ? after[last + 1].at - t : NaN;
}

export function pct(list, p) {
  const s = [...list].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : 0;
}

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
