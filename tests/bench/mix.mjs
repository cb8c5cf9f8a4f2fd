// The query mix of the list benchmark, written once and used twice, so
// that wrk and pgbench run exactly the same calls with the same weights:
//
//   node tests/bench/mix.mjs OUTDIR
//
// writes OUTDIR/paths.txt (one query string per line, for tests/bench/
// mix.lua, which asks /api/v1/needs or /needs with it) and, for pgbench,
// OUTDIR/pg/NNN.sql (one script per query string: the statement the
// module sends for it, SQL_NEEDS_LIST in src/stmt.c) and OUTDIR/pg.args
// (-D name=value for every text value the scripts bind, and one -f per
// script, all with the same weight).
//
// The mix is what a donor does on the shelf: first pages (1 to 5, mostly
// 1), a filter or two on kind, category, town or campaign, now and then a
// word to search for, three sort orders, Chinese mostly.  It is drawn from
// a fixed seed: every run measures the same 100 calls.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const N = 100;	// pgbench takes at most 128 scripts
const out = process.argv[2];
if (!out) throw new Error('usage: mix.mjs OUTDIR');

const KINDS = ['goods', 'money', 'scholarship', 'service'];
const CATEGORIES = ['clothing', 'daily', 'stationery', 'books', 'sports',
  'computing', 'food', 'medical', 'tuition', 'living', 'counselling',
  'tutoring', 'trip'];
const TOWNS = ['potou', 'wangwu', 'shaoyuan', 'xiaye', 'dayu', 'sili',
  'kejing', 'wulongkou', 'lilin', 'zhicheng', 'chengliu'];
const CAMPAIGNS = ['warm-winter', 'project-hope', 'city-day-trip'];
const WORDS = ['棉衣', '助学金', '电脑', '辅导', '书包', '营养午餐', '棉被',
  '眼镜'];

// A small deterministic generator (mulberry32).
let seed = 2017;
function rnd() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const maybe = (p, a) => (rnd() < p ? pick(a) : null);

// What the module binds for a query string (see list_start in needs.c).
function draw() {
  const sortDraw = rnd();
  const pageDraw = rnd();
  return {
    kind: maybe(0.25, KINDS),
    category: maybe(0.25, CATEGORIES),
    town: maybe(0.35, TOWNS),
    campaign: maybe(0.15, CAMPAIGNS),
    q: maybe(0.10, WORDS),
    sort: sortDraw < 0.5 ? null : sortDraw < 0.75 ? 'deadline' : 'newest',
    page: pageDraw < 0.5 ? null : pageDraw < 0.7 ? 2 :
      3 + Math.floor((pageDraw - 0.7) / 0.1),
    lang: rnd() < 0.1 ? 'en' : null,
  };
}

const TEXT = ['kind', 'category', 'town', 'campaign', 'q', 'sort'];
const vars = new Map();	// value -> pgbench variable name
function bind(v) {
  if (!vars.has(v)) vars.set(v, `v${vars.size}`);
  return ':' + vars.get(v);
}

const paths = [];
mkdirSync(join(out, 'pg'), { recursive: true });
const args = [];
for (let i = 0; i < N; i++) {
  const c = draw();
  const qs = [];
  for (const k of [...TEXT, 'page', 'lang']) {
    if (c[k] !== null) qs.push(`${k}=${encodeURIComponent(c[k])}`);
  }
  paths.push(qs.length ? '?' + qs.join('&') : '');
  // $1..$10 of SQL_NEEDS_LIST; an absent filter is SQL NULL.
  const p = TEXT.map((k) => (k === 'sort' ? bind(c.sort ?? 'urgent') :
    c[k] === null ? 'NULL' : bind(c[k])));
  p.push(bind('open'), bind(String(c.page ?? 1)) + '::int', bind('20') + '::int',
    bind(c.lang ?? 'zh'));
  const file = join(out, 'pg', `${String(i).padStart(3, '0')}.sql`);
  writeFileSync(file, `select api.needs_list(${p.join(', ')});\n`);
  args.push('-f', `${file}@1`);
}
for (const [v, name] of vars) args.unshift('-D', `${name}=${v}`);
writeFileSync(join(out, 'paths.txt'), paths.join('\n') + '\n');
writeFileSync(join(out, 'pg.args'), args.join('\n') + '\n');
