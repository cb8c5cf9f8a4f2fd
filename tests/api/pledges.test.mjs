// Pledges: the hard cap under concurrency, idempotency, the way from a
// promise to a confirmed gift, and the public log of it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql, sqlValue, getJson, assertApiError, BASE } from '../lib/env.mjs';
import { Api, Browser, demo, demoAccounts } from '../lib/session.mjs';

let donor, donor2, staffOf, admin;

// A fresh open need of the school org, with quantity q (goods).
function newNeed(q, orgId, kind = 'goods') {
  const org = orgId ?? sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, unit_amount, deadline, story, status, opened_at)
    select id, town_id, '${kind}', 'books', '测试需求', '本', ${q},
      ${kind === 'scholarship' ? 100000 : 'null'}, current_date + 30, '', 'open', now()
    from orgs where id = ${org} returning id`);
  sql(`select api.log_need_opened(${id})`);
  return id;
}

before(async () => {
  donor = await Api.as('donor1@example.com');
  donor2 = await Api.as('donor2@example.com');
  admin = await Api.as('admin@example.com');
  staffOf = async (orgId) => {
    const a = demo(`org${orgId}@example.com`);
    return Api.login(a.login, a.password);
  };
});

// A demo school (with its demo staff account), the n-th by id.
const school = (n) => sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
    where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
    order by o.id offset ${n} limit 1`);

const need = (id) => sql(`select quantity, pledged, received, status from needs where id = ${id}`)[0]
  .map((v, i) => (i < 3 ? Number(v) : v));

test('a donor pledges part of a need; 409 says what remains', async () => {
  const id = newNeed(5);
  const r = await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 3, message: '加油！' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.pledge.receipt_code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  assert.equal(r.body.need.remaining, 2);
  assert.deepEqual(need(id), [5, 3, 0, 'open']);
  const tooMuch = await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 3 });
  assertApiError(tooMuch, 409, 'too_much', 'quantity');
  assert.equal(tooMuch.body.error.remaining, 2);
  assert.match(tooMuch.body.error.message, /还差 2 本。/);
  const rest = await donor2.post(`/api/v1/needs/${id}/pledges`, { quantity: 2 });
  assert.equal(rest.status, 201);
  assert.deepEqual(need(id), [5, 5, 0, 'fully_pledged']);
  assertApiError(await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 }), 409, 'not_open');
  // The public sees the pledges (the message is for the child's side only).
  const pub = await getJson(`/api/v1/needs/${id}`);
  assert.equal(pub.body.pledges.length, 2);
  assert.ok(!JSON.stringify(pub.body).includes('加油'));
  // The log has both pledges, with the donors' display names.
  const made = sql(`select fields->>'donor', (fields->>'quantity')::int from log_entries
      where need_id = ${id} and kind = 'pledge_made' order by position`);
  assert.deepEqual(made.map((r) => r[1]), ['3', '2']);
  assert.equal(made[0][0], demo('donor1@example.com').name);
});

