// A Kore node of a test's own (as tests/run.sh's start_node does: the
// module of this checkout, conf/kore.conf on a free port, its own log),
// for tests that kill its workers, preload a library into it or point it
// at a database of their own, without touching the nodes the other tests
// use.  Kore renames its processes: the PIDs come from the spawned
// parent, never from a name.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// The processes whose parent is pid: [{ pid, state }] (state 'Z': a
// zombie).
export function children(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    // pid (comm) state ppid ...: comm may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === pid) out.push({ pid: Number(d), state: f[0] });
  }
  return out;
}

// In the sanitizer build (make test SANITIZE=1) the module needs the
// runtimes Kore lacks, preloaded before any library a test preloads (as
// tests/run.sh does for its nodes; the reports go where ASAN_OPTIONS and
// UBSAN_OPTIONS, which it exports, say).
function preloads(more) {
  const san = process.env.SANITIZE === '1' ? ['libasan.so', 'libubsan.so'].map((l) =>
    execFileSync('gcc', [`-print-file-name=${l}`], { encoding: 'utf8' }).trim()) : [];
  return [...san, more].filter(Boolean).join(':');
}

// Starts a node named name (its files $dir/name.*), waits for /healthz.
// opts: dir (default TEST_VAR), db (libpq conninfo, default APP_DB), env
// (more of the environment: it wins), wrap (a shell prefix such as
// "ulimit -c 0 &&"), conf (a function that edits the configuration's
// text), wait (ms to wait for it, default 10,000).
// Returns { name, port, base, pid, log, workers(), stop(), logText() }.
export async function startNode(name, opts = {}) {
  const root = process.env.SHOP_ROOT;
  const dir = opts.dir ?? process.env.TEST_VAR;
  const port = await freePort();
  let conf = readFileSync(`${root}/conf/kore.conf`, 'utf8')
    .replace(/^(\s*bind\s+)127\.0\.0\.1 8888/m, `$1127.0.0.1 ${port}`)
    .replace('var/kore.pid', `${dir}/${name}.pid`)
    .replace('var/access.log', `${dir}/${name}-access.log`);
  if (opts.conf) conf = opts.conf(conf);
  writeFileSync(`${dir}/${name}.conf`, conf);
  const log = `${dir}/${name}.log`;
  const fd = openSync(log, 'a');
  const proc = spawn('sh', ['-c', `${opts.wrap ?? ''} exec stdbuf -oL -eL ` +
    `kore -f -n -r -c "${dir}/${name}.conf"`], { cwd: root,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, SHOP_DATABASE: opts.db ?? process.env.APP_DB,
      SHOP_VAR: process.env.TEST_VAR, SHOP_LOG_CHECKPOINT_SECONDS: '0',
      SHOP_PUBLIC_URL: process.env.BASE_URL, ...opts.env,
      LD_PRELOAD: preloads(opts.env?.LD_PRELOAD) } });
  closeSync(fd);
  const node = {
    name, port, base: `http://127.0.0.1:${port}`, pid: proc.pid, log, proc,
    workers: () => children(proc.pid),
    logText: () => { try { return readFileSync(log, 'utf8'); } catch { return ''; } },
    stop: () => stopNode(node),
  };
  const until = Date.now() + (opts.wait ?? 10000);
  for (;;) {
    try {
      const r = await fetch(`${node.base}/healthz`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > until || proc.exitCode !== null) {
      await stopNode(node);
      throw new Error(`node ${name} did not start:\n` +
        node.logText().split('\n').slice(-20).join('\n'));
    }
    await sleep(100);
  }
  return node;
}

// TERM, then after 5 s KILL its workers and it (Kore can hang on exit
// after a worker died: KORE.md).
export async function stopNode(node) {
  const { proc } = node;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const left = node.workers().map((w) => w.pid);
  proc.kill('SIGTERM');
  const until = Date.now() + 5000;
  while (proc.exitCode === null && proc.signalCode === null && Date.now() < until)
    await sleep(50);
  for (const pid of [...left, ...node.workers().map((w) => w.pid)]) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}
