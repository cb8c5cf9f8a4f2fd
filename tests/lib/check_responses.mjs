// Loaded with `node --import` before the API tests (tests/run.sh): every
// answer of the server under /api/v1/ that a test receives through fetch
// is checked against docs/openapi.yaml (lib/openapi.mjs), so the contract
// cannot drift from what the server does.  A request the spec does not
// know, or an answer that does not match, fails the test that made it
// (fetch throws), and, should the test have caught that, its file (the
// process ends with an error after naming each one).
import { checkAnswer } from './openapi.mjs';

const origins = new Set([process.env.BASE_URL, process.env.SECOND_URL]
  .filter(Boolean).map((u) => new URL(u).origin));
const failures = [];
const fetchFirst = globalThis.fetch;

// The server closes a keep-alive connection idle for 15 s; when that
// close arrives while a test's event loop is busy (synchronous psql or
// logverify for that long, on a loaded machine), fetch may pick the dead
// connection for its next request and fail with "other side closed".  A
// browser sends an idempotent request once more on a new connection in
// that case (RFC 9110, 9.2.2); so do the tests, and say so.
async function send(input, init) {
  // One turn of the event loop first: after a test blocked it (a
  // synchronous psql or vips), the client's idle timers and the server's
  // closes are seen before a pooled connection is picked.
  await new Promise((r) => setTimeout(r, 0));
  try {
    return await fetchFirst(input, init);
  } catch (e) {
    const method = (init?.method ?? (input instanceof Request ?
      input.method : 'GET')).toUpperCase();
    if (e?.cause?.code !== 'UND_ERR_SOCKET' ||
      (method !== 'GET' && method !== 'HEAD'))
      throw e;
    console.error(`# ${method} ${input}: a closed keep-alive connection, sent again`);
    return fetchFirst(input, init);
  }
}

globalThis.fetch = async function fetch(input, init) {
  const res = await send(input, init);
  const url = new URL(res.url || (input instanceof Request ? input.url :
    String(input)));
  if (!origins.has(url.origin) || !url.pathname.startsWith('/api/v1/'))
    return res;
  const method = (init?.method ?? (input instanceof Request ? input.method :
    'GET')).toUpperCase();
  const text = method === 'HEAD' ? null : await res.clone().text();
  const why = checkAnswer(method, url.pathname, res.status,
    res.headers.get('content-type'), text);
  if (why === null) return res;
  failures.push(why);
  throw new Error('the answer does not follow docs/openapi.yaml: ' + why);
};

process.on('exit', () => {
  if (failures.length === 0) return;
  console.error('answers that do not follow docs/openapi.yaml:\n' +
    failures.join('\n'));
  process.exitCode = 1;
});
