// The city committee's administration (issue 18, item 1): organisations
// edited, moved in the tree (never under themselves) and disabled (with
// their subtree: refused while a need is under way, their staff
// disabled and signed out, nothing new posted or invited); accounts'
// role and organisation changed, sessions ended where rights shrink;
// the audit log searched by actor, action, record and period, paged and
// downloaded.  Admins only: 403 for everyone else.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue, sendJson, assertApiError, schoolOf } from '../lib/env.mjs';
import { parseCsv } from '../lib/files.mjs';
import { Api, Browser, demo, freshEmail } from '../lib/session.mjs';

const PASSWORD = 'admin test pass 1';
let admin, town, school, donor;
const ids = {};

// A staff account of organisation org with a password, signed in.
async function staffOf(org, name = '管理测试') {
  const email = freshEmail('adm');
  const c = await admin.post('/api/v1/users', { role: 'staff', org_id: Number(org),
    display_name: name, email });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const link = sqlValue(`select params->>'link' from notifications where user_id = ${c.body.id}
      and kind = 'invite'`);
  const r = await sendJson('POST', '/api/v1/password/reset',
    { token: new URL(link).searchParams.get('token'), password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id: c.body.id, email, api: await Api.login(email, PASSWORD) };
}

async function newSchool(townOrg, name) {
  const r = await admin.post('/api/v1/orgs', { kind: 'school', parent_id: Number(townOrg), name });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.id;
}

before(async () => {
  admin = await Api.as('admin@example.com');
  town = await Api.as('wangwu@example.com');
  ids.school = schoolOf('wangwu');
  school = await Api.as(`org${ids.school}@example.com`);
  donor = await Api.as('donor2@example.com');
  ids.wangwu = sqlValue(`select org_id from users where email = 'wangwu@example.com'`);
  ids.potou = sqlValue(`select org_id from users where email = 'potou@example.com'`);
  ids.city = sqlValue(`select id from orgs where kind = 'city'`);
});

test('only admins edit, move, disable organisations and accounts or read the audit log', async () => {
  const someone = sqlValue(`select id from users where role = 'staff' order by id limit 1`);
  const calls = [
    ['POST', `/api/v1/orgs/${ids.school}`, { name: '改名' }],
    ['POST', `/api/v1/orgs/${ids.school}/disable`, {}],
    ['POST', `/api/v1/orgs/${ids.school}/enable`, {}],
    ['POST', `/api/v1/users/${someone}`, { role: 'admin' }],
    ['GET', '/api/v1/audit', undefined],
    ['GET', '/api/v1/audit.csv', undefined],
  ];
  for (const [method, path, body] of calls) {
    for (const who of [town, school, donor]) {
      const r = await who.call(method, path, body);
      assertApiError(r, 403, 'forbidden');
    }
    const anon = await sendJson(method, path, body);
    assert.equal(anon.status, 401, `${method} ${path}`);
  }
  assert.equal(sqlValue(`select name from orgs where id = ${ids.school}`) === '改名', false);
});

test('an organisation is renamed and moved, never under itself', async () => {
  const id = await newSchool(ids.wangwu, '搬迁测试小学');
  const r = await admin.post(`/api/v1/orgs/${id}`, { name: '搬迁测试学校', name_en: 'Moving School' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(sql(`select name, name_en from orgs where id = ${id}`)[0],
    ['搬迁测试学校', 'Moving School']);
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'org_update'
      and target_id = ${id}`), '1');
  // Moved to another town: that town's staff see it now, the old one's not.
  const m = await admin.post(`/api/v1/orgs/${id}`, { parent_id: Number(ids.potou) });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(sqlValue(`select parent_id from orgs where id = ${id}`), ids.potou);
  const seen = (await town.get('/api/v1/orgs')).body.items.map((o) => String(o.id));
  assert.ok(!seen.includes(String(id)));
  const potou = await Api.as('potou@example.com');
  assert.ok((await potou.get('/api/v1/orgs')).body.items.some((o) => String(o.id) === String(id)));
  const move = sql(`select detail from audit_log where action = 'org_move' and target_id = ${id}`);
  assert.equal(move.length, 1);
  assert.deepEqual(JSON.parse(move[0][0]), { parent_from: Number(ids.wangwu),
    parent_to: Number(ids.potou) });
  // Never under itself or its own subtree, nor under a parent of the wrong kind.
  const below = await newSchool(ids.wangwu, '子树测试小学');
  for (const [org, parent] of [[ids.wangwu, ids.wangwu], [ids.wangwu, below],
    [id, ids.city], [ids.city, ids.wangwu], [id, 99999999]]) {
    assertApiError(await admin.post(`/api/v1/orgs/${org}`, { parent_id: Number(parent) }),
      400, 'bad_parent', 'parent_id');
  }
  assert.equal(sqlValue(`select parent_id from orgs where id = ${ids.wangwu}`), ids.city);
  assertApiError(await admin.post('/api/v1/orgs/99999999', { name: '无此组织' }), 404, 'not_found');
  assertApiError(await admin.post(`/api/v1/orgs/${id}`, { name: 'x' }), 400, 'too_short', 'name');
  assertApiError(await admin.post(`/api/v1/orgs/${id}`, { town: 'nowhere' }), 400,
    'unknown_value', 'town');
});

test('disabling: refused with needs under way; then staff out, nothing new, until enabled', async () => {
  // A school with open needs (demo data) cannot be disabled, nor its town.
  assert.ok(Number(sqlValue(`select count(*) from needs where org_id = ${ids.school}
      and status = 'open'`)) > 0);
  assertApiError(await admin.post(`/api/v1/orgs/${ids.school}/disable`), 409, 'org_has_needs');
  assertApiError(await admin.post(`/api/v1/orgs/${ids.wangwu}/disable`), 409, 'org_has_needs');
  assert.equal(sqlValue(`select disabled_at from orgs where id = ${ids.school}`), null);
  assertApiError(await admin.post(`/api/v1/orgs/${ids.city}/disable`), 400);
  // A school without: disabled, its staff disabled and signed out.
  const id = await newSchool(ids.wangwu, '停用测试小学');
  const staff = await staffOf(id);
  assert.equal((await staff.api.get('/api/v1/me')).status, 200);
  const r = await admin.post(`/api/v1/orgs/${id}/disable`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.staff_disabled, 1);
  assertApiError(await staff.api.get('/api/v1/me'), 401, 'login_required');
  assert.equal(sqlValue(`select count(*) from sessions where user_id = ${staff.id}`), '0');
  assert.equal((await sendJson('POST', '/api/v1/login', { identifier: staff.email,
    password: PASSWORD })).status, 401);
  // Nothing new: no account in it, its staff not enabled, not offered.
  assertApiError(await admin.post('/api/v1/users', { role: 'staff', org_id: id,
    display_name: '不能', email: freshEmail('no') }), 409, 'org_disabled');
  assertApiError(await admin.post(`/api/v1/users/${staff.id}/enable`), 409, 'org_disabled');
  const other = await staffOf(ids.school, '转入测试');
  assertApiError(await admin.post(`/api/v1/users/${other.id}`, { org_id: id }), 409, 'org_disabled');
  const orgs = (await admin.get('/api/v1/orgs')).body.items;
  assert.equal(orgs.find((o) => o.id === id).disabled, true);
  // Enabled again: the organisation only; its account is enabled apart.
  assert.equal((await admin.post(`/api/v1/orgs/${id}/enable`)).status, 200);
  assert.equal(sqlValue(`select disabled_at is not null from users where id = ${staff.id}`), 't');
  assert.equal((await admin.post(`/api/v1/users/${staff.id}/enable`)).status, 200);
  await Api.login(staff.email, PASSWORD);
  const actions = sql(`select action from audit_log where target_type = 'org' and target_id = ${id}
      order by id`).map((x) => x[0]);
  assert.deepEqual(actions, ['org_create', 'org_disable', 'org_enable']);
});

test('an account\'s role and organisation: audited, sessions end where rights shrink', async () => {
  const a = await staffOf(ids.school, '角色测试');
  const other = schoolOf('potou');
  // Moved to another school: its rights there are not those it had.
  const m = await admin.post(`/api/v1/users/${a.id}`, { org_id: Number(other) });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(m.body.sessions_ended, true);
  assertApiError(await a.api.get('/api/v1/me'), 401, 'login_required');
  assert.equal(sqlValue(`select org_id from users where id = ${a.id}`), other);
  // Made an admin of the city committee: more rights, the session stays.
  const s = await Api.login(a.email, PASSWORD);
  assertApiError(await admin.post(`/api/v1/users/${a.id}`, { role: 'admin' }), 400,
    'admin_city_only', 'org_id');
  const up = await admin.post(`/api/v1/users/${a.id}`, { role: 'admin', org_id: Number(ids.city) });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.equal(up.body.sessions_ended, true, 'moved to the city: another organisation');
  const s2 = await Api.login(a.email, PASSWORD);
  assert.equal((await s2.get('/api/v1/audit')).status, 200);
  // Back to staff: fewer rights, the session ends.
  const down = await admin.post(`/api/v1/users/${a.id}`, { role: 'staff' });
  assert.equal(down.body.sessions_ended, true);
  assertApiError(await s2.get('/api/v1/me'), 401, 'login_required');
  void s;
  const entries = sql(`select detail from audit_log where action = 'account_update'
      and target_id = ${a.id} order by id`).map((x) => JSON.parse(x[0]));
  assert.equal(entries.length, 3);
  assert.deepEqual(entries[2], { role_from: 'admin', role_to: 'staff',
    org_from: Number(ids.city), org_to: Number(ids.city), sessions_ended: true });
  // Refused: oneself, a donor, a caring organisation, bad input.
  const me = sqlValue(`select id from users where email = 'admin@example.com'`);
  assertApiError(await admin.post(`/api/v1/users/${me}`, { role: 'staff' }), 400, 'not_yourself');
  const d = sqlValue(`select id from users where email = 'donor2@example.com'`);
  assertApiError(await admin.post(`/api/v1/users/${d}`, { role: 'staff' }), 404, 'not_found');
  const caring = sqlValue(`select id from orgs where kind = 'caring' order by id limit 1`);
  if (caring)
    assertApiError(await admin.post(`/api/v1/users/${a.id}`, { org_id: Number(caring) }), 400,
      'no_staff_for_caring');
  assertApiError(await admin.post(`/api/v1/users/${a.id}`, { role: 'donor' }), 400,
    'unknown_value', 'role');
});

test('the audit log is searched by actor, action, record and period, paged and downloaded', async () => {
  const a = await staffOf(ids.school, '审计搜索测试');
  await admin.post(`/api/v1/users/${a.id}/disable`);
  await admin.post(`/api/v1/users/${a.id}/enable`);
  const byRecord = await admin.get(`/api/v1/audit?target_type=user&target_id=${a.id}`);
  assert.equal(byRecord.status, 200);
  assert.deepEqual(byRecord.body.items.map((x) => x.action),
    ['account_enable', 'account_disable', 'login', 'invite_accepted', 'account_create']);
  assert.equal(byRecord.body.total, 5);
  const byAction = await admin.get(`/api/v1/audit?action=account_disable&target_id=${a.id}`);
  assert.deepEqual(byAction.body.items.map((x) => x.action), ['account_disable']);
  const adminName = demo('admin@example.com').name;
  const byActor = await admin.get(`/api/v1/audit?actor=${encodeURIComponent('admin@example.com')}&target_id=${a.id}`);
  assert.equal(byActor.body.total, 3);
  assert.ok(byActor.body.items.every((x) => x.actor === adminName));
  const byName = await admin.get(`/api/v1/audit?actor=${encodeURIComponent(adminName)}&action=account_enable&target_id=${a.id}`);
  assert.equal(byName.body.total, 1);
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const inPeriod = await admin.get(`/api/v1/audit?from=${today}&to=${today}&target_id=${a.id}&target_type=user`);
  assert.equal(inPeriod.body.total, 5);
  const before = await admin.get(`/api/v1/audit?to=2020-01-01&target_id=${a.id}`);
  assert.equal(before.body.total, 0);
  // Paged, 50 a page, the whole log.
  const total = Number(sqlValue('select count(*) from audit_log'));
  const p1 = await admin.get('/api/v1/audit');
  assert.equal(p1.body.total, total);
  assert.equal(p1.body.items.length, Math.min(total, 50));
  if (total > 50) {
    const p2 = await admin.get('/api/v1/audit?page=2');
    assert.ok(p2.body.items[0].id < p1.body.items.at(-1).id);
    assert.equal(p2.body.prev, 1);
  }
  // Bad input.
  assertApiError(await admin.get('/api/v1/audit?from=2026-13-01'), 400, undefined, 'from');
  assertApiError(await admin.get('/api/v1/audit?from=2026-02-01&to=2026-01-01'), 400, 'bad_range');
  assertApiError(await admin.get('/api/v1/audit?target_id=x'), 400, undefined, 'target_id');
  // Downloaded with the same search.
  const csv = await admin.get(`/api/v1/audit.csv?target_type=user&target_id=${a.id}`);
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.body);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows.slice(1).map((r) => r[4]), ['account_enable', 'account_disable',
    'login', 'invite_accepted', 'account_create']);
  const xlsx = await fetch(`${BASE}/api/v1/audit.xlsx?action=account_disable`,
    { headers: { authorization: 'Bearer ' + admin.token } });
  assert.equal(xlsx.status, 200);
  // The page, with the search kept in its links.
  const b = new Browser();
  const who = demo('admin@example.com');
  await b.login(who.login, who.password);
  const page = await b.get(`/admin/audit?action=account_disable&target_id=${a.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<option value="account_disable" selected>/);
  assert.match(page.text, new RegExp(`audit\\.csv\\?actor=&amp;action=account_disable&amp;target_type=&amp;target_id=${a.id}`));
});

test('the forms of /admin: an organisation renamed, a refused move shown again, an account moved', async () => {
  const id = await newSchool(ids.wangwu, '表单测试小学');
  const a = await staffOf(ids.school, '表单账户测试');
  const b = new Browser();
  const who = demo('admin@example.com');
  await b.login(who.login, who.password);
  const page = await b.get('/admin');
  assert.match(page.text, new RegExp(`action="/orgs/${id}"`));
  assert.match(page.text, new RegExp(`action="/accounts/${a.id}"`));
  const r = await b.post(`/orgs/${id}`, { name: '表单改名小学', name_en: '', parent_id: '' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/admin?done=orgs');
  assert.equal(sqlValue(`select name from orgs where id = ${id}`), '表单改名小学');
  const bad = await b.post(`/orgs/${id}`, { parent_id: String(ids.city) });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /上级组织不合适/);
  const m = await b.post(`/accounts/${a.id}`, { role: 'staff', org_id: String(id) });
  assert.equal(m.status, 303);
  assert.equal(sqlValue(`select org_id from users where id = ${a.id}`), String(id));
  // Without the CSRF token: refused, nothing changed.
  const forged = await b.post(`/orgs/${id}`, { name: '伪造', csrf: '0'.repeat(64) });
  assert.equal(forged.status, 403);
  assert.equal(sqlValue(`select name from orgs where id = ${id}`), '表单改名小学');
  // The search page, for admins only.
  const staff = new Browser();
  const s = demo(`org${ids.school}@example.com`);
  await staff.login(s.login, s.password);
  assert.equal((await staff.get('/admin/audit')).status, 403);
});
