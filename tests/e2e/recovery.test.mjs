// A donor who forgot the password, on a phone: asks for a link from the
// sign-in page, opens it, chooses a new password, signs in with it.  The
// link is read from the outbox (the sender mails it); its token reaches
// neither the server's access log nor any Referer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PHONE, launch, newPage } from '../lib/browser.mjs';
import { BASE, sql, sqlValue } from '../lib/env.mjs';

let browser, page;

before(async () => {
  browser = await launch();
  page = await newPage(browser, PHONE);
});

after(async () => {
  await browser?.close();
  sql(`delete from login_throttle where key like 'forgot%'`);
});

test('forgot → reset → sign in', async () => {
  const email = `e2eforgot${Date.now()}@example.org`;
  const r = await fetch(BASE + '/api/v1/register', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ privacy_version: 1, display_name: '司马女士', email, password: 'the old secret' }) });
  assert.equal(r.status, 201);

  await page.goto(BASE + '/login');
  await page.getByRole('link', { name: '忘记密码？' }).click();
  await page.waitForURL(/\/password\/forgot$/);
  await page.getByLabel('邮箱或手机号').fill(email);
  await page.getByRole('button', { name: '发送链接' }).click();
  await page.locator('#done').waitFor();
  assert.match(await page.getByRole('status').textContent(), /设置新密码的链接已经发出/);

  const link = sqlValue(`select n.params->>'link' from notifications n join users u
      on u.id = n.user_id where u.email = '${email}' and n.kind = 'password_reset'
      order by n.id desc limit 1`);
  assert.ok(link.startsWith(BASE + '/password/reset?token='));
  const token = new URL(link).searchParams.get('token');
  const referers = [];
  page.on('request', (q) => { const h = q.headers().referer; if (h) referers.push(h); });
  await page.goto(link);
  assert.equal((await page.locator('h1').textContent()).trim(), '设置新密码');
  await page.getByLabel('新密码', { exact: true }).fill('the new secret');
  await page.getByLabel('再次输入新密码').fill('the new secret!');
  await page.getByRole('button', { name: '保存密码' }).click();
  assert.match(await page.locator('.alert').textContent(), /两次输入的密码不一致/);
  await page.getByLabel('新密码', { exact: true }).fill('the new secret');
  await page.getByLabel('再次输入新密码').fill('the new secret');
  await page.getByRole('button', { name: '保存密码' }).click();
  await page.waitForURL(/\/login$/);
  assert.match(await page.getByRole('status').textContent(), /新密码已设置/);

  // The old password no longer works; the new one does.
  await page.getByLabel('邮箱或手机号').fill(email);
  await page.getByLabel('密码').fill('the old secret');
  await page.getByRole('button', { name: '登录' }).click();
  assert.match(await page.locator('.alert').textContent(), /账号或密码不正确/);
  await page.getByLabel('密码').fill('the new secret');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/me$/);
  assert.equal((await page.locator('h1').textContent()).trim(), '司马女士');

  // The link is spent.
  await page.goto(link);
  assert.match(await page.locator('.alert').textContent(), /链接无效或已过期/);
  await page.getByRole('link', { name: '重新获取链接' }).click();
  await page.waitForURL(/\/password\/forgot$/);

  // Neither the requests the page made nor the access log hold the token.
  assert.ok(referers.length > 0);
  assert.ok(referers.every((h) => !h.includes(token)), referers.join(' '));
  const log = `${process.env.TEST_VAR}/kore-access.log`;
  let text = '';
  for (let i = 0; i < 50 && !text.includes('/password/reset'); i++) {
    await new Promise((res) => setTimeout(res, 100));
    try { text = readFileSync(log, 'utf8'); } catch { text = ''; }
  }
  assert.ok(text.includes('/password/reset'), 'the access log has the requests');
  assert.ok(!text.includes(token), 'no token in the access log');
});
