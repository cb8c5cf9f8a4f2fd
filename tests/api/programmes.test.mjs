// Programme records (issue 7): green loans, trainings and events, young
// leaders, youths out of poverty.  Right roles, refusals, bad input, and
// nothing half-written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, assertApiError, schoolOf } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';
import { TODAY } from '../lib/quarters.mjs';

let town, other, school, admin, donor;
const id = {};

// A registered youth of town `slug`'s subtree with no exit from poverty
// recorded or verified, skipping `skip` of them.
function youthOf(slug, skip = 0) {
  return Number(sqlValue(`select b.id from beneficiaries b
      join towns t on t.id = b.town_id
     where t.slug = '${slug}' and not exists (select 1 from poverty_exits e
       where e.beneficiary_id = b.id and e.status <> 'rejected')
     order by b.id offset ${skip} limit 1`));
}

// The same, registered by organisation `org` itself.
function youthIn(org, skip = 0) {
  return Number(sqlValue(`select b.id from beneficiaries b
     where b.org_id = ${org} and not exists (select 1 from poverty_exits e
       where e.beneficiary_id = b.id and e.status <> 'rejected')
     order by b.id offset ${skip} limit 1`));
}

const count = (table, where = 'true') => Number(sqlValue(`select count(*) from ${table} where ${where}`));

before(async () => {
  id.wangwuSchool = schoolOf('wangwu');
  id.wangwuTown = sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'town' and t.slug = 'wangwu'`);
  town = await Api.as('wangwu@example.com');
  other = await Api.as('potou@example.com');
  school = await Api.as(`org${id.wangwuSchool}@example.com`);
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor4@example.com');
  // A youth registered by the school (so inside both its and the town
  // branch's scope) and one of another town.
  id.schoolYouth = youthIn(id.wangwuSchool);
  id.potouYouth = youthOf('potou');
});

test('loans: staff record one for a youth in scope; audited; others are refused', async () => {
  const body = { beneficiary_id: id.schoolYouth, bank: '济源农商银行',
    amount_yuan: '30000.50', term_months: 12, purpose: '香菇大棚', applied_on: '2026-11-02' };
  const r = await town.post('/api/v1/loans', body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'applied');
  const loan = r.body.id;
  assert.deepEqual(sql(`select org_id, amount, beneficiary_id, status from loans where id = ${loan}`)[0],
    [id.wangwuTown, '3000050', String(id.schoolYouth), 'applied']);
  assert.equal(count('audit_log', `action = 'loan_create' and target_id = ${loan}`), 1);

  const got = await town.get(`/api/v1/loans/${loan}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.loan.amount, 3000050);
  assert.match(got.body.loan.youth.label, new RegExp(`#${id.schoolYouth}$`));
  // The school below the town branch sees its own subtree, not the town's.
  assertApiError(await school.get(`/api/v1/loans/${loan}`), 404, 'not_found');
  assertApiError(await other.get(`/api/v1/loans/${loan}`), 404, 'not_found');
  assertApiError(await donor.get(`/api/v1/loans/${loan}`), 403, 'forbidden');
  assertApiError(await new Api('0'.repeat(64)).get(`/api/v1/loans/${loan}`), 401, 'login_required');
  assertApiError(await other.post(`/api/v1/loans/${loan}/status`, { action: 'approve' }), 404);
  assert.equal(sqlValue(`select status from loans where id = ${loan}`), 'applied');

  // Lists show one's own scope only.
  const mine = (await town.get('/api/v1/loans?status=applied')).body.items;
  assert.ok(mine.some((l) => l.id === loan));
  assert.ok(mine.every((l) => l.status === 'applied'));
  const theirs = (await other.get('/api/v1/loans')).body.items;
  assert.ok(!theirs.some((l) => l.id === loan));
});

