// Requests Kore 4.1 would refuse itself, before any handler (issue 14):
// they were answered bare (413, 414, 400 for an empty header value) or
// not at all (a head over 4 KB: the connection reset), without the
// platform's format or its security headers.  src/edge.c reads each
// head first (hdr_screen, src/lib/hdr.c): the limits are set in
// conf/kore.conf (a body of 12.5 MiB, for phone photos, a head of 16 KiB,
// a target of 1,998 bytes), legal heads Kore stumbled on pass, and the rest is answered in
// the platform's format, in the reader's language, with its headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, assertSecurityHeaders } from '../lib/env.mjs';
import { Api, demo } from '../lib/session.mjs';
import { connect, readResponse, waitEnd, close } from '../lib/raw.mjs';

const host = new URL(BASE).host;

// Sends raw bytes on a new connection; the answer, and whether the
// server closed the connection cleanly after it.
async function raw(bytes) {
  const c = await connect();
  c.sock.write(bytes);
  const r = await readResponse(c);
  assert.ok(r, `no answer to ${String(bytes).slice(0, 60)}`);
  r.closed = r.headers.connection === 'close' && await waitEnd(c, 5000);
  r.reset = c.error?.code === 'ECONNRESET';
  close(c);
  return r;
}

function head(method, target, headers = '') {
  return `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${headers}\r\n`;
}

// An answer in the platform's format: the JSON error, or the error page.
function assertFormat(r, status, code, { api = true, lang = 'zh' } = {}) {
  assert.equal(r.status, status, r.body.slice(0, 300));
  const h = new Headers(r.headers);
  assertSecurityHeaders(h);
  assert.match(h.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);
  if (api) {
    assert.match(h.get('content-type'), /^application\/json/);
    const e = JSON.parse(r.body).error;
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
  } else {
    assert.match(h.get('content-type'), /^text\/html/);
    assert.match(r.body, new RegExp(`<html lang="${lang === 'en' ? 'en' :
      'zh-CN'}"`));
    assert.match(r.body, new RegExp(`class="code">${status}<`));
    assert.ok(r.body.includes(h.get('x-request-id')));
  }
}

test('a body over http_body_max: 413 in the format, the answer read before the close', async () => {
  const r = await raw(head('POST', '/api/v1/login',
    'Content-Type: application/json\r\nContent-Length: 13107201\r\n') +
    'x'.repeat(65536));
  assertFormat(r, 413, 'body_too_large');
  assert.equal(r.reset, false);
  const page = await raw(head('POST', '/login',
    'Content-Type: application/x-www-form-urlencoded\r\n' +
    'Content-Length: 99999999\r\n'));
  assertFormat(page, 413, 'body_too_large', { api: false });
  // The limit itself is taken (the handler refuses the body's content).
  const ok = await fetch(BASE + '/api/v1/login', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '"' + 'x'.repeat(3145726) + '"' });
  assert.notEqual(ok.status, 413);
});

test('a request target of 1,999 bytes or more: 414, JSON or the page', async () => {
  const long = 'x'.repeat(3000);
  assertFormat(await raw(head('GET', `/api/v1/needs?q=${long}`)), 414,
    'uri_too_long');
  assertFormat(await raw(head('GET', `/needs?q=${long}`,
    'Accept-Language: en-US,en;q=0.9\r\n')), 414, 'uri_too_long',
  { api: false, lang: 'en' });
  // 1,000 query parameters, and a 10 KB search.
  const many = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&');
  assertFormat(await raw(head('GET', `/api/v1/needs?${many}`)), 414,
    'uri_too_long');
  assertFormat(await raw(head('GET', `/needs?q=${'%E5%86%AC'.repeat(1200)}`)),
    414, 'uri_too_long', { api: false });
  // 1,998 bytes are taken: the longest search (50 Chinese characters,
  // 450 bytes) with filters fits.
  const q = '%E5%86%AC'.repeat(50);
  const fits = await fetch(`${BASE}/needs?q=${q}&kind=goods&town=wangwu&page=2`);
  assert.equal(fits.status, 200);
  const t = '/healthz?x=' + 'a'.repeat(1998 - 11);
  assert.equal((await raw(head('GET', t))).status, 200);
  assert.equal((await raw(head('GET', t + 'a'))).status, 414);
});

