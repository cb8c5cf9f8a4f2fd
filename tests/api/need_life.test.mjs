// The life of a need through the API: draft → submitted → verified →
// notice (objections pause it) → open, and rejected / cancelled /
// expired; each step by the role it belongs to, refused to the others,
// recorded in need_events; bad input is a 4xx that writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, getJson, assertApiError, BASE, schoolOf } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

let school, town, otherTown, otherSchool, admin, donor, anon;
const ids = {};
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

before(async () => {
  ids.school = schoolOf('wangwu');
  ids.otherSchool = schoolOf('potou');
  ids.child = sqlValue(`select id from beneficiaries where org_id = ${ids.school}
      and archived_at is null order by id limit 1`);
  ids.otherChild = sqlValue(`select id from beneficiaries where org_id = ${ids.otherSchool}
      order by id limit 1`);
  school = await Api.as(`org${ids.school}@example.com`);
  otherSchool = await Api.as(`org${ids.otherSchool}@example.com`);
  town = await Api.as('wangwu@example.com');
  otherTown = await Api.as('potou@example.com');
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor4@example.com');
  anon = new Api('0'.repeat(64));
  sql(`update settings set value = '5' where key = 'notice_days'`);
  // Objections filed before from this address must not limit these.
  sql(`update objections set created_at = created_at - interval '2 hours'`);
});

after(() => {
  sql(`update settings set value = '5' where key = 'notice_days'`);
  // Objections from this test's address must not limit later tests.
  sql(`update objections set created_at = created_at - interval '2 hours'`);
});

const money = (over = {}) => ({ kind: 'money', category: 'medical', title: '住院医疗费（测试）',
  amount: '1234.5', deadline: inDays(40), urgency: 3, story: '第一行\n第二行',
  beneficiary_id: Number(ids.child), ...over });

const needCount = () => Number(sqlValue('select count(*) from needs'));
const eventCount = (id) => Number(sqlValue(`select count(*) from need_events where need_id = ${id}`));
const status = (id) => sqlValue(`select status from needs where id = ${id}`);

async function waitStatus(id, want, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (status(id) === want) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(status(id), want, `need ${id} reaches ${want}`);
}

test('a school posts a draft: yuan become fen, the child and town come along', async () => {
  const r = await school.post('/api/v1/branch/needs', money());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'draft');
  const id = r.body.id;
  const row = sql(`select quantity, unit, kind, org_id, beneficiary_id, town_id,
      created_by is not null from needs where id = ${id}`)[0];
  assert.deepEqual(row.slice(0, 5), ['123450', '元', 'money', ids.school, ids.child]);
  assert.equal(row[5], sqlValue(`select town_id from beneficiaries where id = ${ids.child}`));
  const ev = sql(`select action, actor_role, to_status from need_events where need_id = ${id}`);
  assert.deepEqual(ev, [['create', 'staff', 'draft']]);
  // Drafts are not public.
  assertApiError(await getJson(`/api/v1/needs/${id}`), 404, 'not_found');
  // Every kind: goods, scholarship (per term × terms), service.
  const g = await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'clothing',
    title: '棉衣（测试）', item: '棉衣', spec: '140码', unit: '件', quantity: 3, deadline: inDays(20) });
  assert.equal(g.status, 201, JSON.stringify(g.body));
  const s = await school.post('/api/v1/branch/needs', { kind: 'scholarship', category: 'tuition',
    title: '助学金（测试）', unit_amount: '1500', terms: 4, deadline: inDays(60),
    beneficiary_id: Number(ids.child) });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  assert.deepEqual(sql(`select quantity, unit_amount, unit from needs where id = ${s.body.id}`)[0],
    ['4', '150000', '学期']);
  const v = await school.post('/api/v1/branch/needs', { kind: 'service', category: 'tutoring',
    title: '数学辅导（测试）', item: '数学辅导', quantity: 5, deadline: inDays(30) });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal(sqlValue(`select unit from needs where id = ${v.body.id}`), '名额');
  ids.need = id;
  ids.goods = g.body.id;
});

