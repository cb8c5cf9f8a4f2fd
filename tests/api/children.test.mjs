// The register of children: the private part is sealed before it reaches
// the database, read only by the child's organisation, the branches above
// it and admins (every read in the audit log), refused to everyone else;
// edits keep a history; bad input is a 400 that writes nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { sql, sqlValue, assertApiError, schoolOf } from '../lib/env.mjs';
import { Api, demo } from '../lib/session.mjs';

let school, town, otherTown, otherSchool, admin, donor, anon;
const ids = {};

before(async () => {
  ids.school = schoolOf('wangwu');
  ids.otherSchool = schoolOf('potou');
  school = await Api.as(`org${ids.school}@example.com`);
  otherSchool = await Api.as(`org${ids.otherSchool}@example.com`);
  town = await Api.as('wangwu@example.com');
  otherTown = await Api.as('potou@example.com');
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor5@example.com');
  anon = new Api('0'.repeat(64));
});

const child = (over = {}) => ({
  alias: '小雨点', birth_year: 2014, gender: 'f', school_stage: 'primary',
  poverty_level: 'extreme', cause_illness: true, cause_left_behind: true,
  left_behind: true, consent: true, consent_on: '2026-09-01',
  real_name: '欧阳秀兰', id_number: '11010519491231002X', guardian: '欧阳建国',
  guardian_relation: '祖父', phone: '0391-6612345', address: '王屋镇愚公村三组12号',
  notes: '奶奶长期卧病\n父母在外务工', ...over });

const count = (t) => Number(sqlValue(`select count(*) from ${t}`));

test('a school registers a child: the database holds ciphertext only', async () => {
  const r = await school.post('/api/v1/branch/children', child());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.child = String(r.body.id);
  const row = sql(`select org_id, alias, town_id = (select id from towns where slug = 'wangwu'),
      poverty_causes, left_behind, consent_on, consent_recorded_by is not null
      from beneficiaries where id = ${ids.child}`)[0];
  assert.deepEqual(row, [ids.school, '小雨点', 't', '{illness,left_behind}', 't', '2026-09-01', 't']);
  const p = sql(`select key_id, length(nonce), encode(sealed, 'escape') from beneficiary_private
      where beneficiary_id = ${ids.child}`)[0];
  assert.match(p[0], /^[0-9a-f]{16}$/);
  assert.equal(p[1], '12');
  for (const secret of ['欧阳秀兰', '11010519491231002X', '6612345', '愚公村', '卧病'])
    assert.ok(!p[2].includes(secret), `${secret} is not stored in the clear`);
  // Nowhere in the database (all of it, as text).
  const dump = sql(`select string_agg(t::text, '') from (select * from beneficiaries) t`)[0][0] +
    sql(`select coalesce(string_agg(t::text, ''), '') from audit_log t`)[0][0] +
    sql(`select coalesce(string_agg(t::text, ''), '') from beneficiary_history t`)[0][0];
  assert.ok(!dump.includes('欧阳秀兰'));
  // The key lives outside the database, readable by its owner only.
  const st = statSync(`${process.env.TEST_VAR}/data.key`);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(sqlValue(`select action from beneficiary_history where beneficiary_id = ${ids.child}`), 'create');
});

