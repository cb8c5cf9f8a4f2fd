// The privacy test.  Distinctive markers go into every private field of a
// child (and into an objection's contact and reason), through the staff
// API; the child's needs then walk every public state.  Then every public
// page and API answer (listings in every state and filter, need pages,
// campaign pages, the home page, error pages, and whatever the pages link
// to), as the public, a donor and staff of another organisation, must
// show none of them; nor may the server's and the database's logs, nor
// the database itself (a full dump): it holds ciphertext only.  The staff
// who may read the markers do read them, so the markers are real.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BASE, sql, sqlValue, schoolOf } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const tag = randomBytes(4).toString('hex').toUpperCase();
const M = {
  real_name: `ZQXNAME${tag}`,
  guardian: `ZQXGUARD${tag}`,
  guardian_relation: `ZQXREL${tag}`,
  address: `ZQXADDR${tag}`,
  notes: `ZQXNOTE${tag}`,
  phone: `0391-7${String(parseInt(tag, 16) % 1e6).padStart(6, '0')}`,
  id_number: idNumber(),
  contact: `ZQXCONTACT${tag}`,
  reason: `ZQXREASON${tag}`,
};
const markers = Object.values(M);

// A valid resident ID number made of random digits.
function idNumber() {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = '41';
  while (s.length < 17) s += String(randomBytes(1)[0] % 10);
  const sum = [...s].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return s + '10X98765432'[sum % 11];
}

function leaks(text) {
  return markers.filter((m) => text.includes(m));
}

let school, town, otherSchool, admin, donor, anon;
const ids = { needs: [] };
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

async function waitStatus(id, want) {
  for (let i = 0; i < 40 && sqlValue(`select status from needs where id = ${id}`) !== want; i++)
    await new Promise((r) => setTimeout(r, 250));
  assert.equal(sqlValue(`select status from needs where id = ${id}`), want);
}

before(async () => {
  ids.school = schoolOf('wangwu');
  ids.otherSchool = schoolOf('potou');
  school = await Api.as(`org${ids.school}@example.com`);
  otherSchool = await Api.as(`org${ids.otherSchool}@example.com`);
  town = await Api.as('wangwu@example.com');
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor7@example.com');
  anon = new Api('0'.repeat(64));
  // Objections filed before from this address must not limit these.
  sql(`update objections set created_at = created_at - interval '2 hours'`);

  // The child, then an edit (so that its history holds a former version).
  const base = { alias: '隐私测试', birth_year: 2013, gender: 'f', school_stage: 'junior',
    poverty_level: 'poor', cause_orphan: true, consent: true, consent_on: '2026-10-01' };
  let r = await school.post('/api/v1/branch/children', { ...base, ...pick(M, 'contact', 'reason'),
    real_name: `${M.real_name}0` });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.child = r.body.id;
  r = await school.post(`/api/v1/branch/children/${ids.child}`, { ...base, ...pick(M, 'contact', 'reason') });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  // Its needs: one in notice, one on the shelf after a dismissed
  // objection, one fulfilled; in a campaign, with a story.
  const need = async (over) => {
    const n = await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'clothing',
      title: '隐私测试棉衣', item: '棉衣', spec: '150码', unit: '件', quantity: 2,
      deadline: inDays(30), beneficiary_id: ids.child, campaign: 'warm-winter',
      story: '天冷了\n需要棉衣', ...over });
    assert.equal(n.status, 201, JSON.stringify(n.body));
    await school.post(`/api/v1/branch/needs/${n.body.id}/submit`);
    const v = await town.post(`/api/v1/branch/needs/${n.body.id}/verify`, { note: '核实', publish: true });
    assert.equal(v.body.status, 'notice');
    ids.needs.push(n.body.id);
    return n.body.id;
  };
  await need({ title: '隐私测试公示' });
  const open = await need({ title: '隐私测试上架', kind: 'money', amount: '300' });
  const o = await anon.post(`/api/v1/needs/${open}/objections`, { reason: M.reason, contact: M.contact });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  // The same through the form, as a person would.
  const web = new Browser();
  await web.get(`/needs/${open}`);
  const f = await web.post(`/needs/${open}/objections`, { reason: `${M.reason} 2`, contact: M.contact });
  assert.equal(f.status, 303);
  // What their follow-up codes show, answered below, is crawled too.
  ids.follow = [o.body.follow_code, f.headers.get('location').match(/code=([A-Z2-9-]+)/)[1]];
  for (const oid of sql(`select id from objections where need_id = ${open}`).map((x) => x[0])) {
    const a = await town.post(`/api/v1/objections/${oid}/resolve`, { decision: 'dismiss', note: '核实无误' });
    assert.equal(a.status, 200, JSON.stringify(a.body));
  }
  sql(`update needs set notice_ends_at = now() - interval '1 second' where id = ${open}`);
  await waitStatus(open, 'open');
  const done = await need({ title: '隐私测试完成', kind: 'scholarship', unit_amount: '800', terms: 2 });
  sql(`update needs set notice_ends_at = now() - interval '1 second' where id = ${done}`);
  await waitStatus(done, 'open');
  sql(`update needs set pledged = quantity, status = 'fully_pledged' where id = ${done};
       update needs set received = quantity, status = 'fulfilled' where id = ${done}`);
});

