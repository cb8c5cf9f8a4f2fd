// "1+1" pairings: made on a child's open scholarship need, each term a
// pledge of its own (due by its date, in the public log); a missed term
// flags the pairing and tells donor and branch; put right by pledging it
// again and delivering; not put right in time, the pairing lapses and the
// child goes back to the pool, where matching proposes new donors;
// either side ends a pairing with a reason; the history stays.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, assertApiError, BASE } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';
import { newDonor, newNeed, newChild, schoolOf, settle, need } from '../lib/matching.mjs';

let school, staffW, townW, staffP, admin;
const day = (n) => sqlValue(`select to_char(current_date + ${n}, 'YYYY-MM-DD')`);
// The jobs, as the nodes run them every second; a pairing a node's batch
// holds is skipped here, so then wait for that batch to commit (it made
// the same move).
const tick = () => {
  sql('select api.pledges_tick()');
  sql('select api.pairings_tick()');
  sql(`select count(*) from (select 1 from pairings
    where status in ('active', 'flagged') for update) x`);
};
const status = (id) => sqlValue(`select status from pairings where id = ${id}`);
const termPledge = (id, term) => sqlValue(`select pledge_id from pairing_terms
  where pairing_id = ${id} and term = ${term}`);
// Moves term of pairing id (and its pledge) days into the past.
const overdue = (id, term, days = 20) => sql(`update pairing_terms set due_on = current_date - ${days}
    where pairing_id = ${id} and term = ${term};
  update pledges set due_at = now() - interval '1 day'
   where id = (select pledge_id from pairing_terms where pairing_id = ${id} and term = ${term})
     and status = 'pledged'`);

before(async () => {
  school = schoolOf('wangwu');
  staffW = await Api.as(`org${school}@example.com`);
  townW = await Api.as('wangwu@example.com');
  staffP = await Api.as(`org${schoolOf('potou')}@example.com`);
  admin = await Api.as('admin@example.com');
});

// A child of the 王屋镇 school with an open scholarship need of n terms.
function scholarship(n = 4) {
  const child = newChild(school, '小树');
  const id = newNeed({ org: school, kind: 'scholarship', category: 'tuition', unit: '学期',
    quantity: n, unitAmount: 100000, days: 200, child });
  return { child, id };
}

