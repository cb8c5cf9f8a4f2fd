// The soak (make soak SOAK_MINUTES=60, issue 14): a mixed load -- browse,
// sign in, pledge, deliver, receive, transparency, exports -- over both
// nodes of tests/run.sh, first as fast as it goes to measure the
// capacity, then at half of it for SOAK_MINUTES.  Every SAMPLE seconds:
// each worker's resident memory and open descriptors, the database's
// connections and the outbox's unsent messages; at the end the slope of
// each (after the first fifth, the warm-up), the errors (none but the
// 409s a full need answers) and build/logverify.  SOAK_RATE=N: N
// requests/s instead of half the capacity.  The load is open (requests
// start on time), at most MAX_PENDING at once: on a machine others load
// too the capacity moves, and what could not be sent is counted.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { BASE, VAR, DB, psql, psqlAsync, value, figure, login, logverify } from './lib.mjs';
import { hit, pct, slope, sleep } from '../lib/load.mjs';
import { children } from '../lib/kore.mjs';
import { demoAccounts } from '../lib/session.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const SAMPLE = MINUTES >= 20 ? 15000 : 5000;
const NODES = [BASE, process.env.SECOND_URL];
const PARENTS = [process.env.KORE_PID, process.env.KORE2_PID].map(Number);
let donors, admin, staff, needs, full, year;

// The donors who pledge, each with a session (made here, as make bench
// does: the database keeps the token's SHA-256).  Many, as on the
// platform: with the eight demo donors each gathered thousands of gifts
// in the hour, and their yearly statement (a download of every gift of
// the year) grew to seconds; that cost is a donor's, not the hour's.
const DONORS = Number(process.env.SOAK_DONORS ?? 64);

before(async () => {
  assert.ok(PARENTS.every((p) => p > 0), 'run by tests/run.sh (SUITE=soak)');
  donors = psql(DB.owner, `with u as (insert into users (role, display_name,
        email, email_verified_at)
      select 'donor', '长稳捐赠人' || g, 'soak' || g || '.' || ${Date.now()} ||
        '@example.com', now() from generate_series(1, ${DONORS}) g returning id),
    t as (select id, encode(sha256(gen_random_uuid()::text::bytea), 'hex') as token
      from u),
    s as (insert into sessions (token_hash, user_id, idle_limit, expires_at)
      select sha256(convert_to(token, 'UTF8')), id, '7 days',
        now() + interval '1 day' from t returning 1)
    select token from t, (select count(*) from s) x`).map(([t]) => t);
  assert.equal(donors.length, DONORS);
  admin = await login('admin@example.com');
  // The needs the pledges go round on: one per school with a staff
  // account of its own, never full.
  const schools = demoAccounts().map((a) => a.login.match(/^org(\d+)@/)?.[1]).filter(Boolean);
  const rows = psql(DB.owner, `select id from orgs where kind = 'school'
      and id in (${schools.join(',')}) order by id limit 4`);
  needs = [];
  staff = new Map();
  for (const [org] of rows) {
    const id = Number(value(DB.owner, `insert into needs (org_id, town_id, kind,
        category, title, unit, quantity, deadline, story, status, opened_at)
      select id, town_id, 'goods', 'books', '长稳测试', '本', 1000000000,
        current_date + 60, '', 'open', now() from orgs where id = ${org} returning id`));
    psql(DB.owner, `select api.log_need_opened(${id})`);
    needs.push(id);
    staff.set(id, await login(`org${org}@example.com`));
  }
  full = psql(DB.owner, "select id from needs where status in ('fully_pledged', 'fulfilled')")
    .map((r) => Number(r[0]));
  year = new Date().getFullYear();
});

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const shanghaiDay = (days = 0) =>
  new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
const signed = (x, d) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
const auth = (token) => ({ authorization: 'Bearer ' + token });

// The pledges under way: made (to deliver), delivered (to receive).
const made = [], delivered = [];

