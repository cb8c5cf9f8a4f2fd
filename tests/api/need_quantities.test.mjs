// A need's status agrees with its quantities (issue 14, found item 6;
// sql/025_need_status_quantities.sql): an open need has something left,
// a fully pledged one nothing, a fulfilled one all of it received.  The
// API says so for every public need, the pledge functions keep it, and
// the database refuses a row that does not, even from its owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, sql, sqlValue } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

const quiet = { quiet: true };

// Every public need, page by page.
async function allPublic() {
  const out = [];
  for (const status of ['open', 'fully_pledged', 'fulfilled']) {
    for (let page = 1; ; page++) {
      const r = await getJson(`/api/v1/needs?status=${status}&per_page=100&page=${page}`);
      assert.equal(r.status, 200);
      out.push(...r.body.items);
      if (page * 100 >= r.body.total) break;
    }
  }
  return out;
}

test('every public need: can_pledge exactly when something is left', async () => {
  const needs = await allPublic();
  assert.ok(needs.length > 40, `${needs.length} needs`);
  const wrong = [];
  for (const n of needs) {
    const d = await getJson(`/api/v1/needs/${n.id}`);
    assert.equal(d.status, 200);
    const left = n.quantity - n.pledged;
    const agrees = d.body.can_pledge === left > 0 &&
      (n.status !== 'fully_pledged' || left === 0) &&
      (n.status !== 'fulfilled' || n.received === n.quantity);
    if (!agrees) wrong.push(`${n.id} ${n.status} ${n.pledged}/${n.quantity} ` +
      `received ${n.received} can_pledge ${d.body.can_pledge}`);
  }
  assert.deepEqual(wrong, []);
  // In the database too, the needs no list shows included.
  assert.equal(sqlValue(`select count(*) from needs where
      (status = 'open' and pledged >= quantity)
      or (status = 'fully_pledged' and pledged <> quantity)
      or (status = 'fulfilled' and received <> quantity)
      or (status in ('draft', 'submitted', 'verified', 'notice', 'rejected')
          and pledged + received > 0)`), '0');
});

test('the last unit pledged closes the need, a cancel opens it again', async () => {
  const donor = await Api.as('donor1@example.com');
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title,
      unit, quantity, deadline, story, status, opened_at)
    select id, town_id, 'goods', 'books', '数量一致测试', '本', 2, current_date + 30,
      '', 'open', now() from orgs where kind = 'school' order by id limit 1
    returning id`);
  sql(`select api.log_need_opened(${id})`);
  const one = await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 });
  assert.equal(one.status, 201, JSON.stringify(one.body));
  assert.equal((await getJson(`/api/v1/needs/${id}`)).body.can_pledge, true);
  const two = await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 });
  assert.equal(two.status, 201, JSON.stringify(two.body));
  assert.equal(two.body.need.status, 'fully_pledged');
  assert.equal(two.body.need.remaining, 0);
  const d = await getJson(`/api/v1/needs/${id}`);
  assert.equal(d.body.can_pledge, false);
  assert.equal(d.body.need.status, 'fully_pledged');
  const c = await donor.post(`/api/v1/pledges/${two.body.pledge.id}/cancel`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.deepEqual(sql(`select status, pledged from needs where id = ${id}`)[0],
    ['open', '1']);
  assert.equal((await getJson(`/api/v1/needs/${id}`)).body.can_pledge, true);
});

test('the owner role cannot write a need whose status disagrees', () => {
  const open = sqlValue(`select id from needs where status = 'open' and pledged = 0
      order by id limit 1`);
  const full = sqlValue(`select id from needs where status = 'fully_pledged'
      order by id limit 1`);
  const draft = sqlValue(`select id from needs where status = 'draft' order by id limit 1`);
  for (const bad of [
    `update needs set pledged = quantity where id = ${open}`,
    `update needs set status = 'fully_pledged' where id = ${open}`,
    `update needs set status = 'fulfilled' where id = ${full}`,
    `update needs set pledged = pledged - 1 where id = ${full}`,
    `update needs set pledged = 1 where id = ${draft}`,
  ]) {
    assert.throws(() => sql(bad, quiet), /needs_status_quantities/, bad);
  }
  // What agrees still goes.
  sql(`begin; update needs set pledged = quantity, status = 'fully_pledged'
      where id = ${open}; rollback`);
});
