// A donor pledges to a need and hands it over; the school confirms it
// with the receipt code; the need's progress bar moves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage, signIn } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const bar = async (page) => Number(await page.locator('.progress svg.bar rect.pl').first()
  .getAttribute('width'));
const received = async (page) => Number(await page.locator('.progress svg.bar rect.rc').first()
  .getAttribute('width'));

test('pledge → deliver → confirmed by receipt code → progress moves', async () => {
  // A need of a school that has a demo staff account, with room left.
  const needId = sqlValue(`select n.id from needs n join users u on u.org_id = n.org_id
      and u.email = 'org' || n.org_id || '@example.com'
    where n.status = 'open' and n.kind = 'goods' and n.quantity - n.pledged >= 2
    order by n.id limit 1`);
  const orgId = sqlValue(`select org_id from needs where id = ${needId}`);

  const page = await newPage(browser, PHONE);
  await signIn(page, demo('donor5@example.com'));
  await page.goto(`${BASE}/needs/${needId}`);
  const before = await bar(page);
  await page.getByLabel(/认捐数量/).fill('1');
  await page.getByLabel(/给孩子的话/).fill('天冷了，注意保暖！');
  await page.getByRole('button', { name: '确认认捐' }).click();
  // It says it is made, and the address loses done= (a reload would
  // say it again).
  await page.waitForURL(/\/me\/pledges\/\d+$/);
  assert.match(await page.locator('#done').textContent(), /认捐成功/);
  assert.ok(await page.locator('svg.qr').isVisible(), 'the QR code of the receipt');
  const code = (await page.locator('.receipt .code').textContent()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

  await page.goto(`${BASE}/needs/${needId}`);
  assert.ok(await bar(page) > before, 'the pledged bar moved');
  const receivedBefore = await received(page);

  await page.goBack();
  await page.getByLabel('送达方式').selectOption('school');
  await page.getByRole('button', { name: '标记为已送出' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('main').textContent(), /已送出/);

  // The school's staff type the code on their desk.
  const staff = await newPage(browser);
  await signIn(staff, demo(`org${orgId}@example.com`));
  await staff.goto(BASE + '/branch/pledges');
  await staff.getByLabel('收据码').fill(code.toLowerCase());
  await staff.getByLabel('给捐赠人的感谢').fill('收到了，孩子们很开心！');
  await staff.getByRole('button', { name: '确认收到' }).click();
  await staff.waitForLoadState();

  await page.reload();
  assert.match(await page.locator('main').textContent(), /已收到/);
  assert.match(await page.locator('.thanks').textContent(), /孩子们很开心/);
  await page.goto(`${BASE}/needs/${needId}`);
  assert.ok(await received(page) > receivedBefore, 'the received bar moved');
  await page.context().close();
  await staff.context().close();
});
