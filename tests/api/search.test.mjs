// Search people can use (issue 18, item 5): several words mean all of
// them; the names of a need's organisation, town and category are
// searched too; results come by relevance (title, then item or spec,
// then a name, then the story), other sorts and filters as before.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getJson, sql, sqlValue, schoolOf } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

// A word no demo need holds: letters only (the search is literal).
const T = 'zq' + [...randomBytes(4)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('');
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
const ids = {};
let orgName;

const search = async (q, more = '') => {
  const r = await getJson(`/api/v1/needs?q=${encodeURIComponent(q)}&per_page=100${more}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.total, r.body.items.length);
  return r.body.items.map((n) => n.id);
};
// Every page of a search that may find more than a page.
const searchAll = async (q) => {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await getJson(`/api/v1/needs?q=${encodeURIComponent(q)}&per_page=100&page=${page}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...r.body.items.map((n) => n.id));
    if (page * 100 >= r.body.total) return out;
  }
};

before(async () => {
  const school = await Api.as(`org${schoolOf('wangwu')}@example.com`);
  const other = await Api.as(`org${schoolOf('potou')}@example.com`);
  const town = await Api.as('wangwu@example.com');
  const potou = await Api.as('potou@example.com');
  orgName = sqlValue(`select name from orgs where id = ${schoolOf('wangwu')}`);
  const need = async (who, key, over) => {
    const r = await who.post('/api/v1/branch/needs', { kind: 'goods', category: 'clothing',
      title: '测试需求', item: '物品', spec: '', unit: '件', quantity: 3, deadline: inDays(30),
      story: '说明', urgency: 1, ...over });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[key] = r.body.id;
  };
  // Multi-word: the coat 140 and the bag 160 of school A, the coat 140
  // of school B (another town), in stationery.
  await need(school, 'coat', { title: `${T}棉衣`, item: '棉衣', spec: '140码' });
  await need(school, 'bag', { title: `${T}书包`, item: '书包', spec: '160码', category: 'stationery' });
  await need(other, 'far', { title: `${T}远方棉衣`, item: '棉衣', spec: '140码', category: 'stationery' });
  // Ranking: the word R in the story only (most urgent), in the item, in
  // the title; and one where it is only in... the story and title both.
  await need(school, 'story', { story: `需要${T}r的孩子`, urgency: 3 });
  await need(school, 'item', { item: `${T}r用品`, urgency: 2 });
  await need(school, 'title', { title: `${T}r的棉鞋`, urgency: 1 });
  for (const [k, id] of Object.entries(ids)) {
    const [s, v] = k === 'far' ? [other, potou] : [school, town];
    await s.post(`/api/v1/branch/needs/${id}/submit`);
    const r = await v.post(`/api/v1/branch/needs/${id}/verify`, { note: '核实', publish: true });
    assert.equal(r.body.status, 'notice', JSON.stringify(r.body));
  }
  const all = Object.values(ids).join(',');
  sql(`update needs set notice_ends_at = now() - interval '1 second' where id in (${all})`);
  for (let i = 0; i < 60 && Number(sqlValue(`select count(*) from needs
      where id in (${all}) and status = 'open'`)) < 6; i++)
    await new Promise((r) => setTimeout(r, 250));
  assert.equal(sqlValue(`select count(*) from needs where id in (${all}) and status = 'open'`), '6');
});

test('several words mean all of them, in any order, any spacing', async () => {
  assert.deepEqual((await search(`${T} 140`)).sort(), [ids.coat, ids.far].sort());
  assert.deepEqual((await search(`140 ${T}`)).sort(), [ids.coat, ids.far].sort());
  assert.deepEqual(await search(`${T}　160`), [ids.bag]);           // the ideographic space
  assert.deepEqual(await search(`  ${T}  书包  160 `), [ids.bag]);
  assert.deepEqual(await search(`${T} 140 书包`), []);
  // One word as before: a literal piece of the text.
  assert.deepEqual((await search(`${T}棉衣`)), [ids.coat]);
  assert.deepEqual(await search(`${T} 1%0`), []);
});

test('the names of the organisation, town and category are searched', async () => {
  // Town: 王屋镇 is school A's town, not B's.
  const inTown = await search(`${T} 王屋镇`);
  assert.ok(inTown.includes(ids.coat) && inTown.includes(ids.bag) && !inTown.includes(ids.far));
  // The English name too.
  assert.deepEqual((await search(`${T} wangwu 140`)), [ids.coat]);
  // Organisation.
  const byOrg = await search(`${T} ${orgName}`);
  assert.ok(byOrg.includes(ids.coat) && !byOrg.includes(ids.far));
  // Category: 文具 (stationery) is the bag's and the far coat's.
  assert.deepEqual((await search(`${T} 文具`)).sort(), [ids.bag, ids.far].sort());
  assert.deepEqual((await search(`${T} stationery 140`)), [ids.far]);
  // Names alone (no plain word to find the candidates: each name's ids
  // through its own indexes), and a name beside a plain word (the plain
  // word's candidates, the name tested on each): the same needs.
  const names = await searchAll('王屋镇 文具');
  assert.ok(names.includes(ids.bag) && !names.includes(ids.far) && !names.includes(ids.coat));
  assert.deepEqual((await search(`${T} 王屋镇 文具`)), [ids.bag]);
  // Filters still hold on top of the words.
  assert.deepEqual(await search(`${T} 140`, '&town=wangwu'), [ids.coat]);
  assert.deepEqual(await search(`${T} 140`, '&category=stationery'), [ids.far]);
});

test('results are ranked: title, then item, then story; sorts asked for still rule', async () => {
  const r = await search(`${T}r`);
  assert.deepEqual(r, [ids.title, ids.item, ids.story]);
  assert.deepEqual(await search(`${T}r`, '&sort=relevance'), r);
  // Case does not matter, in the match or the rank: the text is kept
  // lower-cased (sql/040_search_lower.sql), the words are lower-cased.
  assert.deepEqual(await search(`${T.toUpperCase()}R`), r);
  // Asked for, the urgent sort is what it was.
  assert.deepEqual(await search(`${T}r`, '&sort=urgent'), [ids.story, ids.item, ids.title]);
  // A name ranks above the story: 王屋镇 is in every one's town; the
  // title word ranks first.
  const two = await search(`${T}r 王屋镇`);
  assert.deepEqual(two, [ids.title, ids.item, ids.story]);
  // Without q relevance is the urgent order.
  const plain = (await getJson('/api/v1/needs?sort=relevance&per_page=20')).body.items.map((n) => n.id);
  const urgent = (await getJson('/api/v1/needs?per_page=20')).body.items.map((n) => n.id);
  assert.deepEqual(plain, urgent);
});

test('the shelf page offers the relevance sort, chosen when searching', async () => {
  const html = await (await fetch(`${process.env.BASE_URL}/needs?q=${encodeURIComponent(T + ' 140')}`)).text();
  assert.match(html, /<option value="relevance" selected>最相关<\/option>/);
  const plain = await (await fetch(`${process.env.BASE_URL}/needs`)).text();
  assert.ok(!/value="relevance" selected/.test(plain));
});
