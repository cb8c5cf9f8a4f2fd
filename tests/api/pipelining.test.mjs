// HTTP/1.1 pipelining (issue 14): five requests written at once on one
// connection.  Kore 4.1 cannot serve them (it drops what follows the
// first request in its buffer): the first was answered and the other
// four silently lost, the client waiting for ever.  Now the first is
// answered with Connection: close and the connection closed, so the
// client sends the rest again on a new one, as RFC 9112 (9.3.2) has a
// pipelining client do; each request is answered exactly once.  Behind
// nginx, which does not pipeline to Kore, a pipelining client gets all
// five on its one connection (tests/cluster/10_front.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE } from '../lib/env.mjs';
import { connect, readResponse, waitEnd, close, get } from '../lib/raw.mjs';

const host = new URL(BASE).host;

// Writes every request at once on a new connection, reads answers in
// order until the server closes; again with what is left.  Returns the
// statuses in the order of the requests, and the connections used.
async function pipeline(requests) {
  let pending = requests.slice();
  const statuses = [];
  let connections = 0;
  while (pending.length > 0 && connections < 2 * requests.length) {
    const c = await connect();
    connections++;
    c.sock.write(pending.join(''));
    let n = 0;
    for (;;) {
      // A request dropped silently is an answer that never comes.
      const r = await readResponse(c, 5000);
      if (r === null) break;
      statuses.push(r.status);
      n++;
      if (r.headers.connection === 'close') {
        assert.ok(await waitEnd(c, 5000), 'closed after Connection: close');
        break;
      }
      if (n === pending.length) break;
    }
    close(c);
    assert.ok(n > 0, 'no answer at all');
    pending = pending.slice(n);
  }
  return { statuses, connections };
}

test('five GETs written at once: each answered once', async () => {
  const paths = ['/healthz', '/api/v1/needs', '/healthz', '/api/v1/home',
    '/needs'];
  const { statuses } = await pipeline(paths.map((p) => get(p)));
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
});

test('a POST and its body, then a GET, written at once', async () => {
  const body = '{}';
  const post = `POST /api/v1/logout HTTP/1.1\r\nHost: ${host}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
    `\r\n${body}`;
  const { statuses } = await pipeline([post, get('/healthz'), post]);
  assert.deepEqual(statuses, [200, 200, 200]);
});
