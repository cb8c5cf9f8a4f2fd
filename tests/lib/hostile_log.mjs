// A hostile log server for logverify: raw HTTP on 127.0.0.1 (a free
// port), so an answer can be any bytes at all.  Each scenario has its own
// path prefix (http://127.0.0.1:PORT/<scenario>), which logverify keeps
// in front of /api/v1/log/...; a scenario answers what it wants to spoil
// and leaves the rest to an honest log of its own (makeLog): entries, the
// RFC 6962 tree, a checkpoint signed with a fresh Ed25519 key, proofs.
import net from 'node:net';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
export const leafHash = (entry) => sha(Buffer.from([0]), Buffer.from(entry, 'utf8'));
const nodeHash = (l, r) => sha(Buffer.from([1]), l, r);
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

// MTH and PATH of RFC 6962 2.1.
function mth(leaves) {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function inclusionPath(m, leaves) {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...inclusionPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...inclusionPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUB = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);

// The note text signed by this server's key as origin (c2sp.org/signed-note).
export function signNote(text, origin) {
  const kid = sha(Buffer.from(`${origin}\n`), Buffer.from([1]), PUB).subarray(0, 4);
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n— ${origin} ${Buffer.concat([kid, sig]).toString('base64')}\n`;
}

// An honest log over entries (strings).  The checkpoint signs size and
// root when given (a lie, but a signed one), else the true ones.
export function makeLog(entries, { origin = 'hostile.example/log', size, root } = {}) {
  const leaves = entries.map(leafHash);
  const n = size ?? entries.length;
  const r = (root ?? mth(leaves)).toString('base64');
  return {
    key: { public_key: PUB.toString('base64') },
    checkpoint: { origin, tree_size: n, root_hash: r,
      checkpoint: signNote(`${origin}\n${n}\n${r}\n`, origin) },
    entries(start, end) {
      const out = [];
      for (let i = start; i <= end && i < entries.length && out.length < 1000; i++)
        out.push({ index: i, entry: entries[i] });
      return { tree_size: n, entries: out };
    },
    inclusion(index) {
      return { leaf_index: index, tree_size: leaves.length,
        leaf_hash: leaves[index].toString('base64'),
        inclusion_path: inclusionPath(index, leaves).map((h) => h.toString('base64')) };
    },
  };
}

// A 200 with a JSON body (an object, or text sent as it is).
export function ok(body) {
  const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n'
    + `content-length: ${b.length}\r\nconnection: close\r\n\r\n`), b]);
}

// The honest answer of log to path (after the scenario's prefix).
export function honest(log, path, q) {
  if (path === '/api/v1/log/key') return ok(log.key);
  if (path === '/api/v1/log/checkpoint') return ok(log.checkpoint);
  if (path === '/api/v1/log/entries')
    return ok(log.entries(Number(q.get('start')), Number(q.get('end'))));
  if (path === '/api/v1/log/proof/inclusion')
    return ok(log.inclusion(Number(q.get('index'))));
  return Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
}

// Serves scenarios: { name: (path, query) => Buffer }.  Resolves to the
// server (close it when done) and its base URL.
export function serve(scenarios) {
  const server = net.createServer((sock) => {
    let got = Buffer.alloc(0);
    sock.on('error', () => {}); // logverify may hang up mid-answer
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.indexOf('\r\n\r\n') < 0) return;
      sock.removeAllListeners('data');
      const target = got.subarray(0, got.indexOf('\r\n')).toString('latin1').split(' ')[1];
      const url = new URL(target, 'http://x');
      const [, name, ...rest] = url.pathname.split('/');
      const answer = scenarios[name];
      sock.end(answer ? answer(`/${rest.join('/')}`, url.searchParams)
        : Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}