// The mix: [weight, what].  Each returns one answer (or several).
const MIX = [
  [32, (b) => hit(b, pick(['/', '/needs', '/campaigns', '/api/v1/home']))],
  [15, (b) => hit(b, `/api/v1/needs?page=${1 + Math.floor(Math.random() * 3)}` +
    `&sort=${pick(['urgent', 'deadline', 'newest'])}`)],
  [10, (b) => hit(b, `/${pick(['api/v1/needs', 'needs'])}/${pick(needs)}`)],
  [8, (b) => hit(b, pick(['/transparency', '/api/v1/transparency',
    '/api/v1/log/checkpoint', '/api/v1/log/entries?start=0&end=9']))],
  [1, async (b) => {
    const a = pick(demoAccounts().filter((x) => x.role === 'donor'));
    const r = await hit(b, '/api/v1/login', { method: 'POST',
      body: { identifier: a.login, password: a.password } });
    if (r.status !== 200) return r;
    const me = await hit(b, '/api/v1/me', { headers: auth(r.json.token) });
    const out = await hit(b, '/api/v1/logout', { method: 'POST', headers: auth(r.json.token) });
    return [r, me, out];
  }],
  [14, async (b) => {
    if (delivered.length && Math.random() < 0.5) {
      const p = delivered.shift();
      return hit(b, `/api/v1/pledges/${p.id}/receive`, { method: 'POST',
        headers: auth(staff.get(p.need)), body: { note: '长稳测试' } });
    }
    if (made.length && Math.random() < 0.6) {
      const p = made.shift();
      const r = await hit(b, `/api/v1/pledges/${p.id}/deliver`, { method: 'POST',
        headers: auth(p.token), body: { method: 'school' } });
      if (r.status === 200) delivered.push(p);
      return r;
    }
    const token = pick(donors), need = pick(needs);
    const r = await hit(b, `/api/v1/needs/${need}/pledges`, { method: 'POST',
      headers: auth(token), body: { quantity: 1 } });
    if (r.status === 201) made.push({ id: r.json.pledge.id, need, token });
    return r;
  }],
  // A need already full: 409, expected.
  [2, (b) => hit(b, `/api/v1/needs/${pick(full)}/pledges`, { method: 'POST',
    headers: auth(pick(donors)), body: { quantity: 1 } })],
  [10, (b) => hit(b, pick(['/api/v1/me/pledges', '/api/v1/me']),
    { headers: auth(pick(donors)) })],
  [8, (b) => pick([
    // The log's CSV: mostly the last 30 days before today (a period: a
    // month's entries for a spreadsheet); a whole download (the log grows
    // by every gift) one time in ten.  (Not today's: every entry the soak
    // makes is today's, so that would be the whole soak every time.)
    () => hit(b, Math.random() < 0.1 ? '/transparency/log.csv' :
      `/transparency/log.csv?since=${shanghaiDay(-30)}&until=${shanghaiDay(-1)}`),
    () => hit(b, '/transparency/totals.csv'),
    () => hit(b, `/me/statement.csv?year=${year}`, { headers: auth(pick(donors)) }),
    () => hit(b, `/api/v1/reports/rollup.csv?year=${year - 1}&quarter=4`,
      { headers: auth(admin) }),
  ])()],
];
const TOTAL = MIX.reduce((s, [w]) => s + w, 0);

function one(stats) {
  let r = Math.random() * TOTAL;
  const [, what] = MIX.find(([w]) => (r -= w) < 0) ?? MIX[0];
  return what(pick(NODES)).then((a) => {
    for (const x of [a].flat()) {
      stats.n++;
      stats.ms.push(x.ms);
      const g = x.path.replace(/\?.*/, '').replace(/\d+/g, 'N');
      (stats.by[g] ??= []).push(x.ms);
      if (x.status === 409) stats.conflicts++;
      else if (x.status === 0 || x.status >= 400) {
        const k = `${x.status}${x.code ? ' ' + x.code : ''}${x.error ? ` (${x.error}` +
          ` after ${x.ms} ms)` : ''} ${x.path.replace(/\?.*/, '').replace(/\d+/g, 'N')}`;
        stats.errors.set(k, (stats.errors.get(k) ?? 0) + 1);
      }
    }
  });
}

const newStats = () => ({ n: 0, ms: [], conflicts: 0, errors: new Map(), by: {} });

// Closed loop, c clients, for ms: requests a second.
async function closed(c, ms, stats) {
  const until = Date.now() + ms;
  await Promise.all(Array.from({ length: c }, async () => {
    while (Date.now() < until) await one(stats);
  }));
  return stats.n / (ms / 1000);
}

// Each worker's memory (resident; and anonymous: the heap, which no
// reclaim takes back without swap) and descriptors, the database's
// connections and the unsent messages.
async function sample(t0) {
  const t = (Date.now() - t0) / 3600000;
  const workers = PARENTS.flatMap((p, n) => children(p).map((w, i) => {
    const status = readFileSync(`/proc/${w.pid}/status`, 'utf8');
    const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))[1]) / 1024;
    return { name: `node${n + 1} worker ${i + 1}`, pid: w.pid, rss: kb('VmRSS'),
      anon: kb('RssAnon'), fds: readdirSync(`/proc/${w.pid}/fd`).length };
  }));
  const [conns, outbox] = (await psqlAsync(DB.super, `select (select count(*)
      from pg_stat_activity where datname = 'shop'), (select count(*)
      from notifications where sent_at is null)`))[0].map(Number);
  return { t, workers, conns, outbox };
}

