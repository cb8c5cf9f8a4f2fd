// What the outbox's tests and benchmark run: a real SMTP server
// (smtp-server) on a free loopback port that keeps what it receives
// (parsed with mailparser) and can refuse chosen recipients, an HTTP
// receiver for the SMS relay, and build/shop-sender as a child process.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

// An SMTP server on 127.0.0.1.  received: the messages accepted, each
// { to, from, raw, mail }; attempts: every DATA seen ({ to, messageId,
// code }).  refuse.set(address, code) answers RCPT with that code (e.g.
// 550); tempfail.set(address, n) answers the first n DATA with 451.
// parse: false keeps only the raw bytes (the benchmark).
export async function smtpServer({ parse = true } = {}) {
  const received = [], attempts = [];
  const refuse = new Map(), tempfail = new Map();
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false, size: 1 << 20,
    onRcptTo(address, session, cb) {
      const code = refuse.get(address.address);
      if (code) {
        const e = new Error(`${code} mailbox refused by the test`);
        e.responseCode = code;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const messageId = (/^Message-ID: (<[^>]+>)/mi.exec(raw.toString('latin1')) ?? [])[1];
        const left = tempfail.get(to[0]) ?? 0;
        if (left > 0) {
          tempfail.set(to[0], left - 1);
          attempts.push({ to: to[0], messageId, code: 451 });
          const e = new Error('451 try again later (the test)');
          e.responseCode = 451;
          return cb(e);
        }
        attempts.push({ to: to[0], messageId, code: 250 });
        const mail = parse ? await simpleParser(raw) : null;
        received.push({ to: to[0], from: session.envelope.mailFrom.address, raw, mail });
        cb();
      });
    },
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: server.server.address().port, received, attempts, refuse, tempfail,
    close: () => new Promise((ok) => server.close(ok)) };
}

// An SMS relay: answers each POST with the next status of
// plan.get(to) (default 200) and keeps every request's JSON.
export async function smsReceiver() {
  const requests = [], plan = new Map();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      let json = null;
      try { json = JSON.parse(body); } catch { /* kept as null */ }
      const codes = plan.get(json?.to) ?? [];
      const status = codes.length ? codes.shift() : 200;
      requests.push({ json, status, type: req.headers['content-type'] });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(String(status));
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: server.address().port, requests, plan,
    close: () => new Promise((ok) => server.close(ok)) };
}

// build/shop-sender with this environment (added to the test's); its
// stderr is kept in log.
export function startSender(env, args = []) {
  const root = process.env.SHOP_ROOT ?? '.';
  const child = spawn(`${root}/build/shop-sender`, args, {
    env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const s = { child, log: '', exited: new Promise((ok) => child.on('exit', ok)) };
  child.stderr.on('data', (d) => { s.log += d; });
  s.stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await s.exited;
  };
  return s;
}

// Waits until fn() returns something truthy (polls), or fails after ms.
export async function until(fn, ms = 15000, what = 'the condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
