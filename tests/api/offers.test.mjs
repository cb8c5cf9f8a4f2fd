// Offers: posting one of each kind, the public list (no contact data),
// bad input refused naming the field with nothing written, editing and
// withdrawing by the donor only, the pages and forms.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, getJson, assertApiError, BASE } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';
import { newDonor } from '../lib/matching.mjs';

let donor, other, staff, admin;
const day = (n) => sqlValue(`select to_char(current_date + ${n}, 'YYYY-MM-DD')`);

before(async () => {
  donor = await newDonor('陈阿姨');
  other = await newDonor('别人');
  staff = await Api.as('wangwu@example.com');
  admin = await Api.as('admin@example.com');
});

const goods = () => ({ kind: 'goods', category: 'clothing', item: '棉衣', spec: '140-160码',
  unit: '件', quantity: 50, towns: 'wangwu', valid_until: day(30), note: '电话 13800000000' });

test('a donor posts an offer of each kind; amounts in yuan become fen', async () => {
  const g = await donor.post('/api/v1/offers', goods());
  assert.equal(g.status, 201, JSON.stringify(g.body));
  assert.equal(g.body.offer.kind, 'goods');
  assert.equal(g.body.offer.remaining, 50);
  // Amounts to show are numbers (api.amount); pages write them.
  assert.deepEqual(g.body.offer.remaining_text, { quantity: 50, unit: '件' });
  assert.deepEqual(g.body.offer.towns.map((t) => t.slug), ['wangwu']);
  assert.equal(g.body.offer.state, 'live');
  assert.equal(g.body.offer.giver, '陈阿姨');

  const m = await donor.post('/api/v1/offers', { kind: 'money', category: 'medical',
    amount: '1,200.50', valid_until: day(60), anonymous: true });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.equal(m.body.offer.quantity, 120050);
  assert.deepEqual(m.body.offer.remaining_text, { fen: 120050 });
  assert.equal(m.body.offer.giver, '爱心人士');

  const s = await donor.post('/api/v1/offers', { kind: 'scholarship', amount: '3000', terms: 2,
    term_amount: '1500', towns: 'wangwu,shaoyuan,wangwu', towns_only: true,
    campaign: 'project-hope', valid_until: day(300) });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  assert.equal(s.body.offer.quantity, 300000);
  assert.equal(s.body.offer.unit_amount, 150000);
  assert.equal(s.body.offer.terms, 2);
  assert.deepEqual(s.body.offer.towns.map((t) => t.slug), ['wangwu', 'shaoyuan']);
  assert.equal(s.body.offer.campaign, 'project-hope');

  const v = await donor.post('/api/v1/offers', { kind: 'service', category: 'tutoring',
    item: '数学辅导', quantity: 5, valid_until: day(10) });
  assert.equal(v.status, 201, JSON.stringify(v.body));

  const mine = await donor.get('/api/v1/me/offers');
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.body.offers.map((o) => o.id),
    [v.body.offer.id, s.body.offer.id, m.body.offer.id, g.body.offer.id]);
  assert.equal(mine.body.offers[3].note, '电话 13800000000', 'the donor sees the note');
  assert.deepEqual((await other.get('/api/v1/me/offers')).body.offers, []);
});

test('the public list shows live offers without contact data or notes', async () => {
  const g = await donor.post('/api/v1/offers', goods());
  const list = await getJson('/api/v1/offers?kind=goods&town=wangwu&per_page=100');
  assert.equal(list.status, 200);
  const it = list.body.items.find((o) => o.id === g.body.offer.id);
  assert.ok(it, 'listed');
  assert.equal(it.giver, '陈阿姨');
  const text = JSON.stringify(list.body);
  assert.ok(!text.includes('13800000000'), 'no note');
  assert.ok(!text.includes('@example.org'), 'no e-mail');
  assert.ok(!('donor_id' in it) && !('note' in it));
  assert.ok(list.body.items.every((o) => o.kind === 'goods'
    && o.towns.some((t) => t.slug === 'wangwu')));
  assertApiError(await getJson('/api/v1/offers?town=atlantis'), 400, 'unknown_value', 'town');
  assertApiError(await getJson('/api/v1/offers?kind=gold'), 400, 'unknown_value', 'kind');
  const page = await fetch(BASE + '/offers');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /陈阿姨/);
});

