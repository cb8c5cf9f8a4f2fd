// Every list staff and admins see, downloaded as CSV and .xlsx (issue 16,
// item 4): the headers of a download, the rows of the page's filter, the
// page's roles, no private data in the children's register, and a large
// export streamed with bounded memory.
//
// The large export runs in a database of its own (the same cluster, a
// new database migrated and loaded with the demo) with a Kore node of its
// own (one worker, so that its memory is the export's): the other tests'
// database keeps its demo size.  Its needs are EXPORT_LARGE_NEEDS drafts
// (default 100,000) copied from a demo need in one insert ... select with
// the row triggers off: sql/demo/large.sql made the same number of needs
// but spent over 12 minutes in its pledges on this machine, and the export
// reads the needs alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { BASE, sql, sqlValue } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';
import { parseCsv, xlsxRows } from '../lib/files.mjs';
import { ownDatabase } from '../lib/own_db.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const TODAY = sqlValue("select to_char(api.today(), 'YYYYMMDD')");
const token = {};

async function download(path, who, base = BASE) {
  const headers = who ? { authorization: 'Bearer ' + token[who] } : {};
  const res = await fetch(base + path, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers,
    bytes: Buffer.from(await res.arrayBuffer()) };
}

// A CSV download's rows (header first), after checking its headers.
function csvRows(r, name) {
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'),
    `attachment; filename="${name}-${TODAY}.csv"`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM');
  return parseCsv(r.bytes.subarray(3).toString('utf8'));
}