test('a pairing makes one pledge per term, due by the term\'s date, in the public log', async () => {
  const { child, id } = scholarship(4);
  const donor = await newDonor('高先生');
  const r = await donor.post('/api/v1/pairings', { need_id: id, terms: 3, first_due: day(20) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const p = r.body.pairing;
  assert.equal(p.status, 'active');
  assert.equal(p.child.alias, '小树');
  assert.deepEqual(p.total_text, { fen: 300000 });
  assert.deepEqual(p.schedule.map((t) => t.due_on), [day(20),
    sqlValue(`select to_char(current_date + 20 + interval '6 months', 'YYYY-MM-DD')`),
    sqlValue(`select to_char(current_date + 20 + interval '12 months', 'YYYY-MM-DD')`)]);
  assert.ok(p.schedule.every((t) => t.status === 'pledged' && t.receipt_code));
  // Each term a pledge of one term, due at the end of its grace period.
  const rows = sql(`select p.quantity, p.donor_id, to_char(p.due_at at time zone 'Asia/Shanghai',
      'YYYY-MM-DD HH24:MI'), to_char(t.due_on + 14, 'YYYY-MM-DD')
    from pairing_terms t join pledges p on p.id = t.pledge_id
    where t.pairing_id = ${p.id} order by t.term`);
  for (const [q, d, dueAt, last] of rows) {
    assert.equal(q, '1');
    assert.equal(d, String(donor.id));
    assert.equal(dueAt, `${last} 23:59`);
  }
  assert.deepEqual(need(id), [4, 3, 'open']);
  assert.equal(sqlValue(`select count(*) from log_entries where need_id = ${id}
    and kind = 'pledge_made' and fields->>'donor' = '高先生'`), '3');
  assert.equal(sqlValue(`select count(*) from idempotency_keys where donor_id = ${donor.id}
    and key like 'pairing-${p.id}-t%'`), '3');
  assert.ok(Number(sqlValue(`select count(distinct u.org_id) from notifications n
    join users u on u.id = n.user_id where n.kind = 'pairing' and u.org_id in (${school},
      (select org_id from users where email = 'wangwu@example.com'))`)) === 2, 'school and branch told');

  // One pair per child; only what is left; only a child's scholarship.
  const other = await newDonor();
  assertApiError(await other.post('/api/v1/pairings', { need_id: id, terms: 1 }), 409, 'already_paired');
  const { id: id2 } = scholarship(2);
  const tooMuch = await other.post('/api/v1/pairings', { need_id: id2, terms: 3 });
  assertApiError(tooMuch, 409, 'too_much', 'terms');
  assert.match(tooMuch.body.error.message, /还差 2 学期。/);
  const goods = newNeed({ org: school, quantity: 3 });
  assertApiError(await other.post('/api/v1/pairings', { need_id: goods, terms: 1 }), 409, 'not_pairable');
  const noChild = newNeed({ org: school, kind: 'scholarship', category: 'tuition', unit: '学期',
    quantity: 2, unitAmount: 100000 });
  assertApiError(await other.post('/api/v1/pairings', { need_id: noChild, terms: 1 }), 409, 'not_pairable');
  assertApiError(await other.post('/api/v1/pairings', { need_id: id2, terms: 1, first_due: day(0) }),
    400, 'date_range', 'first_due');
  assertApiError(await other.post('/api/v1/pairings', { need_id: id2, terms: 1, first_due: '2027-13-01' }),
    400, 'bad_date', 'first_due');
  assertApiError(await other.post('/api/v1/pairings', { need_id: id2, terms: 13 }), 400, 'bad_number', 'terms');
  assertApiError(await other.post('/api/v1/pairings', { need_id: 99999999, terms: 1 }), 404, 'not_found');
  assertApiError(await staffW.post('/api/v1/pairings', { need_id: id2, terms: 1 }), 403, 'forbidden');
  assert.equal(sqlValue(`select count(*) from pairings where beneficiary_id =
    (select beneficiary_id from needs where id = ${id2})`), '0', 'nothing half-written');
  assert.deepEqual(need(id2), [2, 0, 'open']);

  // Who sees it: its donor, the child's staff and their branch, admins.
  const path = `/api/v1/pairings/${p.id}`;
  for (const who of [donor, staffW, townW, admin]) assert.equal((await who.get(path)).status, 200);
  assertApiError(await other.get(path), 404, 'not_found');
  assertApiError(await staffP.get(path), 404, 'not_found');
  const list = await staffW.get('/api/v1/pairings');
  assert.ok(list.body.items.some((x) => x.id === p.id));
  assert.ok(!(await staffP.get('/api/v1/pairings')).body.items.some((x) => x.id === p.id));
  assert.deepEqual((await other.get('/api/v1/pairings')).body.items, []);
  assert.ok(child > 0);
});

test('a term is delivered and received like any pledge', async () => {
  const { id } = scholarship(2);
  const donor = await newDonor();
  const p = (await donor.post('/api/v1/pairings', { need_id: id, terms: 2 })).body.pairing;
  const first = p.schedule[0].pledge_id;
  assert.equal((await donor.post(`/api/v1/pledges/${first}/deliver`, { method: 'transfer',
    reference: 'T-1' })).status, 200);
  assert.equal((await staffW.post(`/api/v1/pledges/${first}/receive`, {})).status, 200);
  const card = (await donor.get(`/api/v1/pairings/${p.id}`)).body.pairing;
  assert.deepEqual(card.schedule.map((t) => t.status), ['received', 'pledged']);
  assert.equal(sqlValue(`select count(*) from log_entries where fields->>'pledge' = '${first}'
    and kind in ('pledge_delivered', 'pledge_received')`), '2');
  // All received: completed.
  const second = p.schedule[1].pledge_id;
  await donor.post(`/api/v1/pledges/${second}/deliver`, { method: 'school' });
  await staffW.post(`/api/v1/pledges/${second}/receive`, {});
  tick();
  assert.equal(status(p.id), 'completed');
  assertApiError(await donor.post(`/api/v1/pairings/${p.id}/end`, { reason: '太晚了' }), 409, 'pairing_over');
});

test('a missed term flags the pairing; pledged again and delivered it is put right', async () => {
  const { id } = scholarship(3);
  const donor = await newDonor('钱女士');
  const p = (await donor.post('/api/v1/pairings', { need_id: id, terms: 3 })).body.pairing;
  assertApiError(await donor.post(`/api/v1/pairings/${p.id}/renew`, {}), 409, 'nothing_to_renew');
  tick();
  assert.equal(status(p.id), 'active', 'nothing is due yet');
  overdue(p.id, 1);
  tick();
  assert.equal(status(p.id), 'flagged');
  assert.equal(sqlValue(`select status from pledges where id = ${termPledge(p.id, 1)}`), 'expired');
  assert.deepEqual(sql(`select action, term from pairing_events where pairing_id = ${p.id} order by id`),
    [['created', ''], ['flagged', '1']]);
  // The donor, the school and the town branch are told.
  const told = sql(`select u.id from notifications n join users u on u.id = n.user_id
    where n.kind = 'pairing_flagged' and n.params->>'term' = '1'
      and (n.params->>'pairing_id')::bigint = ${p.id}`)
    .map((r) => r[0]);
  assert.ok(told.includes(String(donor.id)));
  assert.ok(told.includes(sqlValue(`select id from users where email = 'org${school}@example.com'`)));
  assert.ok(told.includes(sqlValue(`select id from users where email = 'wangwu@example.com'`)));
  const card = (await donor.get(`/api/v1/pairings/${p.id}`)).body.pairing;
  assert.equal(card.is_flagged, true);
  assert.equal(card.can_renew, true);
  assert.deepEqual(card.schedule.map((t) => t.missed), [true, false, false]);

  // Pledged again: still flagged until it is handed over.
  const rn = await donor.post(`/api/v1/pairings/${p.id}/renew`, {});
  assert.equal(rn.status, 200, JSON.stringify(rn.body));
  assert.equal(rn.body.renewed, 1);
  const again = termPledge(p.id, 1);
  assert.notEqual(again, card.schedule[0].pledge_id);
  tick();
  assert.equal(status(p.id), 'flagged');
  await donor.post(`/api/v1/pledges/${again}/deliver`, { method: 'school' });
  tick();
  assert.equal(status(p.id), 'active');
  assert.deepEqual(sql(`select action from pairing_events where pairing_id = ${p.id} order by id`)
    .map((r) => r[0]), ['created', 'flagged', 'renewed', 'resolved']);
  assertApiError(await (await newDonor()).post(`/api/v1/pairings/${p.id}/renew`, {}), 404, 'not_found');
});

test('not put right in time, it lapses; the child goes back to the pool; matching finds a new pair', async () => {
  const { child, id } = scholarship(3);
  const donor = await newDonor('孙先生');
  const p = (await donor.post('/api/v1/pairings', { need_id: id, terms: 3 })).body.pairing;
  overdue(p.id, 1);
  tick();
  assert.equal(status(p.id), 'flagged');
  sql(`update pairings set flagged_at = now() - interval '29 days' where id = ${p.id}`);
  tick();
  assert.equal(status(p.id), 'flagged', 'still within pairing_return_days');
  sql(`update pairings set flagged_at = now() - interval '31 days' where id = ${p.id}`);
  tick();
  assert.equal(status(p.id), 'lapsed');
  // Terms not handed over are cancelled: their terms are back on the shelf.
  assert.deepEqual(sql(`select p.status from pairing_terms t join pledges p on p.id = t.pledge_id
    where t.pairing_id = ${p.id} order by t.term`).map((r) => r[0]), ['expired', 'cancelled', 'cancelled']);
  assert.deepEqual(need(id), [3, 0, 'open']);
  assert.equal(sqlValue(`select count(*) from log_entries where need_id = ${id} and kind = 'pledge_cancelled'`), '2');
  assert.equal(sqlValue(`select reason from pair_seekers where beneficiary_id = ${child}`), 'lapsed');
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${donor.id}
    and kind = 'pairing_lapsed'`), '1');
  const seekers = (await staffW.get('/api/v1/pairings')).body.seekers;
  assert.ok(seekers.some((s) => s.alias === '小树' && s.needs.some((n) => n.id === id)));
  assert.ok(!(await staffP.get('/api/v1/pairings')).body.seekers.some((s) =>
    s.needs.some((n) => n.id === id)));
  assertApiError(await donor.post(`/api/v1/pairings/${p.id}/renew`, {}), 409, 'pairing_over');

  // Matching proposes a scholarship offer for the child; accepting it
  // makes the new pairing.
  const helper = await newDonor('新的爱心人士');
  const o = (await helper.post('/api/v1/offers', { kind: 'scholarship', category: 'tuition',
    amount: '3000', towns: 'wangwu', towns_only: true, valid_until: day(100) })).body.offer;
  await settle();
  const offers = await staffW.get(`/api/v1/needs/${id}/offers`);
  assert.equal(offers.body.seeking_pair, true);
  const mine = offers.body.offers.find((x) => x.offer.id === o.id);
  assert.ok(mine, JSON.stringify(offers.body.offers.map((x) => x.offer.id)));
  assert.equal(mine.quantity, 3);
  const prop = await staffW.post(`/api/v1/needs/${id}/proposals`, { offer_id: o.id });
  assert.equal(prop.status, 201, JSON.stringify(prop.body));
  assert.equal(prop.body.proposal.pairing, true);
  const acc = await helper.post(`/api/v1/proposals/${prop.body.proposal.id}/accept`, {});
  assert.equal(acc.status, 201, JSON.stringify(acc.body));
  const np = acc.body.pairing_id;
  assert.ok(np);
  assert.equal(status(np), 'active');
  assert.equal(sqlValue(`select donor_id from pairings where id = ${np}`), String(helper.id));
  assert.equal(sqlValue(`select count(*) from pair_seekers where beneficiary_id = ${child}`), '0');
  assert.deepEqual(need(id), [3, 3, 'fully_pledged']);
  assert.equal((await helper.get(`/api/v1/offers/${o.id}`)).body.offer.remaining, 0);
  // The lapsed pairing keeps its history.
  assert.deepEqual(sql(`select action from pairing_events where pairing_id = ${p.id} order by id`)
    .map((r) => r[0]), ['created', 'flagged', 'lapsed']);
});

test('either side ends a pairing with a reason; the history is kept', async () => {
  const { child, id } = scholarship(2);
  const donor = await newDonor('周先生');
  const p = (await donor.post('/api/v1/pairings', { need_id: id, terms: 2 })).body.pairing;
  assertApiError(await donor.post(`/api/v1/pairings/${p.id}/end`, {}), 400, 'required', 'reason');
  assertApiError(await staffP.post(`/api/v1/pairings/${p.id}/end`, { reason: '不是我们的' }), 404, 'not_found');
  assertApiError(await (await newDonor()).post(`/api/v1/pairings/${p.id}/end`, { reason: '别人' }), 404, 'not_found');
  const e = await staffW.post(`/api/v1/pairings/${p.id}/end`, { reason: '孩子转学了' });
  assert.equal(e.status, 200, JSON.stringify(e.body));
  assert.equal(e.body.pairing.status, 'ended');
  assert.equal(e.body.pairing.end_reason, '孩子转学了');
  assert.deepEqual(need(id), [2, 0, 'open']);
  assert.equal(sqlValue(`select reason from pair_seekers where beneficiary_id = ${child}`), 'ended');
  assert.equal(sqlValue(`select count(*) from notifications where user_id = ${donor.id}
    and kind = 'pairing_ended'`), '1');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'pairing_end'
    and target_id = ${p.id}`), '1');
  assertApiError(await donor.post(`/api/v1/pairings/${p.id}/end`, { reason: '再结束' }), 409, 'pairing_over');
  // The donor ends another; the branch is told.
  const p2 = (await donor.post('/api/v1/pairings', { need_id: id, terms: 1 })).body.pairing;
  const e2 = await donor.post(`/api/v1/pairings/${p2.id}/end`, { reason: '家里有变故' });
  assert.equal(e2.status, 200);
  assert.ok(Number(sqlValue(`select count(*) from notifications n join users u on u.id = n.user_id
    where n.kind = 'pairing_ended' and u.org_id = ${school} and n.params->>'reason' = '家里有变故'`)) >= 1);
  // History is append-only, even for the owner.
  assert.throws(() => sql(`delete from pairing_events where pairing_id = ${p.id}`), /append-only/);
  assert.throws(() => sql(`update pairing_events set note = 'x' where pairing_id = ${p.id}`), /append-only/);
});

