// What the API and browser tests share: the server's address, a way to
// reach the database as its owner (to set up cases and look behind the
// API), and small HTTP helpers.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { Agent, setGlobalDispatcher } from 'undici';

// Kore closes a keep-alive connection idle for 15 s and says so
// ("keep-alive: timeout=15"); fetch would reuse one idle for up to 14 s,
// and on a machine at load 20 a worker busy for more than that second
// closed it under a POST ("other side closed": the pledge cap test, the
// photo test).  The tests' fetch (node's own, whose dispatcher this sets)
// reuses a connection idle for 5 s at most: a margin of ten seconds.
export const CLIENT_KEEPALIVE_MS = 5000;
setGlobalDispatcher(new Agent({ keepAliveTimeout: 4000,
  keepAliveMaxTimeout: CLIENT_KEEPALIVE_MS }));

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8888';
const OWNER_DB = process.env.OWNER_DB;
const PSQL = '/usr/lib/postgresql/15/bin/psql';

// Runs SQL as the owner role; returns the rows as arrays of strings.
// With { quiet: true } an error is thrown without psql's own message on
// the console (for statements a test expects to fail).
export function sql(query, { quiet = false } = {}) {
  if (!OWNER_DB) throw new Error('OWNER_DB is not set');
  let out;
  try {
    out = execFileSync(PSQL, ['-X', '-q', '-At', '-F', '\t',
      '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', query], { encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // The error's message carries psql's (tests match on it).
    if (!quiet && e.stderr) process.stderr.write(e.stderr);
    throw e;
  }
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export function sqlValue(query) {
  const rows = sql(query);
  return rows.length ? rows[0][0] : null;
}

export async function get(path, opts = {}) {
  return fetch(BASE + path, { redirect: 'manual', ...opts });
}

export async function getJson(path, opts = {}) {
  const res = await get(path, opts);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

// A JSON request without a session: { status, headers, body (or null) }.
export function sendJson(method, path, body, headers = {}) {
  return fetch(BASE + path, {
    method, redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, headers: r.headers,
      body: await r.json().catch(() => null) }));
}

// An amount of the API ({fen} or {quantity, unit}: api.amount) as pages
// write it (src/lib/fmt.c, fmt_amount): ¥1,200, ¥1,200.50, 3 本.
export function amountText(a) {
  const group = (n) => n.toLocaleString('en-US');
  if (Number.isInteger(a?.fen)) {
    const sign = a.fen < 0 ? '-' : '', f = Math.abs(a.fen);
    const rest = f % 100;
    return `${sign}¥${group(Math.floor(f / 100))}` +
      (rest ? '.' + String(rest).padStart(2, '0') : '');
  }
  return group(a.quantity) + (a.unit ? ' ' + a.unit : '');
}

// The first school of the demo town with this slug (its id).
export function schoolOf(town) {
  return sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'school' and t.slug = '${town}' order by o.id limit 1`);
}

// An API error answer: a 4xx (or the given status) with code and message.
export function assertApiError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(typeof r.body.error?.message, 'string');
  assert.ok(r.body.error.message.length > 0);
  if (code) assert.equal(r.body.error.code, code);
  if (field) assert.equal(r.body.error.field, field);
}

export function assertSecurityHeaders(headers) {
  assert.match(headers.get('content-security-policy') ?? '',
    /default-src 'self'/);
  assert.match(headers.get('content-security-policy') ?? '',
    /frame-ancestors 'none'/);
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.ok(headers.get('referrer-policy'));
}
