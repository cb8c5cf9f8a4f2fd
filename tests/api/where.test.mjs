// Where to take a gift (issue 12 item 3): an organisation's delivery
// details, kept by its own staff and admins at /branch/org; what a donor
// is shown on their own pledge (the address as one block, the
// foundation's account and the pledge's reference code); nobody else
// seeing any of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, getJson, get, assertApiError, schoolOf } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

let admin, donor, donor2, town, schoolA, schoolB, staffA, staffB, account;
const tag = `${process.pid}`;
const REF = /^JY[A-HJ-NP-Z2-9]{8}$/;

// The delivery details of org id, as the database holds them (as JSON:
// an address may hold line breaks).
const details = (id) => JSON.parse(sqlValue(`select json_build_array(coalesce(address, ''),
    coalesce(contact_name, ''), coalesce(contact_phone, ''), coalesce(hours, ''))
    from orgs where id = ${id}`));

// A fresh open need of org, of kind (goods, money, scholarship).
function newNeed(org, kind = 'goods', quantity = 10) {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, unit_amount, deadline, story, status, opened_at)
    select id, town_id, '${kind}', 'books', '送达测试需求', '${kind === 'money' ? '元' : '本'}',
      ${quantity}, ${kind === 'scholarship' ? 120000 : 'null'}, current_date + 30, '', 'open',
      now() from orgs where id = ${org} returning id`);
  sql(`select api.log_need_opened(${id})`);
  return id;
}

before(async () => {
  admin = await Api.as('admin@example.com');
  donor = await Api.as('donor1@example.com');
  donor2 = await Api.as('donor2@example.com');
  town = await Api.as('wangwu@example.com');
  // Two demo schools with their staff accounts; schoolA under 王屋镇.
  schoolA = schoolOf('wangwu');
  schoolB = schoolOf('potou');
  staffA = await Api.as(`org${schoolA}@example.com`);
  staffB = await Api.as(`org${schoolB}@example.com`);
  account = (await admin.get('/api/v1/settings')).body;
});

after(async () => {
  // The demo account as it was, for the other tests.
  await admin.post('/api/v1/settings', { fund_payee: account.fund_payee,
    fund_bank: account.fund_bank, fund_account: account.fund_account });
});

test('staff edit their own organisation; another is 403; donors 403, the public 401', async () => {
  const mine = await staffA.get('/api/v1/branch/org');
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.equal(String(mine.body.org.id), schoolA);
  assert.equal(mine.body.orgs, null, 'staff get no list of organisations');
  assert.equal((await staffA.get(`/api/v1/branch/org?org=${schoolA}`)).status, 200);

  const before = details(schoolA);
  const r = await staffA.post('/api/v1/branch/org', {
    address: `河南省济源市王屋镇测试路 ${tag} 号\n王屋镇中心小学 传达室`,
    contact_name: '测试 张老师', contact_phone: '0391-6612345',
    hours: '周一至周五 8:00–17:00' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.changed.sort(), ['address', 'contact_name', 'contact_phone', 'hours']);
  assert.deepEqual(details(schoolA), [`河南省济源市王屋镇测试路 ${tag} 号\n王屋镇中心小学 传达室`,
    '测试 张老师', '0391-6612345', '周一至周五 8:00–17:00']);
  // Each change in the audit log, with what it was before.
  const audit = JSON.parse(sqlValue(`select detail from audit_log where action = 'org_contact_update'
      and target_id = ${schoolA} order by id desc limit 1`));
  assert.equal(audit.contact_name.before, before[1] || null);
  assert.equal(audit.contact_name.after, '测试 张老师');
  assert.equal(sqlValue(`select actor_id from audit_log where action = 'org_contact_update'
      and target_id = ${schoolA} order by id desc limit 1`),
    sqlValue(`select id from users where email = 'org${schoolA}@example.com'`));

  // A field left out keeps its value; an empty one clears it.
  const h = await staffA.post('/api/v1/branch/org', { hours: '' });
  assert.equal(h.status, 200);
  assert.deepEqual(h.body.changed, ['hours']);
  assert.deepEqual(details(schoolA).slice(0, 3), [`河南省济源市王屋镇测试路 ${tag} 号\n王屋镇中心小学 传达室`,
    '测试 张老师', '0391-6612345']);
  assert.equal(details(schoolA)[3], '');
  // Nothing changed: nothing written to the audit log.
  const n = sqlValue(`select count(*) from audit_log where action = 'org_contact_update'
      and target_id = ${schoolA}`);
  assert.deepEqual((await staffA.post('/api/v1/branch/org', { contact_name: '测试 张老师' })).body.changed, []);
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'org_contact_update'
      and target_id = ${schoolA}`), n);

  // Another organisation: 403 for its neighbours and for the branch above.
  const other = details(schoolB);
  assertApiError(await staffA.get(`/api/v1/branch/org?org=${schoolB}`), 403, 'forbidden');
  assertApiError(await staffA.post(`/api/v1/branch/org?org=${schoolB}`, { hours: '偷改' }),
    403, 'forbidden');
  assertApiError(await town.post(`/api/v1/branch/org?org=${schoolA}`, { hours: '上级代改' }),
    403, 'forbidden');
  assertApiError(await donor.get('/api/v1/branch/org'), 403, 'forbidden');
  assertApiError(await donor.get(`/api/v1/branch/org?org=${schoolA}`), 403, 'forbidden');
  assertApiError(await donor.post(`/api/v1/branch/org?org=${schoolA}`, { hours: '捐赠人' }),
    403, 'forbidden');
  const anon = new Api('0'.repeat(64));
  assertApiError(await anon.get(`/api/v1/branch/org?org=${schoolA}`), 401, 'login_required');
  assertApiError(await anon.post(`/api/v1/branch/org?org=${schoolA}`, { hours: '路人' }),
    401, 'login_required');
  assert.deepEqual(details(schoolB), other, 'nothing written to another organisation');
  assert.equal(details(schoolA)[3], '', 'nor to the refused caller\'s own');

  // Admins: any organisation, with the list of all.
  const a = await admin.get(`/api/v1/branch/org?org=${schoolB}`);
  assert.equal(a.status, 200);
  assert.equal(String(a.body.org.id), schoolB);
  assert.ok(a.body.orgs.some((o) => String(o.id) === schoolA && o.has_address));
  const saved = await admin.post(`/api/v1/branch/org?org=${schoolB}`, { hours: `每天 7:00–19:00 ${tag}` });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(details(schoolB)[3], `每天 7:00–19:00 ${tag}`);
  assert.equal(sqlValue(`select actor_role from audit_log where action = 'org_contact_update'
      and target_id = ${schoolB} order by id desc limit 1`), 'admin');
  assertApiError(await admin.get('/api/v1/branch/org?org=99999999'), 404, 'not_found');
  assertApiError(await admin.post('/api/v1/branch/org?org=99999999', { hours: 'x' }), 404, 'not_found');
  assertApiError(await admin.get('/api/v1/branch/org?org=abc'), 400, 'bad_number', 'org');
});

