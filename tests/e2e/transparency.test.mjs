// A reader finds the transparency page from the navigation, sees the
// charts, filters the gifts received by town, and follows a record to its
// public log entry (in words, its text behind a summary) and to its need.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('charts, a filter, and a record followed to its log entry and its need', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    // A JSON answer has no icon: the browser asks for /favicon.ico.
    if (m.type() === 'error' && !/favicon\.ico/.test(m.location()?.url ?? ''))
      problems.push(`${m.text()} ${m.location()?.url}`);
  });

  await page.goto(BASE + '/');
  await page.getByRole('link', { name: '公开透明' }).first().click();
  await page.waitForURL(/\/transparency$/);
  assert.equal(await page.locator('h1').textContent(), '公开透明');

  // Three charts, drawn: bars with their sizes, named for screen readers.
  const charts = page.locator('svg.chart');
  assert.equal(await charts.count(), 3);
  for (let i = 0; i < 3; i++) {
    const c = charts.nth(i);
    assert.ok(await c.isVisible(), `chart ${i} visible`);
    assert.ok((await c.boundingBox()).width > 200, `chart ${i} has room`);
    assert.ok(await c.locator('title').first().textContent());
  }
  const bars = page.locator('svg.chart rect.s0[width]:not([width="0"])');
  assert.ok(await bars.count() > 5, 'bars are drawn');
  assert.ok(Number(await page.locator('#chart-months-t').count()) === 1);

  // Filter the records by the town of the latest one.
  const town = await page.locator('tr.record td').nth(2).textContent();
  await page.locator('select[name=town]').selectOption({ label: town });
  await page.getByRole('button', { name: '筛选' }).click();
  await page.waitForURL(/town=/);
  const towns = await page.locator('tr.record td:nth-child(3)').allTextContents();
  assert.ok(towns.length > 0);
  assert.ok(towns.every((t) => t === town), `only ${town}: ${towns}`);

  // The first record: its log entry says, in words, that the school
  // received it, for its need; its text is one click further.
  const first = page.locator('tr.record').first();
  const title = await first.locator('a.need').textContent();
  const needHref = await first.locator('a.need').getAttribute('href');
  await first.locator('a.log-entry').click();
  await page.waitForURL(/\/transparency\/entries\/\d+$/);
  const pos = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal((await page.locator('h1').textContent()).trim(), '学校确认收到');
  assert.equal((await page.locator('.log-entry dd a').first().textContent()).trim(), title.trim());
  const entry = page.locator('pre.entry');
  assert.equal(await entry.isVisible(), false, 'the entry text waits behind its summary');
  await page.locator('details.technical summary').click();
  assert.ok(await entry.isVisible());
  const text = await entry.textContent();
  assert.match(text, /\nkind pledge_received\n/);
  const need = needHref.match(/\/needs\/(\d+)$/)[1];
  assert.match(text, new RegExp(`\nneed ${need}\n`));
  assert.equal(sqlValue(`select kind from log_entries where position = ${pos}`), 'pledge_received');

  await page.goBack();
  await page.locator('tr.record').first().locator('a.need').click();
  await page.waitForURL(new RegExp(`/needs/${need}$`));
  assert.equal((await page.locator('h1').textContent()).trim(), title.trim());

  assert.deepEqual(problems, [], 'no script errors, no CSP violations');
  await ctx.close();
});

test('in English, and the verification commands are there to copy', async () => {
  const ctx = await browser.newContext({ locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(BASE + '/transparency?lang=en');
  assert.equal(await page.locator('h1').textContent(), 'Transparency');
  const cmds = (await page.locator('pre.commands').textContent()).trim().split('\n');
  assert.equal(cmds.length, 3);
  assert.equal(cmds[0], 'make build/logverify');
  assert.match(cmds[1], /^build\/logverify -s \S+ -t http/);
  assert.ok(await page.locator('svg.chart').first().isVisible());
  // The download links answer.
  const csv = await page.request.get(BASE + await page.locator('a.csv-totals').getAttribute('href'));
  assert.equal(csv.status(), 200);
  await ctx.close();
});