// The stored public JSON of a need (sql/020_need_public.sql) is exactly
// what api.need_json writes afresh, after every pledge, cancel and
// receipt: they put the new numbers in place of the old
// (sql/032_need_public_numbers.sql), even when the title holds the
// same text.
test('the stored JSON of a need follows its pledges, cancels and receipts', async () => {
  const org = school(4);
  const id = newNeed(10, org);
  sql(`update needs set title = '书,"pledged":0,"received":0,"remaining":10,"pledged_pct":0,"received_pct":0,'
      where id = ${id}`);
  const fresh = () => sql(`select p.zh = api.need_json(n, t, o, c, cp, b, 'zh'),
        p.en = api.need_json(n, t, o, c, cp, b, 'en'), p.zh
      from need_public p join needs n on n.id = p.need_id
      join towns t on t.id = n.town_id join orgs o on o.id = n.org_id
      join categories c on c.slug = n.category
      left join campaigns cp on cp.id = n.campaign_id
      left join beneficiaries b on b.id = n.beneficiary_id where n.id = ${id}`)[0];
  const check = async (pledged, received, status) => {
    const [zh, en, text] = fresh();
    assert.deepEqual([zh, en], ['t', 't'], text);
    // A signed-in reader: past the microcache, the stored text itself.
    const item = (await donor.get(`/api/v1/needs/${id}`)).body.need;
    assert.equal(item.title, '书,"pledged":0,"received":0,"remaining":10,"pledged_pct":0,"received_pct":0,');
    assert.deepEqual([item.pledged, item.received, item.remaining, item.status],
      [pledged, received, 10 - pledged, status]);
  };
  await check(0, 0, 'open');
  const a = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 3 })).body.pledge;
  await check(3, 0, 'open');
  const b = (await donor2.post(`/api/v1/needs/${id}/pledges`, { quantity: 7 })).body.pledge;
  await check(10, 0, 'fully_pledged');
  assert.equal((await donor2.post(`/api/v1/pledges/${b.id}/cancel`)).status, 200);
  await check(3, 0, 'open');
  assert.equal((await donor.post(`/api/v1/pledges/${a.id}/deliver`, { method: 'school' })).status, 200);
  const staff = await staffOf(org);
  assert.equal((await staff.post(`/api/v1/pledges/${a.id}/receive`)).status, 200);
  await check(3, 3, 'open');
  // An ordinary title again: this one reads like code on the pages the
  // words test crawls (tests/api/words.test.mjs).
  sql(`update needs set title = '图书' where id = ${id}`);
});

test('bad pledges are refused: input, roles, hidden needs', async () => {
  const id = newNeed(5);
  for (const [body, code, field] of [
    [{ quantity: 0 }, 'bad_number', 'quantity'],
    [{ quantity: -2 }, 'bad_number', 'quantity'],
    [{ quantity: 'x' }, 'bad_number', 'quantity'],
    [{}, 'required', 'quantity'],
    [{ quantity: 1, message: 'x'.repeat(501) }, 'too_long', 'message'],
    [{ quantity: 1, colour: 'red' }, 'unknown_field', 'colour'],
    [{ amount: '1.234' }, 'bad_amount', 'amount'],
  ]) {
    assertApiError(await donor.post(`/api/v1/needs/${id}/pledges`, body), 400, code, field);
  }
  const staff = await staffOf(sqlValue(`select org_id from needs where id = ${id}`));
  assertApiError(await staff.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 }), 403, 'forbidden');
  assertApiError(await admin.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 }), 403, 'forbidden');
  const anon = await fetch(`${BASE}/api/v1/needs/${id}/pledges`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: '{"quantity":1}' });
  assert.equal(anon.status, 401);
  const draft = sqlValue(`select id from needs where status = 'draft' limit 1`);
  assertApiError(await donor.post(`/api/v1/needs/${draft}/pledges`, { quantity: 1 }), 404, 'not_found');
  assertApiError(await donor.post('/api/v1/needs/99999999/pledges', { quantity: 1 }), 404, 'not_found');
  assert.deepEqual(need(id), [5, 0, 0, 'open'], 'nothing was written');
});

