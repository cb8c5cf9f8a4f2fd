// The front's edges (issue 14): a client that pipelines gets every
// answer through nginx (Kore 4.1 cannot serve pipelined requests; nginx
// never pipelines to it), and what nginx refuses itself, before any node
// sees it (the limits of conf/kore.conf: a body of 3 MiB, a line of
// 8 KiB), is answered in the platform's format with its headers:
// the JSON error under /api/, the error page elsewhere, in the reader's
// language (conf/error-pages.sh, conf/nginx.conf).  What passes nginx but
// not Kore (a request target of 1,999 bytes) the node answers, in the
// same format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, CA } from './lib.mjs';
import { connect, readResponse, waitEnd, close } from '../lib/raw.mjs';

const url = new URL(BASE);
const tlsOptions = { ca: readFileSync(CA), ALPNProtocols: ['http/1.1'],
  servername: undefined };

function head(method, target, headers = '') {
  return `${method} ${target} HTTP/1.1\r\nHost: ${url.host}\r\n${headers}\r\n`;
}

async function raw(bytes) {
  const c = await connect(Number(url.port), url.hostname, tlsOptions);
  c.sock.write(bytes);
  const r = await readResponse(c, 10000);
  assert.ok(r, `no answer to ${bytes.slice(0, 60)}`);
  close(c);
  return r;
}

function assertFormat(r, status, code, { api = true, lang = 'zh' } = {}) {
  assert.equal(r.status, status, r.body.slice(0, 300));
  const h = r.headers;
  assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['x-frame-options'], 'DENY');
  assert.ok(h['referrer-policy']);
  assert.match(h['strict-transport-security'] ?? '', /max-age=31536000/);
  assert.match(h['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
  if (api) {
    assert.match(h['content-type'], /^application\/json/);
    const e = JSON.parse(r.body).error;
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
    assert.equal(/[\u4e00-\u9fff]/.test(e.message), lang === 'zh', e.message);
  } else {
    assert.match(h['content-type'], /^text\/html/);
    assert.match(r.body, new RegExp(`<html lang="${lang === 'en' ? 'en' :
      'zh-CN'}"`));
    assert.match(r.body, new RegExp(`class="code">${status}<`));
  }
}

test('five requests pipelined through nginx: five answers on one connection', async () => {
  const c = await connect(Number(url.port), url.hostname, tlsOptions);
  const paths = ['/healthz', '/api/v1/needs', '/healthz', '/api/v1/home',
    '/needs'];
  c.sock.write(paths.map((p) => head('GET', p)).join(''));
  const statuses = [];
  for (let i = 0; i < paths.length; i++)
    statuses.push((await readResponse(c, 10000))?.status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  assert.equal(await waitEnd(c, 500), false, 'the connection stays open');
  close(c);
});

test('nginx\'s refusals are in the platform\'s format, in the reader\'s language', async () => {
  // A body over 3 MiB.
  assertFormat(await raw(head('POST', '/api/v1/login',
    'Content-Type: application/json\r\nContent-Length: 4194304\r\n')), 413,
  'body_too_large');
  assertFormat(await raw(head('POST', '/login?lang=en',
    'Content-Type: application/x-www-form-urlencoded\r\n' +
    'Content-Length: 3145729\r\n')), 413, 'body_too_large',
  { api: false, lang: 'en' });
  // A header line over 8 KiB: 431.
  const big = 'x'.repeat(9000);
  assertFormat(await raw(head('GET', '/api/v1/needs', `X-Big: ${big}\r\n`)),
    431, 'header_too_large');
  assertFormat(await raw(head('GET', '/needs',
    `Accept-Language: en-GB,en;q=0.9\r\nCookie: a=${big}\r\n`)), 431,
  'header_too_large', { api: false, lang: 'en' });
  // A request line over 8 KiB: 414.
  const r = await raw(head('GET', `/api/v1/needs?q=${big}`));
  assert.equal(r.status, 414);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  // Over Kore's 1,998 bytes but within nginx's line: the node says 414.
  const node = await raw(head('GET', `/api/v1/needs?q=${'y'.repeat(3000)}`));
  assert.equal(node.status, 414);
  assert.equal(JSON.parse(node.body).error.code, 'uri_too_long');
  assert.equal(node.headers['x-content-type-options'], 'nosniff');
});

test('a browser\'s cookies fit: 8 KiB of them, or an empty Cookie header', async () => {
  const eight = 'c'.repeat(8000);
  assert.equal((await raw(head('GET', '/needs', `Cookie: a=${eight}\r\n`))).status,
    200);
  assert.equal((await raw(head('GET', '/api/v1/needs', 'Cookie: \r\n'))).status,
    200);
});
