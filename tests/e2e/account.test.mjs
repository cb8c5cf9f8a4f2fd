// A donor on a phone: registers, signs out, signs in again, sees /me.
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

test('register → sign out → sign in → my profile', async () => {
  const email = `e2e${Date.now()}@example.org`;
  await page.goto(BASE + '/');
  await page.getByRole('link', { name: '注册' }).click();
  await page.getByLabel('姓名或昵称').fill('欧阳女士');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码', { exact: true }).fill('a secret of mine');
  await page.getByLabel('再次输入密码').fill('a secret of mine');
  await page.getByLabel(/我已阅读并同意/).check();
  await page.getByRole('button', { name: '注册' }).click();
  await page.waitForURL(/\/me$/);
  assert.equal((await page.locator('h1').textContent()).trim(), '欧阳女士');

  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(BASE + '/');
  assert.ok(await page.getByRole('link', { name: '登录' }).isVisible());

  // /me now asks to sign in, and comes back after it.
  await page.goto(BASE + '/me');
  await page.waitForURL(/\/login\?next=%2Fme$/);
  await page.getByLabel('邮箱或手机号').fill(email);
  await page.getByLabel('密码').fill('a wrong one!');
  await page.getByRole('button', { name: '登录' }).click();
  assert.match(await page.locator('.alert').textContent(), /账号或密码不正确/);
  await page.getByLabel('密码').fill('a secret of mine');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/me$/);
  assert.match(await page.locator('main').textContent(), new RegExp(email.replace('.', '\\.')));
  assert.match(await page.locator('main').textContent(), /爱心人士/);
});

test('the registration form says what is wrong and keeps what was typed', async () => {
  await page.goto(BASE + '/register');
  await page.getByLabel('姓名或昵称').fill('慕容先生');
  await page.getByLabel('手机号').fill('13800138000');
  await page.getByLabel('密码', { exact: true }).fill('a secret of mine');
  await page.getByLabel('再次输入密码').fill('another secret');
  await page.getByLabel(/我已阅读并同意/).check();
  await page.getByRole('button', { name: '注册' }).click();
  assert.match(await page.locator('.alert').textContent(), /两次输入的密码不一致/);
  assert.equal(await page.getByLabel('姓名或昵称').inputValue(), '慕容先生');
  assert.equal(await page.getByLabel('手机号').inputValue(), '13800138000');
});