test('Idempotency-Key: a replay returns the first answer, another body is a 422', async () => {
  const id = newNeed(10);
  const key = `k-${Date.now()}-a`;
  const post = (body) => fetch(`${BASE}/api/v1/needs/${id}/pledges`, { method: 'POST',
    headers: { authorization: 'Bearer ' + donor.token, 'content-type': 'application/json',
      'idempotency-key': key }, body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  const first = await post({ quantity: 2 });
  assert.equal(first.status, 201);
  const again = await post({ quantity: 2 });
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assertApiError(await post({ quantity: 3 }), 422, 'idempotency_mismatch');
  assert.equal(need(id)[1], 2);

  // 50 parallel replays of one fresh key: one pledge.
  const key2 = `k-${Date.now()}-b`;
  const res = await Promise.all(Array.from({ length: 50 }, () =>
    fetch(`${BASE}/api/v1/needs/${id}/pledges`, { method: 'POST',
      headers: { authorization: 'Bearer ' + donor.token, 'content-type': 'application/json',
        'idempotency-key': key2 }, body: '{"quantity":1}' })
      .then(async (r) => ({ status: r.status, body: await r.json() }))));
  assert.ok(res.every((r) => r.status === 201), res.map((r) => r.status).join());
  assert.equal(new Set(res.map((r) => r.body.pledge.id)).size, 1);
  assert.equal(need(id)[1], 3);
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${id}`), '2');

  // One syntax for a key, whether a header or a form's idem field
  // (form.c's form_key_ok; the fund's pay-outs use it too).
  const bad = (key) => fetch(`${BASE}/api/v1/needs/${id}/pledges`, { method: 'POST',
    headers: { authorization: 'Bearer ' + donor.token, 'content-type': 'application/json',
      'idempotency-key': key }, body: '{"quantity":1}' })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  assertApiError(await bad('no spaces allowed'), 400, 'bad_idempotency_key', 'Idempotency-Key');
  assertApiError(await bad('short'), 400, 'bad_idempotency_key', 'Idempotency-Key');
  assertApiError(await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1, idem: 'k/1/2/3/4' }),
    400, 'bad_idempotency_key', 'idem');
  assert.equal(need(id)[1], 3, 'nothing was pledged');
});

test('the cap holds under concurrency: 20 needs, 500 attempts each', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => newNeed(15 + i));
  const donors = [];
  for (const a of demoAccounts().filter((x) => x.role === 'donor')) {
    donors.push(await Api.login(a.login, a.password));
  }
  const jobs = [];
  for (const id of ids) {
    for (let k = 0; k < 500; k++) jobs.push([id, 1 + (k % 3)]);
  }
  const counts = {};
  let next = 0;
  async function worker(w) {
    while (next < jobs.length) {
      const [id, q] = jobs[next++];
      const r = await fetch(`${BASE}/api/v1/needs/${id}/pledges`, { method: 'POST',
        headers: { authorization: 'Bearer ' + donors[w % donors.length].token,
          'content-type': 'application/json' }, body: JSON.stringify({ quantity: q }) });
      await r.arrayBuffer();
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    }
  }
  const started = Date.now();
  await Promise.all(Array.from({ length: 64 }, (_, w) => worker(w)));
  const secs = (Date.now() - started) / 1000;
  console.log(`# concurrency: ${jobs.length} attempts in ${secs.toFixed(1)} s`,
    JSON.stringify(counts));
  assert.deepEqual(Object.keys(counts).sort(), ['201', '409']);
  for (const id of ids) {
    const [q, pledged, , status] = need(id);
    const sum = Number(sqlValue(`select sum(quantity) from pledges where need_id = ${id}
        and status = 'pledged'`));
    assert.equal(pledged, q, `need ${id} full`);
    assert.equal(sum, q, `need ${id}: pledges sum to the cap`);
    assert.equal(status, 'fully_pledged');
  }
  assert.equal(counts[201], Number(sqlValue(`select count(*) from pledges where need_id in (${ids})`)));
});

test('from a promise to a confirmed gift: deliver, receive by code, fulfilled', async () => {
  const org = school(5);
  const id = newNeed(3, org);
  const a = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 2, anonymous: true })).body.pledge;
  const b = (await donor2.post(`/api/v1/needs/${id}/pledges`, { quantity: 1 })).body.pledge;
  assertApiError(await donor.post(`/api/v1/pledges/${a.id}/deliver`, { method: 'post' }),
    400, 'ref_required', 'reference');
  assertApiError(await donor.post(`/api/v1/pledges/${a.id}/deliver`, { method: 'transfer',
    reference: 'X' }), 400, 'unknown_value', 'method');
  assertApiError(await donor2.post(`/api/v1/pledges/${a.id}/deliver`, { method: 'school' }),
    404, 'not_found');
  const d = await donor.post(`/api/v1/pledges/${a.id}/deliver`, { method: 'post',
    reference: 'SF1234567890' });
  assert.equal(d.status, 200);
  assertApiError(await donor.post(`/api/v1/pledges/${a.id}/cancel`), 409, 'bad_state');

  // Staff of another school cannot confirm it, even with the code.
  const other = await staffOf(school(6));
  assertApiError(await other.post('/api/v1/receipts', { code: a.receipt_code }), 404, 'not_found');
  assertApiError(await other.post(`/api/v1/pledges/${a.id}/receive`), 404, 'not_found');
  const staff = await staffOf(org);
  // Typed in lower case without the dash: still the code.
  const r = await staff.post('/api/v1/receipts', { code: a.receipt_code.replace('-', '').toLowerCase(),
    thank_you: '谢谢您送来的书！' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.need.status, 'fully_pledged');
  assert.deepEqual(need(id), [3, 3, 2, 'fully_pledged']);
  assertApiError(await staff.post('/api/v1/receipts', { code: a.receipt_code }), 409, 'bad_state');
  // The last one arrives: the need is fulfilled, by itself.
  const r2 = await staff.post(`/api/v1/pledges/${b.id}/receive`, { note: '当面交接' });
  assert.equal(r2.body.need.status, 'fulfilled');
  assert.deepEqual(need(id), [3, 3, 3, 'fulfilled']);
  const kinds = sql(`select kind from log_entries where need_id = ${id} order by position`).map((x) => x[0]);
  assert.deepEqual(kinds, ['need_opened', 'pledge_made', 'pledge_made', 'pledge_delivered',
    'pledge_received', 'pledge_received', 'need_fulfilled']);
  assert.equal(sqlValue(`select fields->>'donor' from log_entries where need_id = ${id}
      and kind = 'pledge_made' order by position limit 1`), '爱心人士');
  // The donor sees it, with the thank-you, and can print a certificate.
  const mine = (await donor.get('/api/v1/me/pledges')).body;
  const p = mine.pledges.find((x) => x.id === a.id);
  assert.equal(p.status, 'received');
  assert.equal(p.thank_you, '谢谢您送来的书！');
  assert.ok(mine.notifications.some((n) => n.kind === 'received'));
  // The same messages are on the profile, as JSON and on the /me page.
  const me = (await donor.get('/api/v1/me')).body;
  assert.deepEqual(me.notifications, mine.notifications);
  const web = new Browser();
  await web.login(demo('donor1@example.com').login, demo('donor1@example.com').password);
  const page = await web.get('/me');
  const subject = mine.notifications.find((n) => n.kind === 'received').subject;
  assert.ok(page.text.includes(subject), 'the /me page lists the message');
  const one = await donor.get(`/api/v1/pledges/${a.id}`);
  assert.deepEqual(one.body.events.map((e) => e.action), ['pledged', 'delivered', 'received']);
  assert.equal(one.body.log.length, 3);
  assertApiError(await donor2.get(`/api/v1/pledges/${a.id}`), 404, 'not_found');
});

