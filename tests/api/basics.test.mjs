// The platform's common behaviour: health, headers, errors, methods,
// languages, static files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, getJson, assertApiError, assertSecurityHeaders } from '../lib/env.mjs';

test('healthz answers 200 while the database answers, with the jobs\' state', async () => {
  const r = await getJson('/healthz');
  assert.equal(r.status, 200);
  // Which dependency answers (with no replica configured, none is
  // named), and what each periodic job did last: they tick every second
  // here (tests/run.sh; tests/api/jobs.test.mjs watches them drain a
  // backlog).
  assert.deepEqual(Object.keys(r.body).sort(), ['database', 'jobs', 'status']);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.database, 'ok');
  for (const job of Object.values(r.body.jobs))
    assert.deepEqual(Object.keys(job), ['last_run', 'started', 'batches', 'done', 'backlog', 'error']);
});

test('every kind of answer carries the security headers', async () => {
  for (const path of ['/', '/needs', '/needs/1', '/api/v1/needs',
    '/nowhere', '/api/v1/nowhere', '/static/style.css', '/healthz']) {
    const res = await get(path);
    assertSecurityHeaders(res.headers);
    assert.ok(!res.headers.get('strict-transport-security'),
      'no HSTS on plain HTTP');
  }
});

test('unknown paths are a friendly 404 page, or JSON under /api', async () => {
  const page = await get('/no/such/page');
  assert.equal(page.status, 404);
  assert.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  assert.match(html, /页面不存在/);
  assert.match(html, /<html lang="zh-CN">/);

  const api = await getJson('/api/v1/no-such-thing');
  assertApiError(api, 404, 'not_found');
});

test('methods other than GET are refused with 405 and Allow', async () => {
  for (const path of ['/needs', '/api/v1/needs', '/', '/healthz']) {
    const res = await get(path, { method: 'POST', body: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 405, path);
    assert.match(res.headers.get('allow'), /GET/);
  }
  const api = await getJson('/api/v1/needs', { method: 'DELETE' });
  assertApiError(api, 405, 'method');
});

test('HEAD is answered like GET, without a body', async () => {
  const res = await get('/needs', { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal((await res.text()).length, 0);
});

test('Chinese first, English on request or by Accept-Language', async () => {
  const zh = await (await get('/')).text();
  assert.match(zh, /共青扶贫超市/);
  const en = await get('/?lang=en');
  const enText = await en.text();
  assert.match(enText, /Youth Poverty-Relief Supermarket/);
  assert.match(en.headers.get('set-cookie'), /lang=en;.*SameSite=Lax/);
  const accept = await (await get('/', {
    headers: { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' } })).text();
  assert.match(accept, /<html lang="en">/);
  const cookie = await (await get('/', { headers: { cookie: 'lang=en' } })).text();
  assert.match(cookie, /<html lang="en">/);
  const err = await getJson('/api/v1/needs?kind=x&lang=en');
  assert.match(err.body.error.message, /not valid/);
});

test('static assets are served with a type and a cache lifetime', async () => {
  const css = await get('/static/style.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /text\/css/);
  assert.match(css.headers.get('cache-control'), /max-age/);
  // Templates and catalogues are embedded but not served.
  assert.equal((await get('/static/layout.html')).status, 404);
  assert.equal((await get('/static/messages_zh.json')).status, 404);
  assert.equal((await get('/static/..%2Fetc%2Fpasswd')).status, 404);
});

test('pages name assets by their content hash, served as immutable', async () => {
  const html = await (await get('/')).text();
  const css = html.match(/href="(\/static\/style\.([0-9a-f]{16})\.css)"/);
  assert.ok(css, 'the layout links the hashed stylesheet');
  const res = await get(css[1]);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control'), /immutable/);
  const body = await res.text();
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update(body).digest('hex').slice(0, 16),
    css[2], 'the name is the content hash');
  assert.match(html, /src="\/static\/app\.[0-9a-f]{16}\.js"/);
  // A hash that is not the content's is not served.
  assert.equal((await get('/static/style.0123456789abcdef.css')).status, 404);
});
