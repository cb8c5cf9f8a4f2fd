// A school's pledges page at scale (issue 19): what waits on the school,
// most urgent first -- messages and disputes on top, then the pledges on
// their way, 50 a page, those the donor says were delivered first, then by
// the day they are due; filtered by status, kind and title; an action
// taken on page 3 goes back to page 3.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const N = 130;		// pledges on their way to one need of the school
let org, other, staff, need, goods;

before(async () => {
  [org, other] = sql(`select o.id from orgs o join users u on u.org_id = o.id
      where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
      order by o.id desc limit 2`).map(([id]) => id);	// not the first school, which other tests use
  staff = await Api.as(`org${org}@example.com`);
  const donor = sqlValue("select id from users where email = 'donor1@example.com'");
  // A money need and a goods need, pledged to by many; every tenth
  // delivered, due on days that do not follow the order of their ids.
  [need, goods] = ['money', 'goods'].map((kind) => sqlValue(`insert into needs (org_id, town_id,
      kind, category, title, unit, quantity, pledged, deadline, story, status, opened_at)
    select id, town_id, '${kind}', 'living', '分页测试${kind === 'money' ? '生活费' : '棉衣'}',
      '${kind === 'money' ? '元' : '件'}', 100000, ${N}, current_date + 60, '', 'open', now()
    from orgs where id = ${org} returning id`));
  for (const n of [need, goods])
    sql(`insert into pledges (need_id, donor_id, quantity, status, created_at, due_at,
        delivered_at, delivery_method, delivery_ref)
      select ${n}, ${donor}, 1, case when i % 10 = 0 then 'delivered' else 'pledged' end,
        now(), now() + ((i * 37) % 90) * interval '1 day',
        case when i % 10 = 0 then now() end,
        case when i % 10 = 0 then 'school' end, case when i % 10 = 0 then 'P' || i end
      from generate_series(1, ${N}) i`);
  // In the public log as the platform would have written them.
  for (const n of [need, goods]) {
    sql(`select api.log_need_opened(${n})`);
    sql(`select api.log_pledge_event('pledge_made', id) from pledges where need_id = ${n} order by id`);
    sql(`select api.log_pledge_event('pledge_delivered', id) from pledges
        where need_id = ${n} and status = 'delivered' order by id`);
  }
});

// The pledges on their way of the school, as the page must order them.
function expected(where = '') {
  return sql(`select p.id from pledges p join needs n on n.id = p.need_id
      where p.status in ('pledged', 'delivered') and n.org_id in
        (select api.org_subtree(${org})) ${where}
      order by p.status = 'delivered' desc, p.due_at, p.id`).map(([id]) => Number(id));
}

test('50 a page, delivered first, then by the day due; the counts of every list', async () => {
  const all = expected();
  assert.ok(all.length >= 2 * N);
  const seen = [];
  for (let page = 1; ; page++) {
    const r = await staff.get(`/api/v1/branch/pledges?page=${page}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.incoming_total, all.length);
    assert.ok(r.body.incoming.length <= 50);
    seen.push(...r.body.incoming.map((p) => p.id));
    if (!r.body.pager.next) break;
    assert.equal(r.body.pager.next, page + 1);
  }
  assert.deepEqual(seen, all);
  const first = (await staff.get('/api/v1/branch/pledges')).body;
  assert.equal(first.incoming[0].status, 'delivered');
  assert.equal(first.disputes_total, Number(sqlValue(`select count(*) from pledges p
      join needs n on n.id = p.need_id where p.status = 'disputed'
      and n.org_id in (select api.org_subtree(${org}))`)));
  assert.ok(first.disputes.length <= 50 && first.messages.length <= 50);
});

test('filters: status, kind, words of the title; each list starts again at page 1', async () => {
  const delivered = (await staff.get('/api/v1/branch/pledges?status=delivered')).body;
  assert.deepEqual(delivered.incoming.map((p) => p.id),
    expected("and p.status = 'delivered'").slice(0, 50));
  assert.ok(delivered.incoming.every((p) => p.status === 'delivered'));
  const money = (await staff.get('/api/v1/branch/pledges?kind=money&page=2')).body;
  assert.deepEqual(money.incoming.map((p) => p.id), expected("and n.kind = 'money'").slice(50, 100));
  assert.equal(money.pager.page, 2);
  const words = (await staff.get(`/api/v1/branch/pledges?q=${encodeURIComponent('分页测试棉')}`)).body;
  assert.equal(words.incoming_total, N);
  assert.ok(words.incoming.every((p) => p.need_id === Number(goods)));
  assert.equal(words.kinds.find((k) => k.value === 'goods').name, '物资');
  for (const q of ['status=received', 'kind=food', 'page=0', 'page=x', `q=${'字'.repeat(51)}`])
    assert.equal((await staff.get(`/api/v1/branch/pledges?${q}`)).status, 400, q);
});

test('only what the caller may see: another school, donors, the public', async () => {
  const them = await Api.as(`org${other}@example.com`);
  const r = (await them.get(`/api/v1/branch/pledges?q=${encodeURIComponent('分页测试')}`)).body;
  assert.equal(r.incoming_total, 0);
  assertApiError(await (await Api.as('donor1@example.com')).get('/api/v1/branch/pledges'), 403, 'forbidden');
  assertApiError(await new Api('0'.repeat(64)).get('/api/v1/branch/pledges'), 401, 'login_required');
});

test('the page: filters kept in the pager; one click on page 3 goes back to page 3', async () => {
  const b = new Browser();
  const a = demo(`org${org}@example.com`);
  await b.login(a.login, a.password);
  const p1 = await b.get('/branch/pledges?kind=goods');
  assert.equal(p1.status, 200);
  assert.match(p1.text, /<option value="goods" selected>/);
  assert.match(p1.text, /href="\/branch\/pledges\?kind=goods&amp;page=2#incoming"/);
  // Messages and disputes come before the long list.
  assert.ok(p1.text.indexOf('id="incoming"') > p1.text.lastIndexOf('/approve"'),
    'the list of pledges comes after the messages');
  const url = '/branch/pledges?kind=goods&page=3';
  const p3 = await b.get(url);
  const id = p3.text.match(/action="\/pledges\/(\d+)\/receive"/)[1];
  assert.deepEqual(Number(id), expected("and n.kind = 'goods'")[100]);
  const r = await b.post(`/pledges/${id}/receive`, {}, { referer: `http://127.0.0.1${url}` });
  assert.equal(r.status, 303, r.text.slice(0, 200));
  assert.equal(r.headers.get('location'), url + '&done=pledges_receive');
  assert.equal(sqlValue(`select status from pledges where id = ${id}`), 'received');
  // A page past the end: an empty list, not an error.
  const far = await b.get('/branch/pledges?page=999');
  assert.equal(far.status, 200);
  assert.match(far.text, /class="empty"/);
});
