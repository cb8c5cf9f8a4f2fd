// Receipts anyone can check (issue 16): /verify/{code} and its API show a
// gift's public facts and its inclusion proof in the signed log, which
// build/logverify -i accepts (as the transparency page's commands run it);
// nothing private on it.  The certificate carries its link and QR code;
// the yearly statement its links, amounts in yuan with scholarships,
// a year picker and pages.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { sql, sqlValue, getJson, assertApiError, amountText, BASE } from '../lib/env.mjs';
import { Api, Browser, demo } from '../lib/session.mjs';

const LOGVERIFY = `${process.env.SHOP_ROOT}/build/logverify`;
let staff, org;

before(async () => {
  org = sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
    where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
    order by o.id offset 7 limit 1`);
  const a = demo(`org${org}@example.com`);
  staff = await Api.login(a.login, a.password);
});

// A title in words (a code in a Chinese title reads as one to
// tests/api/words.test.mjs).
const NAMES = { goods: '物资', money: '资金', scholarship: '助学金', service: '服务' };

function newNeed(kind, q) {
  const id = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, unit_amount, deadline, story, status, opened_at)
    select id, town_id, '${kind}', 'books', '核验测试${NAMES[kind]}', '${kind === 'scholarship' ? '学期' : '元'}',
      ${q}, ${kind === 'scholarship' ? 100000 : 'null'}, current_date + 30, '', 'open', now()
    from orgs where id = ${org} returning id`);
  sql(`select api.log_need_opened(${id})`);
  return id;
}

