// The same life through the pages and forms (cookies and CSRF tokens):
// a school registers a child and posts a need, its town branch verifies,
// the public objects during the notice, the branch answers; admins keep
// the queue, the settings and the campaigns.  Refused forms come back
// with their message and what was typed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { get, sql, sqlValue, schoolOf } from '../lib/env.mjs';
import { Browser, demo } from '../lib/session.mjs';

let school, town, admin, visitor;
const ids = {};
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

before(async () => {
  ids.school = schoolOf('wangwu');
  const login = async (email) => {
    const b = new Browser();
    await b.login(email, demo(email).password);
    return b;
  };
  school = await login(`org${ids.school}@example.com`);
  town = await login('wangwu@example.com');
  admin = await login('admin@example.com');
  visitor = new Browser();
  // Objections filed before from this address must not limit these.
  sql(`update objections set created_at = created_at - interval '2 hours'`);
});

const idFrom = (r, prefix) => {
  assert.equal(r.status, 303, r.text.slice(0, 500));
  const m = r.headers.get('location').match(new RegExp(`^${prefix}(\\d+)\\?done=[a-z_]+$`));
  assert.ok(m, r.headers.get('location'));
  return m[1];
};

test('a school registers a child through the form; the private part is its own page', async () => {
  const page = await school.get('/branch/children');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form class="stack child-form" method="post" action="\/branch\/children">/);
  const fields = { alias: '页面小孩', birth_year: '2015', gender: 'm', school_stage: 'primary',
    poverty_level: 'poor', cause_education: '1', consent: '1', consent_on: '2026-08-01',
    real_name: '诸葛页面', id_number: '440524188001010014', guardian: '诸葛父亲',
    guardian_relation: '父亲', phone: '13700000002', address: '王屋镇页面村1号', notes: '' };
  // Refused: the form again, with the message and what was typed.
  const bad = await school.post('/branch/children', { ...fields, id_number: '440524188001010015' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /不是有效的身份证号/);
  assert.match(bad.text, /value="诸葛页面"/);
  const noConsent = await school.post('/branch/children', { ...fields, consent: '' });
  assert.equal(noConsent.status, 400);
  assert.match(noConsent.text, /必须有监护人的书面同意/);
  // Without the CSRF token: refused.
  const forged = await school.post('/branch/children', { ...fields, csrf: 'f'.repeat(64) });
  assert.equal(forged.status, 403);
  const r = await school.post('/branch/children', fields);
  ids.child = idFrom(r, '/branch/children/');
  const shown = await school.get(`/branch/children/${ids.child}`);
  assert.equal(shown.status, 200);
  assert.match(shown.text, /页面小孩/);
  assert.ok(!shown.text.includes('诸葛'), 'the record page does not show the private part');
  const reads = () => Number(sqlValue(`select count(*) from audit_log where action = 'child_private_read'
      and target_id = ${ids.child}`));
  const n = reads();
  const priv = await school.get(`/branch/children/${ids.child}/private`);
  assert.equal(priv.status, 200);
  assert.match(priv.text, /诸葛页面/);
  assert.match(priv.text, /13700000002/);
  assert.equal(reads(), n + 1);
  const edit = await school.get(`/branch/children/${ids.child}/edit`);
  assert.match(edit.text, /name="real_name" required maxlength="30" autocomplete="off" value="诸葛页面"/);
  assert.match(edit.text, /<option value="m" selected>/);
  assert.match(edit.text, /name="cause_education" value="1" checked/);
  assert.equal(reads(), n + 2);
  const saved = await school.post(`/branch/children/${ids.child}`, { ...fields, address: '王屋镇页面村2号' });
  assert.equal(idFrom(saved, '/branch/children/'), ids.child);
  const history = await school.get(`/branch/children/${ids.child}`);
  assert.match(history.text, /家庭住址/);
  const refused = await school.post(`/branch/children/${ids.child}`, { ...fields, birth_year: '1900' });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /value="1900"/);
  // The town branch reads it too; the edit form is not theirs.
  assert.match((await town.get(`/branch/children/${ids.child}/private`)).text, /诸葛页面/);
  assert.match((await town.get(`/branch/children/${ids.child}/edit`)).text, /只有孩子所在单位的工作人员可以修改档案/);
  // Nobody else.
  for (const path of ['', '/private', '/edit']) {
    const p = await visitor.get(`/branch/children/${ids.child}${path}`);
    assert.equal(p.status, 303);
    assert.ok(!(await (await get(`/branch/children/${ids.child}${path}`)).text()).includes('诸葛'));
  }
});

