// A town branch files its overdue quarterly report in the browser, and
// the city committee sees it on its page, late, and opens it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, launch, newPage, press, signIn as signInAs } from '../lib/browser.mjs';
import { BASE } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';
import { back, label } from '../lib/quarters.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(email, viewport) {
  const page = await newPage(browser, viewport);
  await signInAs(page, demo(email));
  await page.waitForURL(/\/(branch|admin)$/);
  return page;
}

test('staff file the quarter\'s report; the city committee sees it, late', async () => {
  // 承留镇 has not reported two quarters ago (sql/demo/programmes.sql).
  const past = back(2);
  const staff = await signIn('chengliu@example.com', PHONE);
  await staff.getByRole('link', { name: '帮扶项目' }).click();
  await staff.waitForURL(/\/programmes$/);
  await staff.locator('nav.subnav').getByRole('link', { name: '季度报告' }).click();
  await staff.waitForURL(/\/reports$/);
  const row = staff.locator('tr', { hasText: label(past) });
  assert.match(await row.textContent(), /未上报/);
  await row.getByRole('button', { name: '填写报告' }).click();
  await staff.waitForURL(/\/reports\/\d+$/);
  const reportUrl = staff.url();

  // Submitting without a narrative is refused, saying why.
  await press(staff, '提交');
  assert.match(await staff.locator('.alert').textContent(), /请填写“工作开展情况”/);
  await staff.getByLabel('本季度工作开展情况').fill('开展金融知识下乡两场，新增电商“领头雁”三家。');
  await press(staff, '保存草稿');
  assert.equal(staff.url(), reportUrl);
  assert.equal(await staff.getByLabel('本季度工作开展情况').inputValue(),
    '开展金融知识下乡两场，新增电商“领头雁”三家。');
  await press(staff, '提交');
  assert.equal(staff.url(), reportUrl);
  const meta = await staff.locator('p.meta').first().textContent();
  assert.match(meta, /已提交/);
  assert.match(meta, /逾期上报/);
  assert.equal(await staff.locator('textarea').count(), 0, 'locked');
  assert.ok(await staff.getByRole('button', { name: '更正（新版本）' }).isVisible());

  // The city committee: the branch × quarter cell says late and links to it.
  const city = await signIn('admin@example.com', DESKTOP);
  await city.goto(`${BASE}/reports?year=${past.year}`);
  const cityRow = city.locator('table.matrix tr', { hasText: '共青团承留镇委员会' });
  const link = cityRow.locator(`td.cell a[href="${new URL(reportUrl).pathname}"]`);
  assert.match(await link.textContent(), /逾期上报/);
  await link.click();
  await city.waitForURL(reportUrl);
  assert.match(await city.locator('.narrative').textContent(), /新增电商“领头雁”三家/);
  assert.equal(await city.getByRole('button', { name: '提交' }).count(), 0, 'admins read, branches write');
  // Its export is a download.
  const [download] = await Promise.all([
    city.waitForEvent('download'),
    city.getByRole('link', { name: '导出 Excel' }).click(),
  ]);
  assert.equal(download.suggestedFilename().replace(/^report-\d+-/, ''),
    `${past.year}Q${past.quarter}-v1.xlsx`);
});