test('bad delivery details: 400 naming the field, nothing written', async () => {
  const before = details(schoolA);
  for (const [body, code, field] of [
    [{ address: '太短' }, 'too_short', 'address'],
    [{ address: '路'.repeat(201) }, 'too_long', 'address'],
    [{ address: '   短  \n ' }, 'too_short', 'address'],
    [{ contact_name: '名'.repeat(51) }, 'too_long', 'contact_name'],
    [{ contact_name: '张\n老师' }, 'bad_text', 'contact_name'],
    [{ contact_phone: '12345' }, 'bad_org_phone', 'contact_phone'],
    [{ contact_phone: '1390391010' }, 'bad_org_phone', 'contact_phone'],
    [{ contact_phone: '0391-66123456789' }, 'bad_org_phone', 'contact_phone'],
    [{ contact_phone: 'call me' }, 'bad_org_phone', 'contact_phone'],
    [{ contact_phone: '1'.repeat(21) }, 'too_long', 'contact_phone'],
    [{ hours: '时'.repeat(121) }, 'too_long', 'hours'],
    [{ hours: 'a\u0007b' }, 'bad_text', 'hours'],
    [{ hours: ['周一'] }, 'bad_type', 'hours'],
    [{ colour: 'red' }, 'unknown_field', 'colour'],
    // A good field with a bad one: neither is written.
    [{ hours: '写不进去', contact_phone: '11000000' }, 'bad_org_phone', 'contact_phone'],
  ]) {
    assertApiError(await staffA.post('/api/v1/branch/org', body), 400, code, field);
    assert.deepEqual(details(schoolA), before, JSON.stringify(body));
  }
  // Phones as people write them: mobile, landline with or without the
  // dash, an extension, spaces taken out.
  for (const [typed, kept] of [['13903910202', '13903910202'], ['03916612345', '03916612345'],
    ['0391-6612345-801', '0391-6612345-801'], ['0391 661 2345', '03916612345'],
    ['010-12345678', '010-12345678']]) {
    const r = await staffA.post('/api/v1/branch/org', { contact_phone: typed });
    assert.equal(r.status, 200, `${typed}: ${JSON.stringify(r.body)}`);
    assert.equal(details(schoolA)[2], kept);
  }
  // Text made tidy: trimmed, CRLF as LF, no empty lines.
  const r = await staffA.post('/api/v1/branch/org', { hours: '  周一至周五\r\n\r\n  8:00–17:00  ' });
  assert.equal(r.status, 200);
  assert.equal(details(schoolA)[3], '周一至周五\n8:00–17:00');
  // The schema holds the same rules whoever writes.
  assert.throws(() => sql(`update orgs set contact_phone = '12345' where id = ${schoolA}`,
    { quiet: true }), /contact_phone_check|violates check/);
});

