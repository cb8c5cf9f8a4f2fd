// Bank statement reconciliation (issue 16, item 1): the foundation
// account's statement, exported by the bank as GBK CSV, is imported by an
// admin; lines naming a pledge's reference code with its amount are
// proposed and confirmed in one step, the rest decided by a person;
// importing it again changes nothing; the public log shows fund_received
// and nothing of the statement; money is confirmed by the fund, not the
// school.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

let donor, admin, staff, anon, org, need;
const pledges = {};

const BANK = '工商银行（对账测试）';
const COLS = { col_date: '交易日期', col_amount: '交易金额', col_counterparty: '对方户名',
  col_note: '摘要', col_balance: '余额', col_line_id: '交易流水号' };

const gbk = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });

// POST /api/v1/fund/statements as who, with the file's bytes and fields.
async function upload(who, bytes, fields = {}, name = 'statement.csv') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: 'text/csv' }), name);
  const res = await fetch(`${BASE}/api/v1/fund/statements`, { method: 'POST',
    headers: { authorization: 'Bearer ' + who.token }, body: form });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body };
}

// A statement as the bank writes it: its account above, a total below.
function statement(lines) {
  return ['账号,6222020200000000001', '户名,共青团济源市委员会基金会', '',
    '交易流水号,交易日期,交易金额,余额,对方户名,摘要',
    ...lines.map((l) => l.map((c) => `"${String(c).replace(/"/g, '""')}"`).join(',')),
    '合计,,,,,', ''].join('\r\n');
}

const lineCount = () => Number(sqlValue('select count(*) from fund_statement_lines'));
const logSize = () => Number(sqlValue('select count(*) from log_entries'));

before(async () => {
  org = sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
      where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
      order by o.id limit 1`);
  donor = await Api.as('donor1@example.com');
  admin = await Api.as('admin@example.com');
  staff = await Api.as(`org${org}@example.com`);
  anon = new Api('0'.repeat(64));
  need = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, deadline, story, status, opened_at)
    select id, town_id, 'money', 'living', '生活费（对账测试）', '元', 1000000,
      current_date + 30, '', 'open', now()
    from orgs where id = ${org} returning id`);
  sql(`select api.log_need_opened(${need})`);
  for (const [k, fen] of [['a', 30000], ['b', 20000], ['c', 120000], ['d', 5000]]) {
    const p = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity: fen });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    pledges[k] = { id: p.body.pledge.id, fen,
      code: sqlValue(`select reference_code from pledges where id = ${p.body.pledge.id}`) };
  }
});

test('the school no longer confirms money: the fund does', async () => {
  assertApiError(await staff.post(`/api/v1/pledges/${pledges.d.id}/receive`, {}), 403,
    'fund_confirms');
  const b = new Browser();
  const s = demo(`org${org}@example.com`);
  await b.login(s.login, s.password);
  const page = await b.get('/branch/pledges');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('fund-confirms'), 'the school is told the fund confirms');
  assert.ok(!page.text.includes(`action="/pledges/${pledges.d.id}/receive"`));
});

