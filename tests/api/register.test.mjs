// The register of children for the people who keep it (issue 18, item
// 2): filters, search by alias and paging, scoped to the caller's
// subtree; the census (摸清底数) of that subtree, city-wide for admins,
// against a known set of children, and its CSV and .xlsx downloads.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';
import { parseCsv, xlsxRows } from '../lib/files.mjs';

let school, town, otherTown, admin, donor, anon;
const ids = {};

// A new school under 王屋镇's branch, with a staff account (the password
// of the town's demo account): its census is exactly the children this
// file gives it.
function newSchool() {
  const townOrg = sqlValue(`select id from orgs where kind = 'town'
      and town_id = (select id from towns where slug = 'wangwu')`);
  const id = sqlValue(`insert into orgs (parent_id, kind, name, town_id)
      select id, 'school', '登记测试小学', town_id from orgs where id = ${townOrg}
      returning id`);
  sql(`insert into users (role, org_id, display_name, email, password_hash)
      select 'staff', ${id}, '登记测试', 'register-test@example.com', password_hash
        from users where email = 'wangwu@example.com'`);
  return id;
}

// The known set: [alias, stage, level, causes, left_behind, gender].
const KNOWN = [
  ['登测甲', 'primary', 'extreme', ['illness', 'left_behind'], true, 'f'],
  ['登测乙', 'primary', 'poor', ['illness'], false, 'm'],
  ['登测丙', 'junior', 'poor', ['education'], true, 'f'],
  ['登测丁', 'junior', 'struggling', [], false, 'm'],
  ['登测戊', 'senior', 'extreme', ['disability', 'labour', 'illness'], true, 'm'],
];

before(async () => {
  ids.school = newSchool();
  ids.town = sqlValue(`select parent_id from orgs where id = ${ids.school}`);
  ids.townSlug = 'wangwu';
  ids.user = sqlValue("select id from users where email = 'register-test@example.com'");
  school = await Api.login('register-test@example.com', demo('wangwu@example.com').password);
  town = await Api.as('wangwu@example.com');
  otherTown = await Api.as('potou@example.com');
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor5@example.com');
  anon = new Api('0'.repeat(64));
  for (const [alias, stage, level, causes, lb, g] of KNOWN) {
    sql(`insert into beneficiaries (org_id, alias, birth_year, gender, town_id,
        school_stage, poverty_causes, poverty_level, left_behind, consent_on,
        consent_recorded_by)
      select ${ids.school}, '${alias}', 2012, '${g}', town_id, '${stage}',
        '{${causes.join(',')}}', '${level}', ${lb}, current_date, ${ids.user}
        from orgs where id = ${ids.school}`);
  }
  // One archived: in the archived list, never in the census.
  sql(`insert into beneficiaries (org_id, alias, birth_year, gender, town_id,
      school_stage, poverty_causes, poverty_level, left_behind, consent_on, archived_at,
      consent_recorded_by)
    select ${ids.school}, '登测己', 2011, 'f', town_id, 'primary', '{orphan}',
      'extreme', true, current_date, now(), ${ids.user} from orgs where id = ${ids.school}`);
});

