// A person on a phone: opens the home page, filters the needs by town,
// opens a need.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage } from '../lib/browser.mjs';
import { BASE } from '../lib/env.mjs';

let browser, page;

before(async () => {
  browser = await launch();
  page = await newPage(browser, PHONE);
});

after(async () => { await browser?.close(); });

test('home → needs filtered by town → one need', async () => {
  await page.goto(BASE + '/');
  assert.equal(await page.locator('h1').first().textContent(),
    '让每一份爱心，找到需要它的孩子');
  await page.getByRole('link', { name: '去货架看看' }).click();
  await page.waitForURL(/\/needs$/);

  // Choosing a town applies the filter at once (a little JavaScript).
  await page.getByLabel('镇').selectOption({ label: '王屋镇' });
  await page.waitForURL(/town=wangwu/);
  const cards = page.locator('article.card');
  assert.ok(await cards.count() > 0);
  for (const meta of await cards.locator('.meta').allTextContents()) {
    assert.match(meta, /王屋镇/);
  }
  const title = (await cards.first().locator('h3 a').textContent()).trim();
  await cards.first().locator('h3 a').click();
  await page.waitForURL(/\/needs\/\d+$/);
  assert.equal((await page.locator('h1').textContent()).trim(), title);
  assert.ok(await page.locator('svg.bar').count() > 0, 'progress bar');
  assert.match(await page.locator('.crumbs').textContent(), /王屋镇/);
});

test('the filter form works without JavaScript too', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false,
    locale: 'zh-CN' });
  const p = await ctx.newPage();
  await p.goto(BASE + '/needs');
  await p.getByLabel('类型').selectOption('money');
  await p.getByRole('button', { name: '筛选' }).click();
  await p.waitForURL(/kind=money/);
  const tags = await p.locator('article.card .tag.kind-money').count();
  assert.equal(tags, await p.locator('article.card').count());
  await ctx.close();
});
