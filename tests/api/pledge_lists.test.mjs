// The lists of pledges that grow without end (issue 19: every list a
// person sees is paged, newest first; issue 14: the soak's donors and
// needs gathered thousands of pledges, and the pages that listed every one
// of them grew slower all hour).  A donor's pledges: 20 a page, of one
// status or all, with the count of each.  A need's public pledges: its
// page shows the newest ten and links to all of them, 50 a page.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, get as fetchPath, getJson, sendJson, assertApiError } from '../lib/env.mjs';
import { Api, Browser, freshEmail } from '../lib/session.mjs';

const PASSWORD = 'pledge-lists-password';
const MINE = 47;	// the donor's pledges: three pages of 20
const PUBLIC = 63;	// a need's public pledges: two pages of 50
let donor, donorId, login, need, quiet;

// Pledges as the platform would have written them, created a minute
// apart (i: minutes ago) so that newest first is a known order.
function pledges(needId, userId, n, status, anonymous = 'false') {
  sql(`insert into pledges (need_id, donor_id, quantity, status, anonymous,
        created_at, due_at, received_at, closed_at)
      select ${needId}, ${userId}, 1, ${status}, ${anonymous},
        now() - i * interval '1 minute', now() + interval '30 days',
        case when ${status} = 'received' then now() end,
        case when ${status} in ('cancelled', 'expired') then now() end
      from generate_series(1, ${n}) i`);
  sql(`select api.log_pledge_event('pledge_made', id) from pledges
      where need_id = ${needId} and donor_id = ${userId} order by id`, { quiet: true });
}

