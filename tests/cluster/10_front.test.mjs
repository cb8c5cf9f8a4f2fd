// The front as a visitor meets it, every request through https with the
// cluster's CA: TLS 1.2+ and HTTP/2, HSTS, static files from disk under
// their content hash, the one-second cache of anonymous pages, limits,
// the client's address and one request id from nginx to PostgreSQL, and
// what operators read (/healthz, /metrics, the JSON access logs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BASE, DIR, ROOT, CA, ENV, sql, login, sleep, figure } from './lib.mjs';

const curl = (args) => execFileSync('curl', ['-sS', '--cacert', CA, ...args],
  { encoding: 'utf8' });

// The lines of a JSON-lines log that hold id.
const logged = (file, id) => readFileSync(file, 'utf8').split('\n')
  .filter((l) => l.includes(id)).map((l) => JSON.parse(l));
const nodeLogs = (id) => [1, 2].flatMap((n) => logged(`${DIR}/node${n}/access.jsonl`, id));

test('https only with TLS 1.2 or 1.3, HTTP/2, HSTS; plain HTTP is sent to https', () => {
  const out = curl(['-o', '/dev/null', '-w', '%{http_version} %{http_code}',
    '--http2', BASE + '/']);
  assert.equal(out, '2 200');
  assert.throws(() => curl(['--tls-max', '1.1', '-o', '/dev/null', BASE + '/']));
  const tls13 = curl(['--tlsv1.3', '-o', '/dev/null', '-w', '%{http_code}', BASE + '/']);
  assert.equal(tls13, '200');
  const head = curl(['-I', BASE + '/needs']);
  assert.match(head, /strict-transport-security: max-age=31536000; includeSubDomains/i);
  const redirect = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w',
    '%{http_code} %{redirect_url}', `http://127.0.0.1:${ENV.HTTP_PORT}/needs`],
  { encoding: 'utf8' });
  assert.equal(redirect, `301 https://127.0.0.1:${ENV.HTTPS_PORT}/needs`);
});

test('assets come from disk under their content hash, immutable for a year', async () => {
  const html = await (await fetch(BASE + '/')).text();
  const css = html.match(/href="(\/static\/style\.[0-9a-f]{16}\.css)"/)[1];
  const r = await fetch(BASE + css);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  // From disk: nginx answered, no node (no request id of Kore's).
  assert.equal(r.headers.get('x-request-id'), null);
  assert.match(r.headers.get('content-type'), /text\/css/);
});

test('anonymous pages are cached for a second; sessions and writes pass through', async () => {
  const path = `/api/v1/needs?cache=${Date.now()}`;
  const first = await fetch(BASE + path);
  await first.arrayBuffer();
  const second = await fetch(BASE + path);
  await second.arrayBuffer();
  assert.equal(first.headers.get('x-cache'), 'MISS');
  assert.equal(second.headers.get('x-cache'), 'HIT');
  // A page with no form is cacheable, the login form (a csrf cookie) is not.
  const home = `/?cache=${Date.now()}`;
  await (await fetch(BASE + home)).arrayBuffer();
  assert.equal((await fetch(BASE + home)).headers.get('x-cache'), 'HIT');
  const lg = `/login?cache=${Date.now()}`;
  await (await fetch(BASE + lg)).arrayBuffer();
  const again = await fetch(BASE + lg);
  assert.notEqual(again.headers.get('x-cache'), 'HIT');
  assert.ok(again.headers.get('set-cookie'), 'the form page sets its csrf cookie');
  // A signed-in reader is never served from the cache.
  const token = await login('donor1@example.com');
  const mine = await fetch(BASE + path, { headers: { authorization: 'Bearer ' + token } });
  assert.equal(mine.headers.get('x-cache'), 'BYPASS');
  const cookie = await fetch(BASE + path, { headers: { cookie: '__Host-sid=x' } });
  assert.equal(cookie.headers.get('x-cache'), 'BYPASS');
  // Gone after one to two seconds (nginx counts whole seconds).
  await sleep(2100);
  const later = await fetch(BASE + path);
  assert.notEqual(later.headers.get('x-cache'), 'HIT');
});

test('requests beyond the limit get 429; the node sees the real client address', async () => {
  // From 127.0.0.2 (127.0.0.1, this host's own checks and load, is exempt).
  const urls = Array.from({ length: 90 }, (_, i) => `${BASE}/api/v1/home?limit=${i}`);
  const codes = curl(['--interface', '127.0.0.2', '-w', '%{http_code}\\n',
    ...urls.flatMap((u) => ['-o', '/dev/null', u])]).trim().split('\n');
  const limited = codes.filter((c) => c === '429').length;
  assert.ok(limited > 0, `some of 90 requests at once were limited (${limited})`);
  assert.ok(codes.filter((c) => c === '200').length >= 40, 'the burst passes');
  figure(`limits: 90 requests at once from one address: ${90 - limited} served, ${limited} answered 429`);
  // The burst spent the address's allowance: ask again until the limit
  // lets one through (nginx's 429 page carries no request id).
  let head = '';
  for (let i = 0; i < 30 && !/^HTTP\/\S+ 200/m.test(head); i++) {
    if (i > 0) await sleep(200);
    head = curl(['--interface', '127.0.0.2', '-o', '/dev/null', '-D', '-',
      `${BASE}/api/v1/needs?ip=${Date.now()}`]);
  }
  const id = head.match(/x-request-id: ([0-9a-f]+)/i)[1];
  const lines = nodeLogs(id);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].ip, '127.0.0.2');
});