test('a GBK statement reconciles: proposed, partial, duplicate, unknown; twice changes nothing', async () => {
  const { a, b, c } = pledges;
  const file = gbk(statement([
    ['B20261101001', '2026-11-01', '300.00', '10,300.00', '张三', `爱心捐款 ${a.code}`],
    ['B20261101002', '2026-11-01', '150.00', '10,450.00', '李四', `${b.code}`],
    ['B20261102003', '2026/11/02', '+300.00', '10,750.00', '张三', `重复转账 ${a.code}`],
    ['B20261102004', '2026-11-02', '500.00', '11,250.00', '王五', '捐给孩子们'],
    ['B20261103005', '2026-11-03', '-50.00', '11,200.00', '', '手续费'],
    ['B20261103006', '20261103', '1,200.00', '12,400.00', '赵六',
      `附言 ${c.code.toLowerCase().slice(0, 4)} ${c.code.toLowerCase().slice(4)}`],
  ]));
  assert.ok(!file.includes(Buffer.from('摘要')), 'the file is GBK, not UTF-8');
  const before = lineCount();
  const r = await upload(admin, file, { bank_name: BANK, ...COLS });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.new_lines, 6);
  assert.equal(r.body.lines, 6);
  assert.equal(r.body.skipped, 1);
  assert.deepEqual(r.body.counts, { proposed: 2, partial: 1, duplicate: 1, unknown: 1,
    outgoing: 1 });
  const id = r.body.statement;
  const st = (await admin.get(`/api/v1/fund/statements/${id}`)).body;
  assert.equal(st.statement.encoding, 'gbk');
  assert.deepEqual(st.proposed.map((l) => l.pledge.id), [a.id, c.id]);
  assert.deepEqual(st.review.map((l) => [l.state, l.pledge?.id ?? null]),
    [['partial', b.id], ['duplicate', a.id], ['unknown', null]]);
  assert.equal(st.review[2].counterparty, '王五');
  assert.equal(st.outgoing, 1);

  // The same file again, and a statement overlapping it (kept columns).
  const again = await upload(admin, file, { bank_name: BANK, ...COLS });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.new_lines, 0);
  assert.equal(again.body.created, false);
  assert.equal(lineCount(), before + 6);
  const overlap = gbk(statement([
    ['B20261103006', '20261103', '1,200.00', '12,400.00', '赵六', `附言 ${c.code}`],
    ['B20261104007', '2026-11-04', '88.00', '12,488.00', '钱七', '无附言'],
  ]));
  const o = await upload(admin, overlap, { bank_name: BANK });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  assert.equal(o.body.new_lines, 1);
  assert.equal(lineCount(), before + 7);

  // One step confirms both proposals, in one transaction.
  const size = logSize();
  const conf = await admin.post(`/api/v1/fund/statements/${id}/confirm`, {});
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  assert.deepEqual([conf.body.confirmed, conf.body.left], [2, 0]);
  for (const p of [a, c])
    assert.equal(sqlValue(`select status from pledges where id = ${p.id}`), 'received');
  const got = sql(`select kind, fields::text from log_entries where position >= ${size}
      order by position`).map((x) => x);
  const fund = got.filter(([k]) => k === 'fund_received');
  assert.deepEqual(fund.map(([, f]) => JSON.parse(f).amount).sort((x, y) => x - y),
    [a.fen, c.fen]);
  // Nothing of the statement reaches the public log.
  const all = JSON.stringify(got);
  for (const secret of ['张三', '赵六', '王五', 'B20261101001', '爱心捐款', a.code, c.code,
    '6222020200000000001', BANK])
    assert.ok(!all.includes(secret), `the public log holds ${secret}`);
  // Importing it all again after confirmation changes nothing.
  const size2 = logSize();
  assert.equal((await upload(admin, file, { bank_name: BANK })).body.new_lines, 0);
  assert.equal(logSize(), size2);
  assert.equal(lineCount(), before + 7);
  assert.deepEqual((await admin.post(`/api/v1/fund/statements/${id}/confirm`, {})).body,
    { statement: id, confirmed: 0, left: 0 });

  // A person decides the rest: each decision audited.
  const [partial, dup, unknown] = st.review;
  const pledged = Number(sqlValue(`select pledged from needs where id = ${need}`));
  const d1 = await admin.post(`/api/v1/fund/lines/${partial.id}`, { action: 'confirm',
    reference_code: b.code.toLowerCase(), note: '捐款人少转了 50 元' });
  assert.equal(d1.status, 200, JSON.stringify(d1.body));
  assert.equal(d1.body.line.state, 'confirmed');
  // ¥150 of ¥200 arrived: the pledge is for ¥150, ¥50 back on the shelf.
  assert.deepEqual(sql(`select status, quantity from pledges where id = ${b.id}`)[0],
    ['received', '15000']);
  assert.equal(Number(sqlValue(`select pledged from needs where id = ${need}`)), pledged - 5000);
  assertApiError(await admin.post(`/api/v1/fund/lines/${dup.id}`, { action: 'confirm',
    pledge: a.id }), 409, 'bad_state', 'pledge');
  const mismatch = await admin.post(`/api/v1/fund/lines/${unknown.id}`, { action: 'confirm',
    pledge: pledges.d.id });
  assertApiError(mismatch, 409, 'amount_mismatch', 'pledge');
  // Money in the message as everywhere else (fmt_amount), not as typed.
  assert.match(mismatch.body.error.message, /到账金额 ¥500 与认捐金额 ¥50 不符/);
  const d2 = await admin.post(`/api/v1/fund/lines/${unknown.id}`, { action: 'ignore',
    note: '非认捐款项，另行入账' });
  assert.equal(d2.status, 200, JSON.stringify(d2.body));
  assertApiError(await admin.post(`/api/v1/fund/lines/${unknown.id}`, { action: 'ignore' }),
    409, 'bad_state');
  const d3 = await admin.post(`/api/v1/fund/lines/${dup.id}`, { action: 'ignore',
    note: '重复转账，已退回' });
  assert.equal(d3.status, 200);
  const audit = sql(`select action, target_id from audit_log
      where target_type in ('fund_statement', 'fund_statement_line') order by id`);
  assert.deepEqual(audit.filter(([x, t]) => x !== 'fund_statement_import' &&
    [partial.id, unknown.id, dup.id].map(String).includes(t)).map(([x]) => x), ['fund_line_confirm', 'fund_line_ignore', 'fund_line_ignore']);
  assert.ok(audit.some(([x, t]) => x === 'fund_statement_import' && t === String(id)));
  const after = (await admin.get(`/api/v1/fund/statements/${id}`)).body;
  assert.equal(after.review.length, 0);
  assert.equal(after.decided.length, 5);
});