test('bad offers are refused naming the field, and nothing is written', async () => {
  const before_ = sqlValue(`select count(*) from offers where donor_id = ${donor.id}`);
  const base = goods();
  const cases = [
    [{ ...base, kind: undefined }, 400, 'required', 'kind'],
    [{ ...base, kind: 'gold' }, 400, 'unknown_value', 'kind'],
    [{ ...base, quantity: undefined }, 400, 'required', 'quantity'],
    [{ ...base, quantity: 0 }, 400, 'bad_number', 'quantity'],
    [{ ...base, quantity: 'many' }, 400, 'bad_number', 'quantity'],
    [{ ...base, amount: '100' }, 400, 'not_for_kind', 'amount'],
    [{ kind: 'money', amount: '100', quantity: 5, valid_until: day(5) }, 400, 'not_for_kind', 'quantity'],
    [{ kind: 'money', amount: 'abc', valid_until: day(5) }, 400, 'bad_amount', 'amount'],
    [{ kind: 'money', amount: '1.234', valid_until: day(5) }, 400, 'bad_amount', 'amount'],
    [{ kind: 'money', valid_until: day(5) }, 400, 'required', 'amount'],
    [{ kind: 'scholarship', amount: '1000', term_amount: '1500', valid_until: day(5) }, 400,
      'budget_below_term', 'amount'],
    [{ kind: 'scholarship', amount: '1000', terms: 30, valid_until: day(5) }, 400, 'bad_number', 'terms'],
    [{ ...base, category: 'nope' }, 400, 'unknown_value', 'category'],
    [{ ...base, category: 'No Caps' }, 400, 'unknown_value', 'category'],
    [{ ...base, towns: 'wangwu,atlantis' }, 400, 'unknown_value', 'towns'],
    [{ ...base, towns: undefined, towns_only: true }, 400, 'towns_required', 'towns'],
    [{ ...base, campaign: 'no-such-campaign' }, 400, 'unknown_value', 'campaign'],
    [{ ...base, valid_until: undefined }, 400, 'required', 'valid_until'],
    [{ ...base, valid_until: day(-1) }, 400, 'date_range', 'valid_until'],
    [{ ...base, valid_until: day(800) }, 400, 'date_range', 'valid_until'],
    [{ ...base, valid_until: '2027-02-30' }, 400, 'bad_date', 'valid_until'],
    [{ ...base, valid_until: 'tomorrow!!' }, 400, 'bad_date', 'valid_until'],
    [{ ...base, item: 'x'.repeat(61) }, 400, 'too_long', 'item'],
    [{ ...base, note: 'x'.repeat(501) }, 400, 'too_long', 'note'],
    [{ ...base, for_org: true }, 400, 'no_caring_org', 'for_org'],
    [{ ...base, colour: 'red' }, 400, 'unknown_field', 'colour'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await donor.post('/api/v1/offers', body);
    assertApiError(r, status, code, field);
  }
  assert.equal(sqlValue(`select count(*) from offers where donor_id = ${donor.id}`), before_);
  // Only donors post offers.
  assertApiError(await staff.post('/api/v1/offers', base), 403, 'forbidden');
  assertApiError(await admin.post('/api/v1/offers', base), 403, 'forbidden');
  const anon = await fetch(BASE + '/api/v1/offers', { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(base) });
  assert.equal(anon.status, 401);
});

test('a caring organisation\'s member donor gives in its name', async () => {
  const caring = sqlValue(`select id from orgs where kind = 'caring' order by id limit 1`);
  const member = await newDonor('协会会员');
  sql(`update users set org_id = ${caring} where id = ${member.id}`);
  const r = await member.post('/api/v1/offers', { ...goods(), for_org: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.offer.giver, sqlValue(`select name from orgs where id = ${caring}`));
});

test('only its donor edits or withdraws an offer; the kind stays', async () => {
  const g = (await donor.post('/api/v1/offers', goods())).body.offer;
  const path = `/api/v1/offers/${g.id}`;
  assertApiError(await other.post(path, { ...goods(), quantity: 3 }), 404, 'not_found');
  assertApiError(await staff.post(path, { ...goods(), quantity: 3 }), 403, 'forbidden');
  assertApiError(await other.post(`${path}/withdraw`, {}), 404, 'not_found');
  assertApiError(await donor.post(path, { ...goods(), kind: 'money' }), 409, 'kind_fixed');
  assertApiError(await donor.post(path, { ...goods(), quantity: 0 }), 400, 'bad_number', 'quantity');
  const e = await donor.post(path, { ...goods(), kind: undefined, quantity: 40, towns: '' });
  assert.equal(e.status, 200, JSON.stringify(e.body));
  assert.equal(e.body.offer.quantity, 40);
  assert.deepEqual(e.body.offer.towns, []);
  assert.equal(e.body.offer.version, g.version + 1);
  // Reading it: its donor and admins; others learn nothing.
  assert.equal((await donor.get(path)).status, 200);
  assert.equal((await admin.get(path)).status, 200);
  assertApiError(await other.get(path), 404, 'not_found');
  assertApiError(await staff.get(path), 403, 'forbidden');

  const w = await donor.post(`${path}/withdraw`, {});
  assert.equal(w.status, 200, JSON.stringify(w.body));
  assertApiError(await donor.post(`${path}/withdraw`, {}), 409, 'offer_withdrawn');
  assertApiError(await donor.post(path, goods()), 409, 'offer_withdrawn');
  const list = await getJson('/api/v1/offers?per_page=100&kind=goods');
  assert.ok(!list.body.items.some((o) => o.id === g.id), 'no longer listed');
  assert.equal((await donor.get(path)).body.offer.state, 'withdrawn');
  assertApiError(await donor.post('/api/v1/offers/99999999', goods()), 404, 'not_found');
});

test('the pages: /me/offers with its form, a refused form shown again, an offer\'s page', async () => {
  const a = demo('donor6@example.com');
  const web = new Browser();
  await web.login(a.login, a.password);
  const page = await web.get('/me/offers');
  assert.equal(page.status, 200);
  assert.match(page.text, /name="valid_until"/);
  const bad = await web.post('/offers', { kind: 'money', amount: '12.345', valid_until: day(9) });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /role="alert"[^>]*>“金额[^”]*”必须是有效/);
  assert.match(bad.text, /value="12.345"/, 'what was typed is kept');
  const bad2 = await web.post('/offers', { kind: 'goods', quantity: '3', valid_until: day(-3) });
  assert.equal(bad2.status, 400);
  assert.match(bad2.text, /role="alert"[^>]*>“有效期至”必须在/);
  const ok = await web.post('/offers', { kind: 'goods', category: 'books', item: '字典',
    quantity: '4', town1: 'potou', town2: 'xiaye', valid_until: day(20) });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const where = ok.headers.get('location');
  const id = where.match(/^\/me\/offers\/(\d+)\?done=offers$/)?.[1];
  assert.ok(id, where);
  assert.deepEqual(sql(`select t.slug from offers o, unnest(o.towns) with ordinality u(t, i)
    join towns t on t.id = u.t where o.id = ${id} order by u.i`).map((r) => r[0]), ['potou', 'xiaye']);
  const mine = await web.get(where);
  assert.equal(mine.status, 200);
  assert.match(mine.text, /字典/);
  // The edit form keeps the towns chosen.
  assert.match(mine.text, /<option value="potou" selected>/);
  const pub = new Browser();
  assert.equal((await pub.get(where)).status, 303, 'the public is sent to sign in');
});
