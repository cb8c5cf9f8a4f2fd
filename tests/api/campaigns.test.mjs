// Campaigns: public list and page with their needs and progress; admins
// create and edit them; needs join them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { get, getJson, sql, sqlValue, assertApiError, schoolOf } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

let admin, town, donor, anon;
const slug = `test-${process.pid}`;

before(async () => {
  admin = await Api.as('admin@example.com');
  town = await Api.as('wangwu@example.com');
  donor = await Api.as('donor6@example.com');
  anon = new Api('0'.repeat(64));
});

test('the public list and page: figures agree with the needs', async () => {
  const list = await getJson('/api/v1/campaigns');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 3);
  const ww = list.body.items.find((c) => c.slug === 'warm-winter');
  const listed = Number(sqlValue(`select count(*) from needs n join campaigns c on c.id = n.campaign_id
      where c.slug = 'warm-winter' and n.status in ('open', 'fully_pledged', 'fulfilled')`));
  assert.equal(ww.needs, listed);
  assert.equal(ww.fulfilled, Number(sqlValue(`select count(*) from needs n join campaigns c
      on c.id = n.campaign_id where c.slug = 'warm-winter' and n.status = 'fulfilled'`)));
  const one = await getJson('/api/v1/campaigns/warm-winter');
  assert.equal(one.status, 200);
  assert.equal(one.body.campaign.name, '温暖冬天');
  assert.ok(one.body.items.length > 0);
  assert.ok(one.body.items.every((n) => n.campaign === 'warm-winter'
    && ['notice', 'open', 'fully_pledged', 'fulfilled'].includes(n.status)));
  const project = await getJson('/api/v1/campaigns/project-hope');
  assert.ok(project.body.campaign.raised > 0, 'money pledged to scholarships');
  for (const bad of ['nope', 'Warm-Winter', 'a_b', 'x%20y', 'warm-winter%0A']) {
    assertApiError(await getJson(`/api/v1/campaigns/${bad}`), 404, 'not_found');
    assert.equal((await get(`/campaigns/${bad}`)).status, 404);
  }
  const page = await get('/campaigns/warm-winter');
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1>温暖冬天<\/h1>/);
  assert.match(html, /href="\/needs\?campaign=warm-winter"/);
  const home = await (await get('/')).text();
  assert.match(home, /href="\/campaigns\/warm-winter"/);
  assert.equal((await get('/campaigns')).status, 200);
  assert.match(await (await get('/campaigns/warm-winter?lang=en')).text(), /Warm Winter/);
});

test('admins create and edit a campaign; others are refused; bad input is a 400', async () => {
  const body = { slug, name_zh: '绿风尚', name_en: 'Green Fashion', summary_zh: '保护母亲河',
    description_zh: '第一段\n第二段', starts_on: '2026-03-01', ends_on: '2027-12-31', target_needs: 10 };
  assertApiError(await town.post('/api/v1/campaigns', body), 403, 'forbidden');
  assertApiError(await donor.post('/api/v1/campaigns', body), 403, 'forbidden');
  assertApiError(await anon.post('/api/v1/campaigns', body), 401, 'login_required');
  const n = Number(sqlValue('select count(*) from campaigns'));
  for (const [over, field, code] of [
    [{ ends_on: '2026-01-01' }, 'ends_on', 'bad_period'],
    [{ name_zh: undefined }, 'name_zh', 'required'],
    [{ starts_on: '2026-13-01' }, 'starts_on', 'bad_date'],
    [{ slug: 'Bad Slug' }, 'slug', 'unknown_value'],
    [{ slug: '1abc' }, 'slug', 'bad_slug'],
    [{ slug: undefined }, 'slug', 'bad_slug'],
    [{ target_needs: 0 }, 'target_needs', 'bad_number'],
    [{ colour: 'green' }, 'colour', 'unknown_field'],
  ]) {
    assertApiError(await admin.post('/api/v1/campaigns', { ...body, ...over }), 400, code, field);
  }
  assert.equal(Number(sqlValue('select count(*) from campaigns')), n);
  // The shelf's filter offers it at once, in both languages, and its new
  // name after an edit: each worker keeps the facets it parsed last
  // (src/needs.c) and must see that they changed.  Signed in: past the
  // microcache.
  const option = async (lang) => {
    const page = await admin.get(`/needs?lang=${lang}`);
    assert.equal(page.status, 200);
    return new RegExp(`<option value="${slug}">([^<]*)</option>`).exec(page.body)?.[1];
  };
  for (const lang of ['zh', 'en', 'zh', 'en']) assert.equal(await option(lang), undefined);
  const r = await admin.post('/api/v1/campaigns', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const lang of ['zh', 'en', 'zh', 'en']) {
    assert.equal(await option(lang), lang === 'zh' ? '绿风尚' : 'Green Fashion');
  }
  assertApiError(await admin.post('/api/v1/campaigns', body), 409, 'campaign_exists', 'slug');
  const got = await getJson(`/api/v1/campaigns/${slug}`);
  assert.equal(got.body.campaign.target_needs, 10);
  assert.equal(got.body.campaign.description, '第一段\n第二段');
  const e = await admin.post(`/api/v1/campaigns/${slug}`, { ...body, slug: undefined, name_zh: '绿风尚行动',
    target_needs: undefined });
  assert.equal(e.status, 200, JSON.stringify(e.body));
  const again = await getJson(`/api/v1/campaigns/${slug}`);
  assert.equal(again.body.campaign.name, '绿风尚行动');
  for (let i = 0; i < 4; i++) assert.equal(await option('zh'), '绿风尚行动');
  assert.equal(again.body.campaign.target_needs, null);
  assertApiError(await town.post(`/api/v1/campaigns/${slug}`, body), 403, 'forbidden');
  assertApiError(await admin.post('/api/v1/campaigns/no-such-one', body), 404, 'not_found');
  assert.equal(sqlValue(`select count(*) from audit_log where action in ('campaign_create', 'campaign_edit')
      and target_id = (select id from campaigns where slug = '${slug}')`), '2');
});

test('a need joins a campaign and shows on its page once public', async () => {
  const school = schoolOf('wangwu');
  const staff = await Api.as(`org${school}@example.com`);
  const deadline = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const r = await staff.post('/api/v1/branch/needs', { kind: 'goods', category: 'daily',
    title: '环保水杯（测试）', item: '水杯', unit: '个', quantity: 30, deadline, campaign: slug });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await getJson(`/api/v1/campaigns/${slug}`)).body.items.length, 0, 'a draft is not shown');
  await staff.post(`/api/v1/branch/needs/${r.body.id}/submit`);
  await town.post(`/api/v1/branch/needs/${r.body.id}/verify`, { note: '核实', publish: true });
  const c = await getJson(`/api/v1/campaigns/${slug}`);
  assert.deepEqual(c.body.items.map((n) => n.id), [r.body.id]);
  assert.equal(c.body.campaign.notice, 1);
  // A campaign that is over takes no new needs.
  sql(`update campaigns set starts_on = '2020-01-01', ends_on = '2020-12-31' where slug = '${slug}'`);
  assertApiError(await staff.post('/api/v1/branch/needs', { kind: 'goods', category: 'daily',
    title: '水杯', item: '水杯', unit: '个', quantity: 3, deadline, campaign: slug }), 400, 'campaign_over', 'campaign');
});
