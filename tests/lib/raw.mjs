// Raw HTTP/1.1 over one TCP connection (node:net), for what fetch hides:
// keep-alive reuse, pipelining, bytes a server sends unasked, and heads
// no HTTP library would write.
import net from 'node:net';
import tls from 'node:tls';

const url = new URL(process.env.BASE_URL ?? 'http://127.0.0.1:8888');

// A connection to the server under test (or to host:port; over TLS with
// tlsOptions), with every byte it received kept in order and its end
// noted.
export function connect(port = Number(url.port), host = url.hostname,
  tlsOptions = null) {
  return new Promise((resolve, reject) => {
    const sock = tlsOptions ? tls.connect({ port, host, ...tlsOptions }) :
      net.connect(port, host);
    const conn = { sock, data: Buffer.alloc(0), ended: false, error: null,
      waiters: [] };
    const wake = () => { for (const w of conn.waiters.splice(0)) w(); };
    sock.on('data', (d) => { conn.data = Buffer.concat([conn.data, d]); wake(); });
    sock.on('end', () => { conn.ended = true; wake(); });
    sock.on('close', () => { conn.ended = true; wake(); });
    sock.on('error', (e) => { conn.error = e; conn.ended = true; wake(); });
    sock.once(tlsOptions ? 'secureConnect' : 'connect', () => resolve(conn));
    sock.once('error', reject);
  });
}

// One answer parsed off the front of buf: { status, headers, body, size }
// or null while it is incomplete (Content-Length bodies only).
export function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP answer: ${lines[0]}`);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + len) return null;
  return { status: Number(m[1]), headers,
    body: buf.subarray(end + 4, end + 4 + len).toString('utf8'),
    size: end + 4 + len };
}

// The next answer on conn (taken off its buffer), or null when the
// connection ended first; rejects after ms.
export async function readResponse(conn, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = parseResponse(conn.data);
    if (r) {
      conn.data = conn.data.subarray(r.size);
      return r;
    }
    if (conn.ended) return null;
    if (Date.now() > until) throw new Error('no answer in time');
    await new Promise((resolve) => {
      conn.waiters.push(resolve);
      setTimeout(resolve, 100);
    });
  }
}

// Waits until conn has ended (true) or ms passed (false).
export async function waitEnd(conn, ms) {
  const until = Date.now() + ms;
  while (!conn.ended && Date.now() < until)
    await new Promise((resolve) => {
      conn.waiters.push(resolve);
      setTimeout(resolve, 100);
    });
  return conn.ended;
}

export function get(path, extra = '') {
  return `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}\r\n`;
}

export function close(conn) {
  conn.sock.destroy();
}