before(async () => {
  const email = freshEmail('lists');
  const r = await sendJson('POST', '/api/v1/register', { privacy_version: 1,
    display_name: '列表测试', email, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  donor = new Api(r.body.token);
  donorId = r.body.user.id;
  login = email;
  const school = sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
  [need, quiet] = [1, 2].map(() => sqlValue(`insert into needs (org_id, town_id, kind,
      category, title, unit, quantity, pledged, deadline, story, status, opened_at)
    select id, town_id, 'goods', 'books', '列表测试', '本', 100000, 0,
      current_date + 60, '', 'open', now() from orgs where id = ${school} returning id`));
  for (const n of [need, quiet]) sql(`select api.log_need_opened(${n})`);
  // The donor's: every status; i % 3 received, i % 7 cancelled.
  pledges(need, donorId, MINE, `case when i % 3 = 0 then 'received'
      when i % 7 = 0 then 'cancelled' else 'pledged' end`);
  // Others' on the same need, some anonymous, and cancelled ones that a
  // need's public list leaves out.
  const others = sql(`select id from users where email like 'donor_@example.com'
      order by id limit 2`).map(([id]) => id);
  pledges(need, others[0], PUBLIC - MINE + Math.floor(MINE / 7) - Math.floor(MINE / 21),
    `'pledged'`, 'true');
  pledges(need, others[1], 5, `'cancelled'`);
  sql(`update needs set pledged = (select coalesce(sum(quantity), 0) from pledges
      where need_id = ${need} and status in ('pledged', 'delivered', 'received', 'disputed')),
      received = (select coalesce(sum(quantity), 0) from pledges
      where need_id = ${need} and status = 'received') where id = ${need}`);
});

// A page without a session: its status and text.
const get = (path) => fetchPath(path).then(async (r) => ({ status: r.status, text: await r.text() }));

const mine = (where = '') => sql(`select id from pledges where donor_id = ${donorId} ${where}
    order by created_at desc, id desc`).map(([id]) => Number(id));
const publicOnes = () => sql(`select id, anonymous from pledges where need_id = ${need}
    and status in ('pledged', 'delivered', 'received', 'disputed')
    order by created_at desc, id desc`);

test("a donor's pledges: 20 a page, newest first, every one once", async () => {
  const all = mine();
  assert.equal(all.length, MINE);
  const seen = [];
  for (let page = 1; ; page++) {
    const r = await donor.get(`/api/v1/me/pledges?page=${page}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, MINE);
    assert.equal(r.body.all_total, MINE);
    assert.ok(r.body.pledges.length <= 20);
    seen.push(...r.body.pledges.map((p) => p.id));
    if (!r.body.pager.next) break;
    assert.equal(r.body.pager.next, page + 1);
  }
  assert.deepEqual(seen, all);
  assert.ok(Array.isArray((await donor.get('/api/v1/me/pledges')).body.notifications));
});

test("a donor's pledges of one status, with the count of each", async () => {
  const r = await donor.get('/api/v1/me/pledges?status=received');
  assert.equal(r.status, 200);
  const received = mine("and status = 'received'");
  assert.equal(r.body.total, received.length);
  assert.equal(r.body.all_total, MINE);
  assert.deepEqual(r.body.pledges.map((p) => p.id), received.slice(0, 20));
  assert.ok(r.body.pledges.every((p) => p.status === 'received'));
  const counts = Object.fromEntries(sql(`select status, count(*) from pledges
      where donor_id = ${donorId} group by status`).map(([s, n]) => [s, Number(n)]));
  for (const s of r.body.statuses) {
    assert.equal(s.count, counts[s.value] ?? 0, s.value);
    assert.equal(s.selected, s.value === 'received');
  }
  assertApiError(await donor.get('/api/v1/me/pledges?status=lost'), 400, 'unknown_value', 'status');
  assertApiError(await donor.get('/api/v1/me/pledges?page=0'), 400, undefined, 'page');
  // Past the last page: an empty page, not an error.
  const far = await donor.get('/api/v1/me/pledges?page=99');
  assert.equal(far.status, 200);
  assert.deepEqual(far.body.pledges, []);
});

test("the donor's page: the status chips, the pager keeping the filter", async () => {
  const b = new Browser();
  await b.login(login, PASSWORD);
  const first = await b.get('/me/pledges');
  assert.equal(first.status, 200);
  assert.equal((first.text.match(/href="\/me\/pledges\/\d+"/g) ?? []).length, 20);
  assert.match(first.text, /rel="next" href="\/me\/pledges\?page=2"/);
  assert.match(first.text, /href="\/me\/pledges\?status=received"/);
  const cancelled = await b.get('/me/pledges?status=cancelled&page=1');
  assert.equal(cancelled.status, 200);
  assert.match(cancelled.text, /class="chip on" href="\/me\/pledges\?status=cancelled" aria-current="page"/);
  const expired = await b.get('/me/pledges?status=expired');
  assert.match(expired.text, /没有这种状态的认捐/);
  assert.equal((await b.get('/me/pledges?status=lost')).status, 400);
});

test("a need's page shows its newest ten pledges and links to the rest", async () => {
  const all = publicOnes();
  assert.equal(all.length, PUBLIC);
  const r = await getJson(`/api/v1/needs/${need}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.pledges.length, 10);
  assert.equal(r.body.pledges_total, PUBLIC);
  assert.equal(r.body.pledges_more, true);
  // Newest first: the first is the newest public pledge, by its donor's
  // public name (爱心人士 for the anonymous).
  const newest = sql(`select api.donor_public_name(donor_id, anonymous, 'zh') from pledges
      where need_id = ${need} and status in ('pledged', 'delivered', 'received', 'disputed')
      order by created_at desc, id desc limit 10`).map(([n]) => n);
  assert.deepEqual(r.body.pledges.map((p) => p.donor), newest);
  const page = await get(`/needs/${need}`);
  assert.match(page.text, new RegExp(`href="/needs/${need}/pledges"`));
  const few = await getJson(`/api/v1/needs/${quiet}`);
  assert.equal(few.body.pledges_total, 0);
  assert.equal(few.body.pledges_more, false);
  assert.doesNotMatch((await get(`/needs/${quiet}`)).text, new RegExp(`/needs/${quiet}/pledges"`));
});

test("a need's public pledges: 50 a page, newest first, never the cancelled", async () => {
  const names = sql(`select api.donor_public_name(donor_id, anonymous, 'zh'), status
      from pledges where need_id = ${need}
      and status in ('pledged', 'delivered', 'received', 'disputed')
      order by created_at desc, id desc`).map(([n, s]) => `${n}/${s}`);
  const seen = [];
  for (let page = 1; ; page++) {
    const r = await getJson(`/api/v1/needs/${need}/pledges?page=${page}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, PUBLIC);
    assert.equal(r.body.need.id, Number(need));
    assert.ok(r.body.pledges.length <= 50);
    seen.push(...r.body.pledges.map((p) => `${p.donor}/${p.status}`));
    if (!r.body.pager.next) break;
  }
  assert.deepEqual(seen, names);
  assert.ok(!seen.some((x) => x.endsWith('/cancelled')));
  const html = await get(`/needs/${need}/pledges?page=2`);
  assert.equal(html.status, 200);
  assert.match(html.text, new RegExp(`rel="prev" href="/needs/${need}/pledges\\?page=1"`));
  assert.match(html.text, new RegExp(`href="/needs/${need}"`));
  assertApiError(await getJson(`/api/v1/needs/${need}/pledges?page=x`), 400, undefined, 'page');
  // Not a listed need: 404, as the need itself.
  const draft = sqlValue(`select id from needs where status = 'draft' order by id limit 1`);
  assertApiError(await getJson(`/api/v1/needs/${draft}/pledges`), 404, 'not_found');
  assert.equal((await get(`/needs/${draft}/pledges`)).status, 404);
  assert.equal((await get(`/needs/${need}/pledgesx`)).status, 404);
  // The path's other method is still a pledge; another one is 405.
  const del = await sendJson('DELETE', `/api/v1/needs/${need}/pledges`, {});
  assert.equal(del.status, 405);
  assert.match(del.headers.get('allow'), /GET/);
  assert.match(del.headers.get('allow'), /POST/);
  const other = await Api.as('donor5@example.com');
  const made = await other.post(`/api/v1/needs/${quiet}/pledges`, { quantity: 2 });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const listed = await getJson(`/api/v1/needs/${quiet}/pledges`);
  assert.equal(listed.body.total, 1);
  assert.equal(listed.body.pledges[0].quantity, 2);
});
