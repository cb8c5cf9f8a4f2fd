// Sharing (issue 18, item 4): the OpenGraph and Twitter tags of the need,
// campaign and home pages (a child's public alias at most, never the
// sealed name), the share posters read back as PNGs of the right size,
// robots.txt and the sitemap.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, get, sql, sqlValue, schoolOf } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

const tag = randomBytes(4).toString('hex').toUpperCase();
const realName = `ZQXSHARE${tag}`;
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
const ids = {};

// The <meta> tags of a page: property or name → content (unescaped).
function metas(html) {
  const out = {};
  for (const m of html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g))
    out[m[1]] = m[2].replace(/&quot;/g, '"').replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return out;
}

// A PNG's signature and the width and height of its IHDR chunk.
function pngSize(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(buf.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function waitStatus(id, want) {
  for (let i = 0; i < 40 && sqlValue(`select status from needs where id = ${id}`) !== want; i++)
    await new Promise((r) => setTimeout(r, 250));
  assert.equal(sqlValue(`select status from needs where id = ${id}`), want);
}

before(async () => {
  const school = await Api.as(`org${schoolOf('wangwu')}@example.com`);
  const town = await Api.as('wangwu@example.com');
  let r = await school.post('/api/v1/branch/children', { alias: '分享小雨', birth_year: 2014,
    gender: 'f', school_stage: 'primary', poverty_level: 'poor', cause_orphan: true,
    consent: true, consent_on: '2026-10-01', real_name: realName });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'clothing',
    title: `分享测试棉衣 "<${tag}>"`, item: '棉衣', spec: '140码', unit: '件', quantity: 10,
    deadline: inDays(30), beneficiary_id: r.body.id, campaign: 'warm-winter',
    story: '天冷了，\n小雨需要一件棉衣。' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.need = r.body.id;
  r = await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'clothing',
    title: '分享测试草稿', item: '棉衣', spec: '', unit: '件', quantity: 1, deadline: inDays(30) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.draft = r.body.id;
  await school.post(`/api/v1/branch/needs/${ids.need}/submit`);
  const v = await town.post(`/api/v1/branch/needs/${ids.need}/verify`, { note: '核实', publish: true });
  assert.equal(v.body.status, 'notice', JSON.stringify(v.body));
  sql(`update needs set notice_ends_at = now() - interval '1 second' where id = ${ids.need}`);
  await waitStatus(ids.need, 'open');
  sql(`update needs set pledged = 4 where id = ${ids.need}`);
});

test('a need page carries OpenGraph and Twitter tags, its poster as image, no private name', async () => {
  const res = await get(`/needs/${ids.need}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  const m = metas(html);
  assert.equal(m['og:title'], `分享测试棉衣 "<${tag}>"`);
  assert.equal(m['og:type'], 'article');
  assert.equal(m['og:url'], `${BASE}/needs/${ids.need}`);
  assert.equal(m['og:image'], `${BASE}/needs/${ids.need}/poster.png`);
  assert.equal(m['og:image:width'], '750');
  assert.equal(m['og:image:height'], '1100');
  assert.match(m['og:description'], /王屋镇/);
  assert.match(m['og:description'], /天冷了， 小雨需要一件棉衣。/);
  assert.equal(m.description, m['og:description']);
  assert.equal(m['twitter:card'], 'summary_large_image');
  assert.equal(m['twitter:title'], m['og:title']);
  assert.equal(m['twitter:image'], m['og:image']);
  assert.equal(m['og:site_name'], '共青扶贫超市');
  // The title is escaped in the attribute, and nothing sealed is there.
  assert.ok(html.includes(`content="分享测试棉衣 &quot;&lt;${tag}&gt;&quot;"`));
  assert.ok(!html.includes(realName));
  assert.ok(html.includes('分享小雨'));
  // In English, the locale says so.
  const en = metas(await (await get(`/needs/${ids.need}?lang=en`)).text());
  assert.equal(en['og:locale'], 'en_US');
});

test('campaign and home pages carry their tags; other pages none', async () => {
  let m = metas(await (await get('/campaigns/warm-winter')).text());
  assert.equal(m['og:url'], `${BASE}/campaigns/warm-winter`);
  assert.equal(m['og:image'], `${BASE}/campaigns/warm-winter/poster.png`);
  assert.ok(m['og:title'] && m['og:description'] && m.description);
  m = metas(await (await get('/')).text());
  assert.equal(m['og:type'], 'website');
  assert.equal(m['og:title'], '共青扶贫超市');
  assert.ok(m.description.length > 10);
  assert.match(m['og:image'], new RegExp(`^${BASE}/static/share\\.[0-9a-f]{16}\\.png$`));
  const img = await get(new URL(m['og:image']).pathname);
  assert.equal(img.status, 200);
  assert.deepEqual(pngSize(Buffer.from(await img.arrayBuffer())), { width: 1200, height: 630 });
  m = metas(await (await get('/login')).text());
  assert.equal(m['og:title'], undefined);
});

test('a need poster is a 750 x 1100 PNG; a campaign poster too; others 404', async () => {
  const res = await get(`/needs/${ids.need}/poster.png`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await res.arrayBuffer());
  assert.deepEqual(pngSize(png), { width: 750, height: 1100 });
  assert.ok(!png.includes(Buffer.from(realName)));
  const c = await get('/campaigns/warm-winter/poster.png?lang=en');
  assert.equal(c.status, 200);
  assert.deepEqual(pngSize(Buffer.from(await c.arrayBuffer())), { width: 750, height: 1100 });
  for (const p of [`/needs/${ids.draft}/poster.png`, '/needs/999999999/poster.png',
    '/campaigns/no-such-campaign/poster.png', `/needs/${ids.need}/poster.jpg`])
    assert.equal((await get(p)).status, 404, p);
  assert.equal((await get(`/needs/${ids.need}/poster.png`, { method: 'POST' })).status, 405);
});

test('robots.txt keeps crawlers out of private areas and names the sitemap', async () => {
  const res = await get('/robots.txt');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const t = await res.text();
  for (const p of ['/admin', '/branch', '/me', '/api/', '/login', '/verify/'])
    assert.ok(t.includes(`\nDisallow: ${p}\n`), p);
  assert.ok(t.includes(`\nSitemap: ${BASE}/sitemap.xml\n`));
  assert.ok(!/^Disallow: \/needs$/m.test(t) && !/^Disallow: \/campaigns/m.test(t));
});

test('sitemap.xml lists the public pages and needs, not drafts', async () => {
  const res = await get('/sitemap.xml');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/xml/);
  const x = await res.text();
  assert.ok(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset '));
  const locs = [...x.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  for (const p of ['/', '/needs', '/campaigns', '/transparency', '/campaigns/warm-winter',
    `/needs/${ids.need}`])
    assert.ok(locs.includes(BASE + p), p);
  assert.ok(!locs.includes(`${BASE}/needs/${ids.draft}`));
  const listed = Number(sqlValue(`select count(*) from needs
    where status in ('notice', 'open', 'fully_pledged', 'fulfilled')`));
  assert.equal(locs.filter((l) => /\/needs\/\d+$/.test(l)).length, listed);
  assert.match(x, new RegExp(`<loc>${BASE}/needs/${ids.need}</loc><lastmod>\\d{4}-\\d\\d-\\d\\d</lastmod>`));
  // One file holds them all: page 1 is the same, page 2 is none.
  assert.equal(await (await get('/sitemap.xml?page=1')).text(), x);
  assert.equal((await get('/sitemap.xml?page=2')).status, 404);
  assert.equal((await get('/sitemap.xml?page=x')).status, 400);
});

test('the sitemap pages: fixed pages, campaigns, then needs by id, p_per a page', () => {
  const lines = (q) => sql(q).map((r) => r.join('\t'));
  const all = lines('select api.sitemap(1, 1000000)');
  const count = Number(all[0]);
  assert.equal(count, 1);
  const n = Number(lines('select api.sitemap(1, 3)')[0]);
  assert.equal(n, Math.ceil((all.length - 1) / 3));
  const pages = [];
  for (let p = 1; p <= n; p++) {
    const page = lines(`select api.sitemap(${p}, 3)`).slice(1);
    assert.ok(page.length === 3 || p === n, `page ${p}`);
    pages.push(...page);
  }
  assert.deepEqual(pages, all.slice(1));
  assert.equal(all[1], '/\t');
  assert.equal(lines(`select api.sitemap(${n + 1}, 3)`).length, 1);
});
