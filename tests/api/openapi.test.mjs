// The API's contract, docs/openapi.yaml, against the server's routes: a
// route under /api/v1 in conf/kore.conf with no operation in the spec, or
// an operation no route serves, fails here; every schema of the spec
// compiles; and the server serves the spec and a readable page of it.
// (That each answer follows the spec is checked for every API test, by
// tests/lib/check_responses.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SPEC_FILE, spec, paths, operations, samplePath,
  checkAnswer } from '../lib/openapi.mjs';
import { get, assertSecurityHeaders } from '../lib/env.mjs';

// conf/kore.conf's routes in order: { path, handler, re } (Kore takes the
// first that matches: a plain path exactly, a ^path as a regex).
function routes() {
  const conf = readFileSync(join(ROOT, 'conf', 'kore.conf'), 'utf8');
  return [...conf.matchAll(/^\s*route\s+(\S+)\s+(\S+)\s*$/mg)].map((m) => ({
    path: m[1], handler: m[2],
    re: m[1].startsWith('^') ? new RegExp(m[1]) : null,
  }));
}

const serves = (r, path) => r.re ? r.re.test(path) : r.path === path;
const firstRoute = (all, path) => all.find((r) => serves(r, path));
const isApi = (r) => /^\^?\/api\/v1(\/|$)/.test(r.path);

// Each spec path with its parameters filled in: { path, sample }.
function samples() {
  return paths().map((p) => ({ path: p.path,
    sample: samplePath(p.path, p.item, Object.values(p.item)[0]) }));
}

test('every /api/v1 route of conf/kore.conf has its operations in the spec', () => {
  const all = routes();
  const api = all.filter(isApi);
  assert.ok(api.length > 40, 'conf/kore.conf was read');
  const s = samples();
  const missing = api.filter((r) => !s.some((p) => firstRoute(all, p.sample) === r));
  assert.deepEqual(missing.map((r) => `${r.path} (${r.handler})`), [],
    `routes with no operation in ${SPEC_FILE}`);
});

test('every path of the spec is served by a route under /api/v1', () => {
  const all = routes();
  const orphans = samples().filter((p) => {
    const r = firstRoute(all, p.sample);
    return !r || !isApi(r);
  });
  assert.deepEqual(orphans.map((p) => `${p.path} (as ${p.sample})`), [],
    'spec paths no /api/v1 route of conf/kore.conf serves');
});

// A handler that declares its actions (ACTION_HANDLER(fn, page, api,
// get, post) in src/*.c, see src/action.c) takes exactly the methods the
// spec gives the paths its routes serve: GET where get is not NULL, POST
// where post is not.
test('a declared handler\'s methods are the spec\'s', () => {
  const declared = new Map();
  for (const f of readdirSync(join(ROOT, 'src')).filter((x) => x.endsWith('.c'))) {
    const src = readFileSync(join(ROOT, 'src', f), 'utf8');
    for (const m of src.matchAll(/^ACTION_HANDLER\((\w+),[^)]*?,\s*(&\w+|NULL),\s*(&\w+|NULL)\)/mg))
      declared.set(m[1], [m[2] !== 'NULL' && 'GET', m[3] !== 'NULL' && 'POST'].filter(Boolean));
  }
  assert.ok(declared.size > 20, 'src/programmes.c and src/fund.c were read');
  const all = routes();
  const ops = operations().map((o) => ({ ...o,
    route: firstRoute(all, samplePath(o.path, spec().paths[o.path], o.op)) }));
  const wrong = all.filter(isApi).filter((r) => declared.has(r.handler)).map((r) => {
    const said = ops.filter((o) => o.route === r).map((o) => o.method).sort().join(' ');
    const has = declared.get(r.handler).join(' ');
    return said === has ? null : `${r.path} (${r.handler}): takes ${has}, the spec ${said}`;
  }).filter(Boolean);
  assert.deepEqual(wrong, []);
});

test('the spec is well formed: every answer\'s schema compiles, every operation is described', () => {
  const s = spec();
  assert.equal(s.openapi, '3.1.0');
  const tags = new Set(s.tags.map((t) => t.name));
  const ids = new Set();
  for (const { method, path, op } of operations()) {
    const where = `${method} ${path}`;
    assert.ok(op.summary, `${where}: a summary`);
    assert.ok(op.operationId && !ids.has(op.operationId), `${where}: a unique operationId`);
    ids.add(op.operationId);
    assert.ok(op.tags?.length && op.tags.every((t) => tags.has(t)), `${where}: known tags`);
    for (const sec of op.security ?? s.security)
      for (const k of Object.keys(sec))
        assert.ok(s.components.securitySchemes[k], `${where}: security ${k}`);
    for (const name of path.match(/\{[^}]+\}/g) ?? []) {
      const declared = (op.parameters ?? []).map((p) => p.$ref
        ? s.components.parameters[p.$ref.split('/').pop()] : p);
      assert.ok(declared.some((p) => p.in === 'path' && `{${p.name}}` === name),
        `${where}: ${name} is declared`);
    }
    // An error answer of each status the operation lists checks against
    // its schema: a broken $ref or schema throws here.
    for (const status of Object.keys(op.responses)) {
      if (!/^[45]/.test(status)) continue;
      const why = checkAnswer(method, samplePath(path, s.paths[path], op),
        Number(status), 'application/json; charset=utf-8',
        JSON.stringify({ error: { code: 'x', message: 'y' } }));
      assert.equal(why, null, `${where} ${status}`);
    }
  }
});

test('GET /api/v1/openapi.yaml is the file itself, cacheable', async () => {
  const res = await get('/api/v1/openapi.yaml');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/yaml/);
  assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
  assert.ok(res.headers.get('etag'));
  assertSecurityHeaders(res.headers);
  const body = Buffer.from(await res.arrayBuffer());
  assert.ok(body.equals(readFileSync(SPEC_FILE)), 'the bytes of docs/openapi.yaml');
  const again = await get('/api/v1/openapi.yaml', { headers:
    { 'if-none-match': res.headers.get('etag') } });
  assert.equal(again.status, 304);
  assert.equal((await get('/api/v1/openapi.yaml', { method: 'HEAD' })).status, 200);
});

test('GET /api is the readable page of the spec: every operation, grouped by tag', async () => {
  const res = await get('/api');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assertSecurityHeaders(res.headers);
  const html = await res.text();
  for (const [method, path] of [['POST', '/api/v1/login'],
    ['GET', '/api/v1/needs/{id}'], ['POST', '/api/v1/needs/{id}/pledges'],
    ['POST', '/api/v1/fund/payouts'], ['GET', '/api/v1/reports/rollup.csv']]) {
    assert.match(html, new RegExp(`${method}</[a-z]+>\\s*<[a-z]+[^>]*>${path
      .replace(/[{}.]/g, '\\$&')}<`), `${method} ${path} on the page`);
  }
  const count = (html.match(/class="op-path"/g) ?? []).length;
  assert.equal(count, operations().length, 'one entry per operation');
  assert.match(html, /Idempotency-Key/);
  assert.match(html, /href="\/api\/v1\/openapi.yaml"/);
  const en = await (await get('/api?lang=en')).text();
  assert.match(en, /Pledge part or all of what a need lacks/);
});
