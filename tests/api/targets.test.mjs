// The plan's targets (issue 7): figures computed from the records (each
// moves when its records change, within its window only), the state
// against the linear pace, the branches ranked, admins' edits, and the
// public summary.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const METRICS = ['leaders_young', 'leaders_ecommerce', 'training_attendance',
  'leaders_rural', 'poverty_exits', 'finance_sessions', 'loans_disbursed'];
let town, school, admin, other, wangwuTown, wangwuSchool;


async function publicFigures() {
  const r = await getJson('/api/v1/targets');
  assert.equal(r.status, 200);
  return Object.fromEntries(r.body.targets.map((t) => [t.metric, t.figure]));
}

// Each target's figure of one branch on the dashboard.
async function branchFigures(branch) {
  const r = await admin.get('/api/v1/admin/targets');
  assert.equal(r.status, 200);
  const b = r.body.branches.find((x) => String(x.id) === String(branch));
  return Object.fromEntries(b.cells.map((c) => [c.metric, c.figure]));
}

function delta(after, before) {
  return Object.fromEntries(METRICS.map((m) => [m, after[m] - before[m]]));
}

before(async () => {
  wangwuTown = sqlValue(`select id from orgs where kind = 'town' and town_id =
      (select id from towns where slug = 'wangwu')`);
  wangwuSchool = sqlValue(`select id from orgs where kind = 'school' and town_id =
      (select id from towns where slug = 'wangwu') order by id limit 1`);
  town = await Api.as('wangwu@example.com');
  school = await Api.as(`org${wangwuSchool}@example.com`);
  admin = await Api.as('admin@example.com');
  other = await Api.as('donor5@example.com');
});

test('the public summary: every target and its figure, nothing about branches or people', async () => {
  const r = await getJson('/api/v1/targets');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['as_of', 'plan', 'targets']);
  assert.deepEqual(r.body.targets.map((t) => t.metric), METRICS);
  for (const t of r.body.targets) {
    assert.equal(t.pct, Math.floor(t.figure * 100 / t.value));
    assert.equal(t.bar, Math.min(100, t.pct));
    assert.ok(['achieved', 'missed', 'on_track', 'behind'].includes(t.state));
    assert.equal(typeof t.rule, 'string');
  }
  // The plan's values, and figures that agree with the records.
  const by = Object.fromEntries(r.body.targets.map((t) => [t.metric, t]));
  assert.deepEqual(METRICS.map((m) => by[m].value), [50, 100, 800, 100, 1000, 50, 2000000000]);
  assert.equal(by.loans_disbursed.figure, Number(sqlValue(`select coalesce(sum(amount), 0) from loans
      where status in ('disbursed', 'repaying', 'repaid', 'defaulted')
        and disbursed_on between '2017-05-25' and '2020-12-31'`)));
  assert.equal(by.leaders_young.figure, Number(sqlValue(`select count(*) from leaders
      where young and since between '2017-05-25' and '2017-12-31'`)));
  assert.equal(by.poverty_exits.figure, Number(sqlValue(`select count(*) from poverty_exits
      where status = 'verified' and exited_on between '2017-05-25' and '2020-12-31'`)));
  // Past deadlines are said honestly: achieved or missed.
  assert.equal(by.leaders_young.state, by.leaders_young.figure >= 50 ? 'achieved' : 'missed');
  assert.equal(by.loans_disbursed.state, 'missed');
  const text = JSON.stringify(r.body);
  for (const name of sql("select name from orgs where kind <> 'city'").map((x) => x[0]))
    assert.ok(!text.includes(name), `no organisation named (${name})`);
});

