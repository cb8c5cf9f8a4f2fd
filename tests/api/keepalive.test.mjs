// Keep-alive connections left idle (issue 14): each is closed quietly at
// http_keepalive_time (15 s), never answered 408 by the header timeout
// (20 s) when it is reused later.  Kore checks its timers only when a
// worker wakes, and a quiet worker slept through both: when a request
// woke it after 25 s, the header timeout answered 408 on the other idle
// connections just as their clients reused them (7 of 8).  Each worker
// now wakes once a second (src/edge.c).  This test idles 25 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, readResponse, get, close } from '../lib/raw.mjs';

test('idle keep-alive connections are closed quietly, never answered 408', async () => {
  const conns = [];
  for (let i = 0; i < 8; i++) conns.push(await connect());
  for (const c of conns) {
    c.sock.write(get('/healthz'));
    const r = await readResponse(c);
    assert.equal(r?.status, 200);
    assert.equal(r.headers.connection, 'keep-alive');
  }
  await new Promise((r) => setTimeout(r, 25000));
  // One at a time, as a client reuses its pooled connections: one
  // connected to a sleeping worker would wake it.
  const statuses = [];
  for (let i = 0; i < conns.length; i++) {
    let c = conns[i];
    // Nothing unasked on an idle connection: no 408 waiting to be read.
    assert.equal(c.data.length, 0,
      `connection ${i}: ${c.data.toString('latin1').slice(0, 40)}`);
    if (c.ended) {
      close(c);
      c = await connect();
    }
    c.sock.write(get('/healthz'));
    const r = await readResponse(c);
    statuses.push(r?.status ?? 'closed');
    close(c);
  }
  assert.deepEqual(statuses, Array(8).fill(200));
  // Every connection was closed by the server by then (15 s).
  assert.ok(conns.every((c) => c.ended));
});