// RFC 9162 2.1.3.2: the root from a leaf hash and its inclusion path.
function rootFrom(index, size, leaf, path) {
  const sha = (...p) => createHash('sha256').update(Buffer.concat(p)).digest();
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if ((fn & 1) || fn === sn) {
      r = sha(Buffer.from([1]), p, r);
      if (!(fn & 1)) while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      r = sha(Buffer.from([1]), r, p);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r : null;
}

test('/verify/{code} of a demo pledge: its facts and a proof logverify -i accepts', async () => {
  const code = sqlValue(`select p.verify_code from pledges p
    where p.status = 'received' and exists (select 1 from log_entries l
      where (l.fields ->> 'pledge')::bigint = p.id) order by p.id limit 1`);
  assert.match(code, /^[0-9a-f]{32}$/);
  // The log signs a checkpoint that holds it (GET signs when it grew).
  assert.equal((await getJson('/api/v1/log/checkpoint')).status, 200);
  const r = await getJson(`/api/v1/verify/${code}`);
  assert.equal(r.status, 200);
  const v = r.body;
  assert.equal(v.code, code);
  assert.equal(v.is_received, true);
  assert.ok(v.entries.length >= 1);
  assert.ok(v.proof, 'a proof against the signed checkpoint');
  assert.equal(v.proof.tree_size, v.checkpoint.tree_size);
  const proved = v.entries.find((e) => e.proved);
  assert.equal(proved.position, v.proof.leaf_index);
  assert.equal(proved.leaf_hash, v.proof.leaf_hash);
  // The leaf is the entry's, and the path leads to the signed root.
  const leaf = createHash('sha256').update(Buffer.concat([Buffer.from([0]),
    Buffer.from(proved.entry, 'utf8')])).digest();
  assert.equal(leaf.toString('base64'), v.proof.leaf_hash);
  const root = rootFrom(v.proof.leaf_index, v.proof.tree_size, leaf,
    v.proof.inclusion_path.map((h) => Buffer.from(h, 'base64')));
  assert.equal(root?.toString('base64'), v.checkpoint.root_hash);
  // The independent verifier, as the page tells anyone to run it.
  const lv = spawnSync(LOGVERIFY, ['-i', String(v.proof.leaf_index), '-l', v.proof.leaf_hash, BASE],
    { encoding: 'utf8' });
  assert.equal(lv.status, 0, lv.stderr);
  assert.match(lv.stderr, new RegExp(`entry ${v.proof.leaf_index} is in the signed tree`));
  // A leaf that is not the gift's fails it.
  const bad = spawnSync(LOGVERIFY, ['-i', String(v.proof.leaf_index), '-l',
    Buffer.alloc(32, 7).toString('base64'), BASE], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  // The page: the same facts, the command, the link as a QR code.
  const page = await fetch(`${BASE}/verify/${code}`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('referrer-policy'), 'origin');
  const html = await page.text();
  assert.match(html, /<svg class="qr"/);
  assert.ok(html.includes(`build/logverify -i ${v.proof.leaf_index} -l ${v.proof.leaf_hash}`));
  assert.ok(html.includes(amountText(v.amount_text)), JSON.stringify(v.amount_text));
});

test('/verify/{code} shows nothing private: no child, no anonymous donor, no contact', async () => {
  const donor = await Api.as('donor2@example.com');
  const id = newNeed('goods', 3);
  sql(`update needs set beneficiary_id = (select id from beneficiaries
    where org_id = ${org} order by id limit 1) where id = ${id}`);
  const p = (await donor.post(`/api/v1/needs/${id}/pledges`, { quantity: 1, anonymous: true,
    message: '给小朋友的悄悄话' })).body.pledge;
  assert.equal((await staff.post(`/api/v1/pledges/${p.id}/receive`, { note: '内部备注' })).status, 200);
  const code = sqlValue(`select verify_code from pledges where id = ${p.id}`);
  const v = (await getJson(`/api/v1/verify/${code}`)).body;
  assert.equal(v.donor, '爱心人士');
  const html = await (await fetch(`${BASE}/verify/${code}`)).text();
  const [name, email] = sql(`select display_name, email from users u join pledges p
    on p.donor_id = u.id where p.id = ${p.id}`)[0];
  for (const text of [JSON.stringify(v), html]) {
    assert.ok(!text.includes(name) && !text.includes(email), 'no donor who gave anonymously');
    assert.ok(!text.includes('悄悄话') && !text.includes('内部备注'), 'no message, no staff note');
    assert.ok(!text.includes(p.receipt_code), 'not the receipt code that confirms it');
  }
  const priv = sql(`select b.id from beneficiaries b join needs n on n.beneficiary_id = b.id
    where n.id = ${id}`);
  if (priv.length) {
    // The sealed private part never leaves the database in clear; the
    // page carries no key the private part is under.
    assert.ok(!/real_name|id_number|guardian|sealed/.test(JSON.stringify(v)));
  }
  // Unknown, malformed: 404, JSON and page alike.
  assertApiError(await getJson(`/api/v1/verify/${'0'.repeat(32)}`), 404, 'not_found');
  assert.equal((await getJson(`/api/v1/verify/${code.slice(1)}`)).status, 404);
  assert.equal((await fetch(`${BASE}/verify/${code.toUpperCase()}`)).status, 404);
  assert.equal((await fetch(`${BASE}/verify/${'f'.repeat(32)}`)).status, 404);
});

test('certificate and statement: the link and QR code, yuan, scholarships, years and pages', async () => {
  const d = demo('donor5@example.com');
  const donor = await Api.login(d.login, d.password);
  const money = newNeed('money', 100000);
  const schol = newNeed('scholarship', 4);
  const m = (await donor.post(`/api/v1/needs/${money}/pledges`, { quantity: 12345 })).body.pledge;
  const s = (await donor.post(`/api/v1/needs/${schol}/pledges`, { quantity: 2 })).body.pledge;
  // However money comes to be confirmed (the school, or the fund's
  // statement), the statement reads the received pledges.
  for (const id of [m.id, s.id]) {
    const r = await staff.post(`/api/v1/pledges/${id}/receive`, {});
    if (r.status !== 200)
      sql(`update pledges set status = 'received', received_at = now() where id = ${id}`);
  }
  const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  const st = (await donor.get(`/api/v1/me/statement?year=${year}`)).body;
  const mi = st.items.find((i) => i.id === m.id), si = st.items.find((i) => i.id === s.id);
  assert.equal(mi.amount, 12345);
  assert.equal(si.amount, 200000, 'a scholarship: its terms times its amount a term');
  assert.ok(st.scholarship_total >= 200000);
  assert.ok(st.years.some((y) => y.year === year && y.selected));
  assert.equal(st.pager.page, 1);
  assert.equal(st.count, st.items.length);
  const b = new Browser();
  await b.login(d.login, d.password);
  const csv = (await (await fetch(`${BASE}/me/statement.csv?year=${year}`,
    { headers: { cookie: b.cookieHeader() } })).text());
  assert.match(csv, /"金额\(元\)"/);
  const mcode = sqlValue(`select verify_code from pledges where id = ${m.id}`);
  const line = csv.split('\r\n').find((l) => l.includes(mcode));
  assert.ok(line, 'the gift with its link');
  assert.match(line, /,123\.45,"元",123\.45,/, 'money in yuan, not fen');
  assert.ok(line.endsWith(`/verify/${mcode}`));
  const sline = csv.split('\r\n').find((l) => l.includes('核验测试助学金'));
  assert.match(sline, /,2,"学期",2000\.00,/);
  // The page: a year picker and each gift's QR code.
  const page = await b.get(`/me/statement?year=${year}`);
  assert.match(page.text, new RegExp(`<option value="${year}" selected>`));
  assert.ok(page.text.includes(`/verify/${mcode}`));
  assert.match(page.text, /<svg class="qr"/);
  assert.equal((await b.get(`/me/statement?year=${year}&page=2`)).status, 200);
  assert.equal((await b.get(`/me/statement?year=${year}&page=0`)).status, 400);
  // The certificate: the link and its QR code, print styles in the sheet.
  const cert = await b.get(`/me/pledges/${m.id}/certificate`);
  assert.equal(cert.status, 200);
  assert.ok(cert.text.includes(`/verify/${mcode}`));
  assert.match(cert.text, /<div class="verify-box">\s*<svg class="qr"/);
  // And it checks out.
  assert.equal((await getJson(`/api/v1/verify/${mcode}`)).body.amount, 12345);
});
