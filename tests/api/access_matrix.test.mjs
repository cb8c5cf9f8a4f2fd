// Who may do what: every route that reads or changes a record, for every
// role, including records of another organisation.  Refusals are 401
// without a session (pages: a redirect to sign in; forms: 401 once the
// CSRF token passed), 403 for the wrong role, 404 where the record's
// existence must not leak.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sqlValue } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const ROLES = ['public', 'donor', 'staffTown', 'staffSchool', 'admin'];
let who = {};
let ids = {};

before(async () => {
  const acct = {
    donor: demo('donor2@example.com'),
    staffTown: demo('wangwu@example.com'),		// 王屋镇团委
    admin: demo('admin@example.com'),
  };
  // A school of 王屋镇 (inside staffTown's subtree) and one of 坡头镇.
  ids.wangwuSchool = sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'school' and t.slug = 'wangwu' order by o.id limit 1`);
  ids.potouSchool = sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'school' and t.slug = 'potou' order by o.id limit 1`);
  ids.potouTown = sqlValue(`select id from orgs where kind = 'town' and town_id =
      (select id from towns where slug = 'potou')`);
  acct.staffSchool = demo(`org${ids.wangwuSchool}@example.com`);
  ids.wangwuSchoolStaff = sqlValue(`select id from users where org_id = ${ids.wangwuSchool}`);
  ids.potouSchoolStaff = sqlValue(`select id from users where org_id = ${ids.potouSchool}`);
  ids.potouTownStaff = sqlValue(`select id from users where org_id = ${ids.potouTown}`);
  ids.wangwuTownStaff = sqlValue(`select id from users where email = 'wangwu@example.com'`);
  ids.donor = sqlValue(`select id from users where email = 'donor3@example.com'`);
  ids.openNeed = sqlValue(`select id from needs where status = 'open' and quantity - pledged > 10
      order by id limit 1`);
  // donor3 pledges to a need of the 坡头镇 school, through the API.
  const d3 = demo('donor3@example.com');
  const potouNeed = sqlValue(`select id from needs where org_id = ${ids.potouSchool}
      and status = 'open' and quantity > pledged order by id limit 1`);
  const p = await (await Api.login(d3.login, d3.password)).post(
    `/api/v1/needs/${potouNeed}/pledges`, { quantity: 1, message: '矩阵留言' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  ids.potouPledge = p.body.pledge.id;
  ids.potouCode = p.body.pledge.receipt_code;
  who.public = { api: new Api('0'.repeat(64)), web: new Browser() };
  for (const r of ['donor', 'staffTown', 'staffSchool', 'admin']) {
    const web = new Browser();
    await web.login(acct[r].login, acct[r].password);
    who[r] = { api: await Api.login(acct[r].login, acct[r].password), web };
  }
});

// [method, path, body, expected status by role]; 'ok' is any 2xx/303.
const API = () => [
  ['GET', '/api/v1/me', undefined, { public: 401, donor: 'ok', staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  ['GET', '/api/v1/orgs', undefined, { public: 401, donor: 403, staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  ['GET', '/api/v1/users', undefined, { public: 401, donor: 403, staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  ['GET', '/api/v1/audit', undefined, { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 'ok' }],
  ['POST', '/api/v1/orgs', { kind: 'school', parent_id: Number(ids.potouTown), name: '矩阵测试学校' },
    { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 'ok' }],
  // Staff of 坡头镇's school, created in 坡头镇: only admins may.
  ['POST', '/api/v1/users', (r) => ({ role: 'staff', org_id: Number(ids.potouSchool),
    display_name: '甲', email: fresh(r), password: 'matrix password 1' }),
    { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 'ok' }],
  // Staff of 王屋镇's school: its town branch may too, the school may not.
  ['POST', '/api/v1/users', (r) => ({ role: 'staff', org_id: Number(ids.wangwuSchool),
    display_name: '乙', email: fresh(r), password: 'matrix password 2' }),
    { public: 401, donor: 403, staffTown: 'ok', staffSchool: 403, admin: 'ok' }],
  // Nobody but an admin makes an admin.
  ['POST', '/api/v1/users', (r) => ({ role: 'admin', org_id: 1, display_name: '丙',
    email: fresh(r), password: 'matrix password 3' }),
    { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 'ok' }],
  // Disabling someone else's staff: 404 outside one's subtree.
  ['POST', `/api/v1/users/${ids.potouSchoolStaff}/disable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  ['POST', `/api/v1/users/${ids.potouSchoolStaff}/enable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  ['POST', `/api/v1/users/${ids.potouTownStaff}/disable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  ['POST', `/api/v1/users/${ids.potouTownStaff}/enable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  // A branch above, or one's own account: never managed from below.  (The
  // admin is not asked here: it would end staffTown's sessions.)
  ['POST', `/api/v1/users/${ids.wangwuTownStaff}/disable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  ['POST', `/api/v1/users/${ids.wangwuTownStaff}/enable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  // Donors are not staff: nobody disables them through this.
  ['POST', `/api/v1/users/${ids.donor}/disable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  ['POST', `/api/v1/users/${ids.donor}/enable`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  // Pledges: only donors pledge; a pledge is its donor's and its need's
  // organisation's (and the admins').  potouPledge is donor3's, to a need
  // of a 坡头镇 school.
  ['POST', `/api/v1/needs/${ids.openNeed}/pledges`, { quantity: 1 },
    { public: 401, donor: 'ok', staffTown: 403, staffSchool: 403, admin: 403 }],
  ['GET', '/api/v1/me/pledges', undefined,
    { public: 401, donor: 'ok', staffTown: 403, staffSchool: 403, admin: 403 }],
  ['GET', `/api/v1/pledges/${ids.potouPledge}`, undefined,
    { public: 401, donor: 404, staffTown: 404, staffSchool: 404, admin: 'ok' }],
  ['POST', `/api/v1/pledges/${ids.potouPledge}/cancel`, {},
    { public: 401, donor: 404, staffTown: 403, staffSchool: 403, admin: 403 }],
  ['POST', `/api/v1/pledges/${ids.potouPledge}/deliver`, { method: 'school' },
    { public: 401, donor: 404, staffTown: 403, staffSchool: 403, admin: 403 }],
  ['POST', `/api/v1/pledges/${ids.potouPledge}/dispute`, { reason: '矩阵' },
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 409 }],
  ['POST', `/api/v1/pledges/${ids.potouPledge}/receive`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  ['POST', '/api/v1/receipts', { code: ids.potouCode },
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  ['POST', `/api/v1/pledges/${ids.potouPledge}/approve`, {},
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  ['GET', '/api/v1/branch/pledges', undefined,
    { public: 401, donor: 403, staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  // The transparency page's data: public, the same for everyone.
  ['GET', '/api/v1/transparency', undefined,
    { public: 'ok', donor: 'ok', staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  ['GET', '/api/v1/transparency?town=potou&category=clothing', undefined,
    { public: 'ok', donor: 'ok', staffTown: 'ok', staffSchool: 'ok', admin: 'ok' }],
  ['GET', '/api/v1/transparency?town=nowhere', undefined,
    { public: 400, donor: 400, staffTown: 400, staffSchool: 400, admin: 400 }],
  ['POST', '/api/v1/transparency', {},
    { public: 405, donor: 405, staffTown: 405, staffSchool: 405, admin: 405 }],
];

const PAGES = () => [
  ['GET', '/me', undefined, { public: 303, donor: 200, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['GET', '/admin', undefined, { public: 303, donor: 403, staffTown: 403, staffSchool: 403, admin: 200 }],
  ['GET', '/branch', undefined, { public: 303, donor: 403, staffTown: 200, staffSchool: 200, admin: 403 }],
  ['GET', '/me/pledges', undefined, { public: 303, donor: 200, staffTown: 403, staffSchool: 403, admin: 403 }],
  ['GET', '/branch/pledges', undefined, { public: 303, donor: 403, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['GET', `/me/pledges/${ids.potouPledge}`, undefined, { public: 303, donor: 404, staffTown: 404, staffSchool: 404, admin: 200 }],
  ['GET', '/me/statement', undefined, { public: 303, donor: 200, staffTown: 403, staffSchool: 403, admin: 403 }],
  ['POST', `/pledges/${ids.potouPledge}/receive`, {}, { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 'skip' }],
  ['POST', '/orgs', { kind: 'caring', name: '矩阵爱心组织' },
    { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 303 }],
  ['POST', `/accounts/${ids.potouSchoolStaff}/disable`, { from: 'branch' },
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 303 }],
  ['POST', `/accounts/${ids.potouSchoolStaff}/enable`, { from: 'branch' },
    { public: 401, donor: 403, staffTown: 404, staffSchool: 404, admin: 303 }],
  ['POST', '/accounts', (r) => ({ role: 'staff', org_id: ids.potouSchool, display_name: '丁',
    email: fresh(r), password: 'matrix password 4', from: 'branch' }),
    { public: 401, donor: 403, staffTown: 403, staffSchool: 403, admin: 303 }],
  // The transparency page and its downloads: public, read-only.
  ['GET', '/transparency', undefined, { public: 200, donor: 200, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['GET', '/transparency?campaign=warm-winter', undefined,
    { public: 200, donor: 200, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['GET', '/transparency/totals.csv', undefined,
    { public: 200, donor: 200, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['GET', '/transparency/log.csv?since=2026-01-01', undefined,
    { public: 200, donor: 200, staffTown: 200, staffSchool: 200, admin: 200 }],
  ['POST', '/transparency', {}, { public: 405, donor: 405, staffTown: 405, staffSchool: 405, admin: 405 }],
];

let n = 0;
const fresh = (role) => `matrix${process.pid}x${++n}${role}@example.org`;
const bodyFor = (body, role) => (typeof body === 'function' ? body(role) : body);

function check(status, want, label) {
  if (want === 'ok') assert.ok(status >= 200 && status < 300, `${label}: ${status}`);
  else assert.equal(status, want, label);
}

test('API routes × roles', async () => {
  for (const [method, path, body, want] of API()) {
    for (const role of ROLES) {
      if (want[role] === 'skip') continue;
      const r = await who[role].api.call(method, path, bodyFor(body, role));
      check(r.status, want[role], `${role} ${method} ${path}`);
      if (want[role] !== 'ok') assert.ok(r.body.error?.code, 'an error body');
    }
  }
});

test('pages and forms × roles', async () => {
  for (const [method, path, body, want] of PAGES()) {
    for (const role of ROLES) {
      if (want[role] === 'skip') continue;
      const w = who[role].web;
      if (role === 'public') await w.get('/login');	// a csrf cookie
      else await w.get('/me');			// this session's token
      const r = method === 'GET' ? await w.get(path) : await w.post(path, bodyFor(body, role));
      check(r.status, want[role], `${role} ${method} ${path}`);
      if (r.status === 303 && role === 'public')
        assert.match(r.headers.get('location'), /^\/login\?next=/);
    }
  }
});

test('staff see only their own subtree', async () => {
  const orgs = (await who.staffSchool.api.get('/api/v1/orgs')).body.items;
  assert.deepEqual(orgs.map((o) => String(o.id)), [ids.wangwuSchool]);
  const townOrgs = (await who.staffTown.api.get('/api/v1/orgs')).body.items;
  assert.ok(townOrgs.some((o) => String(o.id) === ids.wangwuSchool));
  assert.ok(!townOrgs.some((o) => String(o.id) === ids.potouSchool));
  const users = (await who.staffTown.api.get('/api/v1/users')).body.items;
  assert.ok(users.length > 0);
  assert.ok(users.every((u) => u.role === 'staff' && u.org_id !== Number(ids.potouSchool)));
  assert.ok(!users.some((u) => String(u.id) === ids.wangwuTownStaff), 'not their own level');
  const all = (await who.admin.api.get('/api/v1/orgs')).body.items;
  assert.ok(all.length > townOrgs.length);
});