test('every target\'s figure moves with its records, and only within its window', async () => {
  const p0 = await publicFigures();
  const b0 = await branchFigures(wangwuTown);
  const ok = (r) => { assert.equal(r.status, 200, JSON.stringify(r.body)); return r.body; };

  // Leaders: one of all three kinds in 2017 counts three times; one from
  // before the plan and one of 2021 do not count.
  ok(await town.post('/api/v1/leaders', { name: '测试一', young: true, ecommerce: true, rural: true,
    business: '网店', since: '2017-08-01' }));
  ok(await town.post('/api/v1/leaders', { name: '测试二', young: true, business: '网店', since: '2016-12-01' }));
  ok(await town.post('/api/v1/leaders', { name: '测试三', rural: true, business: '果园', since: '2021-01-02' }));
  // Trainings: attendance of a 2017 training counts; an event does not;
  // a financial-literacy session of 2019 is a session, not a 2017
  // attendance.
  ok(await town.post('/api/v1/trainings', { kind: 'skills', title: '技能培训', held_on: '2017-10-10',
    organiser: '镇团委', place: '镇青年之家', attendance: 37 }));
  ok(await town.post('/api/v1/trainings', { kind: 'youth_home', title: '读书会', held_on: '2017-10-11',
    organiser: '镇团委', place: '镇青年之家', attendance: 50 }));
  ok(await town.post('/api/v1/trainings', { kind: 'finance', title: '金融知识下乡', held_on: '2019-03-03',
    organiser: '农商银行', place: '村委会', attendance: 20 }));
  // A disbursed loan counts its amount; an approved one nothing yet.
  const youth = Number(sqlValue(`select id from beneficiaries where org_id = ${wangwuSchool} order by id limit 1`));
  const loan = ok(await town.post('/api/v1/loans', { beneficiary_id: youth, bank: '农商银行', amount: 3000000,
    term_months: 12, purpose: '种植', applied_on: '2019-01-02' })).id;
  ok(await town.post(`/api/v1/loans/${loan}/status`, { action: 'approve', on: '2019-01-10' }));
  const p1 = await publicFigures();
  assert.deepEqual(delta(p1, p0), { leaders_young: 1, leaders_ecommerce: 1, training_attendance: 37,
    leaders_rural: 1, poverty_exits: 0, finance_sessions: 1, loans_disbursed: 0 });
  ok(await town.post(`/api/v1/loans/${loan}/status`, { action: 'disburse', on: '2019-01-20' }));
  // An exit counts once verified, not when recorded.
  const kid = Number(sqlValue(`select b.id from beneficiaries b where b.org_id = ${wangwuSchool}
      and not exists (select 1 from poverty_exits e where e.beneficiary_id = b.id
        and e.status <> 'rejected') order by b.id limit 1`));
  const exit = ok(await school.post('/api/v1/exits', { beneficiary_id: kid, exited_on: '2019-05-05',
    evidence: '收入证明' })).id;
  const p2 = await publicFigures();
  assert.equal(p2.loans_disbursed - p1.loans_disbursed, 3000000);
  assert.equal(p2.poverty_exits, p1.poverty_exits);
  ok(await town.post(`/api/v1/exits/${exit}/review`, { decision: 'verify' }));
  const p3 = await publicFigures();
  assert.equal(p3.poverty_exits - p2.poverty_exits, 1);

  // The branch's figures on the dashboard moved by as much.
  const b3 = await branchFigures(wangwuTown);
  assert.deepEqual(delta(b3, b0), delta(p3, p0));
  // And a loan that defaults still counts what was disbursed.
  ok(await town.post(`/api/v1/loans/${loan}/status`, { action: 'default', on: '2020-06-01' }));
  assert.equal((await publicFigures()).loans_disbursed, p3.loans_disbursed);
});

