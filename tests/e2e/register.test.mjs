// The register on a phone (issue 18, item 2): a school's census page
// with its charts and tables, the register filtered, and a spreadsheet's
// import: the preview of its problems, then a clean file confirmed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHONE, launch, newPage, signIn, press } from '../lib/browser.mjs';
import { BASE, sqlValue, schoolOf } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

let browser;
const dir = mkdtempSync(join(tmpdir(), 'register-e2e-'));

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const fits = (page) => page.evaluate(() =>
  document.documentElement.scrollWidth <= window.innerWidth);

const HEAD = '化名,出生年份,性别,学段,困难程度,致贫原因,留守儿童,同意日期,真实姓名';

test('on a phone, the census of a school: charts and tables that fit', async () => {
  const school = schoolOf('xiaye');
  const page = await newPage(browser, PHONE);
  await signIn(page, demo(`org${school}@example.com`));
  await page.goto(`${BASE}/branch/census`);
  assert.equal(await page.locator('h1').textContent(), '摸清底数');
  const total = sqlValue(`select count(*) from beneficiaries where archived_at is null
      and org_id in (select api.org_subtree(${school}))`);
  assert.equal(await page.locator('#census-total').textContent(), total);
  // Five dimensions, each an SVG chart beside its table.
  assert.equal(await page.locator('section.census').count(), 5);
  assert.equal(await page.locator('section.census svg').count(), 5);
  const illness = sqlValue(`select count(*) from beneficiaries where archived_at is null
      and org_id in (select api.org_subtree(${school})) and 'illness' = any (poverty_causes)`);
  assert.equal(await page.locator('#dim-cause tr[data-key="illness"] td').nth(1).textContent(),
    illness);
  assert.ok(await fits(page), 'no sideways scrolling');
  const box = await page.locator('#dim-cause svg').boundingBox();
  assert.ok(box.width <= PHONE.width, `the chart fits (${box.width})`);
  // The downloads are links of the page.
  assert.equal(await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href'),
    '/branch/census.csv');
  // The register's filters, from the census's chips.
  await page.getByRole('link', { name: '儿童档案' }).first().click();
  await page.locator('select[name=level]').selectOption('extreme');
  await page.getByRole('button', { name: '筛选' }).click();
  await page.waitForLoadState();
  assert.match(page.url(), /level=extreme/);
  const extreme = sqlValue(`select count(*) from beneficiaries where archived_at is null
      and org_id in (select api.org_subtree(${school})) and poverty_level = 'extreme'`);
  assert.equal(await page.locator('p.count b').textContent(), extreme);
  assert.ok(await fits(page));
});

test('on a phone, an import: its problems first, then a clean file confirmed', async () => {
  const school = schoolOf('xiaye');
  const page = await newPage(browser, PHONE);
  await signIn(page, demo(`org${school}@example.com`));
  await page.goto(`${BASE}/branch/children-import`);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, [HEAD, '手机一,2014,女,小学,特困,因病,是,2026-09-01,孙一',
    '手机二,20x4,男,大专班,贫困,,否,2026-09-01,'].join('\r\n') + '\r\n');
  await page.getByLabel('CSV 文件').setInputFiles(bad);
  await press(page, '检查文件');
  const problems = page.locator('#import-problems tbody tr');
  assert.equal(await problems.count(), 3);
  const text = await page.locator('#import-problems').textContent();
  assert.match(text, /没有写入任何儿童/);
  assert.match(text, /出生年份/);
  assert.match(text, /学段/);
  assert.match(text, /真实姓名/);
  assert.ok(await fits(page), 'the preview fits the phone');
  assert.equal(sqlValue("select count(*) from beneficiaries where alias like '手机%'"), '0');

  await page.goto(`${BASE}/branch/children-import`);
  const good = join(dir, 'good.csv');
  writeFileSync(good, [HEAD, '手机一,2014,女,小学,特困,因病,是,2026-09-01,孙一',
    '周杰,2013,男,初中,贫困,因学、留守,是,2026/9/2,周杰'].join('\r\n') + '\r\n');
  await page.getByLabel('CSV 文件').setInputFiles(good);
  await press(page, '检查文件');
  assert.match(page.url(), /\/branch\/children-import\/\d+$/);
  assert.equal(await page.locator('#import-preview tbody tr').count(), 2);
  assert.match(await page.locator('#import-warnings').textContent(), /化名与真实姓名相同/);
  assert.ok(await fits(page));
  await press(page, '确认导入');
  assert.match(await page.locator('#import-preview').textContent(), /已导入/);
  assert.equal(sqlValue("select count(*) from beneficiaries where alias in ('手机一', '周杰')"), '2');
});