test('loans: bad input is a 400 naming the field, and nothing is written', async () => {
  const ok = { beneficiary_id: id.schoolYouth, bank: '邮储银行', amount: 2000000,
    term_months: 24, purpose: '开网店' };
  const before = count('loans');
  const cases = [
    [{ ...ok, bank: undefined }, 'required', 'bank'],
    [{ ...ok, amount: undefined }, 'required', 'amount'],
    [{ ...ok, amount: 9999 }, 'bad_amount', 'amount'],
    [{ ...ok, amount: undefined, amount_yuan: '12,00' }, 'bad_amount', 'amount'],
    [{ ...ok, amount: undefined, amount_yuan: '1.234' }, 'bad_amount', 'amount'],
    [{ ...ok, amount: undefined, amount_yuan: '600000' }, 'bad_amount', 'amount'],
    [{ ...ok, amount: 50000001 }, 'bad_number', 'amount'],
    [{ ...ok, term_months: 0 }, 'bad_number', 'term_months'],
    [{ ...ok, beneficiary_id: id.potouYouth }, 'unknown_youth', 'beneficiary_id'],
    [{ ...ok, beneficiary_id: 99999999 }, 'unknown_youth', 'beneficiary_id'],
    [{ ...ok, applied_on: '2026-02-30' }, 'bad_date', 'applied_on'],
    [{ ...ok, applied_on: '2099-01-01' }, 'future_date', 'applied_on'],
    [{ ...ok, org_id: 999999 }, 'unknown_value', 'org_id'],
    [{ ...ok, name: '张三' }, 'unknown_field', 'name'],
    [{ ...ok, purpose: 'x'.repeat(201) }, 'too_long', 'purpose'],
  ];
  for (const [body, code, field] of cases) {
    assertApiError(await town.post('/api/v1/loans', body), 400, code, field);
  }
  // Another branch's organisation: refused.
  const potouTown = sqlValue("select id from orgs where kind = 'town' and town_id = 1");
  assertApiError(await town.post('/api/v1/loans', { ...ok, org_id: Number(potouTown) }), 403, 'forbidden');
  assert.equal(count('loans'), before);
  // Yuan are read as everywhere else on the site (money.c): ¥ and groups
  // of three are fine.
  const r = await town.post('/api/v1/loans', { ...ok, amount: undefined, amount_yuan: '¥12,000.5' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(sqlValue(`select amount from loans where id = ${r.body.id}`), '1200050');
});

test('loans: applied → approved → disbursed (a schedule) → repaying → repaid', async () => {
  const { body: { id: loan } } = await town.post('/api/v1/loans', { beneficiary_id: id.schoolYouth,
    bank: '农业银行', amount: 1000000, term_months: 3, purpose: '养殖', applied_on: '2026-10-01' });
  const act = (action, on) => town.post(`/api/v1/loans/${loan}/status`, { action, on });
  assertApiError(await act('disburse'), 409, 'bad_state');
  assertApiError(await act('approve', '2026-09-01'), 400, 'bad_date', 'on');
  assert.equal((await act('approve', '2026-10-05')).body.status, 'approved');
  assertApiError(await town.post(`/api/v1/loans/${loan}/payments`, { amount: 100 }), 409, 'bad_state');
  assert.equal((await act('disburse', '2026-10-10')).body.status, 'disbursed');
  // Three monthly instalments of the principal, the rest in the last.
  assert.deepEqual(sql(`select seq, due_on, amount from loan_installments where loan_id = ${loan} order by seq`),
    [['1', '2026-11-10', '333333'], ['2', '2026-12-10', '333333'], ['3', '2027-01-10', '333334']]);
  // Over what is outstanding: refused, nothing paid.
  assertApiError(await town.post(`/api/v1/loans/${loan}/payments`, { amount: 1000001 }), 400, 'overpaid', 'amount');
  assertApiError(await town.post(`/api/v1/loans/${loan}/payments`, { amount: 100, paid_on: '2026-10-09' }),
    400, 'bad_date', 'paid_on');
  assert.equal(count('loan_payments', `loan_id = ${loan}`), 0);
  let r = await town.post(`/api/v1/loans/${loan}/payments`, { amount_yuan: '3333.33', paid_on: '2026-11-10' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.status, r.body.outstanding], ['repaying', 666667]);
  const page = (await town.get(`/api/v1/loans/${loan}`)).body;
  assert.deepEqual(page.schedule.map((s) => s.state), ['paid',
    ...['2026-12-10', '2027-01-10'].map((d) => (d < TODAY ? 'overdue' : 'due'))]);
  r = await town.post(`/api/v1/loans/${loan}/payments`, { amount: 666667, paid_on: '2026-11-20' });
  assert.deepEqual([r.body.status, r.body.outstanding], ['repaid', 0]);
  assert.deepEqual(sql(`select status, closed_on from loans where id = ${loan}`)[0], ['repaid', '2026-11-20']);
  assertApiError(await act('default'), 409, 'bad_state');
  assertApiError(await town.post(`/api/v1/loans/${loan}/payments`, { amount: 1 }), 409, 'bad_state');
  // The database refuses an overpayment whatever calls it.
  assert.throws(() => sql(`insert into loan_payments (loan_id, paid_on, amount, created_by)
      select ${loan}, '2026-11-21', 1, created_by from loans where id = ${loan}`), /beyond its amount/);
  assert.ok(count('audit_log', `target_type = 'loan' and target_id = ${loan}`) >= 5);
});

test('trainings: with registered attendees, all or nothing', async () => {
  const y2 = Number(sqlValue(`select id from beneficiaries where org_id = ${id.wangwuSchool} order by id offset 1 limit 1`));
  const ok = { kind: 'ecommerce', title: '直播带货培训', held_on: '2026-11-05', organiser: '王屋镇团委',
    place: '镇青年之家', attendance: 2 };
  const before = count('trainings');
  const beforeAtt = count('training_attendees');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, attendees: `${id.schoolYouth}, ${id.potouYouth}` }),
    400, 'unknown_youth', 'attendees');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, attendance: 1, attendees: `${id.schoolYouth},${y2}` }),
    400, 'too_many_attendees', 'attendees');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, attendees: '12;13' }), 400, 'bad_list', 'attendees');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, kind: 'party' }), 400, 'unknown_value', 'kind');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, held_on: undefined }), 400, 'required', 'held_on');
  assertApiError(await town.post('/api/v1/trainings', { ...ok, attendance: -1 }), 400, 'bad_number', 'attendance');
  assertApiError(await donor.post('/api/v1/trainings', ok), 403, 'forbidden');
  assert.equal(count('trainings'), before, 'no training half-written');
  assert.equal(count('training_attendees'), beforeAtt);

  const r = await town.post('/api/v1/trainings', { ...ok, attendees: `${id.schoolYouth} ${y2}` });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const t = r.body.id;
  const got = (await town.get(`/api/v1/trainings/${t}`)).body;
  assert.equal(got.training.registered, 2);
  assert.deepEqual(got.attendees.map((a) => a.id).sort(), [id.schoolYouth, y2].sort());
  assertApiError(await town.post(`/api/v1/trainings/${t}`, { attendance: 1 }), 400, 'too_many_attendees', 'attendance');
  assert.equal(sqlValue(`select attendance from trainings where id = ${t}`), '2');
  assert.equal((await town.post(`/api/v1/trainings/${t}/attendees`, { remove: y2 })).body.registered, 1);
  assert.equal((await town.post(`/api/v1/trainings/${t}`, { attendance: 30, place: '村党群服务中心' })).status, 200);
  assert.deepEqual(sql(`select attendance, place, title from trainings where id = ${t}`)[0],
    ['30', '村党群服务中心', '直播带货培训']);
  assertApiError(await town.post(`/api/v1/trainings/${t}/attendees`, { add: String(id.potouYouth) }),
    400, 'unknown_youth', 'add');
  assertApiError(await other.get(`/api/v1/trainings/${t}`), 404);
  assertApiError(await other.post(`/api/v1/trainings/${t}`, { attendance: 99 }), 404);
  assert.equal(sqlValue(`select attendance from trainings where id = ${t}`), '30');
  // The list filters by kind.
  const list = (await town.get('/api/v1/trainings?kind=ecommerce')).body;
  assert.ok(list.items.length > 0 && list.items.every((x) => x.kind === 'ecommerce'));
  assertApiError(await town.get('/api/v1/trainings?kind=party'), 400, 'unknown_value', 'kind');
});

