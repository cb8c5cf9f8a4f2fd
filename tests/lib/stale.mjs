// A client's part of keep-alive, loaded before the API tests (tests/run.sh):
// a request written on a pooled connection that the server had just
// closed as idle (http_keepalive_time, 15 s; each worker now closes them
// on time, src/edge.c) fails before any answer ("other side closed"),
// and is sent again on a new connection, as RFC 9112 (9.3.1) lets a
// client do for a GET or HEAD.  A test that blocks its event loop (psql
// or logverify run synchronously) past the keep-alive time meets such a
// connection: fetch's pool could not see the close while it was blocked.
const first = globalThis.fetch;

globalThis.fetch = async function fetch(input, init) {
  const method = (init?.method ?? (input instanceof Request ? input.method :
    'GET')).toUpperCase();
  // Each failure closes one stale connection of the pool; a few more may
  // wait behind it.
  for (let tries = 1; ; tries++) {
    try {
      return await first(input, init);
    } catch (e) {
      if ((method !== 'GET' && method !== 'HEAD') || tries === 5 ||
        e?.cause?.code !== 'UND_ERR_SOCKET')
        throw e;
    }
  }
};