test('one request id in nginx\'s log, the node\'s log, PostgreSQL and the error page', async () => {
  sql("alter system set log_min_duration_statement = 0", 'postgres');
  sql('select pg_reload_conf()', 'postgres');
  await sleep(300);
  let id;
  try {
    const token = await login('donor2@example.com');
    // /api/v1/me reads the primary (a session).
    const r = await fetch(BASE + '/api/v1/me', { headers: { authorization: 'Bearer ' + token } });
    assert.equal(r.status, 200);
    id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{32}$/);
  } finally {
    sql('alter system reset log_min_duration_statement', 'postgres');
    sql('select pg_reload_conf()', 'postgres');
  }
  await sleep(300);
  const pglog = readFileSync(`${DIR}/primary/pg/server.log`, 'utf8');
  assert.match(pglog, new RegExp(`/\\* ${id} \\*/ select api\\.me`));
  await sleep(200);
  assert.equal(logged(`${DIR}/nginx/access.jsonl`, id).length, 1);
  const line = nodeLogs(id)[0];
  assert.equal(line.route, 'me');
  assert.equal(line.status, 200);
  // An error page names the id it was answered under.
  const nf = await fetch(BASE + '/no/such/page');
  assert.equal(nf.status, 404);
  assert.ok((await nf.text()).includes(nf.headers.get('x-request-id')));
});

test('public reads go to the replica, reads with a session or after a write to the primary', async () => {
  const anon = await fetch(`${BASE}/api/v1/needs?where=${Date.now()}`);
  assert.equal(nodeLogs(anon.headers.get('x-request-id'))[0].db, 'replica');
  const token = await login('donor3@example.com');
  const signed = await fetch(`${BASE}/api/v1/needs?where=${Date.now()}`,
    { headers: { authorization: 'Bearer ' + token } });
  assert.equal(nodeLogs(signed.headers.get('x-request-id'))[0].db, undefined);
  // Anyone who just wrote reads the primary for a while (the rw cookie).
  const w = await fetch(BASE + '/api/v1/login', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: 'nobody@example.com', password: 'wrong password' }) });
  const rw = w.headers.getSetCookie().find((c) => c.startsWith('rw='));
  assert.match(rw, /Max-Age=10/);
  const after = await fetch(`${BASE}/api/v1/needs?where=${Date.now()}`,
    { headers: { cookie: 'rw=1' } });
  assert.equal(after.headers.get('x-cache'), 'BYPASS');
  assert.equal(nodeLogs(after.headers.get('x-request-id'))[0].db, undefined);
});

test('/healthz names each dependency; /metrics only on the metrics port', async () => {
  const h = await (await fetch(BASE + '/healthz')).json();
  assert.equal(h.status, 'ok');
  assert.equal(h.database, 'ok');
  assert.equal(h.replica.status, 'ok');
  assert.equal(h.replica.in_recovery, true);

  // Not through the public port.
  assert.equal((await fetch(BASE + '/metrics')).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${ENV.NODE1_PORT}/metrics`)).status, 404);
  // Nothing else on the metrics port.
  assert.equal((await fetch(`http://127.0.0.1:${ENV.METRICS1_PORT}/needs`)).status, 404);
  const m = await fetch(`http://127.0.0.1:${ENV.METRICS1_PORT}/metrics`);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await m.text();
  for (const re of [
    /^shop_requests_total\{route="needs_api_list",status="200"\} \d+$/m,
    /^shop_request_duration_seconds_bucket\{route="health",le="\+Inf"\} \d+$/m,
    /^shop_db_waits_total\{pool="primary"\} \d+$/m,
    /^shop_page_cache_total\{result="hit"\} \d+$/m,
    /^shop_db_queue_length\{pool="replica"\} \d+$/m,
    /^shop_database_up 1$/m,
    /^shop_outbox_backlog \d/m,
    /^shop_outbox_oldest_seconds \d/m,
    /^shop_log_entries \d/m,
    /^shop_log_checkpoint_age_seconds \d/m,
    /^shop_replica_up 1$/m,
    /^shop_replica_lag_seconds \d/m,
  ]) assert.match(text, re);
});

test('the production configuration is complete and in step with the routes', () => {
  const fresh = execFileSync(`${ROOT}/conf/production-conf.sh`, { encoding: 'utf8' });
  assert.equal(fresh, readFileSync(`${ROOT}/conf/kore.production.conf`, 'utf8'),
    'conf/kore.production.conf lags conf/kore.conf: run conf/production-conf.sh');
  // PgBouncer pools by transaction.
  assert.match(readFileSync(`${DIR}/pgbouncer/pgbouncer.ini`, 'utf8'),
    /^pool_mode = transaction$/m);
});