function pick(o, ...without) {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !without.includes(k)));
}

test('the markers are real: those allowed read every one of them', async () => {
  for (const who of [school, town, admin]) {
    const p = await who.get(`/api/v1/branch/children/${ids.child}/private`);
    assert.equal(p.status, 200);
    for (const k of ['real_name', 'guardian', 'guardian_relation', 'address', 'notes', 'phone', 'id_number'])
      assert.equal(p.body.private[k], M[k], k);
  }
  const page = new Browser();
  await page.login('wangwu@example.com', demo('wangwu@example.com').password);
  const html = (await page.get(`/branch/children/${ids.child}/private`)).text;
  for (const k of ['real_name', 'guardian', 'address', 'phone', 'id_number']) assert.ok(html.includes(M[k]), k);
  const need = (await page.get(`/branch/needs/${ids.needs[1]}`)).text;
  assert.ok(need.includes(M.contact) && need.includes(M.reason));
});

// Every link of the site a reader can follow from the pages given.
async function crawl(start, headers, limit = 400) {
  const seen = new Set(), queue = [...start], pages = [];
  while (queue.length && seen.size < limit) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await fetch(BASE + path, { redirect: 'manual', headers });
    const text = await res.text();
    pages.push([path, res.status, text]);
    if (!(res.headers.get('content-type') ?? '').includes('text/html')) continue;
    for (const m of text.matchAll(/href="(\/[^"]*)"/g)) {
      const link = m[1].replaceAll('&amp;', '&').replace(/#.*$/, '');
      if (link.startsWith('/static/') || link.includes('lang=') || seen.has(link)) continue;
      queue.push(link);
    }
  }
  return pages;
}