test('the /branch/org page: the form, a refused form again, saved', async () => {
  const web = new Browser();
  const a = demo(`org${schoolA}@example.com`);
  await web.login(a.login, a.password);
  const page = await web.get('/branch/org');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form class="stack narrow-form" method="post" action="\/branch\/org">/);
  assert.match(page.text, /name="contact_phone"/);
  // Without the CSRF token: 403, nothing written.
  const before = details(schoolA);
  const forged = await web.post('/branch/org', { csrf: '', hours: '伪造' });
  assert.equal(forged.status, 403);
  // A bad phone: the form again with the message and what was typed.
  const bad = await web.post('/branch/org', { address: before[0], contact_name: '表单 李老师',
    contact_phone: '12345', hours: '表单时间' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /联系电话/);
  assert.match(bad.text, /value="表单 李老师"/);
  assert.match(bad.text, /value="12345"/);
  assert.deepEqual(details(schoolA), before);
  // Too short an address, refused before the database: the same.
  const short = await web.post('/branch/org', { address: '短', contact_name: '表单 李老师' });
  assert.equal(short.status, 400);
  assert.match(short.text, /“地址”太短了/);
  assert.match(short.text, /value="表单 李老师"/);
  const ok = await web.post('/branch/org', { address: before[0], contact_name: '表单 李老师',
    contact_phone: '0391-6612345', hours: '周一至周五\r\n8:00–17:00' });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  assert.equal(ok.headers.get('location'), '/branch/org?done=branch_org');
  const again = await web.get('/branch/org?done=branch_org');
  assert.match(again.text, /收件信息已保存/);
  assert.match(again.text, /value="表单 李老师"/);
  assert.deepEqual(details(schoolA).slice(1), ['表单 李老师', '0391-6612345', '周一至周五\n8:00–17:00']);
  // Another school's: 403; a donor: 403.
  assert.equal((await web.get(`/branch/org?org=${schoolB}`)).status, 403);
  assert.equal((await web.post(`/branch/org?org=${schoolB}`, { hours: '偷改' })).status, 403);
  const d = new Browser();
  const da = demo('donor2@example.com');
  await d.login(da.login, da.password);
  assert.equal((await d.get('/branch/org')).status, 403);
  assert.equal((await new Browser().get('/branch/org')).status, 303);
  // An admin edits any, from the list.
  const ad = new Browser();
  const aa = demo('admin@example.com');
  await ad.login(aa.login, aa.password);
  const list = await ad.get(`/branch/org?org=${schoolB}`);
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`action="/branch/org\\?org=${schoolB}"`));
  assert.match(list.text, new RegExp(`href="/branch/org\\?org=${schoolA}"`));
  const saved = await ad.post(`/branch/org?org=${schoolB}`, { address: details(schoolB)[0],
    contact_name: details(schoolB)[1], contact_phone: details(schoolB)[2], hours: '管理员改的时间' });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), `/branch/org?org=${schoolB}&done=branch_org`);
  assert.equal(details(schoolB)[3], '管理员改的时间');
});