test('leaders: at least one kind; the youths they help, once each', async () => {
  const before = count('leaders');
  const ok = { name: '赵建军', business: '冬凌草电商网店', since: '2026-06-01', town: 'wangwu' };
  assertApiError(await town.post('/api/v1/leaders', ok), 400, 'kind_required', 'young');
  assertApiError(await town.post('/api/v1/leaders', { ...ok, young: true, town: 'atlantis' }), 400, 'unknown_value', 'town');
  assertApiError(await town.post('/api/v1/leaders', { ...ok, young: 'maybe' }), 400, 'bad_boolean', 'young');
  assert.equal(count('leaders'), before);
  const r = await town.post('/api/v1/leaders', { ...ok, ecommerce: true, rural: 'on' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const l = r.body.id;
  assert.deepEqual(sql(`select young, ecommerce, rural, org_id from leaders where id = ${l}`)[0],
    ['f', 't', 't', id.wangwuTown]);
  const helps = (body) => town.post(`/api/v1/leaders/${l}/helps`, body);
  assert.equal((await helps({ add: id.schoolYouth, relation: 'employs' })).body.helps, 1);
  assertApiError(await helps({ add: id.schoolYouth }), 409, 'already_linked', 'add');
  assertApiError(await helps({ add: id.potouYouth }), 400, 'unknown_youth', 'add');
  assertApiError(await helps({}), 400, 'required', 'add');
  const got = (await school.get(`/api/v1/leaders/${l}`));
  assert.equal(got.status, 404, 'a leader of the town branch is not the school\'s');
  const seen = (await town.get(`/api/v1/leaders/${l}`)).body;
  assert.equal(seen.helps[0].relation, 'employs');
  assert.equal(seen.helps[0].youth.id, id.schoolYouth);
  assert.equal((await helps({ remove: id.schoolYouth })).body.helps, 0);
  assertApiError(await helps({ remove: id.schoolYouth }), 400, 'unknown_youth', 'remove');
  assertApiError(await other.post(`/api/v1/leaders/${l}/helps`, { add: id.potouYouth }), 404);
});

test('exits: recorded by staff, verified by the parent branch only', async () => {
  const kid = youthIn(id.wangwuSchool, 1);
  const before = count('poverty_exits');
  assertApiError(await school.post('/api/v1/exits', { beneficiary_id: kid, exited_on: '2026-11-01' }),
    400, 'required', 'evidence');
  assertApiError(await school.post('/api/v1/exits', { beneficiary_id: id.potouYouth, exited_on: '2026-11-01',
    evidence: '收入证明' }), 400, 'unknown_youth');
  assert.equal(count('poverty_exits'), before);
  const r = await school.post('/api/v1/exits', { beneficiary_id: kid, exited_on: '2026-11-01',
    evidence: '家庭年人均纯收入超过脱贫标准，有村委会证明。' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const e = r.body.id;
  assertApiError(await town.post('/api/v1/exits', { beneficiary_id: kid, exited_on: '2026-11-02', evidence: '再次' }),
    409, 'already_recorded');
  // The school recorded it: it may not verify it; another town cannot
  // see it; the town branch above it may.
  assertApiError(await school.post(`/api/v1/exits/${e}/review`, { decision: 'verify' }), 403, 'not_parent');
  assertApiError(await other.post(`/api/v1/exits/${e}/review`, { decision: 'verify' }), 404);
  assertApiError(await donor.post(`/api/v1/exits/${e}/review`, { decision: 'verify' }), 403);
  assertApiError(await town.post(`/api/v1/exits/${e}/review`, { decision: 'reject' }), 400, 'required', 'note');
  assertApiError(await town.post(`/api/v1/exits/${e}/review`, { decision: 'maybe' }), 400, 'unknown_value', 'decision');
  assert.equal(sqlValue(`select status from poverty_exits where id = ${e}`), 'recorded');
  const mine = (await school.get('/api/v1/exits')).body.items.find((x) => x.id === e);
  assert.equal(mine.can_review, false);
  const theirs = (await town.get('/api/v1/exits?status=recorded')).body.items.find((x) => x.id === e);
  assert.equal(theirs.can_review, true);
  assert.equal((await town.post(`/api/v1/exits/${e}/review`, { decision: 'verify' })).body.status, 'verified');
  assertApiError(await admin.post(`/api/v1/exits/${e}/review`, { decision: 'reject', note: '不对' }), 409, 'bad_state');
  assert.deepEqual(sql(`select status, reviewed_by = (select id from users where email = 'wangwu@example.com')
      from poverty_exits where id = ${e}`)[0], ['verified', 't']);
  assert.equal(count('audit_log', `target_type = 'poverty_exit' and target_id = ${e}`), 2);

  // A town branch's own record goes up to the city committee.
  const youth = youthOf('wangwu', 1);
  const t = (await town.post('/api/v1/exits', { beneficiary_id: youth, exited_on: '2026-10-01',
    evidence: '在合作社稳定就业，有劳动合同。' })).body.id;
  assertApiError(await town.post(`/api/v1/exits/${t}/review`, { decision: 'verify' }), 403, 'not_parent');
  assertApiError(await school.post(`/api/v1/exits/${t}/review`, { decision: 'verify' }), 404);
  const back = await admin.post(`/api/v1/exits/${t}/review`, { decision: 'reject', note: '缺少劳动合同原件' });
  assert.equal(back.body.status, 'rejected');
  // Sent back: it may be recorded again.
  const again = await town.post('/api/v1/exits', { beneficiary_id: youth, exited_on: '2026-10-01',
    evidence: '补充了劳动合同原件。' });
  assert.equal(again.status, 200);
});

test('pages: the records as staff see them, forms with their errors', async () => {
  const a = demo('wangwu@example.com');
  const web = new Browser();
  await web.login(a.login, a.password);
  for (const path of ['/programmes', '/programmes/loans', '/programmes/trainings',
    '/programmes/leaders', '/programmes/exits']) {
    const r = await web.get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.text, /<nav class="subnav"/);
  }
  let r = await web.get('/programmes/loans');
  const before = count('loans');
  r = await web.post('/programmes/loans', { beneficiary_id: String(id.schoolYouth), bank: '农商银行',
    amount_yuan: 'lots', term_months: '12', purpose: '买种苗' });
  assert.equal(r.status, 400);
  assert.match(r.text, /class="alert"/);
  assert.match(r.text, /value="农商银行"/, 'what was typed stays');
  assert.equal(count('loans'), before);
  r = await web.post('/programmes/loans', { beneficiary_id: String(id.schoolYouth), bank: '农商银行',
    amount_yuan: '12000', term_months: '12', purpose: '买种苗' });
  assert.equal(r.status, 303);
  const loan = r.headers.get('location').match(/^\/programmes\/loans\/(\d+)\?done=programmes_loans$/)[1];
  r = await web.get(`/programmes/loans/${loan}`);
  assert.equal(r.status, 200);
  assert.match(r.text, /¥12,000/);
  assert.match(r.text, /买种苗/);
  r = await web.post(`/programmes/loans/${loan}/status`, { action: 'disburse' });
  assert.equal(r.status, 409);
  assert.match(r.text, /class="alert"/);
  r = await web.post(`/programmes/loans/${loan}/status`, { action: 'approve' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/programmes/loans/${loan}?done=programmes_loans_status`);
  assert.equal(sqlValue(`select status from loans where id = ${loan}`), 'approved');
  // Without the CSRF token: refused.
  r = await web.post(`/programmes/loans/${loan}/status`, { action: 'reject', csrf: '' });
  assert.equal(r.status, 403);
  assert.equal(sqlValue(`select status from loans where id = ${loan}`), 'approved');
});

test("a record of one school never names another school's child", async () => {
  // 王屋镇's branch sees both of its schools' children, but a loan of one
  // school may only name that school's (or its subtree's) youths.
  const town = await Api.as('wangwu@example.com');
  const schools = sql(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'school' and t.slug = 'wangwu' order by o.id`).map((r) => r[0]);
  assert.ok(schools.length >= 2);
  const other = sqlValue(`select id from beneficiaries where org_id = ${schools[1]}
      and archived_at is null order by id limit 1`);
  const r = await town.post('/api/v1/loans', { org_id: Number(schools[0]),
    beneficiary_id: Number(other), bank: '农商银行', amount_yuan: '5000', term_months: 12,
    purpose: '养殖', applied_on: '2026-11-01' });
  assertApiError(r, 400, 'unknown_youth', 'beneficiary_id');
});

test('one route a path: a wrong method is 405 with Allow, a malformed number 404', async () => {
  const loan = Number(sqlValue(`select l.id from loans l join orgs o on o.id = l.org_id
      join towns t on t.id = o.town_id where t.slug = 'wangwu' order by l.id limit 1`));
  for (const [method, path, allow] of [
    ['POST', `/api/v1/loans/${loan}`, 'GET, HEAD'],
    ['GET', `/api/v1/loans/${loan}/status`, 'POST'],
    ['DELETE', '/api/v1/loans', 'GET, HEAD, POST'],
    ['PUT', `/api/v1/trainings/${loan}`, 'GET, HEAD, POST'],
    ['GET', '/api/v1/reports/remind', 'POST'],
    ['POST', '/api/v1/targets', 'GET, HEAD'],
    ['GET', '/api/v1/fund/payouts', 'POST'],
  ]) {
    const r = await town.call(method, path, method === 'GET' ? undefined : {});
    assertApiError(r, 405, 'method');
    assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
  }
  for (const path of [`/api/v1/loans/0${loan}`, '/api/v1/loans/1234567890123456',
    `/api/v1/loans/${loan}/nothing`, '/api/v1/loans/x', `/programmes/loans/0${loan}`]) {
    assert.equal((await town.get(path)).status, 404, path);
  }
  assert.equal((await town.call('HEAD', `/api/v1/loans/${loan}`)).status, 200);
});

// Issue 19 at scale: the forms' youth picker listed every youth of the
// caller's scope on every programme page (the city's 12,000 at the
// 100,000-need scale: 700 KB, 0.3-0.5 s a page).  Over 300, the forms ask
// for the register's number instead, and records are still made with it.
test('over 300 youths in scope, the forms take a register number, not a list', async () => {
  const potouSchool = schoolOf('potou');
  const added = sql(`insert into beneficiaries (org_id, alias, birth_year, gender, town_id,
        school_stage) select ${potouSchool}, '规模' || g, 2008, 'f', town_id, 'senior'
      from orgs, generate_series(1, 310) g where id = ${potouSchool} returning id`)
    .map(([x]) => Number(x));
  try {
    const inScope = (u) => Number(sqlValue(`select count(*) from beneficiaries where
        archived_at is null and org_id in (select api.prog_scope(u) from users u
        where u.email = '${u}')`));
    const many = (await admin.get('/api/v1/loans')).body.choices;
    assert.equal(many.youths_many, true);
    assert.equal(many.youths, null);
    assert.equal(many.youths_total, inScope('admin@example.com'));
    // A school's few are still a list to pick from.
    const few = (await school.get('/api/v1/loans')).body.choices;
    assert.equal(few.youths_many, false);
    assert.equal(few.youths.length, few.youths_total);
    assert.ok(few.youths.some((y) => y.id === id.schoolYouth));
    const b = new Browser();
    const a = demo('admin@example.com');
    await b.login(a.login, a.password);
    for (const path of ['/programmes/loans', '/programmes/exits',
      `/programmes/leaders/${sqlValue('select min(id) from leaders')}`,
      `/programmes/trainings/${sqlValue('select min(id) from trainings')}`]) {
      const page = await b.get(path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.text, /规模1\b/, path);
      assert.match(page.text, /<input name="(beneficiary_id|add)"[^>]* aria-describedby=/, path);
      assert.ok(page.text.length < 100000, `${path}: ${page.text.length} bytes`);
    }
    // The number typed in makes the record, as a choice from the list did.
    const loan = await admin.post('/api/v1/loans', { org_id: potouSchool,
      beneficiary_id: added[0], bank: '农商银行', amount_yuan: '5000', term_months: 12,
      purpose: '规模测试', applied_on: TODAY });
    assert.equal(loan.status, 200, JSON.stringify(loan.body));
    assert.equal(Number(sqlValue(`select beneficiary_id from loans where id = ${loan.body.id}`)), added[0]);
  } finally {
    sql(`update beneficiaries set archived_at = now() where id in (${added.join(',')})`);
  }
});