test('no public page, listing, API answer or error shows a marker', async () => {
  const needs = ids.needs;
  const slugs = sql('select slug from campaigns').map((r) => r[0]);
  const pages = ['/', '/needs', '/campaigns', '/login', '/register', '/nowhere', '/needs/999999',
    '/needs?town=nowhere', '/needs?per_page=1000', '/api/v1/nowhere',
    ...['open', 'notice', 'fully_pledged', 'fulfilled'].flatMap((s) => [
      `/needs?status=${s}&per_page=100`, `/api/v1/needs?status=${s}&per_page=100`,
      `/api/v1/needs?status=${s}&per_page=100&campaign=warm-winter`,
      `/api/v1/needs?status=${s}&per_page=100&town=wangwu&sort=newest`]),
    '/api/v1/home', '/api/v1/campaigns', '/api/v1/needs?q=' + encodeURIComponent('隐私测试'),
    ...slugs.flatMap((s) => [`/campaigns/${s}`, `/api/v1/campaigns/${s}`]),
    ...needs.flatMap((id) => [`/needs/${id}`, `/api/v1/needs/${id}`, `/needs/${id}?done=needs_objections`]),
    ...ids.follow.flatMap((c) => [`/objections/follow?code=${c}`, `/api/v1/objections/follow?code=${c}`]),
  ];
  const seenAlias = [];
  for (const [who, headers] of [['public', {}],
    ['donor', { authorization: 'Bearer ' + donor.token }],
    ['other school', { authorization: 'Bearer ' + otherSchool.token }]]) {
    const got = await crawl(pages, headers);
    assert.ok(got.length > 100, `${who}: ${got.length} pages walked`);
    for (const [path, status, text] of got) {
      assert.ok(status < 500, `${who} ${path}: ${status}`);
      assert.deepEqual(leaks(text), [], `${who} ${path}`);
      if (text.includes('隐私测试')) seenAlias.push(path);
    }
  }
  // The walk did reach the child's needs (their public part is there).
  for (const id of needs) assert.ok(seenAlias.includes(`/needs/${id}`), `need ${id} walked`);
});

test('the staff routes give nobody else anything', async () => {
  const web = new Browser();
  const routes = [`/branch/children/${ids.child}`, `/branch/children/${ids.child}/private`,
    `/branch/children/${ids.child}/edit`, '/branch/children', ...ids.needs.map((id) => `/branch/needs/${id}`),
    '/admin/needs'];
  for (const who of [anon, donor, otherSchool]) {
    for (const p of routes) {
      for (const path of [p, '/api/v1' + p]) {
        const r = await who.get(path);
        assert.ok(r.status >= 300 && r.status < 500 || (who === otherSchool && r.status === 200
          && /^\/(api\/v1\/)?branch\/children$/.test(path)), `${path}: ${r.status}`);
        assert.deepEqual(leaks(JSON.stringify(r.body)), [], path);
      }
    }
  }
  for (const p of routes) assert.deepEqual(leaks((await web.get(p)).text), [], p);
  // Refused writes do not echo what was sent.
  const body = { alias: 'x', birth_year: 2014, gender: 'f', school_stage: 'primary', consent: true,
    consent_on: '2026-01-01', ...pick(M, 'contact', 'reason') };
  for (const [who, extra] of [[anon, {}], [donor, {}], [school, { id_number: 'bad' }], [school, { oops: 1 }]]) {
    const r = await who.post('/api/v1/branch/children', { ...body, ...extra });
    assert.ok(r.status >= 400 && r.status < 500);
    assert.deepEqual(leaks(JSON.stringify(r.body)), []);
  }
  const r = await otherSchool.post(`/api/v1/branch/children/${ids.child}`, body);
  assert.equal(r.status, 404);
  assert.deepEqual(leaks(JSON.stringify(r.body)), []);
});

test('nothing in the logs, and nothing readable in the database', () => {
  const T = process.env.TEST_VAR;
  for (const f of ['kore.log', 'kore-access.log', 'kore2.log', 'kore2-access.log',
    'pg/server.log']) {
    const path = `${T}/${f}`;
    if (!existsSync(path)) continue;
    assert.deepEqual(leaks(readFileSync(path, 'utf8')), [], f);
  }
  assert.ok(existsSync(`${T}/kore.log`));
  const dump = execFileSync('/usr/lib/postgresql/15/bin/pg_dump', ['--data-only', '-d', process.env.OWNER_DB],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(dump.includes('隐私测试'), 'the dump holds the public part');
  // The objection reason is kept in the clear (for the staff who answer
  // it); every private field is ciphertext.
  assert.deepEqual(leaks(dump).filter((m) => m !== M.reason && !m.startsWith(`${M.reason} `)), []);
  assert.equal(sqlValue(`select count(*) from needs where search like '%ZQX%'`), '0');
});
