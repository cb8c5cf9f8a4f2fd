// Quarterly reports (issue 7): the lifecycle (draft, submit and lock, a
// correction as a new version), on time / late / missing, due days,
// reminders to the outbox, and the exports read back (CSV and .xlsx).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';
import { parseCsv, xlsxRows } from '../lib/files.mjs';
import { TODAY, back, label, key, addDays, quarterStart, quarterEnd } from '../lib/quarters.mjs';

// The demo's reports (sql/demo/programmes.sql): the current quarter and
// the three before; 王屋镇 and 下冶镇 did not report two quarters ago.
const CUR = back(0), PAST = back(2), FIRST = back(3);
const due = (q, days = 10) => addDays(quarterEnd(q), days);

let town, school, admin, donor, other, token = {};
let wangwu, xiaye;

const login = async (email) => {
  const a = demo(email);
  const api = await Api.login(a.login, a.password);
  token[email] = api.token;
  return api;
};

// A quarter's cell of the branch on the city committee's page.
async function cell(org, year, quarter) {
  const r = await admin.get(`/api/v1/reports?year=${year}`);
  assert.equal(r.status, 200);
  const row = r.body.rows.find((x) => String(x.org_id) === String(org));
  return row.cells.find((c) => c.quarter === quarter);
}

async function download(path, who = 'admin@example.com') {
  const res = await fetch(BASE + path, { headers: { authorization: 'Bearer ' + token[who] } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

before(async () => {
  wangwu = sqlValue("select id from orgs where kind = 'town' and town_id = (select id from towns where slug = 'wangwu')");
  xiaye = sqlValue("select id from orgs where kind = 'town' and town_id = (select id from towns where slug = 'xiaye')");
  const school17 = sqlValue(`select id from orgs where kind = 'school' and parent_id = ${wangwu} order by id limit 1`);
  town = await login('wangwu@example.com');
  other = await login('potou@example.com');
  school = await login(`org${school17}@example.com`);
  admin = await login('admin@example.com');
  donor = await login('donor6@example.com');
});

test('a branch sees its quarters: on time, missing, not yet due', async () => {
  const r = await town.get('/api/v1/reports');
  assert.equal(r.status, 200);
  assert.equal(r.body.is_branch, true);
  const q = Object.fromEntries(r.body.quarters.map((x) => [key(x), x]));
  assert.deepEqual(Object.keys(q), [0, 1, 2, 3].map((n) => key(back(n))));
  assert.equal(q[key(FIRST)].state, 'submitted');
  assert.equal(q[key(FIRST)].due_on, due(FIRST));
  assert.equal(q[key(PAST)].state, 'missing');
  assert.equal(q[key(PAST)].can_create, true);
  assert.equal(q[key(CUR)].state, 'pending');
  assert.equal(q[key(CUR)].due_on, due(CUR));
  assertApiError(await school.get('/api/v1/reports'), 403, 'not_a_branch');
  assertApiError(await donor.get('/api/v1/reports'), 403, 'forbidden');
  assertApiError(await new Api('0'.repeat(64)).get('/api/v1/reports'), 401);
});

test('draft → submitted and locked → a correction is a new version', async () => {
  assertApiError(await town.post('/api/v1/reports', back(-1)), 400, 'bad_quarter', 'quarter');
  assertApiError(await town.post('/api/v1/reports', back(4)), 400, 'bad_quarter', 'quarter');
  assertApiError(await town.post('/api/v1/reports', { year: CUR.year, quarter: 5 }), 400, 'bad_number', 'quarter');
  assertApiError(await town.post('/api/v1/reports', FIRST), 409, 'report_exists');
  assertApiError(await admin.post('/api/v1/reports', CUR), 403, 'forbidden');
  let r = await town.post('/api/v1/reports', CUR);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const v1 = r.body.id;
  assertApiError(await town.post('/api/v1/reports', CUR), 409, 'report_exists');

  // A draft's figures are live: a training of the quarter shows at once.
  const att = (body) => body.figures.find((f) => f.key === 'attendance').value;
  let got = (await town.get(`/api/v1/reports/${v1}`)).body;
  assert.deepEqual([got.report.status, got.live, got.can_edit, got.can_revise], ['draft', true, true, false]);
  const a0 = att(got);
  const train = (n) => town.post('/api/v1/trainings', { kind: 'youth_home', title: '青年之家活动',
    held_on: TODAY, organiser: '镇团委', place: '镇青年之家', attendance: n });
  assert.equal((await train(23)).status, 200);
  got = (await town.get(`/api/v1/reports/${v1}`)).body;
  assert.equal(att(got), a0 + 23);

  assert.equal((await town.post(`/api/v1/reports/${v1}`, { narrative: '本季度开展了青年之家活动。' })).status, 200);
  assert.equal(sqlValue(`select narrative from quarterly_reports where id = ${v1}`), '本季度开展了青年之家活动。');
  assertApiError(await town.post(`/api/v1/reports/${v1}`, { narrative: '   ', action: 'submit' }), 400, 'required', 'narrative');
  assertApiError(await admin.post(`/api/v1/reports/${v1}`, { narrative: '管理员改的' }), 403, 'forbidden');
  assertApiError(await other.post(`/api/v1/reports/${v1}`, { narrative: '别人改的' }), 404);
  assert.equal(sqlValue(`select status from quarterly_reports where id = ${v1}`), 'draft');

  r = await town.post(`/api/v1/reports/${v1}`, { action: 'submit' });
  assert.equal(r.body.status, 'submitted');
  const frozen = sqlValue(`select figures from quarterly_reports where id = ${v1}`);
  assert.ok(frozen);
  // Locked: the API refuses, and so does the database itself.
  assertApiError(await town.post(`/api/v1/reports/${v1}`, { narrative: '改一下' }), 409, 'report_locked');
  assert.throws(() => sql(`update quarterly_reports set narrative = 'x' where id = ${v1}`), /report_locked/);
  assert.throws(() => sql(`delete from quarterly_reports where id = ${v1}`), /report_locked/);
  // Submitted figures stay as they were; a new record changes nothing.
  assert.equal((await train(7)).status, 200);
  got = (await town.get(`/api/v1/reports/${v1}`)).body;
  assert.deepEqual([got.live, att(got)], [false, a0 + 23]);
  assert.equal(sqlValue(`select figures from quarterly_reports where id = ${v1}`), frozen);
  assert.equal((await cell(wangwu, CUR.year, CUR.quarter)).state, 'submitted');

  // A correction: a new draft version, with the narrative, live again.
  r = await town.post(`/api/v1/reports/${v1}/revise`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.version, 2);
  const v2 = r.body.id;
  assertApiError(await town.post(`/api/v1/reports/${v1}/revise`, {}), 409, 'not_latest');
  assertApiError(await town.post(`/api/v1/reports/${v2}/revise`, {}), 409, 'not_latest');
  got = (await town.get(`/api/v1/reports/${v2}`)).body;
  assert.equal(got.report.narrative, '本季度开展了青年之家活动。');
  assert.equal(att(got), a0 + 30);
  assert.deepEqual(got.versions.map((v) => v.version), [2, 1]);
  await town.post(`/api/v1/reports/${v2}`, { narrative: '更正：补录一次活动。', action: 'submit' });
  const c = await cell(wangwu, CUR.year, CUR.quarter);
  assert.deepEqual([c.state, c.version, c.latest_id], ['submitted', 2, v2]);
  assert.equal(Number(sqlValue(`select count(*) from audit_log where target_type = 'report'
      and target_id in (${v1}, ${v2})`)), 5, 'create, save, submit, revise, submit');
});

test('late and missing, and the due day an admin sets', async () => {
  // 王屋镇 has no report for two quarters ago, long due: missing.
  const at = (org) => cell(org, PAST.year, PAST.quarter);
  assert.equal((await at(wangwu)).state, 'missing');
  const id = (await town.post('/api/v1/reports', PAST)).body.id;
  let c = await at(wangwu);
  assert.deepEqual([c.state, c.draft], ['missing', true], 'a draft is not a report');
  await town.post(`/api/v1/reports/${id}`, { narrative: '迟交的季度报告。', action: 'submit' });
  assert.equal((await at(wangwu)).state, 'late');
  // The city committee moves the due day (a holiday): on time now.
  let r = await admin.post('/api/v1/reports/deadlines', { ...PAST, due_on: addDays(TODAY, 5) });
  assert.equal(r.body.due_on, addDays(TODAY, 5));
  assert.equal((await at(wangwu)).state, 'submitted');
  assert.equal((await at(xiaye)).state, 'pending', 'not yet due for who has not reported');
  r = await admin.post('/api/v1/reports/deadlines', PAST);
  assert.equal(r.body.due_on, due(PAST));
  assert.equal((await at(wangwu)).state, 'late');
  assertApiError(await admin.post('/api/v1/reports/deadlines', { ...PAST, due_on: addDays(quarterStart(PAST), -1) }),
    400, 'bad_date', 'due_on');
  assertApiError(await town.post('/api/v1/reports/deadlines', { ...PAST, due_on: addDays(TODAY, 5) }),
    403, 'forbidden');
  // The rule: days after the quarter's end.
  r = await admin.post('/api/v1/reports/settings', { due_days: 15 });
  assert.equal(r.body.due_days, 15);
  const q = (await admin.get(`/api/v1/reports?year=${CUR.year}`)).body.quarters;
  assert.ok(q.length >= 1);
  assert.deepEqual(q.map((x) => x.due_on), q.map((x) => due({ year: CUR.year, quarter: x.quarter }, 15)));
  await admin.post('/api/v1/reports/settings', { due_days: 10 });
  // The counts of the city committee's page agree with its cells.
  for (const year of new Set([PAST.year, CUR.year])) {
    const page = (await admin.get(`/api/v1/reports?year=${year}`)).body;
    for (const quarter of page.quarters) {
      const cells = page.rows.map((row) => row.cells.find((x) => x.quarter === quarter.quarter));
      for (const st of ['submitted', 'late', 'missing', 'pending'])
        assert.equal(quarter[st], cells.filter((x) => x.state === st).length, `${quarter.label} ${st}`);
    }
  }
});

test('reminders go to the outbox before the due day and when late, once each', async () => {
  const outbox = (org, kind, q) => sql(`select n.channel, n.params->>'year', n.params->>'quarter',
        n.params->>'due_on', n.params->>'org_name' from notifications n
      join users u on u.id = n.user_id where u.org_id = ${org} and n.kind = '${kind}'
        and n.dedupe_key = 'report:${org}:${key(q)}'`);
  assertApiError(await town.post('/api/v1/reports/remind', {}), 403, 'forbidden');
  let r = await admin.post('/api/v1/reports/remind', {});
  assert.equal(r.status, 200);
  // 下冶镇 did not report two quarters ago: late, to its staff, by e-mail.
  const late = outbox(xiaye, 'report_late', PAST);
  assert.equal(late.length, 1);
  assert.equal(late[0][0], 'email');
  // A kind and its parameters, written in the reader's language when sent.
  assert.deepEqual(late[0].slice(1, 4), [String(PAST.year), String(PAST.quarter), due(PAST)]);
  assert.ok(late[0][4].length > 0, 'the branch is named');
  // The current quarter is due ten days after it ends: nothing yet.
  assert.equal(outbox(xiaye, 'report_due', CUR).length, 0);
  // Again: nothing new.
  r = await admin.post('/api/v1/reports/remind', {});
  assert.equal(r.body.written, 0);
  // Due in three days (reminders start five days before): those who
  // have not reported are reminded; 王屋镇, who has, is not.
  await admin.post('/api/v1/reports/deadlines', { ...CUR, due_on: addDays(TODAY, 3) });
  r = await admin.post('/api/v1/reports/remind', {});
  assert.equal(r.status, 200);
  const staff = Number(sqlValue(`select count(*) from users u join orgs o on o.id = u.org_id
      where o.kind in ('town', 'unit', 'college') and u.role = 'staff' and u.disabled_at is null
        and (u.email is not null or u.phone is not null)
        and not exists (select 1 from quarterly_reports r where r.org_id = o.id
          and r.year = ${CUR.year} and r.quarter = ${CUR.quarter} and r.status = 'submitted')`));
  // The button, or the periodic job (every second here) if it came first,
  // wrote one reminder to each of them.
  assert.equal(Number(sqlValue(`select count(*) from notifications
      where kind = 'report_due' and dedupe_key like 'report:%:${key(CUR)}'`)), staff);
  const soon = outbox(xiaye, 'report_due', CUR);
  assert.equal(soon.length, 1);
  assert.equal(soon[0][3], addDays(TODAY, 3));
  assert.equal(outbox(wangwu, 'report_due', CUR).length, 0);
  await admin.post('/api/v1/reports/deadlines', CUR);
  // They are a kind and its parameters, written in the reader's language
  // when sent (tests/api/outbox.test.mjs sends them) and when listed.
  const mine = (await (await Api.as('xiaye@example.com')).get('/api/v1/me')).body.notifications;
  const m = mine.find((n) => n.kind === 'report_late' && n.body.includes(due(PAST)));
  assert.ok(m, 'the late reminder is listed');
  assert.match(m.subject, new RegExp(`${PAST.year}年第${PAST.quarter}季度工作报告已逾期`));
  assert.match(m.body, new RegExp(`已于 ${due(PAST)} 截止`));
});

test('the roll-up across the tree: submitted figures, live ones, their two totals', async () => {
  const r = await admin.get(`/api/v1/reports?year=${CUR.year}&quarter=${CUR.quarter}`);
  const ru = r.body.rollup;
  assert.equal(ru.label, label(CUR));
  const row = ru.rows.find((x) => String(x.org_id) === String(wangwu));
  assert.equal(row.submitted, true);
  assert.equal(row.version, 2);
  const frozen = JSON.parse(sqlValue(`select figures from quarterly_reports where org_id = ${wangwu}
      and year = ${CUR.year} and quarter = ${CUR.quarter} and version = 2`));
  ru.columns.forEach((col, k) => assert.equal(row.values[k].value, frozen[col.key], col.key));
  const live = ru.rows.find((x) => String(x.org_id) === String(xiaye));
  assert.equal(live.live, true);
  // Two totals, never one of frozen and live figures together (issue
  // 19): the submitted versions', and the live rows' (the city
  // committee's own records among them).
  assert.equal(ru.total, undefined);
  assert.ok(ru.rows.some((x) => x.submitted) && ru.rows.some((x) => !x.submitted));
  ru.columns.forEach((col, k) => {
    assert.equal(ru.total_submitted[k].value, ru.rows.filter((x) => x.submitted)
      .reduce((a, x) => a + x.values[k].value, 0), col.key);
    assert.equal(ru.total_live[k].value, ru.rows.filter((x) => !x.submitted)
      .reduce((a, x) => a + x.values[k].value, 0), col.key);
  });
  // The page says which is which.
  const b = new Browser();
  const a = demo('admin@example.com');
  await b.login(a.login, a.password);
  const page = (await b.get(`/reports?year=${CUR.year}&quarter=${CUR.quarter}`)).text;
  assert.match(page, /已上报合计（最新提交版本）/);
  assert.match(page, /实时合计（未上报单位及团市委直属）/);
  assert.match(page, /两个合计分开计算，不相加/);
  const table = page.slice(page.indexOf('<table class="list rollup">'));
  assert.doesNotMatch(table.slice(0, table.indexOf('</table>')), /<th>合计<\/th>/);
  assertApiError(await admin.get(`/api/v1/reports?year=${CUR.year}&quarter=9`), 400, 'bad_number', 'quarter');
  const ahead = back(-4);
  assertApiError(await admin.get(`/api/v1/reports?year=${ahead.year}&quarter=${ahead.quarter}`),
    400, 'bad_quarter', 'quarter');
});

test('a report exported as CSV (UTF-8 with a BOM) and .xlsx, read back', async () => {
  const id = sqlValue(`select id from quarterly_reports where org_id = ${wangwu} and year = ${CUR.year}
      and quarter = ${CUR.quarter} and version = 2`);
  const csv = await download(`/api/v1/reports/${id}/export.csv`, 'wangwu@example.com');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(csv.headers.get('content-disposition'), new RegExp(`attachment; filename="report-${wangwu}-${key(CUR)}-v2.csv"`));
  assert.equal(csv.headers.get('cache-control'), 'no-store');
  assert.equal(csv.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], ['项目', '数值']);
  const kv = Object.fromEntries(rows.slice(1));
  assert.equal(kv['单位'], '共青团王屋镇委员会');
  assert.equal(kv['季度'], label(CUR));
  assert.equal(kv['版本'], '2');
  assert.equal(kv['状态'], '已提交');
  assert.equal(kv['工作开展情况'], '更正：补录一次活动。');
  const frozen = JSON.parse(sqlValue(`select figures from quarterly_reports where id = ${id}`));
  assert.equal(kv['培训和活动参加（人次）'], String(frozen.attendance));
  assert.match(kv['发放贷款金额（元）'], /^\d+\.\d\d$/);
  assert.equal(kv['发放贷款金额（元）'], (frozen.loans_amount / 100).toFixed(2));

  const x = await download(`/api/v1/reports/${id}/export.xlsx`, 'wangwu@example.com');
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(x.headers.get('content-disposition'), /\.xlsx"$/);
  const book = xlsxRows(x.bytes);
  assert.ok(book.files.has('[Content_Types].xml'));
  assert.match(book.files.get('xl/workbook.xml').toString(), new RegExp(`name="${label(CUR)}"`));
  assert.deepEqual(book.rows[0], ['项目', '数值']);
  const xkv = Object.fromEntries(book.rows.slice(1).map((r) => [r[0], r[1]]));
  assert.equal(xkv['单位'], '共青团王屋镇委员会');
  assert.equal(xkv['版本'], 2);
  assert.equal(xkv['培训和活动参加（人次）'], frozen.attendance);
  assert.equal(xkv['发放贷款金额（元）'], frozen.loans_amount / 100);
  assert.equal(xkv['工作开展情况'], '更正：补录一次活动。');
  // Nothing is left behind on the server's disk.
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(process.env.TEST_VAR).filter((f) => f.startsWith('export-')), []);

  // Another branch, a school, a donor: refused.
  assert.equal((await download(`/api/v1/reports/${id}/export.csv`, 'potou@example.com')).status, 404);
  assert.equal((await download(`/api/v1/reports/${id}/export.xlsx`, 'donor6@example.com')).status, 403);
  const anon = await fetch(`${BASE}/api/v1/reports/${id}/export.csv`);
  assert.equal(anon.status, 401);
});

test('the roll-up exported for the committee: a row per branch and the total', async () => {
  const qs = `year=${PAST.year}&quarter=${PAST.quarter}`;
  const csv = await download(`/api/v1/reports/rollup.csv?${qs}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), new RegExp(`filename="rollup-${key(PAST)}.csv"`));
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0].slice(0, 5), ['单位', '上报情况', '版本', '发布需求（件）', '审核上架需求（件）']);
  assert.equal(rows[0].length, 3 + 18);
  const branches = Number(sqlValue("select count(*) from orgs where kind in ('town', 'unit', 'college')"));
  assert.equal(rows.length, 1 + branches + 3, 'header, branches, the city committee, two totals');
  assert.equal(rows.at(-2)[0], '已上报合计（最新提交版本）');
  assert.equal(rows.at(-1)[0], '实时合计（未上报单位及团市委直属）');
  const ww = rows.find((r) => r[0] === '共青团王屋镇委员会');
  assert.equal(ww[1], '逾期上报');
  assert.equal(rows.find((r) => r[0] === '共青团下冶镇委员会')[1], '未上报（实时数据）');
  const body = rows.slice(1, -2);
  const reported = (r) => !r[1].includes('实时数据') && r[0] !== '团市委直属';
  for (let k = 3; k < rows[0].length; k++) {
    const sum = (list) => list.reduce((a, r) => a + Number(r[k]), 0);
    assert.ok(Math.abs(sum(body.filter(reported)) - Number(rows.at(-2)[k])) < 0.001, rows[0][k]);
    assert.ok(Math.abs(sum(body.filter((r) => !reported(r))) - Number(rows.at(-1)[k])) < 0.001,
      rows[0][k]);
  }
  const x = await download(`/api/v1/reports/rollup.xlsx?${qs}`);
  assert.equal(x.status, 200);
  const book = xlsxRows(x.bytes);
  assert.equal(book.rows.length, rows.length);
  assert.deepEqual(book.rows[0], rows[0]);
  assert.equal(book.rows.at(-1)[0], '实时合计（未上报单位及团市委直属）');
  book.rows.slice(1).forEach((r, i) => {
    for (let k = 3; k < r.length; k++) assert.equal(r[k], Number(rows[i + 1][k]), `${r[0]} ${rows[0][k]}`);
  });

  assert.equal((await download(`/api/v1/reports/rollup.csv?${qs}`, 'wangwu@example.com')).status, 403);
  const missing = await download(`/api/v1/reports/rollup.csv?year=${PAST.year}`);
  assert.equal(missing.status, 400);
  assert.equal(JSON.parse(missing.bytes.toString()).error.field, 'quarter');
  // The page links to both.
  const { Browser } = await import('../lib/session.mjs');
  const a = demo('admin@example.com');
  const web = new Browser();
  await web.login(a.login, a.password);
  const page = await web.get(`/reports?${qs}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`href="/reports/rollup.xlsx?year=${PAST.year}&amp;quarter=${PAST.quarter}"`));
  const file = await web.get(`/reports/rollup.csv?${qs}`);
  assert.equal(file.status, 200);
});

// The live pledge figures of every branch, counted straight from the
// pledges: made in the quarter, and received in it whenever made (a
// pledge made and received in the same quarter counts once in each).
// api.report_figures finds them in two ways for speed; this is the
// plain count it must agree with.
test('the roll-up\'s live pledge figures are those of the branch\'s pledges', async (t) => {
  // A gift received this quarter that was pledged in the one before:
  // the demo has none, so one of its gifts is dated back for the test.
  const moved = sql(`select p.id, p.created_at from pledges p join needs n on n.id = p.need_id
      where p.status = 'received' and p.received_at >= '${quarterStart(CUR)}'::timestamp at time zone 'Asia/Shanghai'
        and n.org_id in (select api.org_subtree(${xiaye})) order by p.id limit 1`)[0];
  assert.ok(moved, 'a gift received this quarter in 下冶镇');
  sql(`update pledges set created_at = '${quarterStart(CUR)}'::timestamp at time zone 'Asia/Shanghai'
      - interval '1 day' where id = ${moved[0]}`);
  t.after(() => sql(`update pledges set created_at = '${moved[1]}' where id = ${moved[0]}`));
  let checked = 0, earlier = 0;
  for (const q of [CUR, back(1), PAST]) {
    const r = await admin.get(`/api/v1/reports?year=${q.year}&quarter=${q.quarter}`);
    assert.equal(r.status, 200);
    const ru = r.body.rollup;
    const col = (k) => ru.columns.findIndex((c) => c.key === k);
    // The branches yet to report, and the city committee's own records.
    for (const row of ru.rows.filter((x) => x.live || x.org_id === null)) {
      const orgs = row.org_id === null ? "select id from orgs where kind = 'city'"
        : `select api.org_subtree(${row.org_id})`;
      const want = JSON.parse(sqlValue(`
        with w as (select '${quarterStart(q)}'::timestamp at time zone 'Asia/Shanghai' t0,
            ('${quarterEnd(q)}'::date + 1)::timestamp at time zone 'Asia/Shanghai' t1),
        x as (select p.*, n.kind, n.beneficiary_id,
            case n.kind when 'money' then p.quantity::bigint
              when 'scholarship' then p.quantity::bigint * n.unit_amount else 0 end money,
            p.status in ('pledged', 'delivered', 'received', 'disputed')
              and p.created_at >= w.t0 and p.created_at < w.t1 made,
            p.status = 'received' and p.received_at >= w.t0 and p.received_at < w.t1 got,
            p.created_at < w.t0 before
          from pledges p join needs n on n.id = p.need_id, w
         where n.org_id in (${orgs}))
        select json_build_object('pledges', count(*) filter (where made),
          'money_pledged', coalesce(sum(money) filter (where made), 0),
          'money_received', coalesce(sum(money) filter (where got), 0),
          'goods_received', coalesce(sum(quantity) filter (where got and kind = 'goods'), 0),
          'children_helped', count(distinct beneficiary_id) filter (where got),
          'earlier', count(*) filter (where got and before))
          from x`));
      for (const k of ['pledges', 'money_pledged', 'money_received', 'goods_received', 'children_helped']) {
        assert.equal(row.values[col(k)].value, Number(want[k]), `${row.name} ${key(q)} ${k}`);
      }
      checked += want.pledges + want.goods_received;
      earlier += want.earlier;
    }
  }
  assert.ok(checked > 0, 'the demo has pledges in the live rows');
  assert.ok(earlier > 0, 'and a gift received in a quarter after the one it was pledged in');
});
