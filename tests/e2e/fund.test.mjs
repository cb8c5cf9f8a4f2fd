// The city committee pays out money the foundation received for a need,
// in the browser: from the admin page to the account, a row's link fills
// the form, a refused amount comes back with what was typed, the pay-out
// is recorded and the need leaves the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, press, signIn } from '../lib/browser.mjs';
import { BASE } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an admin records a pay-out from the foundation account', async () => {
  const page = await newPage(browser);
  await signIn(page, demo('admin@example.com'));
  await page.waitForURL(/\/admin$/);
  await page.getByRole('link', { name: '基金账户' }).click();
  await page.waitForURL(/\/admin\/fund$/);

  // The first need awaiting a pay-out (demo data has several).
  const row = page.locator('table.list').first().locator('tbody tr').first();
  const link = row.getByRole('link', { name: '登记拨付' });
  const href = await link.getAttribute('href');
  const need = href.match(/need=(\d+)/)[1];
  await link.click();
  await page.waitForURL(new RegExp(`need=${need}#payout$`));
  assert.equal(await page.getByLabel('需求').inputValue(), need);
  const amount = await page.getByLabel('金额（元）').inputValue();
  assert.ok(Number(amount) > 0);

  // Too much: refused, with the amount and reference as typed.
  const reference = `E2E-${Date.now()}`;
  await page.getByLabel('金额（元）').fill(String(Number(amount) + 1));
  await page.getByLabel('银行流水号').fill(reference);
  await press(page, '登记一笔拨付');
  assert.match(await page.locator('.alert').textContent(), /待拨付的钱：还剩 ¥/);
  assert.equal(await page.getByLabel('金额（元）').inputValue(), String(Number(amount) + 1));
  assert.equal(await page.getByLabel('银行流水号').inputValue(), reference);
  assert.equal(await page.getByLabel('需求').inputValue(), need);

  // The outstanding amount: recorded, listed, and the need is paid out.
  await page.getByLabel('金额（元）').fill(amount);
  await press(page, '登记一笔拨付');
  await page.waitForURL(/\/admin\/fund$/);
  const recorded = page.locator('tr', { hasText: reference });
  assert.equal(await recorded.count(), 1);
  assert.match(await recorded.textContent(), new RegExp(`#${need} `));
  assert.equal(await page.locator(`a[href="/admin/fund?need=${need}#payout"]`).count(), 0);
  // Its public log entry is one click away.
  const entry = await recorded.getByRole('link', { name: /^#\d+$/ }).getAttribute('href');
  const res = await page.request.get(BASE + entry);
  const [e] = (await res.json()).entries;
  const lines = e.entry.split('\n');
  assert.ok(lines.includes('kind fund_paid_out') && lines.includes(`need ${need}`), e.entry);
  assert.ok(!e.entry.includes(reference), 'the bank reference stays private');
  await page.context().close();
});