test('admins set a target\'s value and deadline; the state follows the pace', async () => {
  const t = (await admin.get('/api/v1/admin/targets')).body.targets
    .find((x) => x.metric === 'finance_sessions');
  const state = async () => (await getJson('/api/v1/targets')).body.targets
    .find((x) => x.metric === 'finance_sessions');
  const before = await state();
  assert.equal(before.state, 'missed', 'past its deadline and short of it');

  // A later deadline: the window grows (sessions held since 2021 count
  // too), and the target is on track when the figure keeps up with the
  // linear pace from the start, behind otherwise.
  let r = await admin.post(`/api/v1/admin/targets/${t.id}`, { deadline: '2030-12-31' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const sessions = Number(sqlValue(`select count(*) from trainings where kind = 'finance'
      and held_on between '2017-05-25' and '2030-12-31'`));
  assert.ok(sessions > before.figure, 'the demo holds sessions after 2020');
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const days = (a, b) => (Date.parse(b) - Date.parse(a)) / 86400e3;
  const onPace = sessions * days('2017-05-25', '2030-12-31') >= 50 * days('2017-05-25', today);
  let s = await state();
  assert.equal(s.figure, sessions, 'the figure is computed, never typed');
  assert.equal(s.state, onPace ? 'on_track' : 'behind');
  r = await admin.post(`/api/v1/admin/targets/${t.id}`, { value: 500 });
  assert.equal((await state()).state, 'behind');
  r = await admin.post(`/api/v1/admin/targets/${t.id}`, { value: sessions });
  s = await state();
  assert.deepEqual([s.state, s.pct], ['achieved', 100]);

  // Refused: other roles, a deadline before the start, nonsense.
  assertApiError(await town.post(`/api/v1/admin/targets/${t.id}`, { value: 1 }), 403, 'forbidden');
  assertApiError(await other.post(`/api/v1/admin/targets/${t.id}`, { value: 1 }), 403, 'forbidden');
  assertApiError(await admin.post(`/api/v1/admin/targets/${t.id}`, { deadline: '2017-01-01' }), 400, 'bad_date', 'deadline');
  assertApiError(await admin.post(`/api/v1/admin/targets/${t.id}`, { value: 0 }), 400, 'bad_number', 'value');
  assertApiError(await admin.post(`/api/v1/admin/targets/${t.id}`, { value_yuan: 'many' }), 400, 'bad_amount', 'value');
  assertApiError(await admin.post('/api/v1/admin/targets/999', { value: 5 }), 404, 'not_found');
  assert.equal(Number(sqlValue(`select value from targets where id = ${t.id}`)), sessions);

  // Back to the plan.
  r = await admin.post(`/api/v1/admin/targets/${t.id}`, { value: 50, deadline: '2020-12-31' });
  s = await state();
  assert.deepEqual([s.state, s.figure], ['missed', before.figure]);
  assert.ok(Number(sqlValue(`select count(*) from audit_log where action = 'target_update'
      and target_id = ${t.id}`)) >= 4);

  // The money target takes yuan from a form.
  const money = (await admin.get('/api/v1/admin/targets')).body.targets.find((x) => x.is_money);
  r = await admin.post(`/api/v1/admin/targets/${money.id}`, { value_yuan: '25000000' });
  assert.equal(r.body.value, 2500000000);
  await admin.post(`/api/v1/admin/targets/${money.id}`, { value: 2000000000 });
});

test('the dashboard ranks the branches by contribution, or by one target', async () => {
  let r = await admin.get('/api/v1/admin/targets');
  const { branches, targets_summary: summary } = r.body;
  assert.equal(branches.length, Number(sqlValue("select count(*) from orgs where kind in ('town', 'unit', 'college')")));
  for (let i = 1; i < branches.length; i++) {
    assert.ok(branches[i - 1].rank <= branches[i].rank);
    assert.ok(Number(branches[i - 1].score) >= Number(branches[i].score));
  }
  // Each branch's share is of the platform's figure, and the branches
  // never add up to more than it.
  summary.targets.forEach((t, k) => {
    const sum = branches.reduce((a, b) => a + b.cells[k].figure, 0);
    assert.ok(sum <= t.figure, t.metric);
    for (const b of branches) {
      if (t.figure > 0)
        assert.equal(Number(b.cells[k].share), Math.round(b.cells[k].figure * 1000 / t.figure) / 10);
    }
  });
  r = await admin.get('/api/v1/admin/targets?rank=loans_disbursed');
  const k = METRICS.indexOf('loans_disbursed');
  const by = r.body.branches.map((b) => b.cells[k].figure);
  assert.deepEqual(by, [...by].sort((a, b) => b - a));
  assertApiError(await admin.get('/api/v1/admin/targets?rank=bogus'), 400, 'unknown_value', 'rank');
  assertApiError(await town.get('/api/v1/admin/targets'), 403, 'forbidden');
});

test('the dashboard page: the summary block, the ranking, the forms', async () => {
  const a = demo('admin@example.com');
  const web = new Browser();
  await web.login(a.login, a.password);
  const r = await web.get('/admin/targets');
  assert.equal(r.status, 200);
  assert.equal((r.text.match(/<li class="kpi /g) ?? []).length, 7);
  assert.match(r.text, /class="targets-summary"/);
  assert.match(r.text, /<table class="list ranking">/);
  assert.match(r.text, /¥20,000,000/);
  assert.equal((r.text.match(/action="\/admin\/targets\/\d+"/g) ?? []).length, 7);
  const t = sqlValue("select id from targets where metric = 'leaders_young'");
  let p = await web.post(`/admin/targets/${t}`, { value: '0', deadline: '2017-12-31' });
  assert.equal(p.status, 400);
  assert.match(p.text, /class="alert"/);
  p = await web.post(`/admin/targets/${t}`, { value: '50', deadline: '2017-12-31' });
  assert.equal(p.status, 303);
  assert.equal(p.headers.get('location'), '/admin/targets?done=admin_targets');
});
