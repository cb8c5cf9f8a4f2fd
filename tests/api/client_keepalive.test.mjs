// The tests' own HTTP client leaves a margin before a server's keep-alive
// timeout (tests/lib/env.mjs): told "keep-alive: timeout=15" as Kore says
// it, it does not reuse a connection idle for more than 5 s.  Before, it
// reused one idle for 14 s, and a POST on a loaded machine went on a
// connection Kore was closing.  A server of the test's own counts the
// connections; the test idles 7 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CLIENT_KEEPALIVE_MS } from '../lib/env.mjs';

test('a connection idle past the margin is not reused', async () => {
  let connections = 0;
  // Node's server says "keep-alive: timeout=15" as Kore does.
  const server = http.createServer((req, res) => res.end('ok'));
  server.keepAliveTimeout = 15000;
  server.on('connection', () => { connections++; });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  try {
    await (await fetch(url)).text();
    await new Promise((r) => setTimeout(r, 100));	// back in the pool
    await (await fetch(url)).text();
    assert.equal(connections, 1, 'reused soon after');
    await new Promise((r) => setTimeout(r, CLIENT_KEEPALIVE_MS + 2000));
    await (await fetch(url, { method: 'POST', body: 'x' })).text();
    assert.equal(connections, 2, 'a new connection after the idle time');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
