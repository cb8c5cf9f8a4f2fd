// A donor's yearly statement: the download (/me/statement.csv, the whole
// year, built from lean rows of its own: sql/api/051_pledges_read.sql,
// src/pledges.c statement_csv) says of every gift what the statement
// itself says (/api/v1/me/statement, 50 a page), column by column, with
// money in yuan: the two are built by different code and must not drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, BASE } from '../lib/env.mjs';
import { Api, Browser } from '../lib/session.mjs';
import { newDonor } from '../lib/matching.mjs';
import { parseCsv } from '../lib/files.mjs';

// A fresh open need of org: kind, quantity, unit, a title the CSV must
// quote, and for a scholarship its amount a term in fen.
function openNeed(org, kind, quantity, unit, title, unitAmount = 'null') {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, unit_amount, deadline, story, status, opened_at)
    select id, town_id, '${kind}', 'books', '${title}', '${unit}', ${quantity},
      ${unitAmount}, current_date + 30, '', 'open', now()
    from orgs where id = ${org} returning id`);
  sql(`select api.log_need_opened(${id})`);
  return id;
}

const yuan = (fen) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

test('the statement CSV says of every gift what the statement says, column by column', async () => {
  const org = sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
      where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
      order by o.id offset 5 limit 1`);
  const staff = await Api.as(`org${org}@example.com`);
  const admin = await Api.as('admin@example.com');
  const donor = await newDonor('对账捐赠人');
  const pledge = async (need, quantity) => {
    const r = await donor.post(`/api/v1/needs/${need}/pledges`, { quantity });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.pledge.id;
  };

  const goods = await pledge(openNeed(org, 'goods', 10, '本', '账单,"图书"'), 3);
  assert.equal((await staff.post(`/api/v1/pledges/${goods}/receive`, {})).status, 200);
  const money = await pledge(openNeed(org, 'money', 50000, '元', '账单生活费'), 12345);
  assert.equal((await donor.post(`/api/v1/pledges/${money}/deliver`, { method: 'transfer',
    reference: 'ZH2026120700001' })).status, 200);
  assert.equal((await admin.post(`/api/v1/pledges/${money}/receive`, { note: '基金会已到账' })).status, 200);
  const schol = await pledge(openNeed(org, 'scholarship', 4, '学期', '账单助学金', 100000), 2);
  assert.equal((await staff.post(`/api/v1/pledges/${schol}/receive`, {})).status, 200);
  // A gift not received is on neither.
  await pledge(openNeed(org, 'goods', 5, '支', '账单未收'), 1);

  const year = Number(sqlValue(`select extract(year from now() at time zone 'Asia/Shanghai')`));
  const items = [];
  let st;
  for (let page = 1; page; page = st.pager.next) {
    const r = await donor.get(`/api/v1/me/statement?year=${year}&page=${page}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    st = r.body;
    items.push(...st.items);
  }
  assert.equal(st.count, 3);
  assert.equal(st.money_total, 12345);
  assert.equal(st.scholarship_total, 200000);

  const b = new Browser();
  await b.login(donor.email, donor.password);
  const res = await fetch(`${BASE}/me/statement.csv?year=${year}`,
    { headers: { cookie: b.cookieHeader() } });
  assert.equal(res.status, 200);
  const [head, ...rows] = parseCsv((await res.text()).replace(/^\ufeff/, ''));
  assert.deepEqual(head, ['日期', '需求', '学校', '数量', '单位', '金额(元)', '收据码', '核验链接']);
  assert.equal(rows.length, items.length);

  // Each row from the statement's item: its own columns, money in yuan.
  const expected = items.map((it) => [it.received_on, it.need_title, it.org_name,
    it.is_money ? yuan(it.quantity) : String(it.quantity), it.is_money ? '元' : it.unit,
    it.amount == null ? '' : yuan(it.amount), it.receipt_code, `${BASE}/verify/${it.verify_code}`]);
  assert.deepEqual(rows, expected);
  // And what they say, independently of either: the three gifts in the
  // order received, the goods with no amount, the money and the two
  // terms of ¥1,000 in yuan, each link the pledge's own.
  const codes = sql(`select receipt_code, verify_code from pledges
      where id in (${goods}, ${money}, ${schol}) order by received_at, id`);
  assert.deepEqual(rows.map((r) => [r[1], r[3], r[4], r[5], r[6], r[7]]), [
    ['账单,"图书"', '3', '本', '', codes[0][0], `${BASE}/verify/${codes[0][1]}`],
    ['账单生活费', '123.45', '元', '123.45', codes[1][0], `${BASE}/verify/${codes[1][1]}`],
    ['账单助学金', '2', '学期', '2000.00', codes[2][0], `${BASE}/verify/${codes[2][1]}`],
  ]);
  const schoolName = sqlValue(`select name from orgs where id = ${org}`);
  assert.ok(rows.every((r) => r[2] === schoolName && /^\d{4}-\d{2}-\d{2}$/.test(r[0])));
});