test('the pages: a pairing from a need\'s page, the card, the list', async () => {
  const { id } = scholarship(2);
  const a = demo('donor8@example.com');
  const web = new Browser();
  await web.login(a.login, a.password);
  const needPage = await web.get(`/needs/${id}`);
  assert.match(needPage.text, new RegExp(`href="/needs/${id}/pair"`));
  const form = await web.get(`/needs/${id}/pair`);
  assert.equal(form.status, 200);
  assert.match(form.text, /name="terms"/);
  const made = await web.post(`/needs/${id}/pair`, { terms: '2', first_due: day(15) });
  assert.equal(made.status, 303, made.text.slice(0, 300));
  const where = made.headers.get('location');
  assert.match(where, /^\/pairings\/\d+\?done=needs_pair$/);
  const card = await web.get(where);
  assert.equal(card.status, 200);
  assert.match(card.text, /小树/);
  assert.match(card.text, new RegExp(day(15)));
  assert.equal((await web.get('/pairings')).status, 200);
  const ended = await web.post(`${where.split('?')[0]}/end`, { reason: '测试结束' });
  assert.equal(ended.status, 303);
  assert.match((await web.get(where)).text, /测试结束/);
  assert.equal((await new Browser().get(where)).status, 303, 'the public signs in first');
  const staffPage = await fetch(BASE + where, { headers: { authorization: 'Bearer ' + staffW.token } });
  assert.equal(staffPage.status, 200);
  const nope = await fetch(BASE + where, { headers: { authorization: 'Bearer ' + staffP.token } });
  assert.equal(nope.status, 404);
});