const list = async (who, q = '') => {
  const r = await who.get('/api/v1/branch/children' + q);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const aliases = (b) => b.items.map((c) => c.alias).sort();

test('the register filters by stage, cause, level, left behind, school and town', async () => {
  assert.deepEqual(aliases(await list(school)), ['登测丁', '登测丙', '登测乙', '登测戊', '登测甲']);
  assert.deepEqual(aliases(await list(school, '?stage=junior')), ['登测丁', '登测丙']);
  assert.deepEqual(aliases(await list(school, '?cause=illness')), ['登测乙', '登测戊', '登测甲']);
  assert.deepEqual(aliases(await list(school, '?level=extreme')), ['登测戊', '登测甲']);
  assert.deepEqual(aliases(await list(school, '?left_behind=1')), ['登测丙', '登测戊', '登测甲']);
  assert.deepEqual(aliases(await list(school, '?left_behind=0')), ['登测丁', '登测乙']);
  assert.deepEqual(aliases(await list(school, '?cause=illness&left_behind=1&level=extreme')),
    ['登测戊', '登测甲']);
  assert.deepEqual(aliases(await list(school, '?archived=1')), ['登测己']);
  const b = await list(town, `?school=${ids.school}&stage=primary`);
  assert.deepEqual(aliases(b), ['登测乙', '登测甲']);
  assert.equal(b.total, 2);
  assert.deepEqual(b.filters, { town: null, school: Number(ids.school), stage: 'primary',
    cause: null, level: null, left_behind: null, q: null });
  assert.ok(b.filter_choices.school.some((o) => o.value === String(ids.school) && o.selected));
  // The town filter: the school's town holds them; another town does not.
  const inTown = await list(admin, `?town=${ids.townSlug}&q=登测`);
  assert.deepEqual(aliases(inTown), ['登测丁', '登测丙', '登测乙', '登测戊', '登测甲']);
  const other = 'potou';
  assert.equal((await list(admin, `?town=${other}&q=登测`)).total, 0);
});

test('search by alias: a piece of it, wildcards taken literally', async () => {
  assert.deepEqual(aliases(await list(school, '?q=' + encodeURIComponent('丙'))), ['登测丙']);
  assert.equal((await list(school, '?q=' + encodeURIComponent('%'))).total, 0);
  assert.equal((await list(school, '?q=_')).total, 0);
});

test('scope: another town sees none of them, even when it names the school', async () => {
  const b = await list(otherTown, `?school=${ids.school}`);
  assert.equal(b.total, 0);
  assert.equal((await list(otherTown, '?q=' + encodeURIComponent('登测'))).total, 0);
  assert.ok(!b.filter_choices.school.some((o) => o.value === String(ids.school)));
  // Admins see every child; the school's town sees its school's.
  assert.equal((await list(town, '?q=' + encodeURIComponent('登测'))).total, 5);
  assert.equal((await list(admin)).total,
    Number(sqlValue('select count(*) from beneficiaries where archived_at is null')));
});

test('paging: 50 a page, every child once, the pages counted', async () => {
  const total = Number(sqlValue('select count(*) from beneficiaries where archived_at is null'));
  assert.ok(total > 50, 'the demo has more than a page of children');
  const seen = new Set();
  const first = await list(admin);
  assert.equal(first.pages, Math.ceil(total / 50));
  assert.equal(first.prev, null);
  assert.equal(first.next, 2);
  for (let p = 1; p <= first.pages; p++) {
    const b = await list(admin, `?page=${p}`);
    assert.equal(b.page, p);
    assert.ok(b.items.length <= 50);
    if (p < first.pages) assert.equal(b.items.length, 50);
    for (const c of b.items) seen.add(c.id);
  }
  assert.equal(seen.size, total);
  assert.equal((await list(admin, `?page=${first.pages + 1}`)).items.length, 0);
});

test('bad filters are a 400 naming the filter; donors 403, no session 401', async () => {
  for (const [q, field] of [['?stage=kindergarten', 'stage'], ['?cause=poor', 'cause'],
    ['?level=rich', 'level'], ['?left_behind=maybe', 'left_behind'], ['?school=x', 'school'],
    ['?town=Bad!', 'town'], ['?page=0', 'page'], ['?q=' + 'a'.repeat(21), 'q']]) {
    const r = await school.get('/api/v1/branch/children' + q);
    assertApiError(r, 400, undefined, field);
  }
  assertApiError(await donor.get('/api/v1/branch/children?stage=primary'), 403, 'forbidden');
  assertApiError(await anon.get('/api/v1/branch/children?stage=primary'), 401);
});

// The census of the school: exactly the known set.
const figures = (body) => Object.fromEntries(body.dimensions.map((d) =>
  [d.key, Object.fromEntries(d.rows.map((r) => [r.key, r.count]))]));

test('the census of a school is its known children, by every dimension', async () => {
  const r = await school.get('/api/v1/branch/census');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.total, 5);
  const f = figures(r.body);
  assert.deepEqual(f.cause, { illness: 3, disability: 1, labour: 1, education: 1,
    disaster: 0, left_behind: 1, orphan: 0, other: 0 });
  assert.deepEqual(f.level, { extreme: 2, poor: 2, struggling: 1 });
  assert.deepEqual(f.left_behind, { yes: 3, no: 2 });
  assert.deepEqual(f.town, { [ids.townSlug]: 5 });
  assert.deepEqual(f.stage, { preschool: 0, primary: 2, junior: 2, senior: 1,
    vocational: 0, college: 0, none: 0 });
  assert.deepEqual(r.body.dimensions.map((d) => d.key),
    ['cause', 'level', 'left_behind', 'town', 'stage']);
});