test('cancel returns the quantity; disputes are resolved by staff', async () => {
  const org = school(2);
  const id = newNeed(4, org);
  const a = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 4 })).body.pledge;
  assert.equal(need(id)[3], 'fully_pledged');
  assert.equal((await donor.post(`/api/v1/pledges/${a.id}/cancel`)).status, 200);
  assert.deepEqual(need(id), [4, 0, 0, 'open']);
  assertApiError(await donor.post(`/api/v1/pledges/${a.id}/cancel`), 409, 'bad_state');

  const b = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 3 })).body.pledge;
  await donor.post(`/api/v1/pledges/${b.id}/deliver`, { method: 'school' });
  const staff = await staffOf(org);
  assertApiError(await staff.post(`/api/v1/pledges/${b.id}/dispute`, {}), 400, 'required', 'reason');
  assert.equal((await staff.post(`/api/v1/pledges/${b.id}/dispute`, { reason: '没有收到' })).status, 200);
  assert.equal(need(id)[1], 3, 'a disputed pledge still holds its quantity');
  assert.equal((await staff.post(`/api/v1/pledges/${b.id}/resolve`, { outcome: 'cancelled',
    note: '确认未送达' })).status, 200);
  assert.deepEqual(need(id), [4, 0, 0, 'open']);
  assert.ok((await donor.get('/api/v1/me/pledges')).body.notifications.some((n) => n.kind === 'disputed'));
});