test('only admins import and decide', async () => {
  const file = Buffer.from(statement([['X1', '2026-11-05', '1.00', '', '', '']]));
  for (const [who, status, code] of [[anon, 401, 'login_required'], [donor, 403, 'forbidden'],
    [staff, 403, 'forbidden']]) {
    assertApiError(await who.get('/api/v1/fund/statements'), status, code);
    assertApiError(await who.get('/api/v1/fund/statements/1'), status, code);
    assertApiError(await upload(who, file, { bank_name: BANK, ...COLS }), status, code);
    assertApiError(await who.post('/api/v1/fund/statements/1/confirm', {}), status, code);
    assertApiError(await who.post('/api/v1/fund/lines/1', { action: 'ignore' }), status, code);
  }
  assertApiError(await admin.get('/api/v1/fund/statements/999999999'), 404, 'not_found');
  const page = await new Browser().get('/admin/fund/import');
  assert.equal(page.status, 303);
});

test('bad files: a clear 4xx and nothing kept', async () => {
  const before = lineCount();
  const banks = Number(sqlValue('select count(*) from fund_banks'));
  const ok = statement([['Y1', '2026-11-06', '10.00', '', '', 'x']]);
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const cases = [
    [png, { bank_name: BANK }, 400, 'not_csv'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('日期', 'utf16le')]),
      { bank_name: BANK }, 400, 'unknown_encoding'],
    [Buffer.from(ok), { bank_name: '没有设置过的银行' }, 400, 'no_mapping', 'col_date'],
    [Buffer.from(ok), { bank_name: BANK, col_date: '记账日期', col_amount: '交易金额',
      col_note: '摘要' }, 400, 'no_header', 'col_date'],
    [Buffer.from(statement([['Y2', '2026-11-06', '12,34', '', '', '']])), { bank_name: BANK },
      400, 'bad_statement_amount', 'col_amount'],
    [Buffer.alloc(2 * 1024 * 1024 + 1, 0x41), { bank_name: BANK }, 413, 'too_large', 'file'],
    [Buffer.from(ok), {}, 400, 'required', 'bank_name'],
  ];
  for (const [bytes, fields, status, code, field] of cases) {
    const r = await upload(admin, bytes, fields);
    assertApiError(r, status, code, field);
  }
  const row = await upload(admin, Buffer.from(statement([['Y2', '2026-11-06', 'abc', '', '', '']])),
    { bank_name: BANK });
  assert.equal(row.body.error.row, 5);
  assert.match(row.body.error.message, /5/);
  const json = await admin.post('/api/v1/fund/statements', { bank_name: BANK });
  assertApiError(json, 415, 'unsupported_type');
  assert.equal(lineCount(), before);
  assert.equal(Number(sqlValue('select count(*) from fund_banks')), banks);
  // The bank's kept columns are unchanged by a refused file.
  assert.equal(sqlValue(`select mapping->>'date' from fund_banks where name = '${BANK}'`),
    '交易日期');
});

