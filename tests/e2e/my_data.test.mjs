// A donor on a phone uses their rights (issue 18): accepts the privacy
// notice to register, downloads what the platform holds about them, is
// told the account cannot go while a pledge is in progress, then deletes
// it and is signed out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PHONE, launch, newPage, press } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { parseCsv } from '../lib/files.mjs';
import { Api } from '../lib/session.mjs';

let browser, page;

before(async () => {
  browser = await launch();
  page = await newPage(browser, PHONE);
});

after(async () => { await browser?.close(); });

async function download(link) {
  const [d] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: link, exact: true }).click()]);
  return readFileSync(await d.path(), 'utf8');
}

test('register with the notice, download my data, delete my account', async () => {
  const email = `mydata${Date.now()}@example.org`;
  const password = 'my data secret 1';
  await page.goto(BASE + '/register');
  await page.getByLabel('姓名或昵称').fill('诸葛女士');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByLabel('再次输入密码').fill(password);
  await page.getByLabel(/我已阅读并同意/).check();
  await press(page, '注册');
  await page.waitForURL(/\/me$/);

  await page.getByRole('link', { name: '我的数据与隐私' }).click();
  await page.waitForURL(/\/me\/data$/);
  const json = JSON.parse(await download('JSON'));
  assert.equal(json.data.account.email, email);
  assert.equal(json.data.account.privacy_version, 1);
  const rows = parseCsv(await download('CSV'));
  assert.ok(rows.some((r) => r[0] === 'account' && r[2] === 'email' && r[3] === email),
    JSON.stringify(rows.slice(0, 5)));

  // A pledge in progress: the page says so, and offers no button.
  const api = await Api.login(email, password);
  const need = sqlValue(`select id from needs where status = 'open' and kind = 'goods'
      and quantity - pledged > 5 order by id limit 1`);
  const p = await api.post(`/api/v1/needs/${need}/pledges`, { quantity: 1 });
  assert.equal(p.status, 201);
  await page.reload();
  assert.match(await page.locator('main').textContent(), /请先完成或取消进行中的认捐/);
  assert.equal(await page.getByRole('button', { name: '注销账户' }).count(), 0);

  // Cancelled: the account can go.
  assert.equal((await api.post(`/api/v1/pledges/${p.body.pledge.id}/cancel`)).status, 200);
  await page.reload();
  await page.getByLabel('我明白此操作不可撤销').check();
  await press(page, '注销账户');
  await page.waitForURL(new RegExp(`^${BASE}/$`));
  assert.match(await page.locator('#done').textContent(), /账号已注销/);
  assert.ok(await page.getByRole('link', { name: '登录' }).isVisible());
  await page.goto(BASE + '/me');
  await page.waitForURL(/\/login/);
  assert.equal(sqlValue(`select email from users where display_name like '已注销用户 %'
      and deleted_at is not null and id = (select donor_id from pledges where id = ${p.body.pledge.id})`),
    null);
  assert.equal(sqlValue(`select deleted_at is not null from users
      where id = (select donor_id from pledges where id = ${p.body.pledge.id})`), 't');
});