test('a donor sees where to take their own pledge; nobody else sees the school\'s details', async () => {
  const address = `河南省济源市王屋镇可见性路 ${tag} 号`;
  const phone = `139${String(process.pid).padStart(8, '0').slice(-8)}`;
  assert.equal((await staffA.post('/api/v1/branch/org', { address, contact_name: '可见性 王老师',
    contact_phone: phone, hours: '周一至周五 8:00–17:00' })).status, 200);
  const need = newNeed(schoolA);
  const made = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity: 2 });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.pledge.id;

  const mine = await donor.get(`/api/v1/pledges/${id}`);
  assert.equal(mine.status, 200);
  const w = mine.body.where;
  assert.equal(w.address, address);
  assert.equal(w.contact_phone, phone);
  assert.equal(w.contact_name, '可见性 王老师');
  assert.equal(w.hours, '周一至周五 8:00–17:00');
  assert.equal(w.transfer, false);
  assert.equal(w.via, false);
  assert.equal(w.payee, undefined, 'goods go to the school, not the account');
  assert.equal(w.post_block, `可见性 王老师 ${phone}\n${address}\n${w.org_name}`);
  // The confirmation message says where to take it (as the donor reads it).
  const msgs = (await donor.get('/api/v1/me/pledges')).body.notifications;
  assert.ok(msgs.some((n) => n.kind === 'pledge_made' && n.body.includes(w.post_block)
    && n.body.includes('周一至周五 8:00–17:00')), JSON.stringify(msgs.slice(0, 2)));

  // The page: the block to copy, a copy button for those with JavaScript.
  const web = new Browser();
  const d1 = demo('donor1@example.com');
  await web.login(d1.login, d1.password);
  const page = await web.get(`/me/pledges/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`<pre class="address" id="where-address">可见性 王老师 ${phone}\n${address}\n`));
  assert.match(page.text, /<button type="button" class="small ghost copy" data-copy="where-address"[^>]* hidden>复制<\/button>/);
  assert.match(page.text, new RegExp(`href="tel:${phone}"`));

  // Nobody else: another donor, the public, the need's page and API (for
  // the pledge's donor too), staff reading the pledge.
  assertApiError(await donor2.get(`/api/v1/pledges/${id}`), 404, 'not_found');
  const web2 = new Browser();
  const d2 = demo('donor2@example.com');
  await web2.login(d2.login, d2.password);
  assert.equal((await web2.get(`/me/pledges/${id}`)).status, 404);
  const seen = [
    (await get(`/needs/${need}`).then((r) => r.text())),
    JSON.stringify((await getJson(`/api/v1/needs/${need}`)).body),
    (await web2.get(`/needs/${need}`)).text,
    JSON.stringify((await donor2.get(`/api/v1/needs/${need}`)).body),
    (await web.get(`/needs/${need}`)).text,
    JSON.stringify((await donor.get(`/api/v1/needs/${need}`)).body),
    (await web2.get('/me/pledges')).text,
    JSON.stringify((await donor2.get('/api/v1/me/pledges')).body),
    JSON.stringify((await getJson('/api/v1/needs?per_page=50')).body),
    (await get('/transparency').then((r) => r.text())),
  ];
  for (const [i, text] of seen.entries()) {
    assert.ok(!text.includes(address), `address shown (${i})`);
    assert.ok(!text.includes(phone), `phone shown (${i})`);
    assert.ok(!text.includes('可见性 王老师'), `contact shown (${i})`);
  }
  const staff = await staffA.get(`/api/v1/pledges/${id}`);
  assert.equal(staff.status, 200);
  assert.equal(staff.body.where, null);
  assert.equal(staff.body.reference_code, null, 'the reference code is the donor\'s and the admins\'');

  // Delivered: still shown; received: no longer.
  assert.equal((await donor.post(`/api/v1/pledges/${id}/deliver`, { method: 'post',
    reference: 'SF1234567890' })).status, 200);
  assert.equal((await donor.get(`/api/v1/pledges/${id}`)).body.where.address, address);
  assert.equal((await staffA.post(`/api/v1/pledges/${id}/receive`, {})).status, 200);
  assert.equal((await donor.get(`/api/v1/pledges/${id}`)).body.where, null);
  assert.ok(!(await web.get(`/me/pledges/${id}`)).text.includes(address));

  // A cancelled pledge shows nothing either.
  const p2 = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal((await donor.get(`/api/v1/pledges/${p2.body.pledge.id}`)).body.where.address, address);
  assert.equal((await donor.post(`/api/v1/pledges/${p2.body.pledge.id}/cancel`)).status, 200);
  assert.equal((await donor.get(`/api/v1/pledges/${p2.body.pledge.id}`)).body.where, null);
});

test('a school without an address: its donors are sent to the branch above', async () => {
  const school = sqlValue(`select o.id from orgs o where o.kind = 'school'
      and o.parent_id = (select id from orgs where kind = 'town' and town_id =
        (select id from towns where slug = 'chengliu')) order by o.id limit 1`);
  const saved = details(school);
  sql(`update orgs set address = null where id = ${school}`);
  try {
    const need = newNeed(school);
    const p = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
    assert.equal(p.status, 201);
    const w = (await donor.get(`/api/v1/pledges/${p.body.pledge.id}`)).body.where;
    assert.equal(w.via, true);
    assert.equal(String(w.org_id), sqlValue(`select parent_id from orgs where id = ${school}`));
    assert.ok(w.address && w.post_block.includes(w.address));
    assert.equal(w.need_org_name, sqlValue(`select name from orgs where id = ${school}`));
    await donor.post(`/api/v1/pledges/${p.body.pledge.id}/cancel`);
  } finally {
    sql(`update orgs set address = ${saved[0] ? `'${saved[0].replaceAll("'", "''")}'` : 'null'}
      where id = ${school}`);
  }
});

test('money and scholarship pledges: the foundation\'s account and a reference code', async () => {
  const set = await admin.post('/api/v1/settings', { fund_payee: `测试基金会 ${tag}`,
    fund_bank: '测试银行济源支行', fund_account: '0000 9999 8888 7777' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.fund_account, '0000 9999 8888 7777');

  const money = newNeed(schoolA, 'money', 100000);
  const m = await donor.post(`/api/v1/needs/${money}/pledges`, { quantity: 20000 });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const code = m.body.pledge.reference_code;
  assert.match(code, REF);
  assert.notEqual(code, m.body.pledge.receipt_code);
  assert.equal(code, sqlValue(`select reference_code from pledges where id = ${m.body.pledge.id}`));
  const w = (await donor.get(`/api/v1/pledges/${m.body.pledge.id}`)).body.where;
  assert.equal(w.transfer, true);
  assert.equal(w.account_ready, true);
  assert.equal(w.payee, `测试基金会 ${tag}`);
  assert.equal(w.bank, '测试银行济源支行');
  assert.equal(w.account, '0000 9999 8888 7777');
  assert.equal(w.reference_code, code);
  assert.equal(w.amount, 20000);
  assert.deepEqual(w.amount_text, { fen: 20000 });
  // The confirmation message: the account and the code for the note.
  const msgs = (await donor.get('/api/v1/me/pledges')).body.notifications;
  assert.ok(msgs.some((n) => n.kind === 'pledge_made' && n.body.includes(code)
    && n.body.includes('0000 9999 8888 7777') && n.body.includes('金额：¥200\n')),
    JSON.stringify(msgs.slice(0, 2)));

  const web = new Browser();
  const d1 = demo('donor1@example.com');
  await web.login(d1.login, d1.password);
  const page = (await web.get(`/me/pledges/${m.body.pledge.id}`)).text;
  for (const s of [`测试基金会 ${tag}`, '测试银行济源支行', '0000 9999 8888 7777', code, '¥200<']) {
    assert.ok(page.includes(s), s);
  }
  assert.match(page, /<option value="transfer">/);

  // A scholarship: terms × the amount of a term.
  const sch = newNeed(schoolA, 'scholarship', 4);
  const s = await donor.post(`/api/v1/needs/${sch}/pledges`, { quantity: 2 });
  assert.equal(s.status, 201);
  const ws = (await donor.get(`/api/v1/pledges/${s.body.pledge.id}`)).body.where;
  assert.equal(ws.transfer, true);
  assert.equal(ws.amount, 240000);
  assert.equal(ws.reference_code, s.body.pledge.reference_code);
  assert.notEqual(ws.reference_code, code);

  // Admins see the reference code; staff of the school do not.
  assert.equal((await admin.get(`/api/v1/pledges/${m.body.pledge.id}`)).body.reference_code, code);
  const staffView = await staffA.get(`/api/v1/pledges/${m.body.pledge.id}`);
  assert.equal(staffView.body.reference_code, null);
  assert.ok(!JSON.stringify(staffView.body).includes(code));
  assert.ok(!JSON.stringify((await staffA.get('/api/v1/branch/pledges')).body).includes(code));
  assert.ok(!JSON.stringify((await getJson(`/api/v1/needs/${money}`)).body).includes(code));

  // Admins find the promised transfers by their codes on /admin/fund.
  const fund = (await admin.get('/api/v1/fund')).body;
  assert.equal(fund.account.payee, `测试基金会 ${tag}`);
  assert.equal(fund.account.ready, true);
  const t = fund.transfers.find((x) => x.pledge_id === m.body.pledge.id);
  assert.equal(t.reference_code, code);
  assert.equal(t.amount, 20000);
  assert.equal(fund.transfers.find((x) => x.pledge_id === s.body.pledge.id).amount, 240000);
  const adminWeb = new Browser();
  const aa = demo('admin@example.com');
  await adminWeb.login(aa.login, aa.password);
  assert.match((await adminWeb.get('/admin/fund')).text,
    new RegExp(`<a class="code" href="/me/pledges/${m.body.pledge.id}">${code}</a>`));

  // No account yet: the donor is told so, with the code and the amount.
  assert.equal((await admin.post('/api/v1/settings', { fund_account: '' })).status, 200);
  const none = (await donor.get(`/api/v1/pledges/${m.body.pledge.id}`)).body.where;
  assert.equal(none.account_ready, false);
  assert.equal(none.account, null);
  const page2 = (await web.get(`/me/pledges/${m.body.pledge.id}`)).text;
  assert.match(page2, /基金会收款账户尚未公布/);
  assert.ok(page2.includes(code));
  await donor.post(`/api/v1/pledges/${m.body.pledge.id}/cancel`);
  await donor.post(`/api/v1/pledges/${s.body.pledge.id}/cancel`);
});

test('the foundation\'s account: admins set it; bad values 400, nothing written', async () => {
  const get_ = async () => (await admin.get('/api/v1/settings')).body;
  const before = await get_();
  assertApiError(await staffA.post('/api/v1/settings', { fund_payee: '冒充' }), 403, 'forbidden');
  assertApiError(await donor.post('/api/v1/settings', { fund_account: '12345678' }), 403, 'forbidden');
  for (const [body, code, field] of [
    [{ fund_account: 'abc12345678' }, 'bad_account', 'fund_account'],
    [{ fund_account: '1234567' }, 'bad_account', 'fund_account'],
    [{ fund_account: '1234  5678 9012' }, 'bad_account', 'fund_account'],
    [{ fund_account: '1'.repeat(41) }, 'too_long', 'fund_account'],
    [{ fund_payee: '户'.repeat(101) }, 'too_long', 'fund_payee'],
    [{ fund_bank: '银行\n支行' }, 'bad_text', 'fund_bank'],
    [{ notice_days: 9, fund_account: 'x' }, 'bad_account', 'fund_account'],
    [{ fund_payee: '改名', notice_days: 99 }, 'bad_number', 'notice_days'],
  ]) {
    assertApiError(await admin.post('/api/v1/settings', body), 400, code, field);
    assert.deepEqual(await get_(), before, JSON.stringify(body));
  }
  // An account number stays text, digits and all.
  const r = await admin.post('/api/v1/settings', { fund_account: '6222021234567890123' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await get_()).fund_account, '6222021234567890123');
  assert.equal(typeof (await get_()).notice_days, 'number');
  assert.equal(sqlValue(`select count(*) from audit_log where action = 'settings_change'
      and detail ->> 'fund_account' = '6222021234567890123'`), '1');

  // The form on /admin/needs.
  const web = new Browser();
  const a = demo('admin@example.com');
  await web.login(a.login, a.password);
  const page = await web.get('/admin/needs');
  assert.match(page.text, /name="fund_account" [^>]*value="6222021234567890123"/);
  const bad = await web.post('/admin/settings', { fund_payee: '表单基金会', fund_bank: '表单银行',
    fund_account: '不是账号' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /银行账号/);
  const ok = await web.post('/admin/settings', { fund_payee: '表单基金会', fund_bank: '表单银行',
    fund_account: '1111-2222-3333-4444' });
  assert.equal(ok.status, 303);
  const now = await get_();
  assert.equal(now.fund_payee, '表单基金会');
  assert.equal(now.fund_account, '1111-2222-3333-4444');
  assert.equal(now.notice_days, before.notice_days, 'the other form\'s settings untouched');
  assert.equal(now.pledge_due_days, before.pledge_due_days);
});

test('reference codes: one per pledge, unique, stable, not the receipt code', async () => {
  assert.equal(sqlValue(`select count(*) from pledges where reference_code is null
      or reference_code !~ '^JY[A-HJ-NP-Z2-9]{8}$'`), '0');
  assert.equal(sqlValue('select count(*) = count(distinct reference_code) from pledges'), 't');
  assert.equal(sqlValue('select count(*) from pledges where reference_code = receipt_code'), '0');
  // Twenty pledges in parallel: twenty different codes, each kept.
  const need = newNeed(schoolB, 'goods', 100);
  const made = await Promise.all(Array.from({ length: 20 }, () =>
    donor2.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 })));
  assert.ok(made.every((r) => r.status === 201), made.map((r) => r.status).join());
  const codes = made.map((r) => r.body.pledge.reference_code);
  assert.ok(codes.every((c) => REF.test(c)), codes.join());
  assert.equal(new Set(codes).size, 20);
  for (const r of made.slice(0, 3)) {
    const again = await donor2.get(`/api/v1/pledges/${r.body.pledge.id}`);
    assert.equal(again.body.reference_code, r.body.pledge.reference_code);
    await donor2.post(`/api/v1/pledges/${r.body.pledge.id}/deliver`, { method: 'school' });
    assert.equal((await donor2.get(`/api/v1/pledges/${r.body.pledge.id}`)).body.reference_code,
      r.body.pledge.reference_code, 'unchanged by delivery');
    assert.equal((await staffB.post(`/api/v1/pledges/${r.body.pledge.id}/receive`, {})).status, 200);
  }
  // The schema refuses a second pledge with the same code.
  assert.throws(() => sql(`update pledges set reference_code = '${codes[1]}'
      where id = ${made[0].body.pledge.id}`, { quiet: true }), /pledges_reference_code_key/);
  for (const r of made.slice(3)) await donor2.post(`/api/v1/pledges/${r.body.pledge.id}/cancel`);
});