test('overdue pledges expire and their quantity goes back; donors are told first', async () => {
  const id = newNeed(6);
  const a = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 6 })).body.pledge;
  const b = newNeed(2);
  const soon = (await donor2.post(`/api/v1/needs/${b}/pledges`, { quantity: 1 })).body.pledge;
  // One statement: a tick between two would expire the one before the
  // other comes due soon.
  sql(`update pledges set due_at = case id when ${a.id} then now() - interval '1 minute'
      else now() + interval '1 day' end where id in (${a.id}, ${soon.id})`);
  // The periodic job runs every second on each of the two test nodes;
  // one node's tick may expire the first while the other's still holds
  // the second: wait for both.
  let status, told;
  for (let i = 0; i < 50 && !(status === 'expired' && told === 't'); i++) {
    await new Promise((r) => setTimeout(r, 200));
    [[status, told]] = sql(`select (select status from pledges where id = ${a.id}),
        (select due_notice_at is not null from pledges where id = ${soon.id})`);
  }
  assert.equal(status, 'expired');
  assert.equal(told, 't');
  assert.deepEqual(need(id), [6, 0, 0, 'open']);
  assert.ok((await donor.get('/api/v1/me/pledges')).body.notifications.some((n) => n.kind === 'expired'));
  assert.ok((await donor2.get('/api/v1/me/pledges')).body.notifications.some((n) => n.kind === 'due_soon'));
  assert.equal(sqlValue(`select count(*) from log_entries where kind = 'pledge_expired'
      and (fields->>'pledge')::bigint = ${a.id}`), '1');
});

test('messages to the child wait for staff; photos lose their metadata', async () => {
  const org = school(3);
  const id = newNeed(2, org);
  const a = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1,
    message: '好好学习' })).body.pledge;
  const staff = await staffOf(org);
  const queue = (await staff.get('/api/v1/branch/pledges')).body;
  assert.ok(queue.messages.some((p) => p.id === a.id));
  assert.ok(queue.incoming.some((p) => p.id === a.id));
  assertApiError(await donor.post(`/api/v1/pledges/${a.id}/approve`), 403, 'forbidden');
  assert.equal((await staff.post(`/api/v1/pledges/${a.id}/approve`)).status, 200);
  assertApiError(await staff.post(`/api/v1/pledges/${a.id}/approve`), 409, 'bad_state');

  // A PNG with a text chunk naming a place (tests/fixtures/photos):
  // stored without it.  (A hand-made one with zero CRCs was taken until
  // libvips decoded the photos: a corrupt file is refused now.)
  const png = readFileSync(`${process.env.SHOP_ROOT}/tests/fixtures/photos/text.png`);
  const form = new FormData();
  form.append('photo', new Blob([png], { type: 'image/png' }), 'x.png');
  const up = await fetch(`${BASE}/api/v1/pledges/${a.id}/photos`, { method: 'POST',
    headers: { authorization: 'Bearer ' + staff.token }, body: form });
  assert.equal(up.status, 200, await up.clone().text());
  const photo = (await up.json()).id;
  const got = await fetch(`${BASE}/pledges/${a.id}/photos/${photo}`,
    { headers: { authorization: 'Bearer ' + donor.token } });
  assert.equal(got.status, 200);
  // Written again as a JPEG (src/lib/photo.c; tests/api/photos.test.mjs).
  assert.equal(got.headers.get('content-type'), 'image/jpeg');
  const bytes = Buffer.from(await got.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.ok(!bytes.includes(Buffer.from('tEXt')), 'metadata stripped');
  assert.ok(!bytes.includes(Buffer.from('35.1N')), 'no position');
  // Only the donor and the need's staff see it.
  assert.equal((await fetch(`${BASE}/pledges/${a.id}/photos/${photo}`,
    { headers: { authorization: 'Bearer ' + donor2.token } })).status, 404);
  assert.equal((await fetch(`${BASE}/pledges/${a.id}/photos/${photo}`,
    { redirect: 'manual' })).status, 303);
  const bad = new FormData();
  bad.append('photo', new Blob([Buffer.from('GIF89a-not-allowed')], { type: 'image/gif' }), 'x.gif');
  const r = await fetch(`${BASE}/api/v1/pledges/${a.id}/photos`, { method: 'POST',
    headers: { authorization: 'Bearer ' + staff.token }, body: bad });
  assertApiError({ status: r.status, body: await r.json() }, 415, 'unsupported_image', 'photo');
});

