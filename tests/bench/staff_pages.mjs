// The slowest pages staff open (issue 19: "the ten slowest pages a
// signed-in staff member or admin opens at the 100,000-need scale, the
// time before and after").  Against a running server holding the demo
// data grown by make demo-large:
//
//   make demo-large && make run &
//   DEMO_ACCOUNTS=var/demo-accounts.txt \
//   OWNER_DB="host=$PWD/var/pg/run dbname=shop user=shop_owner" \
//     node tests/bench/staff_pages.mjs
//
// Signs in as an admin, a town's staff and the staff of the school with
// the most pledges, follows the links of their pages (as the words test
// does: no downloads, no actions) up to MAX pages each, one page per
// shape of address (/branch/needs/123 and /branch/needs/456 are one),
// and times each page alone: one warm-up, then the median of RUNS
// loads, the whole answer read.  Prints the slowest TOP, with their size.
// Nothing else should load the machine meanwhile.
//
// SESSIONS=FILE (make bench, whose data have no passwords): lines of
// "login<TAB>session token", used as the sid cookie instead of signing in.
// Ends with how many pages took over LIMIT ms (300: issue 19's "every
// list ... answers within 300 ms at the 100,000-need scale").
import { readFileSync } from 'node:fs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { Browser, demo } from '../lib/session.mjs';

const MAX = Number(process.env.MAX ?? 80);
const RUNS = Number(process.env.RUNS ?? 3);
const TOP = Number(process.env.TOP ?? 10);
const LIMIT = Number(process.env.LIMIT ?? 300);
const sessions = new Map(process.env.SESSIONS ? readFileSync(process.env.SESSIONS, 'utf8')
  .split('\n').filter(Boolean).map((l) => l.split('\t')) : []);

// Same-site pages a link leads to: no downloads, no actions, no API.
function links(html) {
  const out = new Set();
  for (const [, href] of html.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)) {
    const u = href.replace(/&amp;/g, '&');
    if (/^\/(api|static|logout)\b|\.(csv|xlsx|png|json|txt|xml|yaml)\b|[?&]lang=|\/unsubscribe|\/verify\/email|\/password\/reset/.test(u))
      continue;
    out.add(u);
  }
  return out;
}

// An address's shape: numbers as N, the query's names without values.
const shape = (u) => {
  const [p, q = ''] = u.split('?');
  const names = [...new URLSearchParams(q).keys()].sort().join('&');
  return p.replace(/\d+/g, 'N') + (names ? '?' + names : '');
};

async function time(b, path) {
  const one = async () => {
    const t = process.hrtime.bigint();
    const r = await b.get(path);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: r.status, bytes: r.text.length };
  };
  await one();
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await one());
  runs.sort((a, c) => a.ms - c.ms);
  return runs[Math.floor(RUNS / 2)];
}

async function role(login, starts) {
  const b = new Browser();
  if (sessions.has(login)) {
    b.cookies.set('sid', sessions.get(login));
  } else {
    const a = demo(login);
    await b.login(a.login, a.password);
  }
  const shapes = new Set();
  const queue = [...starts];
  const out = [];
  while (queue.length && shapes.size < MAX) {
    const path = queue.shift();
    if (shapes.has(shape(path))) continue;
    shapes.add(shape(path));
    const r = await b.get(path);
    if (r.status !== 200 || !/text\/html/.test(r.headers.get('content-type') ?? '')) continue;
    for (const l of links(r.text)) if (!shapes.has(shape(l))) queue.push(l);
    out.push({ who: login, path, ...await time(b, path) });
  }
  return out;
}

const school = sqlValue(`select n.org_id from pledges p join needs n on n.id = p.need_id
    join users u on u.email = 'org' || n.org_id || '@example.com'
    group by 1 order by count(*) desc limit 1`);
const needs = sqlValue('select count(*) from needs');
const all = [
  ...await role('admin@example.com', ['/admin', '/admin/needs', '/admin/fund', '/admin/audit',
    '/admin/outbox', '/reports', '/branch/children', '/branch/census']),
  ...await role('wangwu@example.com', ['/branch', '/branch/needs', '/branch/pledges',
    '/branch/children', '/branch/census', '/reports']),
  ...await role(`org${school}@example.com`, ['/branch', '/branch/pledges', '/branch/needs',
    '/branch/children', '/branch/census']),
];
all.sort((a, c) => c.ms - a.ms);
console.log(`${BASE}: ${all.length} staff pages timed (${needs} needs; median of ${RUNS}, after a warm-up)`);
for (const p of all.slice(0, TOP))
  console.log(`${p.ms.toFixed(0).padStart(6)} ms ${String(Math.round(p.bytes / 1024)).padStart(5)} KB  ` +
    `${p.status}  ${p.who.replace(/@example\.com$/, '')}  ${p.path}`);
const over = all.filter((p) => p.ms > LIMIT);
console.log(`staff pages over ${LIMIT} ms: ${over.length} of ${all.length}` +
  (all.length ? `; slowest ${all[0].ms.toFixed(0)} ms, median ` +
    `${all[Math.floor(all.length / 2)].ms.toFixed(0)} ms` : ''));