test('the census of a town and of the city: their subtrees, as the database counts', async () => {
  const count = (where) => Number(sqlValue(`select count(*) from beneficiaries b
      where archived_at is null and ${where}`));
  const t = (await town.get('/api/v1/branch/census')).body;
  const inTown = `b.org_id in (select api.org_subtree(${ids.town}))`;
  assert.equal(t.total, count(inTown));
  assert.equal(figures(t).level.extreme, count(`${inTown} and poverty_level = 'extreme'`));
  assert.equal(figures(t).cause.illness, count(`${inTown} and 'illness' = any (poverty_causes)`));
  const c = (await admin.get('/api/v1/branch/census')).body;
  assert.equal(c.total, count('true'));
  const towns = figures(c).town;
  for (const [slug, n] of sql(`select t.slug, count(*) from beneficiaries b
      join towns t on t.id = b.town_id where b.archived_at is null group by t.slug`))
    assert.equal(towns[slug], Number(n), slug);
  assert.equal(figures(c).left_behind.yes + figures(c).left_behind.no, c.total);
  assertApiError(await donor.get('/api/v1/branch/census'), 403, 'forbidden');
  assertApiError(await anon.get('/api/v1/branch/census'), 401);
});

async function download(path, who) {
  const headers = who ? { authorization: 'Bearer ' + who.token } : {};
  const res = await fetch(BASE + path, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('the census downloads as CSV and .xlsx, the same figures', async () => {
  const csv = await download('/api/v1/branch/census.csv', school);
  assert.equal(csv.status, 200, csv.bytes.toString());
  assert.match(csv.headers.get('content-disposition'), /filename="census-\d{8}\.csv"/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], ['维度', '类别', '人数']);
  const get = (dim, cat) => rows.find((r) => r[0] === dim && r[1] === cat)?.[2];
  assert.equal(get('致贫原因', '因病'), '3');
  assert.equal(get('困难程度', '特困'), '2');
  assert.equal(get('留守儿童', '留守'), '3');
  assert.equal(get('学段', '初中'), '2');
  assert.equal(rows.length, 1 + 8 + 3 + 2 + 1 + 7);
  const x = await download('/api/v1/branch/census.xlsx', school);
  assert.equal(x.status, 200);
  const book = xlsxRows(x.bytes).rows;
  assert.deepEqual(book[0], rows[0]);
  assert.deepEqual(book.slice(1).map((r) => r.map(String)), rows.slice(1));
  assert.equal((await download('/api/v1/branch/census.csv')).status, 401);
  assert.equal((await download('/api/v1/branch/census.xlsx', donor)).status, 403);
});

test('the register downloads with its filters', async () => {
  const csv = await download(`/api/v1/branch/children.csv?cause=illness&school=${ids.school}`, town);
  assert.equal(csv.status, 200, csv.bytes.toString());
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows.slice(1).map((r) => r[1]).sort(), ['登测乙', '登测戊', '登测甲']);
});

// A child as the one-by-one form posts it.
const child = (over = {}) => ({
  alias: '小雨点', birth_year: 2014, gender: 'f', school_stage: 'primary',
  poverty_level: 'poor', consent: true, consent_on: '2026-09-01',
  real_name: '欧阳秀兰', ...over });

test('an alias that looks like a full name is refused until confirmed', async () => {
  const before = Number(sqlValue('select count(*) from beneficiaries'));
  for (const [alias, code] of [['王芳', 'alias_looks_like_name'],
    ['欧阳娜娜', 'alias_looks_like_name'], ['欧阳秀兰', 'alias_is_real_name'],
    ['秀兰', 'alias_is_real_name']]) {
    const r = await school.post('/api/v1/branch/children', child({ alias }));
    assertApiError(r, 400, code, 'alias');
  }
  assert.equal(Number(sqlValue('select count(*) from beneficiaries')), before, 'nothing written');
  const ok = await school.post('/api/v1/branch/children', child({ alias: '王芳', confirm_alias: true }));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(sqlValue(`select alias from beneficiaries where id = ${ok.body.id}`), '王芳');
  // An ordinary alias needs no confirmation; an edit is checked as well.
  const plain = await school.post('/api/v1/branch/children', child());
  assert.equal(plain.status, 201, JSON.stringify(plain.body));
  const edit = await school.post(`/api/v1/branch/children/${plain.body.id}`,
    child({ alias: '秀兰' }));
  assertApiError(edit, 400, 'alias_is_real_name', 'alias');
});

test('the form shows the warning and the box that confirms it', async () => {
  const b = new Browser();
  await b.login('register-test@example.com', demo('wangwu@example.com').password);
  await b.get('/branch/children');
  const fields = { ...child({ alias: '李小明' }), consent: '1' };
  const sent = await b.post('/branch/children', fields);
  assert.equal(sent.status, 400);
  assert.match(sent.text, /化名看起来像真实姓名/);
  assert.match(sent.text, /name="confirm_alias"/);
  assert.match(sent.text, /value="李小明"/);
  const again = await b.post('/branch/children', { ...fields, confirm_alias: '1' });
  assert.equal(again.status, 303, again.text);
});