test(`soak: ${MINUTES} minutes of mixed load at half the capacity`, async () => {
  const state = `${VAR}/soak.logverify`;
  assert.equal(logverify(BASE, state).status, 0);

  // Capacity: the best of three closed loops of 20 s.
  const warm = newStats();
  let capacity = 0;
  const loops = [];
  for (const c of [4, 8, 16]) {
    const st = newStats();
    const tp = await closed(c, 20000, st);
    loops.push(`${c} clients ${tp.toFixed(1)}/s p50 ${pct(st.ms, 0.5)} ms`);
    capacity = Math.max(capacity, tp);
    warm.n += st.n;
    warm.errors = new Map([...warm.errors, ...st.errors]);
  }
  // SOAK_RATE: a rate of one's own (requests/s) instead.
  const rate = Number(process.env.SOAK_RATE) || capacity / 2;
  figure(`soak capacity: ${capacity.toFixed(1)} requests/s at best (closed loops ` +
    `of 20 s: ${loops.join(', ')}); soak at ${rate.toFixed(1)} requests/s for ` +
    `${MINUTES} min`);

  // Open loop: requests start on time whatever those before do, but
  // never more than MAX_PENDING at once (on a machine others load too,
  // the rate may be more than it can take for a while: those not sent
  // are counted, not piled up).
  const MAX_PENDING = 64;
  const stats = newStats();
  const samples = [];
  const t0 = Date.now();
  const end = t0 + MINUTES * 60000;
  const pending = new Set();
  let sent = 0, behind = 0, nextSample = t0;
  while (Date.now() < end) {
    if (Date.now() >= nextSample) {
      samples.push(await sample(t0));
      nextSample += SAMPLE;
    }
    for (let due = Math.floor((Date.now() - t0) * rate / 1000); sent < due; sent++) {
      if (pending.size >= MAX_PENDING) { behind++; continue; }
      const p = one(stats).finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(10);
  }
  await Promise.all(pending);
  samples.push(await sample(t0));

  // Slopes after the warm-up (the first fifth: caches filling).
  const steady = samples.filter((s) => s.t >= samples.at(-1).t / 5);
  const per = (f) => slope(steady.map((s) => [s.t, f(s)]));
  const names = samples[0].workers.map((w) => w.name);
  const lines = [];
  const grew = [];
  for (const [i, name] of names.entries()) {
    const rss = per((s) => s.workers[i]?.rss ?? NaN);
    const anon = per((s) => s.workers[i]?.anon ?? NaN);
    const fds = per((s) => s.workers[i]?.fds ?? NaN);
    const first = steady[0].workers[i], last = steady.at(-1).workers[i];
    lines.push(`${name}: RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MB ` +
      `(${signed(rss.slope, 2)} MB/h), of it anonymous ${first.anon.toFixed(1)} → ` +
      `${last.anon.toFixed(1)} MB (${signed(anon.slope, 2)} MB/h), descriptors ` +
      `${first.fds} → ${last.fds} (${signed(fds.slope, 1)}/h)`);
    if (last.pid !== first.pid) grew.push(`${name} was replaced`);
    if (last.anon > 2 * first.anon + 20) grew.push(`${name}'s heap doubled`);
    if (last.fds > first.fds + 100) grew.push(`${name}'s descriptors grew by ${last.fds - first.fds}`);
  }
  const conns = per((s) => s.conns), outbox = per((s) => s.outbox);
  const cs = steady.map((s) => s.conns), os = steady.map((s) => s.outbox);
  lines.push(`database connections ${Math.min(...cs)}-${Math.max(...cs)} ` +
    `(${signed(conns.slope, 1)}/h); outbox unsent ${Math.min(...os)}-${Math.max(...os)} ` +
    `(${signed(outbox.slope, 1)}/h)`);
  const errors = [...warm.errors, ...stats.errors].map(([k, v]) => `${k} ×${v}`);
  const slowest = Object.entries(stats.by).map(([g, l]) => [g, pct(l, 0.99)])
    .sort((a, b) => b[1] - a[1]).slice(0, 3).map(([g, ms]) => `${g} ${ms} ms`);
  // What a whole download of the log costs now, on each node.
  const whole = [];
  for (const base of NODES) whole.push(await hit(base, '/transparency/log.csv', { timeout: 120000 }));
  const entries = Number(value(DB.owner, 'select size from log_head'));
  const lv = logverify(BASE, state);
  figure(`soak ${MINUTES} min at ${rate.toFixed(1)} requests/s: ${stats.n} answers, ` +
    `p50 ${pct(stats.ms, 0.5)} ms, p99 ${pct(stats.ms, 0.99)} ms (slowest p99: ` +
    `${slowest.join(', ')}); ${stats.conflicts} ` +
    `409s (full needs), ${errors.length ? errors.join(', ') : 'no other error'}; ` +
    `whole log.csv of ${entries} entries after it: ${whole.map((w) => `${w.status} in ${w.ms} ms`).join(', ')}; ` +
    `${behind} requests not sent (${MAX_PENDING} pending); ${made.length + delivered.length} ` +
    `pledges still on their way; logverify ${lv.status === 0 ? 'verified' : 'FAILED'}; ` +
    `${samples.length} samples every ${SAMPLE / 1000} s, slopes after the first ` +
    `fifth: ${lines.join('; ')}`);

  assert.deepEqual(errors, [], 'no error but the 409s');
  assert.ok(whole.every((w) => w.status === 200), 'the whole log downloads');
  assert.equal(lv.status, 0, lv.out);
  assert.ok(Math.max(...cs) <= 40, `database connections: ${Math.max(...cs)}`);
  assert.ok(Math.max(...os) <= Math.max(200, 4 * os[0]), 'the outbox drains');
  assert.deepEqual(grew, []);
});