function xlsxSheet(r, name) {
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.equal(r.headers.get('content-disposition'),
    `attachment; filename="${name}-${TODAY}.xlsx"`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  return xlsxRows(r.bytes).rows;
}

const ids = (rows) => rows.slice(1).map((r) => Number(r[0]));
const sqlIds = (q) => sql(q).map((r) => Number(r[0]));

// The staff of 王屋镇 see their subtree.
const WANGWU = "(select id from orgs where kind = 'town' and town_id = " +
  "(select id from towns where slug = 'wangwu'))";
const SUBTREE = `(select api.org_subtree(${WANGWU}))`;

before(async () => {
  for (const who of ['admin@example.com', 'wangwu@example.com',
    'donor6@example.com']) {
    const a = await Api.as(who);
    token[who] = a.token;
  }
});

// Each list: its paths, who may read it, its file's name, its first
// header, and the numbers it must hold (newest first) for that reader.
const lists = [
  { page: '/branch/children', api: '/api/v1/branch/children',
    who: 'wangwu@example.com', name: 'children', first: '编号',
    ids: () => sqlIds(`select id from beneficiaries where org_id in ${SUBTREE}
        and archived_at is null order by id desc`) },
  { page: '/branch/needs', api: '/api/v1/branch/needs', query: '?status=open',
    who: 'wangwu@example.com', name: 'needs-open', first: '编号',
    ids: () => sqlIds(`select id from needs where org_id in ${SUBTREE}
        and status = 'open' order by id desc`) },
  { page: '/admin/needs', api: '/api/v1/admin/needs', admin: true,
    who: 'admin@example.com', name: 'needs-review', first: '编号',
    ids: () => sqlIds(`select id from needs where status in ('submitted',
        'notice') order by id desc`) },
  { page: '/branch/pledges', api: '/api/v1/branch/pledges',
    who: 'wangwu@example.com', name: 'pledges', first: '认捐编号',
    ids: () => sqlIds(`select p.id from pledges p join needs n
        on n.id = p.need_id where n.org_id in ${SUBTREE}
        and (p.status in ('pledged', 'delivered', 'disputed')
          or p.message_state = 'pending') order by p.id desc`) },
  { page: '/programmes/loans', api: '/api/v1/loans', query: '?status=repaying',
    who: 'admin@example.com', name: 'loans', first: '编号',
    ids: () => sqlIds("select id from loans where status = 'repaying' order by id desc") },
  { page: '/programmes/trainings', api: '/api/v1/trainings',
    who: 'wangwu@example.com', name: 'trainings', first: '编号',
    ids: () => sqlIds(`select id from trainings where org_id in ${SUBTREE}
        order by id desc`) },
  { page: '/programmes/leaders', api: '/api/v1/leaders', query: '?kind=ecommerce',
    who: 'admin@example.com', name: 'leaders', first: '编号',
    ids: () => sqlIds('select id from leaders where ecommerce order by id desc') },
  { page: '/admin/fund', api: '/api/v1/fund', admin: true,
    who: 'admin@example.com', name: 'fund-ledger', first: '日志位置',
    ids: () => sqlIds(`select position from log_entries where kind in
        ('fund_received', 'fund_paid_out') order by position`) },
  { page: '/admin/audit', api: '/api/v1/audit', admin: true,
    who: 'admin@example.com', name: 'audit-log', first: '编号',
    ids: () => sqlIds('select id from audit_log order by id desc') },
];

for (const l of lists) {
  test(`${l.page}: CSV and .xlsx for its readers, the page's filter`, async () => {
    const q = l.query ?? '';
    const want = l.ids();
    assert.ok(want.length > 0, `the demo has rows for ${l.page}${q}`);
    const csv = csvRows(await download(`${l.api}.csv${q}`, l.who), l.name);
    assert.equal(csv[0][0], l.first);
    assert.ok(csv.slice(1).every((r) => r.length === csv[0].length));
    // The audit log grows with each test's sign-in: what was there.
    if (l.name === 'audit-log') {
      assert.deepEqual(ids(csv).filter((i) => want.includes(i)), want);
    } else {
      assert.deepEqual(ids(csv), want);
    }
    const book = xlsxSheet(await download(`${l.api}.xlsx${q}`, l.who), l.name);
    assert.deepEqual(book[0], csv[0]);
    if (l.name !== 'audit-log') assert.deepEqual(ids(book), want);
    // The page's path answers the same download (a browser's cookie is
    // the same session as the API's token).
    const page = await download(`${l.page}.csv${q}`, l.who);
    assert.equal(page.status, 200);
    // Without a session 401; donors 403; staff 403 on the admins' lists.
    assert.equal((await download(`${l.api}.csv${q}`)).status, 401);
    assert.equal((await download(`${l.api}.xlsx${q}`, 'donor6@example.com')).status, 403);
    if (l.admin) {
      assert.equal((await download(`${l.api}.csv`, 'wangwu@example.com')).status, 403);
      assert.equal((await download(`${l.page}.xlsx`, 'wangwu@example.com')).status, 403);
    }
  });
}

test('a filter the page refuses is refused by its download (400)', async () => {
  for (const p of ['/api/v1/branch/needs.csv?status=bogus',
    '/api/v1/loans.xlsx?status=bogus', '/api/v1/trainings.csv?kind=x',
    '/api/v1/branch/children.csv?archived=maybe']) {
    const r = await download(p, 'admin@example.com');
    assert.equal(r.status, 400, p);
    assert.equal(JSON.parse(r.bytes.toString()).error.code !== undefined, true);
  }
});

test('the needs download of a state is the page\'s list of that state', async () => {
  for (const status of ['submitted', 'fulfilled']) {
    const a = new Api(token['wangwu@example.com']);
    const pageOne = await a.get(`/api/v1/branch/needs?status=${status}`);
    assert.equal(pageOne.status, 200);
    const rows = csvRows(await download(`/api/v1/branch/needs.csv?status=${status}`,
      'wangwu@example.com'), `needs-${status}`);
    assert.equal(rows.length - 1, pageOne.body.total);
    assert.deepEqual(ids(rows).slice(0, 50), pageOne.body.items.map((n) => n.id));
  }
});

test('the children\'s register: the public part only, never the private record', async () => {
  const rows = csvRows(await download('/api/v1/branch/children.csv',
    'admin@example.com'), 'children');
  assert.deepEqual(rows[0], ['编号', '化名', '出生年份', '年龄', '性别', '镇',
    '学段', '贫困程度', '致贫原因', '留守儿童', '单位', '登记日期', '归档日期']);
  assert.ok(Number(sqlValue('select count(*) from beneficiary_private')) > 0);
  const text = rows.flat().join('\n');
  // shop-admin demo-private's private records: their phones, addresses, notes.
  assert.doesNotMatch(text, /1390391\d{4}|演示村|并非真实儿童/);
  const archived = csvRows(await download('/api/v1/branch/children.csv?archived=1',
    'admin@example.com'), 'children-archived');
  assert.deepEqual(ids(archived), sqlIds(
    'select id from beneficiaries where archived_at is not null order by id desc'));
});

test('money is yuan: a number in CSV, a number with a format in .xlsx', async () => {
  const csv = csvRows(await download('/api/v1/loans.csv', 'admin@example.com'), 'loans');
  const col = csv[0].indexOf('金额（元）');
  const [id, amount] = sql('select id, amount from loans order by id desc limit 1')[0];
  const row = csv.find((r) => r[0] === id);
  assert.equal(row[col], (Number(amount) / 100).toFixed(2));
  const book = xlsxSheet(await download('/api/v1/loans.xlsx', 'admin@example.com'), 'loans');
  assert.equal(book.find((r) => r[0] === Number(id))[col], Number(amount) / 100);
});

test('each list page links its two downloads with its filter', async () => {
  const cookie = await browserSession('wangwu@example.com');
  for (const [page, link] of [
    ['/branch/children', '/branch/children.csv'],
    ['/branch/needs?status=open', '/branch/needs.csv?status=open'],
    ['/branch/pledges', '/branch/pledges.xlsx'],
    ['/programmes/loans?status=applied', '/programmes/loans.xlsx?status=applied'],
    ['/programmes/trainings?kind=finance', '/programmes/trainings.csv?kind=finance'],
    ['/programmes/leaders?kind=rural', '/programmes/leaders.xlsx?kind=rural'],
  ]) {
    const r = await fetch(BASE + page, { headers: { cookie } });
    assert.equal(r.status, 200, page);
    const html = await r.text();
    assert.ok(html.includes(`href="${link.replace(/&/g, '&amp;')}"`), `${page} links ${link}`);
  }
  const admin = await browserSession('admin@example.com');
  for (const [page, link] of [['/admin/needs', '/admin/needs.csv'],
    ['/admin/fund', '/admin/fund.xlsx'], ['/admin', '/admin/audit.csv']]) {
    const html = await (await fetch(BASE + page, { headers: { cookie: admin } })).text();
    assert.ok(html.includes(`href="${link}"`), `${page} links ${link}`);
  }
});

// A cookie session for the pages (the API's token is the same session).
async function browserSession(who) {
  return `sid=${token[who]}`;
}

// ---------------------------------------------------------------- large

const ROOT = process.env.SHOP_ROOT;
const VAR = process.env.TEST_VAR;
const N = Number(process.env.EXPORT_LARGE_NEEDS ?? 100000);
const PSQL = '/usr/lib/postgresql/15/bin/psql';
let kore, port, largeDb;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The node's one worker (its parent's child).
function worker() {
  const kids = readFileSync(`/proc/${kore.pid}/task/${kore.pid}/children`, 'utf8')
    .trim().split(/\s+/).map(Number);
  assert.equal(kids.length, 1, 'one worker');
  return kids[0];
}

