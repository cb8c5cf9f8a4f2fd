// A keep-alive connection whose request took longer than
// http_keepalive_time is still open when its client reuses it at once.
// Kore started a connection's idle timer when it last read from it (the
// request) and checked it as soon as the request was gone: an answer that
// came more than 15 s after its request (a sign-in waiting for the task
// threads, a photo for libvips, at load 20) was followed by a close within
// half a second, just as the client, told "keep-alive: timeout=15", sent
// its next request on it: undici's "fetch failed ... other side closed"
// on the second of three logins (tests/api/pledges.test.mjs) and on the
// POST after photo uploads (tests/api/photos.test.mjs).  The idle time now
// counts from the answer (src/edge.c, edge_answered).
//
// On a node of its own whose keep-alive time is 3 s, one worker: a login
// held for 4 s by a lock on its table (below the statements' 5 s timeout),
// then the next request on the same connection at once, and after 1 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { demo } from '../lib/session.mjs';
import { startNode } from '../lib/kore.mjs';
import { readResponse, get } from '../lib/raw.mjs';

const KEEPALIVE_S = 3;
const HOLD_MS = 4000;
// To measure (not for make test): KA_ROUNDS rounds per case, with
// KA_BUSY busy loops loading the CPU, against KA_MODULE (another build).
const ROUNDS = Number(process.env.KA_ROUNDS ?? 1);
const BUSY = Number(process.env.KA_BUSY ?? 0);
const busy = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let node;

before(async () => {
  node = await startNode('keepalive-busy', {
    conf: (c) => {
      c = c.replace(/^http_keepalive_time\s+\d+/m,
        `http_keepalive_time\t${KEEPALIVE_S}`).replace(/^workers\s+\d+/m, 'workers\t\t\t1');
      if (process.env.KA_MODULE)
        c = c.replace(/^load\s+\S+/m, `load\t\t\t${process.env.KA_MODULE}`);
      return c;
    },
  });
  for (let i = 0; i < BUSY; i++)
    busy.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
});

after(async () => {
  for (const p of busy) p.kill('SIGKILL');
  if (node) await node.stop();
});

// A raw connection to the node (tests/lib/raw.mjs's, on its port).
function connect() {
  return new Promise((resolve, reject) => {
    const sock = net.connect(node.port, '127.0.0.1');
    const conn = { sock, data: Buffer.alloc(0), ended: false, waiters: [] };
    const wake = () => { for (const w of conn.waiters.splice(0)) w(); };
    sock.on('data', (d) => { conn.data = Buffer.concat([conn.data, d]); wake(); });
    sock.on('end', () => { conn.ended = true; wake(); });
    sock.on('close', () => { conn.ended = true; wake(); });
    sock.on('error', () => { conn.ended = true; wake(); });
    sock.once('connect', () => resolve(conn));
    sock.once('error', reject);
  });
}

// Holds the sessions table (which a login writes) until the returned
// function is called; resolves once the lock is taken.
async function holdSessions() {
  const p = spawn('/usr/lib/postgresql/15/bin/psql', ['-X', '-q', '-v',
    'ON_ERROR_STOP=1', process.env.OWNER_DB], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => p.on('exit', r));
  let out = '';
  const locked = new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => { out += d; if (out.includes('locked')) resolve(); });
    exited.then(() => reject(new Error('psql ended: ' + out)));
  });
  p.stdin.write('begin;\nlock table sessions in access exclusive mode;\n\\echo locked\n');
  await locked;
  return async () => {
    p.stdin.end('commit;\n');
    await exited;
  };
}

// One round: a login held HOLD_MS, then, pause ms after its answer, the
// next request on its connection.  Returns null, or what went wrong.
async function round(pause, { closes = false } = {}) {
  const a = demo('admin@example.com');
  const body = JSON.stringify({ identifier: a.login, password: a.password });
  const release = await holdSessions();
  const c = await connect();
  try {
    const t0 = Date.now();
    c.sock.write(`POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:${node.port}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await sleep(HOLD_MS);
    await release();
    const r1 = await readResponse(c, 15000);
    const took = Date.now() - t0;
    assert.equal(r1?.status, 200, r1?.body);
    assert.equal(r1.headers.connection, 'keep-alive');
    assert.ok(took > KEEPALIVE_S * 1000, `the login took ${took} ms`);
    await sleep(pause);
    if (c.ended)
      return `closed ${pause} ms after an answer that said keep-alive: ${r1.headers['keep-alive']}`;
    c.sock.write(get('/healthz').replace(/Host: [^\r]*/, `Host: 127.0.0.1:${node.port}`));
    const r2 = await readResponse(c, 10000);
    if (r2?.status !== 200)
      return `the next request, sent ${pause} ms after the answer: ${r2?.status ?? 'closed'}`;
    // Idle connections are still closed, at the keep-alive time after
    // their last answer (src/edge.c's tick: within a second or so).
    if (closes) {
      const t1 = Date.now();
      while (!c.ended && Date.now() - t1 < KEEPALIVE_S * 1000 + 5000)
        await sleep(100);
      assert.ok(c.ended, 'an idle connection is closed after the keep-alive time');
      assert.ok(Date.now() - t1 >= KEEPALIVE_S * 1000 - 200,
        `closed ${Date.now() - t1} ms after its answer`);
    }
    return null;
  } finally {
    c.sock.destroy();
  }
}

for (const pause of [0, 1000]) {
  test(`a connection whose login took longer than the keep-alive time serves the next request (after ${pause} ms)`, async (t) => {
    const failed = [];
    for (let i = 0; i < ROUNDS; i++) {
      const why = await round(pause, { closes: pause > 0 && i === 0 });
      if (why) failed.push(why);
    }
    t.diagnostic(`${failed.length} of ${ROUNDS} failed` + (BUSY ? ` (${BUSY} busy loops)` : ''));
    assert.deepEqual(failed, []);
  });
}