test('bad input is a 400 naming the field, and nothing is written', async () => {
  const before = needCount();
  const cases = [
    [{ amount: '12.345' }, 'amount', 'bad_amount'],
    [{ amount: '0.5' }, 'amount', 'bad_amount'],
    [{ amount: '-5' }, 'amount', 'bad_amount'],
    [{ amount: undefined }, 'amount', 'required'],
    [{ kind: 'food' }, 'kind', 'unknown_value'],
    [{ kind: undefined }, 'kind', 'required'],
    [{ category: 'nothing' }, 'category', 'unknown_value'],
    [{ campaign: 'nope' }, 'campaign', 'unknown_value'],
    [{ deadline: '2020-01-01' }, 'deadline', 'deadline_past'],
    [{ deadline: inDays(900) }, 'deadline', 'deadline_far'],
    [{ deadline: '2027-02-30' }, 'deadline', 'bad_date'],
    [{ title: 'x'.repeat(81) }, 'title', 'too_long'],
    [{ urgency: 4 }, 'urgency', 'bad_number'],
    [{ beneficiary_id: Number(ids.otherChild) }, 'beneficiary_id', 'unknown_value'],
    [{ beneficiary_id: 999999999 }, 'beneficiary_id', 'unknown_value'],
    [{ town: 'nowhere', beneficiary_id: undefined }, 'town', 'unknown_value'],
    [{ story: 'x'.repeat(4001) }, 'story', 'too_long'],
    [{ extra: 1 }, 'extra', 'unknown_field'],
    [{ kind: 'goods', item: undefined, unit: '件', quantity: 2 }, 'item', 'required'],
    [{ kind: 'goods', item: '书', unit: '本', quantity: 0 }, 'quantity', 'bad_number'],
    [{ kind: 'scholarship', unit_amount: '100', terms: 13 }, 'terms', 'bad_number'],
    [{ kind: 'scholarship', unit_amount: undefined, terms: 2 }, 'unit_amount', 'required'],
  ];
  for (const [over, field, code] of cases) {
    const r = await school.post('/api/v1/branch/needs', money(over));
    assertApiError(r, 400, code, field);
  }
  const raw = await fetch(BASE + '/api/v1/branch/needs', { method: 'POST',
    headers: { authorization: 'Bearer ' + school.token, 'content-type': 'application/json' },
    body: '{"kind": "money", ' });
  assert.equal(raw.status, 400);
  assert.equal(needCount(), before);
});