const vmHWM = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(
  readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const vmRSS = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(
  readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

after(async () => {
  if (kore && kore.exitCode === null) {
    const w = (() => { try { return worker(); } catch { return null; } })();
    kore.kill('SIGTERM');
    const until = Date.now() + 5000;
    while (kore.exitCode === null && kore.signalCode === null && Date.now() < until)
      await sleep(50);
    if (w) { try { process.kill(w, 'SIGKILL'); } catch { /* gone */ } }
    if (kore.exitCode === null && kore.signalCode === null) kore.kill('SIGKILL');
  }
  if (largeDb) {
    try { largeDb.drop(); } catch { /* the cluster goes with the run */ }
  }
});

// Its own Kore node is started without the sanitizer runtime that
// tests/run.sh preloads into its nodes, so under make test SANITIZE=1 it
// cannot load the instrumented module: the memory figure is the plain
// build's anyway.
test(`an export of ${N} needs streams with bounded memory`, { timeout: 600000,
  skip: process.env.SANITIZE === '1' && 'the figure is measured without the sanitizers' }, async (t) => {
  assert.ok(ROOT && VAR && process.env.SUPER_DB, 'run by tests/run.sh');
  const t0 = Date.now();
  largeDb = ownDatabase('shop_exports');
  const { owner, app } = largeDb;
  execFileSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', owner, '-c',
    `alter table needs disable trigger user;
     insert into needs (org_id, beneficiary_id, town_id, kind, category,
         title, item, spec, unit, quantity, unit_amount, urgency, deadline,
         story, status, created_by)
     select n.org_id, n.beneficiary_id, n.town_id, n.kind, n.category,
         n.title || ' ' || g, n.item, n.spec, n.unit, n.quantity,
         n.unit_amount, n.urgency, n.deadline, n.story, 'draft', n.created_by
       from (select * from needs order by id limit 1) n,
         generate_series(1, ${N}) g;
     alter table needs enable trigger user;
     analyze needs;`], { stdio: 'ignore' });
  const accounts = `${VAR}/exports-accounts.txt`;
  execFileSync(`${ROOT}/build/shop-admin`, ['demo-passwords', accounts],
    { env: { ...process.env, OWNER_DATABASE: owner }, stdio: 'ignore' });
  const admin = readFileSync(accounts, 'utf8').split('\n')
    .map((l) => l.split('\t')).find((f) => f[1] === 'admin@example.com');
  const loaded = ((Date.now() - t0) / 1000).toFixed(1);

  port = await freePort();
  const conf = readFileSync(`${ROOT}/conf/kore.conf`, 'utf8')
    .replace(/^(\s*bind\s+)127\.0\.0\.1 8888/m, `$1127.0.0.1 ${port}`)
    .replace(/^workers\s+\d+/m, 'workers\t\t\t1')
    .replace('var/kore.pid', `${VAR}/exports.pid`)
    .replace('var/access.log', `${VAR}/exports-access.log`);
  writeFileSync(`${VAR}/exports.conf`, conf);
  const log = openSync(`${VAR}/exports.log`, 'w');
  kore = spawn('stdbuf', ['-oL', '-eL', 'kore', '-f', '-n', '-r', '-c',
    `${VAR}/exports.conf`], { cwd: ROOT, stdio: ['ignore', log, log],
    env: { ...process.env, SHOP_DATABASE: app, SHOP_VAR: VAR,
      SHOP_LOG_CHECKPOINT_SECONDS: '0', SHOP_PUBLIC_URL: BASE } });
  closeSync(log);
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 15000;
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    assert.ok(Date.now() < until && kore.exitCode === null, 'the node started');
    await sleep(100);
  }
  const login = await fetch(`${base}/api/v1/login`, { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: admin[1], password: admin[3] }) });
  assert.equal(login.status, 200);
  const bearer = { authorization: 'Bearer ' + (await login.json()).token };

  const open = Number(execFileSync(PSQL, ['-X', '-At', owner, '-c',
    "select count(*) from needs where status = 'draft'"], { encoding: 'utf8' }));
  assert.ok(open >= N);
  // A small export first, so the worker's pools and caches are warm.
  assert.equal((await fetch(`${base}/api/v1/branch/needs.csv?status=open`,
    { headers: bearer }).then((r) => r.arrayBuffer(), () => null)) !== null, true);
  const pid = worker();
  // The peak so far is the start's: reset it (Linux: clear_refs 5), so
  // that the peak read after is the export's.
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); } catch { /* kept */ }
  const before = { hwm: vmHWM(pid), rss: vmRSS(pid) };

  // Read slowly at first (a slow client): the server must wait for it,
  // not buffer the rest.
  const s0 = Date.now();
  const { bytes, lines } = await new Promise((resolve, reject) => {
    http.get(`${base}/api/v1/branch/needs.csv?status=draft`, { headers: bearer },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['transfer-encoding'], 'chunked');
        let n = 0, nl = 0, paused = 0;
        res.on('data', (c) => {
          n += c.length;
          for (const b of c) if (b === 10) nl++;
          if (paused++ < 20) { res.pause(); setTimeout(() => res.resume(), 20); }
        });
        res.on('end', () => resolve({ bytes: n, lines: nl }));
        res.on('error', reject);
      }).on('error', reject);
  });
  const secs = ((Date.now() - s0) / 1000).toFixed(1);
  const after_ = { hwm: vmHWM(pid), rss: vmRSS(pid) };
  assert.equal(lines, open + 1, 'every draft need and the header');

  const x0 = Date.now();
  const xr = await fetch(`${base}/api/v1/branch/needs.xlsx?status=draft`, { headers: bearer });
  assert.equal(xr.status, 200);
  const xbytes = (await xr.arrayBuffer()).byteLength;
  const xsecs = ((Date.now() - x0) / 1000).toFixed(1);
  const afterX = { hwm: vmHWM(pid), rss: vmRSS(pid) };

  const growth = after_.hwm - before.hwm;
  const xgrowth = afterX.hwm - after_.hwm;
  const msg = `export of ${open} draft needs (database made in ${loaded} s): ` +
    `CSV ${(bytes / 1048576).toFixed(1)} MiB in ${secs} s, worker VmHWM ` +
    `${before.hwm} kB -> ${after_.hwm} kB (+${growth} kB; VmRSS ` +
    `${before.rss} -> ${after_.rss} kB); .xlsx ${(xbytes / 1048576).toFixed(1)} MiB ` +
    `in ${xsecs} s, VmHWM -> ${afterX.hwm} kB (+${xgrowth} kB)`;
  t.diagnostic(msg);
  console.log(`# ${msg}`);
  // Generous: the peak grows by less than the file (it would hold the
  // whole file, and more, if the export were built in memory).
  assert.ok(growth * 1024 < bytes, msg);
  assert.ok(xgrowth * 1024 < xbytes, msg);
});