test('pages: my pledges, the pledge with its QR code, certificate, statement and CSV', async () => {
  const b = new Browser();
  const d = demo('donor3@example.com');
  await b.login(d.login, d.password);
  const org = school(4);
  const id = newNeed(3, org);
  const page = await b.get(`/needs/${id}`);
  assert.match(page.text, /name="idem" value="[0-9a-f]{32}"/);
  const key = page.text.match(/name="idem" value="([0-9a-f]{32})"/)[1];
  const r = await b.post(`/needs/${id}/pledge`, { quantity: '2', idem: key });
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/me\/pledges\/\d+\?done=needs_pledge$/);
  // A double click (the same form posted again) makes one pledge.
  const again = await b.post(`/needs/${id}/pledge`, { quantity: '2', idem: key });
  assert.equal(again.headers.get('location'), r.headers.get('location'));
  assert.equal(need(id)[1], 2);
  const pid = r.headers.get('location').match(/(\d+)\?/)[1];
  const pp = await b.get(`/me/pledges/${pid}`);
  assert.equal(pp.status, 200);
  assert.match(pp.text, /<svg class="qr"/);
  // Its entries in the public log, in words, each linked to its page.
  const made = sqlValue(`select position from log_entries where kind = 'pledge_made'
      and (fields ->> 'pledge')::bigint = ${pid}`);
  assert.ok(pp.text.includes(`<a href="/transparency/entries/${made}">认捐 · #${made}</a>`));
  assert.doesNotMatch(pp.text.replace(/<[^>]*>/g, ' '), /pledge_made/);
  assert.equal((await b.get(`/me/pledges/${pid}/certificate`)).status, 404, 'not received yet');
  const staff = await staffOf(org);
  await staff.post(`/api/v1/pledges/${pid}/receive`, { thank_you: '收到了，谢谢！' });
  const cert = await b.get(`/me/pledges/${pid}/certificate`);
  assert.equal(cert.status, 200);
  assert.match(cert.text, /捐赠证书/);
  const list = await b.get('/me/pledges');
  assert.match(list.text, /收到了，谢谢！/);
  const year = new Date().getFullYear();
  const st = await b.get(`/me/statement?year=${year}`);
  assert.equal(st.status, 200);
  assert.match(st.text, /测试需求/);
  const csv = await fetch(`${BASE}/me/statement.csv?year=${year}`, { headers: { cookie: b.cookieHeader() } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const raw = Buffer.from(await csv.arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for Excel');
  const text = raw.toString('utf8');
  assert.ok(text.startsWith('\ufeff"日期","需求"'));
  assert.match(text, /"测试需求"/);
  // Another donor sees none of it.
  const other = new Browser();
  const o = demo('donor4@example.com');
  await other.login(o.login, o.password);
  assert.equal((await other.get(`/me/pledges/${pid}`)).status, 404);
  assert.equal((await other.get(`/me/pledges/${pid}/certificate`)).status, 404);
});

test('large money needs: no arithmetic overflows anywhere they are shown', async () => {
  const id = newNeed(2000000000, undefined, 'goods');
  sql(`update needs set kind = 'money', unit = '元', category = 'living' where id = ${id}`);
  assert.equal((await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1500000000 })).status, 201);
  const tooMuch = await donor2.post(`/api/v1/needs/${id}/pledges`, { quantity: 1500000000 });
  assertApiError(tooMuch, 409, 'too_much', 'quantity');
  assert.equal(tooMuch.body.error.remaining, 500000000);
  // The message says it in yuan, not in fen.
  assert.match(tooMuch.body.error.message, /还差 ¥5,000,000。/);
  const one = await getJson(`/api/v1/needs/${id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.need.pledged_pct, 75);
  for (const path of ['/api/v1/needs?kind=money&per_page=100&sort=newest', '/api/v1/home',
    `/needs/${id}`, '/needs?kind=money&sort=newest', '/']) {
    assert.equal((await fetch(BASE + path)).status, 200, path);
  }
});