test('an empty header value is legal and answered', async () => {
  for (const h of ['Cookie: \r\n', 'Cookie:\r\n', 'X-Empty: \r\n',
    'Accept-Language:\r\nCookie: \r\n']) {
    const r = await raw(head('GET', '/api/v1/needs', h));
    assert.equal(r.status, 200, `${JSON.stringify(h)}: ${r.body.slice(0, 200)}`);
  }
  const page = await raw(head('GET', '/needs', 'Cookie: \r\n'));
  assert.equal(page.status, 200);
});

test('a head over 16 KiB: 431 in the format, not a reset; 8 KB fit', async () => {
  const big = 'x'.repeat(20000);
  const r = await raw(head('GET', '/api/v1/needs', `X-Big: ${big}\r\n`));
  assertFormat(r, 431, 'header_too_large');
  assert.equal(r.reset, false);
  assert.equal(r.closed, true);
  assertFormat(await raw(head('GET', '/needs', `Cookie: a=${big}\r\n`)), 431,
    'header_too_large', { api: false });
  // A first line that alone fills the buffer says 414.
  assertFormat(await raw(head('GET', `/api/v1/needs?q=${big}`)), 414,
    'uri_too_long');
  // 8 KB of header, and 8 KB of cookies, are taken.
  const eight = 'y'.repeat(8192);
  assert.equal((await raw(head('GET', '/api/v1/needs', `X-Big: ${eight}\r\n`))).status,
    200);
  assert.equal((await raw(head('GET', '/needs', `Cookie: a=${eight}; lang=en\r\n`))).status,
    200);
});

test('heads Kore cannot parse are refused in the format', async () => {
  assertFormat(await raw(head('BREW', '/api/v1/needs')), 405, 'method');
  assertFormat(await raw(`GET /api/v1/needs HTTP/2.0\r\nHost: ${host}\r\n\r\n`),
    505, 'http_version');
  assertFormat(await raw(head('POST', '/api/v1/login')), 411,
    'length_required');
  assertFormat(await raw(head('POST', '/api/v1/login',
    'Transfer-Encoding: chunked\r\n') + '0\r\n\r\n'), 411, 'length_required');
  assertFormat(await raw(head('GET', '/api/v1/needs', 'X-Bad: caf\u00e9\r\n')),
    400, 'bad_request');
  assertFormat(await raw(`GET /needs HTTP/1.1\r\n\r\n`), 400, 'bad_request',
    { api: false });
  const h = await fetch(BASE + '/healthz');
  assert.equal(h.status, 200);
});

test('a browser with many cookies and many headers keeps its session', async () => {
  const a = demo('donor2@example.com');
  const api = await Api.login(a.login, a.password);
  // Kore reads nine cookies: the session came tenth and was lost.
  const others = Array.from({ length: 12 }, (_, i) => `c${i}=${i}`).join('; ');
  const me = await raw(head('GET', '/api/v1/me', `Cookie: ${others}; sid=${api.token}\r\n`));
  assert.equal(me.status, 200, me.body.slice(0, 200));
  assert.equal(JSON.parse(me.body).user.email, a.login);
  // Kore reads 24 lines of a head: a browser's POST through the proxy
  // sends more, the cookie last.
  const extra = ['Cache-Control: max-age=0', 'sec-ch-ua: "Chromium"',
    'sec-ch-ua-mobile: ?0', 'sec-ch-ua-platform: "Linux"',
    'Upgrade-Insecure-Requests: 1', 'User-Agent: Mozilla/5.0',
    'Accept: text/html', 'Sec-Fetch-Site: same-origin',
    'Sec-Fetch-Mode: navigate', 'Sec-Fetch-User: ?1',
    'Sec-Fetch-Dest: document', 'Accept-Encoding: gzip',
    'Accept-Language: zh-CN', 'Priority: u=0, i', 'Pragma: no-cache',
    'X-Forwarded-Proto: https', 'X-A: 1', 'X-B: 2', 'X-C: 3', 'X-D: 4',
    'X-E: 5', 'X-F: 6', 'X-G: 7'];
  const r = await raw(head('GET', '/api/v1/me',
    extra.map((l) => l + '\r\n').join('') + `Cookie: sid=${api.token}\r\n`));
  assert.equal(r.status, 200, r.body.slice(0, 200));
});