test('the record is shown without the private part; the private part is a logged read', async () => {
  const r = await school.get(`/api/v1/branch/children/${ids.child}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.child.alias, '小雨点');
  assert.equal(r.body.child.has_private, true);
  assert.ok(!JSON.stringify(r.body).includes('欧阳'));
  const audits = () => Number(sqlValue(`select count(*) from audit_log where action = 'child_private_read'
      and target_id = ${ids.child}`));
  const before = audits();
  for (const who of [school, town, admin]) {
    const p = await who.get(`/api/v1/branch/children/${ids.child}/private`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual(p.body.private, {
      real_name: '欧阳秀兰', id_number: '11010519491231002X', guardian: '欧阳建国',
      guardian_relation: '祖父', phone: '0391-6612345', address: '王屋镇愚公村三组12号',
      notes: '奶奶长期卧病\n父母在外务工' });
  }
  assert.equal(audits(), before + 3);
  assert.equal(sqlValue(`select actor_role from audit_log where action = 'child_private_read'
      and target_id = ${ids.child} order by id desc limit 1`), 'admin');
  // Everyone else: never the data, and nothing logged as read.
  for (const [who, status, code] of [[otherSchool, 404, 'not_found'], [otherTown, 404, 'not_found'],
    [donor, 403, 'forbidden'], [anon, 401, 'login_required']]) {
    for (const path of ['', '/private']) {
      const p = await who.get(`/api/v1/branch/children/${ids.child}${path}`);
      assertApiError(p, status, code);
      assert.ok(!JSON.stringify(p.body).includes('欧阳'));
    }
  }
  assert.equal(audits(), before + 3);
});

test('lists: staff see their subtree, admins all, with no private field', async () => {
  const mine = await school.get('/api/v1/branch/children');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.length > 0);
  assert.ok(mine.body.items.every((c) => String(c.org_id) === ids.school));
  assert.ok(mine.body.items.some((c) => String(c.id) === ids.child));
  const above = await town.get('/api/v1/branch/children');
  assert.ok(above.body.items.some((c) => String(c.id) === ids.child));
  const other = await otherTown.get('/api/v1/branch/children');
  assert.ok(!other.body.items.some((c) => String(c.id) === ids.child));
  const all = await admin.get('/api/v1/branch/children?page=1');
  assert.equal(all.body.total, Number(sqlValue('select count(*) from beneficiaries where archived_at is null')));
  assert.ok(!JSON.stringify(all.body).includes('欧阳'));
  assertApiError(await donor.get('/api/v1/branch/children'), 403, 'forbidden');
  assertApiError(await anon.get('/api/v1/branch/children'), 401, 'login_required');
  assertApiError(await admin.get('/api/v1/branch/children?page=x'), 400, 'bad_number', 'page');
});

test('bad input is a 400 naming the field, and nothing is written', async () => {
  const before = [count('beneficiaries'), count('beneficiary_private'), count('beneficiary_history')];
  const cases = [
    [{ real_name: undefined }, 'real_name', 'required'],
    [{ alias: '' }, 'alias', 'required'],
    [{ alias: '一二三四五六七八九十一二三四五六七八九十一' }, 'alias', 'too_long'],
    [{ id_number: '110105194912310021' }, 'id_number', 'bad_idcard'],
    [{ id_number: '1234' }, 'id_number', 'bad_idcard'],
    [{ consent: false }, 'consent', 'consent_required'],
    [{ consent: undefined }, 'consent', 'consent_required'],
    [{ consent_on: '2026-02-30' }, 'consent_on', 'bad_date'],
    [{ consent_on: '2099-01-01' }, 'consent_on', 'bad_date'],
    [{ birth_year: 2099 }, 'birth_year', 'bad_number'],
    [{ birth_year: 1980 }, 'birth_year', 'bad_number'],
    [{ gender: 'x' }, 'gender', 'unknown_value'],
    [{ school_stage: 'phd' }, 'school_stage', 'unknown_value'],
    [{ poverty_level: 'rich' }, 'poverty_level', 'unknown_value'],
    [{ town: 'nowhere' }, 'town', 'unknown_value'],
    [{ cause_illness: 'maybe' }, 'cause_illness', 'bad_boolean'],
    [{ phone: 'call me' }, 'phone', 'bad_tel'],
    [{ phone: '12' }, 'phone', 'bad_tel'],
    [{ notes: 'x'.repeat(2001) }, 'notes', 'too_long'],
    [{ real_name: 'a\u0001b' }, 'real_name', 'bad_text'],
    [{ secret: 'x' }, 'secret', 'unknown_field'],
  ];
  for (const [over, field, code] of cases) {
    const r = await school.post('/api/v1/branch/children', child(over));
    assertApiError(r, 400, code, field);
    // An error never repeats what was typed.
    assert.ok(!JSON.stringify(r.body).includes('欧阳'), field);
  }
  // Only staff register, and only for their own organisation.
  assertApiError(await admin.post('/api/v1/branch/children', child()), 403, 'forbidden');
  assertApiError(await donor.post('/api/v1/branch/children', child()), 403, 'forbidden');
  assertApiError(await anon.post('/api/v1/branch/children', child()), 401, 'login_required');
  assert.deepEqual([count('beneficiaries'), count('beneficiary_private'), count('beneficiary_history')], before);
});

test('an edit keeps the history: which fields changed, the former private part sealed', async () => {
  const id = ids.child;
  const r = await school.post(`/api/v1/branch/children/${id}`, child({ alias: '小雨滴',
    phone: '13912345678', address: '王屋镇愚公村四组1号', cause_orphan: true }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.changed.sort(), ['address', 'alias', 'phone', 'poverty_causes']);
  const h = sql(`select changed, before ->> 'alias', prev_sealed is not null from beneficiary_history
      where beneficiary_id = ${id} order by id desc limit 1`)[0];
  assert.deepEqual(h, ['{alias,poverty_causes,phone,address}', '小雨点', 't']);
  const p = await school.get(`/api/v1/branch/children/${id}/private`);
  assert.equal(p.body.private.phone, '13912345678');
  assert.equal(p.body.private.real_name, '欧阳秀兰');
  const g = await school.get(`/api/v1/branch/children/${id}`);
  assert.equal(g.body.child.alias, '小雨滴');
  assert.deepEqual(g.body.history[0].changed.sort(), ['address', 'alias', 'phone', 'poverty_causes']);
  assert.ok(!JSON.stringify(g.body.history).includes('13912345678'));
  // The same values again change nothing and write no history.
  const n = count('beneficiary_history');
  const same = await school.post(`/api/v1/branch/children/${id}`, child({ alias: '小雨滴',
    phone: '13912345678', address: '王屋镇愚公村四组1号', cause_orphan: true }));
  assert.deepEqual(same.body.changed, []);
  assert.equal(count('beneficiary_history'), n);
  // The branch above reads but does not edit; others do not see it.
  assertApiError(await town.post(`/api/v1/branch/children/${id}`, child()), 403, 'forbidden');
  assertApiError(await otherSchool.post(`/api/v1/branch/children/${id}`, child()), 404, 'not_found');
  assertApiError(await school.post(`/api/v1/branch/children/${id}`, child({ id_number: 'x' })), 400, 'bad_idcard');
  assert.equal(count('beneficiary_history'), n);
});

test('archiving: not while a need is under way; an archived record is read-only', async () => {
  const id = ids.child;
  const deadline = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const need = await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'daily',
    title: '台灯（测试）', item: '台灯', unit: '台', quantity: 1, deadline, beneficiary_id: Number(id) });
  await school.post(`/api/v1/branch/needs/${need.body.id}/submit`);
  assertApiError(await school.post(`/api/v1/branch/children/${id}/archive`), 409, 'child_has_needs');
  await school.post(`/api/v1/branch/needs/${need.body.id}/cancel`, { note: '已由亲戚购买' });
  assertApiError(await town.post(`/api/v1/branch/children/${id}/archive`), 403, 'forbidden');
  const a = await school.post(`/api/v1/branch/children/${id}/archive`);
  assert.deepEqual(a.body, { id: Number(id), archived: true });
  assertApiError(await school.post(`/api/v1/branch/children/${id}`, child()), 409, 'child_archived');
  // No new need for an archived child.
  assertApiError(await school.post('/api/v1/branch/needs', { kind: 'goods', category: 'daily',
    title: 'x', item: 'x', unit: '个', quantity: 1, deadline, beneficiary_id: Number(id) }),
  400, 'unknown_value', 'beneficiary_id');
  const listed = await school.get('/api/v1/branch/children?archived=1');
  assert.ok(listed.body.items.some((c) => String(c.id) === id));
  const u = await admin.post(`/api/v1/branch/children/${id}/unarchive`);
  assert.equal(u.body.archived, false);
  assert.deepEqual(sql(`select action from beneficiary_history where beneficiary_id = ${id}
      order by id desc limit 2`).map((r) => r[0]), ['unarchive', 'archive']);
  assertApiError(await school.post(`/api/v1/branch/children/${id}/delete`), 404, 'not_found');
  assertApiError(await school.get(`/api/v1/branch/children/${id}/edit`), 404, 'not_found');
});

test('a sealed value altered, or moved to another child, does not open', async () => {
  const r = await school.post('/api/v1/branch/children', child({ alias: '小测试', real_name: '司马测试' }));
  const a = String(r.body.id);
  const saved = sql(`select encode(nonce, 'hex'), encode(sealed, 'hex') from beneficiary_private
      where beneficiary_id = ${a}`)[0];
  const restore = () => sql(`update beneficiary_private set nonce = decode('${saved[0]}', 'hex'),
      sealed = decode('${saved[1]}', 'hex') where beneficiary_id = ${a}`);
  try {
    sql(`update beneficiary_private set sealed = set_byte(sealed, 3, get_byte(sealed, 3) # 1)
        where beneficiary_id = ${a}`);
    assertApiError(await school.get(`/api/v1/branch/children/${a}/private`), 500, 'sealed_unreadable');
    restore();
    // Another child's sealed part, copied over: bound to its own record.
    sql(`update beneficiary_private p set nonce = q.nonce, sealed = q.sealed
        from beneficiary_private q where p.beneficiary_id = ${a} and q.beneficiary_id = ${ids.child}`);
    const moved = await school.get(`/api/v1/branch/children/${a}/private`);
    assertApiError(moved, 500, 'sealed_unreadable');
    assert.ok(!JSON.stringify(moved.body).includes('欧阳'));
  } finally {
    restore();
  }
  assert.equal((await school.get(`/api/v1/branch/children/${a}/private`)).body.private.real_name, '司马测试');
});

test('the demo children have sealed private parts that open', async () => {
  // One that no test changed (a demo child has no history of its own).
  const demoChild = sqlValue(`select b.id from beneficiaries b join beneficiary_private p
      on p.beneficiary_id = b.id where b.org_id = ${ids.school} and not exists
      (select 1 from beneficiary_history h where h.beneficiary_id = b.id) order by b.id desc limit 1`);
  assert.ok(demoChild);
  const p = await school.get(`/api/v1/branch/children/${demoChild}/private`);
  assert.equal(p.status, 200);
  assert.match(p.body.private.id_number, /^419001\d{11}[\dX]$/);
  assert.equal(Number(sqlValue('select count(*) from beneficiaries b where not exists (select 1 from beneficiary_private p where p.beneficiary_id = b.id)')), 0);
});