test('only the need\'s own staff edit the draft; others are refused', async () => {
  const id = ids.need;
  const n = eventCount(id);
  const r = await school.post(`/api/v1/branch/needs/${id}`, money({ title: '住院医疗费' }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(sqlValue(`select title from needs where id = ${id}`), '住院医疗费');
  assert.equal(eventCount(id), n + 1);
  assertApiError(await town.post(`/api/v1/branch/needs/${id}`, money()), 403, 'forbidden');
  assertApiError(await otherSchool.post(`/api/v1/branch/needs/${id}`, money()), 404, 'not_found');
  assertApiError(await otherTown.post(`/api/v1/branch/needs/${id}`, money()), 404, 'not_found');
  assertApiError(await donor.post(`/api/v1/branch/needs/${id}`, money()), 403, 'forbidden');
  assertApiError(await anon.post(`/api/v1/branch/needs/${id}`, money()), 401, 'login_required');
  assert.equal(eventCount(id), n + 1);
});

test('submit → verify (branch above, with how) → notice, each refused to the others', async () => {
  const id = ids.need;
  // Submitting is the school's.
  assertApiError(await town.post(`/api/v1/branch/needs/${id}/submit`), 403, 'forbidden');
  assertApiError(await admin.post(`/api/v1/branch/needs/${id}/submit`), 403, 'forbidden');
  let r = await school.post(`/api/v1/branch/needs/${id}/submit`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'submitted');
  // No more edits, no second submit.
  assertApiError(await school.post(`/api/v1/branch/needs/${id}`, money()), 409, 'bad_state');
  assertApiError(await school.post(`/api/v1/branch/needs/${id}/submit`), 409, 'bad_state');
  // It is in the town's queue and the admins'.
  const q = await town.get('/api/v1/branch/needs?status=submitted');
  assert.ok(q.body.items.some((n) => n.id === id && n.can_verify));
  const a = await admin.get('/api/v1/admin/needs');
  assert.ok(a.body.to_verify.some((n) => n.id === id));
  assertApiError(await town.get('/api/v1/admin/needs'), 403, 'forbidden');
  // Verifying: not the school itself, not another town, not without a note.
  const n = eventCount(id);
  assertApiError(await school.post(`/api/v1/branch/needs/${id}/verify`, { note: '自己' }), 403, 'forbidden');
  assertApiError(await otherTown.post(`/api/v1/branch/needs/${id}/verify`, { note: '别处' }), 404, 'not_found');
  assertApiError(await donor.post(`/api/v1/branch/needs/${id}/verify`, { note: 'x' }), 403, 'forbidden');
  assertApiError(await town.post(`/api/v1/branch/needs/${id}/verify`, {}), 400, 'required', 'note');
  assertApiError(await town.post(`/api/v1/branch/needs/${id}/verify`, { note: '   ' }), 400, 'required', 'note');
  assertApiError(await town.post(`/api/v1/branch/needs/${id}/verify`, { note: 'x', oops: 1 }), 400, 'unknown_field');
  assert.equal(status(id), 'submitted');
  assert.equal(eventCount(id), n, 'a refused step records nothing');
  r = await town.post(`/api/v1/branch/needs/${id}/verify`, { note: '入户走访，核实无误' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'verified');
  assert.deepEqual(sql(`select verify_note, verified_by = (select id from users where email = 'wangwu@example.com')
      from needs where id = ${id}`)[0], ['入户走访，核实无误', 't']);
  // Publishing starts the notice of notice_days.
  assertApiError(await donor.post(`/api/v1/branch/needs/${id}/publish`), 403, 'forbidden');
  assertApiError(await anon.post(`/api/v1/branch/needs/${id}/publish`), 401, 'login_required');
  r = await school.post(`/api/v1/branch/needs/${id}/publish`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'notice');
  const days = Number(sqlValue(`select round(extract(epoch from notice_ends_at - now()) / 86400)
      from needs where id = ${id}`));
  assert.equal(days, 5);
  const ev = sql(`select action, actor_role, coalesce(from_status, ''), to_status, note
      from need_events where need_id = ${id} and from_status is distinct from to_status order by id`);
  assert.deepEqual(ev.map((e) => e.slice(0, 4)), [
    ['create', 'staff', '', 'draft'], ['submit', 'staff', 'draft', 'submitted'],
    ['verify', 'staff', 'submitted', 'verified'], ['publish', 'staff', 'verified', 'notice']]);
  assert.equal(ev[2][4], '入户走访，核实无误');
  assert.ok(Number(sqlValue(`select count(*) from audit_log where target_type = 'need'
      and target_id = ${id} and action = 'need_verify'`)) === 1);
});

test('during the notice the public sees the need (public part only) and may object', async () => {
  const id = ids.need;
  const r = await getJson(`/api/v1/needs/${id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.need.status, 'notice');
  assert.equal(r.body.notice.paused, false);
  assert.match(r.body.notice.ends_at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.ok(r.body.verified.by.includes('王屋镇'));
  assert.deepEqual(r.body.pledges, []);
  const list = await getJson('/api/v1/needs?status=notice&per_page=100');
  assert.ok(list.body.items.some((n) => n.id === id));
  // Objections: to a draft (not public) 404; bad input 400; JSON without
  // a session needs no token.
  assertApiError(await anon.post(`/api/v1/needs/${ids.goods}/objections`, { reason: '这不是真的需求' }), 404, 'not_found');
  assertApiError(await anon.post(`/api/v1/needs/${id}/objections`, { reason: '太短' }), 400, 'too_short', 'reason');
  assertApiError(await anon.post(`/api/v1/needs/${id}/objections`, {}), 400, 'required', 'reason');
  assertApiError(await anon.post(`/api/v1/needs/${id}/objections`, { reason: '这户人家条件很好', contact: 'x'.repeat(101) }),
    400, 'too_long', 'contact');
  const open = sqlValue(`select id from needs where status = 'open' order by id limit 1`);
  assertApiError(await anon.post(`/api/v1/needs/${open}/objections`, { reason: '这户人家条件很好' }), 409, 'not_in_notice');
  const o = await anon.post(`/api/v1/needs/${id}/objections`, { reason: '这户人家条件很好，不需要帮助。', contact: '13800000001' });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  ids.objection = o.body.id;
  // Its follow-up code: only its hash is kept, and it reads the state.
  assert.match(o.body.follow_code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  ids.follow = o.body.follow_code;
  assert.equal(sqlValue(`select follow_hash = sha256('${o.body.follow_code.replace(/-/g, '')}')
      from objections where id = ${o.body.id}`), 't');
  const f = await getJson(`/api/v1/objections/follow?code=${o.body.follow_code}`);
  assert.equal(f.status, 200, JSON.stringify(f.body));
  assert.deepEqual([f.body.objection.status, f.body.objection.open, f.body.objection.resolution,
    f.body.objection.need.id], ['open', true, null, Number(id)]);
  assert.ok(!JSON.stringify(f.body).includes('13800000001'), 'never the contact');
  assertApiError(await getJson('/api/v1/objections/follow'), 400, 'required', 'code');
  assertApiError(await getJson('/api/v1/objections/follow?code=AAAA-BBBB-CCCC'), 404,
    'objection_code_unknown', 'code');
  assertApiError(await getJson(`/api/v1/objections/follow?code=${'A'.repeat(41)}`), 400, 'too_long', 'code');
  // The contact is stored sealed; the need is paused.
  assert.equal(sqlValue(`select contact_sealed is not null and position('13800000001' in
      encode(contact_sealed, 'escape')) = 0 from objections where id = ${o.body.id}`), 't');
  assert.equal((await getJson(`/api/v1/needs/${id}`)).body.notice.paused, true);
  assert.equal(sqlValue(`select notice_paused_at is not null from needs where id = ${id}`), 't');
  // The school sees the reason but not who objected; the town sees both.
  const mine = await school.get(`/api/v1/branch/needs/${id}`);
  const theirs = await town.get(`/api/v1/branch/needs/${id}`);
  assert.equal(mine.body.objections[0].reason, '这户人家条件很好，不需要帮助。');
  assert.equal(mine.body.objections[0].contact, undefined);
  assert.equal(theirs.body.objections[0].contact, '13800000001');
  assert.ok(!JSON.stringify(mine.body).includes('13800000001'));
  assert.ok(!JSON.stringify(await getJson(`/api/v1/needs/${id}`)).includes('13800000001'));
});

test('a paused notice does not open; the branch dismisses, the clock goes on', async () => {
  const id = ids.need;
  sql(`update needs set notice_ends_at = now() - interval '1 minute' where id = ${id}`);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(status(id), 'notice', 'paused: not opened');
  const o = ids.objection;
  assertApiError(await school.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss', note: '我们说没问题' }), 403, 'forbidden');
  assertApiError(await otherTown.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss', note: 'x' }), 404, 'not_found');
  assertApiError(await donor.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss', note: 'x' }), 403, 'forbidden');
  assertApiError(await anon.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss', note: 'x' }), 401, 'login_required');
  assertApiError(await town.post(`/api/v1/objections/${o}/resolve`, { decision: 'maybe', note: 'x' }), 400, 'unknown_value', 'decision');
  assertApiError(await town.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss' }), 400, 'required', 'note');
  assertApiError(await town.post('/api/v1/objections/999999999/resolve', { decision: 'dismiss', note: 'x' }), 404, 'not_found');
  // Paused a while ago: the end moves on by as long.
  sql(`update needs set notice_paused_at = now() - interval '1 hour',
      notice_ends_at = now() + interval '2 days' where id = ${id}`);
  const r = await town.post(`/api/v1/objections/${o}/resolve`, { decision: 'dismiss', note: '再次入户核实，情况属实' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.need_status, 'notice');
  const left = Number(sqlValue(`select round(extract(epoch from notice_ends_at - now()) / 60)
      from needs where id = ${id}`));
  assert.ok(Math.abs(left - (48 * 60 + 60)) <= 1, `${left} minutes left`);
  assert.equal(sqlValue(`select notice_paused_at is null from needs where id = ${id}`), 't');
  assertApiError(await town.post(`/api/v1/objections/${o}/resolve`, { decision: 'uphold', note: 'x' }), 409, 'already_resolved');
  // The objector reads how it ended.
  const f = (await getJson(`/api/v1/objections/follow?code=${ids.follow}`)).body.objection;
  assert.deepEqual([f.status, f.open, f.resolution], ['dismissed', false, '再次入户核实，情况属实']);
  assert.match(f.resolved_on, /^\d{4}-\d\d-\d\d$/);
});

test('the job puts a need whose notice is over on the shelf', async () => {
  const id = ids.need;
  sql(`update needs set notice_ends_at = now() - interval '1 second' where id = ${id}`);
  await waitStatus(id, 'open');
  assert.deepEqual(sql(`select actor_role, action, actor_id is null from need_events
      where need_id = ${id} order by id desc limit 1`)[0], ['system', 'notice_ended', 't']);
  assert.equal(sqlValue(`select opened_at is not null from needs where id = ${id}`), 't');
  const r = await getJson(`/api/v1/needs/${id}`);
  assert.equal(r.body.need.status, 'open');
  assert.equal(r.body.notice, null);
  // Objections are closed now.
  assertApiError(await anon.post(`/api/v1/needs/${id}/objections`, { reason: '这户人家条件很好' }), 409, 'not_in_notice');
});

test('an upheld objection rejects the need; rejected goes back to draft', async () => {
  const g = ids.goods;
  await school.post(`/api/v1/branch/needs/${g}/submit`);
  const v = await town.post(`/api/v1/branch/needs/${g}/verify`, { note: '学校出具证明', publish: true });
  assert.equal(v.body.status, 'notice', 'verify with publish starts the notice');
  const o1 = await anon.post(`/api/v1/needs/${g}/objections`, { reason: '同一个孩子已经有人送过棉衣了' });
  const o2 = await anon.post(`/api/v1/needs/${g}/objections`, { reason: '我也觉得重复了，请核实' });
  assert.equal(o2.status, 201);
  const r = await admin.post(`/api/v1/objections/${o1.body.id}/resolve`, { decision: 'uphold', note: '确认重复，驳回' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.need_status, 'rejected');
  assert.equal(sqlValue(`select status from objections where id = ${o2.body.id}`), 'upheld');
  // Both objectors read it; the need, withdrawn, is named no more.
  for (const x of [o1, o2]) {
    const f = (await getJson(`/api/v1/objections/follow?code=${x.body.follow_code}`)).body.objection;
    assert.deepEqual([f.status, f.resolution, f.need], ['upheld', '确认重复，驳回', null]);
  }
  assert.equal(sqlValue(`select notice_paused_at is null from needs where id = ${g}`), 't');
  assertApiError(await getJson(`/api/v1/needs/${g}`), 404, 'not_found');
  assertApiError(await town.post(`/api/v1/branch/needs/${g}/redraft`), 403, 'forbidden');
  const d = await school.post(`/api/v1/branch/needs/${g}/redraft`);
  assert.equal(d.body.status, 'draft');
  assert.equal(sqlValue(`select verified_by is null from needs where id = ${g}`), 't');
});

test('reject with a reason; cancel with a reason, never with pledges', async () => {
  const r0 = await school.post('/api/v1/branch/needs', money({ title: '待驳回（测试）' }));
  const id = r0.body.id;
  await school.post(`/api/v1/branch/needs/${id}/submit`);
  assertApiError(await town.post(`/api/v1/branch/needs/${id}/reject`, {}), 400, 'required', 'note');
  const r = await town.post(`/api/v1/branch/needs/${id}/reject`, { note: '家庭情况与申报不符' });
  assert.equal(r.body.status, 'rejected');
  assert.equal(sqlValue(`select note from need_events where need_id = ${id} order by id desc limit 1`),
    '家庭情况与申报不符');
  assertApiError(await school.post(`/api/v1/branch/needs/${id}/cancel`, { note: 'x' }), 409, 'bad_state');
  await school.post(`/api/v1/branch/needs/${id}/redraft`);
  assertApiError(await school.post(`/api/v1/branch/needs/${id}/cancel`), 400, 'required', 'note');
  const c = await school.post(`/api/v1/branch/needs/${id}/cancel`, { note: '家长放弃' });
  assert.equal(c.body.status, 'cancelled');
  // A need with pledges cannot be cancelled.
  const pledged = sqlValue(`select id from needs where status = 'open' and pledged > 0
      and org_id = ${ids.school} order by id limit 1`)
    ?? sqlValue(`select id from needs where status = 'open' and pledged > 0 order by id limit 1`);
  assertApiError(await admin.post(`/api/v1/branch/needs/${pledged}/cancel`, { note: 'x' }), 409, 'need_has_pledges');
});

test('the creator never verifies; unknown steps are 404; nothing moves into pledges\' states', async () => {
  // A town branch posts for itself: the admin verifies, not the poster.
  const t = await town.post('/api/v1/branch/needs', { kind: 'service', category: 'trip',
    title: '城市一日游（测试）', item: '一日游', quantity: 10, deadline: inDays(30) });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  await town.post(`/api/v1/branch/needs/${t.body.id}/submit`);
  assertApiError(await town.post(`/api/v1/branch/needs/${t.body.id}/verify`, { note: 'x' }), 403, 'forbidden');
  const sameOrg = sql(`select count(*) from users where org_id = (select org_id from users
      where email = 'admin@example.com') and role = 'admin'`)[0][0];
  assert.ok(Number(sameOrg) >= 1);
  assert.equal((await admin.post(`/api/v1/branch/needs/${t.body.id}/verify`, { note: '团市委核实' })).status, 200);
  for (const step of ['open', 'fulfil', 'fulfilled', 'fully_pledged', 'expire', 'edit', 'resolve']) {
    assertApiError(await admin.post(`/api/v1/branch/needs/${t.body.id}/${step}`), 404, 'not_found');
  }
  for (const path of ['/api/v1/branch/needs/abc', '/api/v1/branch/needs/0', '/api/v1/branch/needs/999999999',
    '/api/v1/branch/needs/12345678901234567890']) {
    assertApiError(await admin.get(path), 404, 'not_found');
  }
  // The database refuses a move no step makes, whoever tries.
  const quiet = { quiet: true };
  assert.throws(() => sql(`update needs set status = 'fulfilled' where id = ${t.body.id}`, quiet),
    /may not go from verified to fulfilled/);
  assert.throws(() => sql(`update needs set status = 'open' where id = ${ids.goods}`, quiet),
    /may not go from draft to open/);
  // And the events cannot be rewritten.
  assert.throws(() => sql(`update need_events set note = 'x' where need_id = ${t.body.id}`, quiet),
    /append-only/);
  assert.throws(() => sql(`delete from need_events where need_id = ${t.body.id}`, quiet), /append-only/);
});

test('deadlines pass: the job expires needs not yet on the shelf or open', async () => {
  const r = await school.post('/api/v1/branch/needs', money({ title: '将过期（测试）' }));
  const id = r.body.id;
  await school.post(`/api/v1/branch/needs/${id}/submit`);
  // Submitting a need whose deadline passed is refused.
  const late = await school.post('/api/v1/branch/needs', money({ title: '迟交（测试）' }));
  sql(`update needs set deadline = current_date - 2 where id = ${late.body.id}`);
  assertApiError(await school.post(`/api/v1/branch/needs/${late.body.id}/submit`), 400, 'deadline_past', 'deadline');
  assert.equal(status(late.body.id), 'draft', 'drafts do not expire: they can be corrected');
  sql(`update needs set deadline = current_date - 1 where id = ${id}`);
  await waitStatus(id, 'expired');
  assert.equal(sqlValue(`select action from need_events where need_id = ${id} order by id desc limit 1`),
    'deadline_passed');
  assert.equal(status(late.body.id), 'draft');
});

test('settings: the length of the notice, admins only, 0 to 30 days', async () => {
  assertApiError(await town.post('/api/v1/settings', { notice_days: 3 }), 403, 'forbidden');
  assertApiError(await donor.get('/api/v1/settings'), 403, 'forbidden');
  assertApiError(await anon.get('/api/v1/settings'), 401, 'login_required');
  assertApiError(await admin.post('/api/v1/settings', { notice_days: 31 }), 400, 'bad_number', 'notice_days');
  assertApiError(await admin.post('/api/v1/settings', { notice_days: -1 }), 400, 'bad_number', 'notice_days');
  assertApiError(await admin.post('/api/v1/settings', {}), 400, 'required', 'notice_days');
  const r = await admin.post('/api/v1/settings', { notice_days: 7 });
  assert.equal(r.body.notice_days, 7);
  assert.equal((await admin.get('/api/v1/settings')).body.notice_days, 7);
  // A need published now gets seven days.
  const n = await school.post('/api/v1/branch/needs', money({ title: '七天公示（测试）' }));
  await school.post(`/api/v1/branch/needs/${n.body.id}/submit`);
  await town.post(`/api/v1/branch/needs/${n.body.id}/verify`, { note: '核实', publish: true });
  assert.equal(Number(sqlValue(`select round(extract(epoch from notice_ends_at - now()) / 86400)
      from needs where id = ${n.body.id}`)), 7);
  await admin.post('/api/v1/settings', { notice_days: 5 });
});

test('settings: pledge and pairing periods, checked together, written together', async () => {
  const get = async () => (await admin.get('/api/v1/settings')).body;
  const before = await get();
  assert.equal(before.pledge_due_days, 14);
  assert.equal(before.pairing_grace_days, 14);
  assert.equal(before.pairing_return_days, 30);
  assertApiError(await town.post('/api/v1/settings', { pairing_grace_days: 3 }), 403, 'forbidden');
  for (const [key, bad] of [['pledge_due_days', 0], ['pledge_due_days', 91],
    ['pairing_grace_days', -1], ['pairing_grace_days', 61], ['pairing_return_days', 0],
    ['pairing_return_days', 181]]) {
    // A bad value refuses the whole change: notice_days is not written either.
    assertApiError(await admin.post('/api/v1/settings', { notice_days: 9, [key]: bad }),
      400, 'bad_number', key);
    assert.deepEqual(await get(), before, `${key}=${bad} changed nothing`);
  }
  assertApiError(await admin.post('/api/v1/settings', { pairing_return_days: 2.5 }),
    400, 'bad_type', 'pairing_return_days');
  // Only the keys given change.
  const r = await admin.post('/api/v1/settings', { pairing_grace_days: 21, pledge_due_days: 30 });
  assert.equal(r.status, 200);
  assert.deepEqual(await get(), { ...before, pairing_grace_days: 21, pledge_due_days: 30 });
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'settings_change'
      and detail = '{"pledge_due_days": 30, "pairing_grace_days": 21}'`), '1');
  // A pledge made now is due in 30 days.
  const need = sqlValue(`select id from needs where status = 'open' and kind = 'goods'
      and quantity - pledged >= 1 order by id limit 1`);
  const p = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(Number(sqlValue(`select round(extract(epoch from due_at - now()) / 86400)
      from pledges where id = ${p.body.pledge.id}`)), 30);
  await donor.post(`/api/v1/pledges/${p.body.pledge.id}/cancel`);
  await admin.post('/api/v1/settings', { pairing_grace_days: 14, pledge_due_days: 14 });
  assert.deepEqual(await get(), before);
});

test('work lists: counts by state and one state\'s needs, in one\'s own subtree only', async () => {
  const mine = await school.get('/api/v1/branch/needs?status=open');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.every((n) => n.status === 'open'));
  const orgNames = new Set(mine.body.items.map((n) => n.org_name));
  assert.ok(orgNames.size <= 1);
  const counts = Object.fromEntries(mine.body.counts.map((c) => [c.status, c.n]));
  assert.equal(counts.open, Number(sqlValue(`select count(*) from needs where org_id = ${ids.school}
      and status = 'open'`)));
  const all = await admin.get('/api/v1/branch/needs?status=open');
  assert.equal(all.body.total, Number(sqlValue(`select count(*) from needs where status = 'open'`)));
  assertApiError(await school.get('/api/v1/branch/needs?status=bogus'), 400, 'unknown_value', 'status');
  assertApiError(await school.get('/api/v1/branch/needs?page=0'), 400, 'bad_number', 'page');
  assertApiError(await donor.get('/api/v1/branch/needs'), 403, 'forbidden');
  assertApiError(await anon.get('/api/v1/branch/needs'), 401, 'login_required');
});

test('too many objections from one address are refused for a while', async () => {
  const n = await school.post('/api/v1/branch/needs', money({ title: '限流（测试）' }));
  await school.post(`/api/v1/branch/needs/${n.body.id}/submit`);
  await town.post(`/api/v1/branch/needs/${n.body.id}/verify`, { note: '核实', publish: true });
  sql(`update objections set created_at = created_at - interval '2 hours'`);
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const r = await anon.post(`/api/v1/needs/${n.body.id}/objections`, { reason: `第${i}条异议：情况不实` });
    seen.push(r.status);
    if (r.status === 429) {
      assert.equal(r.body.error.code, 'too_many_objections');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    }
  }
  assert.deepEqual(seen, [201, 201, 201, 201, 201, 429]);
});
