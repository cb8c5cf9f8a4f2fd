// Load generators that count what failed, and the figures made of what
// they saw: for the fault tests (tests/faults/), the soak and the
// cluster's tests (tests/cluster/lib.mjs binds them to its address).
// Every request is { status, ms, at, path } (status 0 and error when
// the connection failed or timed out).
import { randomBytes } from 'node:crypto';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const key = () => randomBytes(12).toString('hex');

// Public reads: the shelf, the home page, the campaigns, transparency.
export const PUBLIC = ['/api/v1/needs', '/needs', '/api/v1/home', '/campaigns',
  '/api/v1/transparency'];

// One request to base + path.  opts: method, headers, body (an object:
// sent as JSON), timeout (ms, default 15,000).  Also gives retryAfter,
// the answer's Retry-After, json, its body when it is JSON, and code, the
// error's code in it.
export async function hit(base, path, opts = {}) {
  const t = Date.now();
  const headers = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const r = await fetch(base + path, { method: opts.method ?? 'GET', headers,
      redirect: 'manual', body: opts.body === undefined ? undefined :
        JSON.stringify(opts.body), signal: AbortSignal.timeout(opts.timeout ?? 15000) });
    const text = await r.text();
    let json;
    if (/json/.test(r.headers.get('content-type') ?? '')) {
      try { json = JSON.parse(text); } catch { /* not JSON after all */ }
    }
    return { status: r.status, ms: Date.now() - t, at: t, path,
      retryAfter: r.headers.get('retry-after'), code: json?.error?.code, json };
  } catch (e) {
    return { status: 0, ms: Date.now() - t, at: t, path,
      error: String(e.cause?.code ?? e.cause?.message ?? e.name) };
  }
}

// A load's length: ms, or a function that says whether to go on.
function going(ms) {
  if (typeof ms === 'function') return ms;
  const until = Date.now() + ms;
  return () => Date.now() < until;
}

// Runs `workers` loops of GETs of paths (cache-busted with a query
// string no cache has seen; the module ignores names it does not know)
// for ms; returns every answer.
export async function readLoad(base, ms, workers = 6, headers = {}, paths = PUBLIC) {
  const on = going(ms);
  const out = [];
  let n = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (on()) {
      const p = paths[n++ % paths.length];
      out.push(await hit(base, `${p}${p.includes('?') ? '&' : '?'}cb=${key()}`,
        { headers }));
    }
  }));
  return out;
}

// A session's token for identifier and password at base (an error when
// the sign-in fails).
export async function signIn(base, identifier, password) {
  const r = await hit(base, '/api/v1/login', { method: 'POST',
    body: { identifier, password } });
  if (r.status !== 200) throw new Error(`sign-in of ${identifier}: ${r.status} ` +
    JSON.stringify(r.json ?? r.error));
  return r.json.token;
}

// One pledge of one unit on need by token with Idempotency-Key k:
// the answer, with id the pledge's id when it was made (201) or
// replayed (200).
export async function pledge(base, token, need, k, timeout = 10000) {
  const a = await hit(base, `/api/v1/needs/${need}/pledges`, { method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'idempotency-key': k },
    body: { quantity: 1 }, timeout });
  a.key = k;
  a.id = a.json?.pledge?.id;
  delete a.json;
  return a;
}

// Runs `workers` loops of pledges on need by tokens for ms; a failed
// pledge is sent again with its key until it succeeds, or 5 s after time
// is up (as a client should).  Returns { answers, keys: Map(key →
// pledge id) of those that succeeded }.
export async function writeLoad(base, ms, tokens, need, workers = 2) {
  const on = going(ms);
  const answers = [];
  const keys = new Map();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const token = tokens[w % tokens.length];
    while (on()) {
      const k = key();
      let over;
      for (;;) {
        const a = await pledge(base, token, need, k);
        answers.push(a);
        if (a.status === 201 || a.status === 200) { keys.set(k, a.id); break; }
        if (!on()) over ??= Date.now();
        if (over && Date.now() > over + 5000) break;
        await sleep(200);
      }
    }
  }));
  return { answers, keys };
}

export const failed = (answers) => answers.filter((a) => a.status === 0 ||
  a.status >= 500);

// What failed, for a figure: "503 /needs ×3, 0 (UND_ERR_SOCKET) /x ×1".
export function failures(answers) {
  const n = new Map();
  for (const a of failed(answers)) {
    const path = (a.path ?? '').replace(/\?.*/, '');
    const k = `${a.status}${a.error ? ` (${a.error})` : ''} ${path}`.trim();
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';
}

// Milliseconds from t to the first success after it that is followed
// only by successes; 0 when nothing failed after t.
export function recovery(answers, t) {
  const after = answers.filter((a) => a.at >= t).sort((a, b) => a.at - b.at);
  let last = -1;
  after.forEach((a, i) => { if (a.status === 0 || a.status >= 500) last = i; });
  if (last === -1) return 0;
  return last + 1 < after.length ? after[last + 1].at - t : NaN;
}

export function pct(list, p) {
  const s = [...list].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : 0;
}

// The least-squares slope of [x, y] points (y per unit of x), and the
// mean of y: how fast a sampled figure grows.
export function slope(points) {
  const n = points.length;
  if (n < 2) return { slope: 0, mean: n ? points[0][1] : 0 };
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0, den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return { slope: den ? num / den : 0, mean: my };
}
