// A person on a phone shares a need: the page's OpenGraph tags name its
// poster, the poster link on the page opens a 750 x 1100 image, and
// searching with two words finds the need.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';

let browser, page;

before(async () => {
  browser = await launch();
  page = await newPage(browser, PHONE);
});

after(async () => { await browser?.close(); });

test('a need page → its poster, as the OpenGraph image', async () => {
  const id = sqlValue(`select id from needs where status = 'open' order by id limit 1`);
  await page.goto(`${BASE}/needs/${id}`);
  const og = await page.locator('meta[property="og:image"]').getAttribute('content');
  assert.equal(og, `${BASE}/needs/${id}/poster.png`);
  const href = await page.getByRole('link', { name: '分享海报' }).getAttribute('href');
  assert.equal(BASE + href, og);
  await page.goto(og);
  const size = await page.evaluate(() => [document.images[0].naturalWidth,
    document.images[0].naturalHeight]);
  assert.deepEqual(size, [750, 1100]);
});

test('two words on the shelf find the needs holding both', async () => {
  const [title, town] = [sqlValue(`select n.item from needs n where n.status = 'open' order by n.id limit 1`),
    sqlValue(`select t.name_zh from needs n join towns t on t.id = n.town_id
      where n.status = 'open' order by n.id limit 1`)];
  await page.goto(`${BASE}/needs?q=${encodeURIComponent(`${title} ${town}`)}`);
  const cards = page.locator('article.card');
  assert.ok(await cards.count() > 0);
  for (const meta of await cards.locator('.meta').allTextContents()) assert.match(meta, new RegExp(town));
  assert.equal(await page.getByLabel('排序').inputValue(), 'relevance');
});
