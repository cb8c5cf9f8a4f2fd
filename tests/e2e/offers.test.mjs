// A donor posts an offer through the form, sees the needs proposed for
// it with their reasons, and accepts one: it becomes a pledge.  Staff
// propose another offer for a need of theirs; its donor accepts it on
// their page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage, signIn } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';
import { newCampaign, newNeed, schoolOf, settle } from '../lib/matching.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('post an offer → the needs proposed for it → accept one → a pledge', async () => {
  const c = newCampaign();
  const school = schoolOf('wangwu');
  const need = newNeed({ org: school, item: '棉衣', spec: '150码', quantity: 2, urgency: 3,
    days: 6, campaign: c.id });
  const donor = demo('donor4@example.com');
  const page = await newPage(browser, PHONE);
  await signIn(page, donor);
  await page.goto(BASE + '/me/offers');
  await page.getByLabel('类型').selectOption('goods');
  await page.getByLabel('类别').selectOption('clothing');
  await page.getByLabel('物品').fill('棉衣');
  await page.getByLabel('规格').fill('140-160码');
  await page.getByLabel(/^数量/).fill('3');
  await page.getByLabel('镇 1').selectOption('wangwu');
  await page.getByLabel('公益行动').selectOption(c.slug);
  await page.getByRole('button', { name: '发布', exact: true }).click();
  await page.waitForURL(/\/me\/offers\/\d+$/);
  const offerId = page.url().split('/').pop();
  assert.match(await page.locator('h1').textContent(), /物资/);

  await settle();
  await page.reload();
  const row = page.getByRole('row', { name: /测试需求 棉衣150码/ });
  assert.match(await row.locator('.reasons').textContent(), /同镇、急需、临近截止/);
  assert.match(await row.textContent(), /2 件/);
  await row.getByRole('button', { name: '接受' }).click();
  await page.waitForURL(/accepted=1/);
  assert.match(await page.locator('main').textContent(), /已认捐/);
  assert.equal(sqlValue(`select p.quantity from pledges p join offer_pledges op on op.pledge_id = p.id
    where op.offer_id = ${offerId} and p.need_id = ${need}`), '2');
  await page.context().close();
});

test('staff propose an offer for their need; its donor accepts it on their page', async () => {
  const c = newCampaign();
  const school = schoolOf('wangwu');
  // An item nobody else offers: this offer is the one proposed.
  const item = `辞海${process.pid}`;
  const need = newNeed({ org: school, category: 'books', item, unit: '本', quantity: 4,
    urgency: 2, days: 30, campaign: c.id });
  const donor = demo('donor6@example.com');
  const donorId = sqlValue(`select id from users where email = 'donor6@example.com'`);
  const offer = sqlValue(`insert into offers (donor_id, kind, category, item, unit, quantity,
      campaign_id, valid_until)
    values (${donorId}, 'goods', 'books', '${item}', '本', 10, ${c.id}, current_date + 20) returning id`);

  const staff = await newPage(browser);
  await signIn(staff, demo(`org${school}@example.com`));
  await staff.goto(`${BASE}/branch/matching/needs/${need}`);
  const row = staff.getByRole('row', { name: new RegExp(item) });
  assert.match(await row.textContent(), /4 本/);
  await row.getByRole('button', { name: '推荐给捐赠人' }).click();
  await staff.waitForLoadState();
  assert.match(await staff.getByRole('row', { name: new RegExp(item) }).textContent(), /已推荐/);

  const page = await newPage(browser);
  await signIn(page, donor);
  await page.goto(BASE + '/me/offers');
  const li = page.locator('ul.proposals li', { hasText: `测试需求 ${item}` });
  assert.match(await li.textContent(), /类别相符/);
  await li.getByRole('button', { name: '接受' }).click();
  await page.waitForLoadState();
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${need}
    and donor_id = ${donorId} and quantity = 4`), '1');
  assert.equal(sqlValue(`select status from proposals where offer_id = ${offer}`), 'accepted');
  await page.goto(`${BASE}/me/offers/${offer}`);
  assert.match(await page.locator('main').textContent(), /已接受/);
  await page.context().close();
  await staff.context().close();
});
