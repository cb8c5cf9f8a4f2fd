// Where to take a gift, on a phone: a donor pledges goods and is shown
// the school's address as one block to copy, with its contact and
// hours; a money pledge shows the foundation's account and the pledge's
// reference code for the transfer's note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage, signIn } from '../lib/browser.mjs';
import { BASE, sql, sqlValue } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Whether the page fits the viewport's width (no sideways scrolling).
const fits = (page) => page.evaluate(() =>
  document.documentElement.scrollWidth <= window.innerWidth);

test('on a phone, a donor pledges goods and sees where to take them', async () => {
  // An open goods need of an organisation that gave its delivery details.
  const needId = sqlValue(`select n.id from needs n join orgs o on o.id = n.org_id
    where n.status = 'open' and n.kind = 'goods' and n.quantity - n.pledged >= 2
      and o.address is not null and o.contact_phone is not null and o.hours is not null
    order by n.id desc limit 1`);
  assert.ok(needId, 'a goods need of a school with an address');
  // (As JSON: an address may hold line breaks.)
  const [address, phone, hours] = JSON.parse(sqlValue(`select json_build_array(o.address,
      o.contact_phone, o.hours) from needs n join orgs o on o.id = n.org_id
    where n.id = ${needId}`));

  const page = await newPage(browser, PHONE);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'],
    { origin: BASE });
  await signIn(page, demo('donor6@example.com'));
  await page.goto(`${BASE}/needs/${needId}`);
  // The need's page says nothing of where to go.
  assert.ok(!(await page.content()).includes(phone));
  await page.getByLabel(/认捐数量/).fill('2');
  await page.getByRole('button', { name: '确认认捐' }).click();
  await page.waitForURL(/\/me\/pledges\/\d+$/);

  const where = page.locator('section.where');
  assert.ok(await where.isVisible());
  assert.match(await where.locator('h2').textContent(), /捐赠送到哪里/);
  const block = where.locator('pre.address');
  assert.ok(await block.isVisible(), 'the address block');
  const text = await block.textContent();
  assert.ok(text.includes(address), text);
  assert.ok(text.includes(phone), text);
  assert.equal(await where.getByRole('link', { name: phone }).getAttribute('href'), `tel:${phone}`);
  assert.match(await where.textContent(), new RegExp(hours.split('\n')[0]
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.ok(await fits(page), 'the page fits the phone');

  // With JavaScript the copy button shows, and copies the whole block.
  const copy = where.locator('button.copy[data-copy="where-address"]');
  assert.ok(await copy.isVisible(), 'the copy button');
  await copy.click();
  await where.getByRole('button', { name: '已复制' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);

  // The receipt code for the hand-over is still there, below.
  assert.match((await page.locator('.receipt .code').textContent()).trim(),
    /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await page.context().close();
});

test('on a phone, a money pledge shows the account and its reference code', async () => {
  const needId = sqlValue(`select id from needs where status = 'open' and kind = 'money'
      and quantity - pledged >= 100 order by id desc limit 1`);
  assert.ok(needId, 'an open money need');
  const s = Object.fromEntries(sql(`select key, value from settings
    where key in ('fund_payee', 'fund_bank', 'fund_account')`));
  assert.ok(s.fund_payee && s.fund_bank && s.fund_account, 'the demo account');

  const page = await newPage(browser, PHONE);
  await signIn(page, demo('donor6@example.com'));
  await page.goto(`${BASE}/needs/${needId}`);
  await page.getByLabel(/认捐金额/).fill('1');
  await page.getByRole('button', { name: '确认认捐' }).click();
  await page.waitForURL(/\/me\/pledges\/\d+$/);
  const pledgeId = page.url().match(/(\d+)$/)[1];

  const where = page.locator('section.where');
  assert.equal((await where.locator('dd.payee').textContent()).trim(), s.fund_payee);
  assert.equal((await where.locator('dd.bank').textContent()).trim(), s.fund_bank);
  assert.equal((await where.locator('#where-account').textContent()).trim(), s.fund_account);
  assert.equal((await where.locator('dd.amount').textContent()).trim(), '¥1');
  const code = (await where.locator('#where-reference').textContent()).trim();
  assert.match(code, /^JY[A-HJ-NP-Z2-9]{8}$/);
  assert.equal(code, sqlValue(`select reference_code from pledges where id = ${pledgeId}`));
  assert.notEqual(code, (await page.locator('.receipt .code').textContent()).trim());
  assert.ok(await where.locator('button.copy[data-copy="where-reference"]').isVisible());
  assert.ok(await fits(page), 'the page fits the phone');

  // Marked as transferred, with the bank's reference: delivered.
  await page.getByLabel('送达方式').selectOption('transfer');
  await page.getByLabel('快递单号或转账流水号').fill('E2E-TRANSFER-1');
  await page.getByRole('button', { name: '标记为已送出' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('main').textContent(), /已送出/);
  assert.equal(sqlValue(`select delivery_method from pledges where id = ${pledgeId}`), 'transfer');
  await page.context().close();
});