test('a school posts and submits a need; the town verifies; the public objects; the town answers', async () => {
  const form = await school.get('/branch/needs/new');
  assert.equal(form.status, 200);
  assert.match(form.text, /<option value="goods" selected>/);
  const fields = { kind: 'money', title: '康复训练费（页面）', category: 'medical',
    beneficiary_id: ids.child, amount: '1234.5', quantity: '', unit: '', item: '', spec: '',
    unit_amount: '', terms: '', urgency: '3', deadline: inDays(30), campaign: '', town: '',
    story: '听力康复\n一年' };
  const bad = await school.post('/branch/needs', { ...fields, amount: '12.345' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /最多两位小数/);
  assert.match(bad.text, /value="康复训练费（页面）"/);
  assert.match(bad.text, /<option value="money" selected>/);
  const r = await school.post('/branch/needs', fields);
  ids.need = idFrom(r, '/branch/needs/');
  let page = await school.get(`/branch/needs/${ids.need}`);
  assert.match(page.text, /¥1,234.50/);
  assert.match(page.text, /action="\/branch\/needs\/\d+\/submit"/);
  assert.match(page.text, /修改草稿/);
  assert.equal(idFrom(await school.post(`/branch/needs/${ids.need}/submit`, {}), '/branch/needs/'), ids.need);

  // The town branch finds it on its desk and verifies it.
  const desk = await town.get('/branch');
  assert.match(desk.text, new RegExp(`href="/branch/needs/${ids.need}"`));
  page = await town.get(`/branch/needs/${ids.need}`);
  assert.match(page.text, /action="\/branch\/needs\/\d+\/verify"/);
  const noNote = await town.post(`/branch/needs/${ids.need}/verify`, { note: '', publish: '1' });
  assert.equal(noNote.status, 400);
  assert.match(noNote.text, /请填写“说明”/);
  idFrom(await town.post(`/branch/needs/${ids.need}/verify`, { note: '入户走访', publish: '1' }), '/branch/needs/');
  assert.equal(sqlValue(`select status from needs where id = ${ids.need}`), 'notice');

  // The public page shows the notice and the objection form.
  const pub = await visitor.get(`/needs/${ids.need}`);
  assert.equal(pub.status, 200);
  assert.match(pub.text, /公示中/);
  assert.match(pub.text, /action="\/needs\/\d+\/objections"/);
  const forged = await visitor.post(`/needs/${ids.need}/objections`, { reason: '情况不属实啊', csrf: '0'.repeat(64) });
  assert.equal(forged.status, 403);
  const short = await visitor.post(`/needs/${ids.need}/objections`, { reason: '短', contact: '' });
  assert.equal(short.status, 400);
  assert.match(short.text, /太短/);
  // The message names its field, for the page to put it beside it.
  assert.match(short.text, /id="form-error" data-field="reason">/);
  const o = await visitor.post(`/needs/${ids.need}/objections`, { reason: '这家刚盖了新房子', contact: 'wx:page-test' });
  assert.equal(o.status, 303);
  // On to the page of its follow-up code: the one way back to an
  // anonymous objection (issue 19: the objector never learnt the outcome).
  const where = o.headers.get('location');
  const code = where.match(/^\/objections\/follow\?code=([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})&done=needs_objections$/)?.[1];
  assert.ok(code, where);
  const thanks = await visitor.get(where);
  assert.equal(thanks.status, 200);
  assert.match(thanks.text, /您的异议已经收到/);
  assert.match(thanks.text, /公示已暂停/);
  assert.ok(thanks.text.includes(`<strong class="code">${code}</strong>`));
  assert.match(thanks.text, /正在核实/);
  assert.match(thanks.text, new RegExp(`href="/needs/${ids.need}"`));
  assert.ok(!thanks.text.includes('wx:page-test'));
  assert.ok(!thanks.text.includes('这家刚盖了新房子'));
  // The need's page links to the lookup, whose form finds it again typed
  // in small letters with spaces; a code nobody has: 404 beside the field.
  assert.match((await visitor.get(`/needs/${ids.need}`)).text, /href="\/objections\/follow"/);
  assert.match((await visitor.get('/objections/follow')).text, /<input name="code"/);
  const typed = await visitor.get(`/objections/follow?code=${encodeURIComponent(code.toLowerCase().replace(/-/g, ' '))}`);
  assert.ok(typed.text.includes(`<strong class="code">${code}</strong>`));
  const wrong = await visitor.get('/objections/follow?code=AAAA-BBBB-CCCC');
  assert.equal(wrong.status, 404);
  assert.match(wrong.text, /id="form-error" data-field="code">[^<]*没有找到这个查询码/);
  assert.match(wrong.text, /value="AAAA-BBBB-CCCC"/);

  // The school sees the reason only; the town the contact too, and answers.
  const mine = await school.get(`/branch/needs/${ids.need}`);
  assert.match(mine.text, /这家刚盖了新房子/);
  assert.ok(!mine.text.includes('wx:page-test'));
  assert.ok(!mine.text.includes('/resolve"'));
  page = await town.get(`/branch/needs/${ids.need}`);
  assert.match(page.text, /wx:page-test/);
  const oid = page.text.match(/action="\/objections\/(\d+)\/resolve"/)[1];
  const ans = await town.post(`/objections/${oid}/resolve`, { decision: 'dismiss', note: '新房是危房改造补助' });
  assert.equal(ans.status, 303);
  assert.equal(ans.headers.get('location'), `/branch/needs/${ids.need}?done=objections_resolve`);
  assert.equal(sqlValue(`select notice_paused_at is null from needs where id = ${ids.need}`), 't');
  // The public sees how the objection ended (the count, not the answer:
  // it may speak of the family).
  const after = await visitor.get(`/needs/${ids.need}`);
  assert.match(after.text, /公示期间收到异议 1 条 · 经核实不成立 1/);
  assert.ok(!after.text.includes('新房是危房改造补助'));
  // The objector, with the code, reads the answer (the form said so).
  assert.match(page.text, /答复会显示给提交异议的人/);
  const told = await visitor.get(`/objections/follow?code=${code}`);
  assert.match(told.text, /经核实不成立/);
  assert.match(told.text, /<dd class="answer">新房是危房改造补助<\/dd>/);
  page = await town.get(`/branch/needs/${ids.need}`);
  assert.match(page.text, /异议不成立，继续公示/);
});

test('work lists, admin queue, settings and campaigns pages', async () => {
  const list = await school.get('/branch/needs?status=notice');
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`href="/branch/needs/${ids.need}"`));
  assert.equal((await school.get('/branch/needs?status=nope')).status, 400);
  const q = await admin.get('/admin/needs');
  assert.equal(q.status, 200);
  assert.match(q.text, /name="notice_days"/);
  assert.match(q.text, /name="pairing_grace_days" [^>]*value="14"/);
  assert.match(q.text, /name="pledge_due_days" [^>]*value="14"/);
  assert.equal((await admin.post('/admin/settings', { notice_days: '99' })).status, 400);
  const s = await admin.post('/admin/settings', { notice_days: '6' });
  assert.equal(s.status, 303);
  assert.equal(sqlValue(`select value from settings where key = 'notice_days'`), '6');
  sql(`update settings set value = '5' where key = 'notice_days'`);
  assert.equal((await admin.get('/admin')).status, 200);
  assert.match((await admin.get('/admin')).text, /href="\/admin\/needs"/);
  const c = await admin.get('/admin/campaigns');
  assert.equal(c.status, 200);
  const slug = `page-${process.pid}`;
  const bad = await admin.post('/admin/campaigns', { slug, name_zh: '页面行动', name_en: 'Page',
    starts_on: '2026-05-01', ends_on: '2026-04-01' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /截止日期不能早于起始日期/);
  assert.match(bad.text, /value="页面行动"/);
  const ok = await admin.post('/admin/campaigns', { slug, name_zh: '页面行动', name_en: 'Page',
    starts_on: '2026-05-01', ends_on: '2027-04-01' });
  assert.equal(ok.status, 303);
  const edit = await admin.get(`/admin/campaigns/${slug}`);
  assert.match(edit.text, /value="页面行动"/);
  assert.equal((await admin.post(`/admin/campaigns/${slug}`, { name_zh: '页面行动二', name_en: 'Page 2',
    starts_on: '2026-05-01', ends_on: '2027-04-01' })).status, 303);
  assert.match((await visitor.get(`/campaigns/${slug}`)).text, /页面行动二/);
  for (const p of ['/admin/needs', '/admin/campaigns', `/admin/campaigns/${slug}`]) {
    assert.equal((await school.get(p)).status, 403, p);
    assert.equal((await visitor.get(p)).status, 303, p);
  }
  for (const p of ['/branch/needs', '/branch/needs/new', '/branch/children', '/admin/needs?lang=en']) {
    const who = p.startsWith('/admin') ? admin : school;
    const r = await who.get(p);
    assert.equal(r.status, 200, p);
  }
});