test('the page: an admin uploads with the form (CSRF) and lands on the statement', async () => {
  const b = new Browser();
  const a = demo('admin@example.com');
  await b.login(a.login, a.password);
  const page = await b.get('/admin/fund/import');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('enctype="multipart/form-data"'));
  assert.ok(page.text.includes(BANK), 'the kept bank is listed');
  const send = async (csrf, bytes) => {
    const form = new FormData();
    form.append('csrf', csrf);
    form.append('bank_name', BANK);
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'web.csv');
    return fetch(`${BASE}/admin/fund/import`, { method: 'POST', redirect: 'manual',
      headers: b.withCookies(), body: form });
  };
  const file = gbk(statement([['W1', '2026-11-07', '66.00', '', '孙八', '网页导入']]));
  assert.equal((await send('0'.repeat(64), file)).status, 403);
  const r = await send(b.csrf, file);
  assert.equal(r.status, 303);
  const where = r.headers.get('location');
  assert.match(where, /^\/admin\/fund\/import\/\d+\?done=admin_fund_import$/);
  const to = where.split('?')[0];
  const st = await b.get(to);
  assert.equal(st.status, 200);
  assert.ok(st.text.includes('孙八') && st.text.includes('网页导入'));
  // Its forms go back to the statement: the confirmation to its own
  // number, a line's decision to the number of the line's statement.
  const stId = to.split('/').pop();
  const line = sqlValue(`select id from fund_statement_lines where statement_id = ${stId}`);
  const conf = await b.post(`${to}/confirm`, {});
  assert.equal(conf.status, 303, conf.text.slice(0, 300));
  assert.equal(conf.headers.get('location'), `${to}?done=admin_fund_import_confirm`);
  const decided = await b.post(`/admin/fund/lines/${line}`, { action: 'ignore', note: '网页决定' });
  assert.equal(decided.status, 303, decided.text.slice(0, 300));
  assert.equal(decided.headers.get('location'), `${to}?done=admin_fund_lines`);
  const again = await b.post(`/admin/fund/lines/${line}`, { action: 'ignore' });
  assert.equal(again.status, 409);
  // A refused file: the form again, with the message.
  const bad = await send(b.csrf, Buffer.from('PK\x03\x04'));
  assert.equal(bad.status, 400);
  assert.ok((await bad.text()).includes('CSV'));
  // Staff get no such page.
  const s = new Browser();
  const so = demo(`org${org}@example.com`);
  await s.login(so.login, so.password);
  assert.equal((await s.get('/admin/fund/import')).status, 403);
});

test('measure: a 10,000-line statement imported (time, no assertion on it)', async () => {
  const lines = [];
  for (let i = 0; i < 10000; i++)
    lines.push([`M${String(i).padStart(8, '0')}`, '2026-12-01', `${1 + (i % 900)}.${i % 10}0`,
      `${(i * 3).toLocaleString('en-US')}.00`, `捐款人${i}`, i % 3 ? `转账 JY${i}` : '']);
  const file = gbk(statement(lines));
  const t0 = performance.now();
  const r = await upload(admin, file, { bank_name: '大文件测试银行', ...COLS });
  const ms = performance.now() - t0;
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.new_lines, 10000);
  const t1 = performance.now();
  const again = await upload(admin, file, { bank_name: '大文件测试银行' });
  const ms2 = performance.now() - t1;
  assert.equal(again.body.new_lines, 0);
  console.log(`# import of a 10,000-line GBK statement (${file.length} bytes): ` +
    `${ms.toFixed(0)} ms; again (nothing new): ${ms2.toFixed(0)} ms`);
});
