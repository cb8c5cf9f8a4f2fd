// The matching engine wired to the database: for a small data set made
// here (needs of a campaign of their own, so that nothing else fits),
// the proposals for an offer and for a need are exactly what the rules
// of src/lib/match.c give, with their reasons in words; accepting makes
// pledges through api.pledge_create within the cap, once; staff propose,
// donors accept or decline; full runs and recommendations.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, assertApiError, BASE } from '../lib/env.mjs';
import { Api, Browser } from '../lib/session.mjs';
import { newDonor, newCampaign, newNeed, schoolOf, townId, settle, need } from '../lib/matching.mjs';

let staffW, staffP, townW, admin, wangwu, potou;
const day = (n) => sqlValue(`select to_char(current_date + ${n}, 'YYYY-MM-DD')`);
const keys = (p) => p.reasons.map((r) => r.key);

before(async () => {
  wangwu = schoolOf('wangwu');
  potou = schoolOf('potou');
  staffW = await Api.as(`org${wangwu}@example.com`);
  staffP = await Api.as(`org${potou}@example.com`);
  townW = await Api.as('wangwu@example.com');
  admin = await Api.as('admin@example.com');
});

// Coats for sizes 140-160 in 王屋镇, and needs around them.
async function coats(quantity = 5) {
  const c = newCampaign();
  const ids = {
    a: newNeed({ org: wangwu, item: '棉衣', spec: '150码', quantity: 2, urgency: 3, days: 5, campaign: c.id }),
    b: newNeed({ org: potou, item: '儿童棉衣', spec: '140码', quantity: 4, urgency: 2, days: 60, campaign: c.id }),
    tooBig: newNeed({ org: wangwu, item: '棉衣', spec: '180码', quantity: 3, urgency: 3, days: 5, campaign: c.id }),
    shoes: newNeed({ org: wangwu, item: '棉鞋', spec: '35码', quantity: 2, urgency: 3, days: 5, campaign: c.id }),
    e: newNeed({ org: wangwu, item: '棉衣', quantity: 10, urgency: 1, days: 100, campaign: c.id }),
    daily: newNeed({ org: wangwu, category: 'daily', item: '棉衣', spec: '150码', quantity: 2, urgency: 3, days: 5, campaign: c.id }),
    past: newNeed({ org: wangwu, item: '棉衣', spec: '150码', quantity: 2, urgency: 3, days: -1, campaign: c.id }),
  };
  const donor = await newDonor('王阿姨');
  const r = await donor.post('/api/v1/offers', { kind: 'goods', category: 'clothing', item: '棉衣',
    spec: '140-160码', unit: '件', quantity, towns: 'wangwu', campaign: c.slug, valid_until: day(30) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await settle();
  return { ids, donor, offer: r.body.offer, campaign: c };
}

test('for one offer: exactly the proposals and reasons the rules give', async () => {
  const { ids, donor, offer } = await coats();
  const r = await donor.get(`/api/v1/offers/${offer.id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // A first (urgent, due within a week, in a town the offer names), then
  // B (its item contains the offer's, 140 is within 140-160) gets what
  // is left: 5 - 2 = 3 of its 4.  E would come next, but the offer is
  // spent; the others do not fit (size 180, shoes, another category, a
  // deadline passed).
  assert.deepEqual(r.body.proposals.map((p) => [p.need.id, p.quantity]), [[ids.a, 2], [ids.b, 3]]);
  assert.deepEqual(keys(r.body.proposals[0]), ['match.same_town', 'match.urgent', 'match.deadline',
    'match.category', 'match.item', 'match.size', 'match.campaign']);
  assert.equal(r.body.proposals[0].reasons_text, '同镇、急需、临近截止、类别相符、物品相符、尺码相符、同一公益行动');
  assert.deepEqual(keys(r.body.proposals[1]), ['match.category', 'match.item_near', 'match.size',
    'match.campaign']);
  assert.deepEqual(r.body.proposals[1].quantity_text, { quantity: 3, unit: '件' });
  assert.equal(r.body.can_accept, true);
  // In English, the same reasons in English words.
  const en = await donor.get(`/api/v1/offers/${offer.id}?lang=en`);
  assert.equal(en.body.proposals[1].reasons.map((x) => x.text).join(', '),
    'category matches, similar item, size fits, same campaign');

  // A larger offer reaches E too, after B has all it lacks.
  const big = await donor.post('/api/v1/offers', { kind: 'goods', category: 'clothing', item: '棉衣',
    spec: '140-160码', quantity: 9, towns: 'wangwu', campaign: (await coatsCampaign(ids)), valid_until: day(30) });
  await settle();
  const rb = await donor.get(`/api/v1/offers/${big.body.offer.id}`);
  assert.deepEqual(rb.body.proposals.map((p) => [p.need.id, p.quantity]),
    [[ids.a, 2], [ids.b, 4], [ids.e, 3]]);
  assert.deepEqual(keys(rb.body.proposals[2]), ['match.same_town', 'match.category', 'match.item',
    'match.campaign']);
  // An offer of any category reaches the need of another category too
  // (ranked with A: the same key but for the id), without that reason.
  const any = await donor.post('/api/v1/offers', { kind: 'goods', item: '棉衣', spec: '140-160码',
    quantity: 100, towns: 'wangwu', campaign: (await coatsCampaign(ids)), valid_until: day(30) });
  await settle();
  const ra = await donor.get(`/api/v1/offers/${any.body.offer.id}`);
  assert.deepEqual(ra.body.proposals.map((p) => [p.need.id, p.quantity]),
    [[ids.a, 2], [ids.daily, 2], [ids.b, 4], [ids.e, 10]]);
  assert.deepEqual(keys(ra.body.proposals[1]), ['match.same_town', 'match.urgent', 'match.deadline',
    'match.item', 'match.size', 'match.campaign']);
});

async function coatsCampaign(ids) {
  return sqlValue(`select c.slug from campaigns c join needs n on n.campaign_id = c.id where n.id = ${ids.a}`);
}

test('accepting makes pledges through the pledge rules; two at once make one set', async () => {
  const { ids, donor, offer } = await coats();
  const v = (await donor.get(`/api/v1/offers/${offer.id}`)).body.version;
  const [x, y] = await Promise.all([
    donor.post(`/api/v1/offers/${offer.id}/accept`, { version: v }),
    donor.post(`/api/v1/offers/${offer.id}/accept`, { version: v })]);
  assert.deepEqual([x.status, y.status].sort(), [200, 201], JSON.stringify([x.body, y.body]));
  const made = (x.status === 201 ? x : y).body;
  const again = (x.status === 201 ? y : x).body;
  assert.equal(again.replay, true);
  assert.deepEqual(again.accepted.map((a) => a.pledge_id), made.accepted.map((a) => a.pledge_id));
  assert.deepEqual(made.accepted.map((a) => [a.need_id, a.quantity]), [[ids.a, 2], [ids.b, 3]]);
  // Ordinary pledges: the donor's, counted on the needs, in the log,
  // each with a key derived from the proposal.
  const rows = sql(`select p.need_id, p.quantity, p.status from pledges p
    where p.donor_id = ${donor.id} order by p.need_id`);
  assert.deepEqual(rows, [[String(ids.a), '2', 'pledged'], [String(ids.b), '3', 'pledged']]);
  assert.deepEqual(need(ids.a), [2, 2, 'fully_pledged']);
  assert.deepEqual(need(ids.b), [4, 3, 'open']);
  assert.equal(sqlValue(`select count(*) from log_entries where kind = 'pledge_made'
    and need_id in (${ids.a}, ${ids.b}) and fields->>'donor' = '王阿姨'`), '2');
  assert.equal(sqlValue(`select count(*) from idempotency_keys where donor_id = ${donor.id}
    and key like 'offer-${offer.id}-v${v}-n%'`), '2');
  assert.equal(sqlValue(`select count(*) from offer_pledges where offer_id = ${offer.id}`), '2');
  const after = await donor.get(`/api/v1/offers/${offer.id}`);
  assert.equal(after.body.offer.remaining, 0);
  assert.equal(after.body.offer.state, 'used_up');
  assert.equal(after.body.pledges.length, 2);
  assert.deepEqual(after.body.proposals, []);
  // The same page again: the same answer; the new version: nothing left.
  const replay = await donor.post(`/api/v1/offers/${offer.id}/accept`, { version: v });
  assert.equal(replay.status, 200);
  assertApiError(await donor.post(`/api/v1/offers/${offer.id}/accept`, { version: after.body.version }),
    409, 'nothing_proposed');
  assertApiError(await donor.post(`/api/v1/offers/${offer.id}/accept`, { version: after.body.version + 5 }),
    409, 'offer_changed');
  // It may not shrink below what it gave.
  assertApiError(await donor.post(`/api/v1/offers/${offer.id}`, { category: 'clothing', item: '棉衣',
    quantity: 4, valid_until: day(30) }), 409, 'below_given', 'quantity');
  // A cancelled pledge gives its part back to the offer.
  const pa = made.accepted.find((a) => a.need_id === ids.a).pledge_id;
  assert.equal((await donor.post(`/api/v1/pledges/${pa}/cancel`, {})).status, 200);
  assert.equal((await donor.get(`/api/v1/offers/${offer.id}`)).body.offer.remaining, 2);
  // Others may not accept it.
  const other = await newDonor();
  assertApiError(await other.post(`/api/v1/offers/${offer.id}/accept`, { version: v }), 404, 'not_found');
  assertApiError(await admin.post(`/api/v1/offers/${offer.id}/accept`, { version: v }), 403, 'forbidden');
  assertApiError(await donor.post(`/api/v1/offers/${offer.id}/accept`, {}), 400, 'required', 'version');
});

test('accepting one proposal; a need filled meanwhile is no longer proposed', async () => {
  const { ids, donor, offer } = await coats();
  const v = (await donor.get(`/api/v1/offers/${offer.id}`)).body.version;
  // Someone else covers B on the shelf before the donor clicks.
  const rival = await newDonor();
  assert.equal((await rival.post(`/api/v1/needs/${ids.b}/pledges`, { quantity: 4 })).status, 201);
  assertApiError(await donor.post(`/api/v1/offers/${offer.id}/accept`, { version: v, need_id: ids.b }),
    409, 'not_proposed', 'need_id');
  const one = await donor.post(`/api/v1/offers/${offer.id}/accept`, { version: v, need_id: ids.a });
  assert.equal(one.status, 201, JSON.stringify(one.body));
  assert.deepEqual(one.body.accepted.map((a) => [a.need_id, a.quantity]), [[ids.a, 2]]);
  assert.deepEqual(need(ids.a), [2, 2, 'fully_pledged']);
  assert.deepEqual(need(ids.b), [4, 4, 'fully_pledged'], 'nothing beyond the cap');
});

test('many offers accepted at once for one need: never more than it lacks', async () => {
  const c = newCampaign();
  const id = newNeed({ org: wangwu, category: 'books', item: '字典', unit: '本', quantity: 5,
    urgency: 3, days: 10, campaign: c.id });
  const donors = [];
  for (let i = 0; i < 8; i++) {
    const d = await newDonor(`捐赠人${i}`);
    const r = await d.post('/api/v1/offers', { kind: 'goods', category: 'books', item: '字典',
      quantity: 3, campaign: c.slug, valid_until: day(20) });
    assert.equal(r.status, 201);
    donors.push([d, r.body.offer]);
  }
  await settle();
  const res = await Promise.all(donors.map(([d, o]) =>
    d.post(`/api/v1/offers/${o.id}/accept`, { version: o.version })));
  const codes = res.map((r) => r.status);
  assert.ok(codes.every((s) => s === 201 || s === 409), codes.join());
  assert.ok(codes.includes(201));
  const [q, pledged] = need(id);
  const sum = Number(sqlValue(`select coalesce(sum(quantity), 0) from pledges where need_id = ${id}
    and status <> 'cancelled'`));
  assert.equal(pledged, sum);
  assert.ok(pledged <= q, `${pledged} <= ${q}`);
  assert.equal(Number(sqlValue(`select coalesce(sum(op.amount), 0) from offer_pledges op
    join pledges p on p.id = op.pledge_id where p.need_id = ${id}`)), sum);
});

test('for one need: staff see the offers proposed, propose one; its donor accepts once or declines', async () => {
  const c = newCampaign();
  const k = newNeed({ org: wangwu, kind: 'scholarship', category: 'tuition', unit: '学期',
    quantity: 3, unitAmount: 100000, urgency: 2, days: 40, campaign: c.id });
  const dx = await newDonor('许先生');
  const dy = await newDonor('杨女士');
  const x = (await dx.post('/api/v1/offers', { kind: 'scholarship', category: 'tuition',
    amount: '2000', term_amount: '1000', towns: 'wangwu', campaign: c.slug, valid_until: day(60) })).body.offer;
  const y = (await dy.post('/api/v1/offers', { kind: 'scholarship', category: 'tuition',
    amount: '5000', campaign: c.slug, valid_until: day(60) })).body.offer;
  const elsewhere = (await dy.post('/api/v1/offers', { kind: 'scholarship', amount: '5000',
    campaign: newCampaign().slug, valid_until: day(60) })).body.offer;
  // X names the need's town: first, with the two terms its budget pays;
  // Y the last term.
  const r = await staffW.get(`/api/v1/needs/${k}/offers`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.offers.map((o) => [o.offer.id, o.quantity, o.amount]),
    [[x.id, 2, 200000], [y.id, 1, 100000]]);
  assert.deepEqual(r.body.offers[0].reasons.map((z) => z.key),
    ['match.same_town', 'match.category', 'match.campaign']);
  assert.equal(r.body.offers[1].reasons_text, '类别相符、同一公益行动');
  assert.equal(r.body.offers[0].offer.giver, '许先生');
  // The town branch above sees it too; another school, donors do not.
  assert.equal((await townW.get(`/api/v1/needs/${k}/offers`)).status, 200);
  assert.equal((await admin.get(`/api/v1/needs/${k}/offers`)).status, 200);
  assertApiError(await staffP.get(`/api/v1/needs/${k}/offers`), 404, 'not_found');
  assertApiError(await dx.get(`/api/v1/needs/${k}/offers`), 403, 'forbidden');

  const p = await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: y.id });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(p.body.proposal.quantity, 1);
  assert.equal(p.body.proposal.amount, 100000);
  assertApiError(await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: y.id }), 409, 'already_proposed');
  assertApiError(await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: elsewhere.id }), 409,
    'not_proposed', 'offer_id');
  assertApiError(await staffP.post(`/api/v1/needs/${k}/proposals`, { offer_id: x.id }), 404, 'not_found');
  assertApiError(await staffW.post(`/api/v1/needs/${k}/proposals`, {}), 400, 'required', 'offer_id');
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${dy.id}
    and kind = 'proposal'`), '1');
  const mine = await dy.get('/api/v1/me/offers');
  assert.deepEqual(mine.body.proposals.map((q) => q.id), [p.body.proposal.id]);
  assert.equal(mine.body.proposals[0].reasons_text, '类别相符、同一公益行动');
  // A refused offer form (by the form check, or by the database) shows
  // /me/offers again with the proposal's reasons in words.
  const web = new Browser();
  await web.login(dy.email, dy.password);
  const tomorrow = sqlValue(`select to_char(current_date + 1, 'YYYY-MM-DD')`);
  const yesterday = sqlValue(`select to_char(current_date - 1, 'YYYY-MM-DD')`);
  for (const form of [{ kind: 'money', amount: '1.234', valid_until: tomorrow },
    { kind: 'goods', quantity: '2', valid_until: yesterday }]) {
    const again = await web.post('/offers', form);
    assert.equal(again.status, 400);
    assert.ok(again.text.includes('类别相符、同一公益行动'), 'reasons in words');
  }

  // Only its donor answers; twice at once makes one pledge.
  const pid = p.body.proposal.id;
  assertApiError(await dx.post(`/api/v1/proposals/${pid}/accept`, {}), 404, 'not_found');
  assertApiError(await staffW.post(`/api/v1/proposals/${pid}/accept`, {}), 403, 'forbidden');
  const both = await Promise.all([dy.post(`/api/v1/proposals/${pid}/accept`, {}),
    dy.post(`/api/v1/proposals/${pid}/accept`, {})]);
  assert.deepEqual(both.map((b) => b.status).sort(), [200, 201], JSON.stringify(both.map((b) => b.body)));
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${k} and donor_id = ${dy.id}`), '1');
  assert.deepEqual(need(k), [3, 1, 'open']);
  assertApiError(await dy.post(`/api/v1/proposals/${pid}/decline`, {}), 409, 'proposal_closed');

  // X's donor declines: X is not proposed for this need again.
  const px = await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: x.id });
  assert.equal(px.status, 201);
  const d = await dx.post(`/api/v1/proposals/${px.body.proposal.id}/decline`, {});
  assert.equal(d.status, 200);
  assert.equal(d.body.proposal.status, 'declined');
  const r2 = await staffW.get(`/api/v1/needs/${k}/offers`);
  assert.ok(!r2.body.offers.some((o) => o.offer.id === x.id));
  assertApiError(await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: x.id }), 409, 'not_proposed');
  // A withdrawn offer's pending proposals lapse.
  const pz = await staffW.post(`/api/v1/needs/${k}/proposals`, { offer_id: y.id });
  assert.equal(pz.status, 201, JSON.stringify(pz.body));
  assert.equal((await dy.post(`/api/v1/offers/${y.id}/withdraw`, {})).status, 200);
  assertApiError(await dy.post(`/api/v1/proposals/${pz.body.proposal.id}/accept`, {}), 409, 'proposal_closed');
});

test('a full run: admins see all of it, staff their subtree\'s needs, donors nothing', async () => {
  await coats();
  const all = await admin.get('/api/v1/matching?limit=1000');
  assert.equal(all.status, 200, JSON.stringify(all.body));
  const s = all.body.summary;
  assert.ok(s.needs > 0 && s.offers > 0 && s.proposals > 0, JSON.stringify(s));
  assert.ok(s.needs_served <= s.proposals && s.offers_used <= s.offers);
  // No offer gives more than it has, no need gets more than it lacks.
  const byOffer = new Map(), byNeed = new Map();
  for (const p of all.body.proposals) {
    const amount = p.need.kind === 'scholarship' ? p.quantity * p.need.unit_amount : p.quantity;
    byOffer.set(p.offer.id, (byOffer.get(p.offer.id) ?? 0) + amount);
    byNeed.set(p.need.id, (byNeed.get(p.need.id) ?? 0) + p.quantity);
  }
  for (const p of all.body.proposals) {
    assert.ok(byOffer.get(p.offer.id) <= p.offer.remaining, `offer ${p.offer.id}`);
    assert.ok(byNeed.get(p.need.id) <= p.need.remaining, `need ${p.need.id}`);
  }
  const mine = await townW.get('/api/v1/matching?limit=1000');
  assert.equal(mine.status, 200);
  const ids = mine.body.proposals.map((p) => p.need.id);
  assert.ok(ids.length > 0);
  assert.equal(sqlValue(`select count(*) from needs n where n.id in (${ids.join(',')})
    and not api.org_within(n.org_id, (select org_id from users where email = 'wangwu@example.com'))`), '0');
  const d = await newDonor();
  assertApiError(await d.get('/api/v1/matching'), 403, 'forbidden');
  assertApiError(await new Api('0'.repeat(64)).get('/api/v1/matching'), 401, 'login_required');
  assertApiError(await admin.get('/api/v1/matching?limit=0'), 400, 'bad_number', 'limit');
});

test('为我推荐: from the donor\'s offers, past pledges and preferences', async () => {
  const r0 = await newDonor('新人');
  const none = await r0.get('/api/v1/me/recommended');
  assert.equal(none.status, 200);
  assert.deepEqual(none.body.items, []);
  // Preferences: sports goods, 大峪镇 first.
  assert.equal((await r0.post('/api/v1/me/recommended', { kind: 'goods', category: 'sports',
    towns: 'dayu' })).status, 200);
  await settle();
  const p = await r0.get('/api/v1/me/recommended');
  assert.ok(p.body.items.length > 0);
  assert.ok(p.body.items.every((i) => i.source === 'prefs' && i.need.category === 'sports'
    && i.need.kind === 'goods'), JSON.stringify(p.body.items.map((i) => [i.source, i.need.category])));
  assert.deepEqual(p.body.prefs, { kind: 'goods', category: 'sports', towns: ['dayu'] });
  const dayu = p.body.items.filter((i) => i.need.town === 'dayu');
  assert.ok(dayu.every((i) => i.reasons.some((x) => x.key === 'match.same_town')));
  // An offer comes first, with the needs proposed for it.
  const { ids, donor, offer } = await coats();
  const withOffer = await donor.get('/api/v1/me/recommended');
  assert.deepEqual(withOffer.body.items.slice(0, 2).map((i) => [i.need.id, i.source, i.offer_id]),
    [[ids.a, 'offer', offer.id], [ids.b, 'offer', offer.id]]);
  assert.match(withOffer.body.items[0].reasons_text, /^同镇、急需/);
  // Past pledges: needs of the same kind and category.
  const h = await newDonor('老朋友');
  const svc = newNeed({ org: potou, kind: 'service', category: 'counselling', item: '心理辅导',
    unit: '名额', quantity: 5 });
  assert.equal((await h.post(`/api/v1/needs/${svc}/pledges`, { quantity: 1 })).status, 201);
  await settle();
  const hist = await h.get('/api/v1/me/recommended');
  assert.ok(hist.body.items.length > 0);
  assert.ok(hist.body.items.every((i) => i.source === 'history' && i.need.kind === 'service'
    && i.need.category === 'counselling'));
  // Preferences refused when wrong; only donors.
  assertApiError(await r0.post('/api/v1/me/recommended', { category: 'nope' }), 400, 'unknown_value', 'category');
  assertApiError(await r0.post('/api/v1/me/recommended', { towns: 'dayu,potou,sili,lilin' }), 400,
    'too_many', 'towns');
  assertApiError(await r0.post('/api/v1/me/recommended', { kind: 'gold' }), 400, 'unknown_value', 'kind');
  assertApiError(await staffW.get('/api/v1/me/recommended'), 403, 'forbidden');
  const page = await fetch(BASE + '/me/recommended', { headers: { authorization: 'Bearer ' + donor.token } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /同镇、急需/);
});
