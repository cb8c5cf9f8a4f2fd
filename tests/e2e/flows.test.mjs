// A newcomer's way to a first pledge on a phone (issue 19): from a
// need's "sign in to pledge" to registration and back to the same need,
// a refused field's message beside the field (aria-invalid and
// aria-describedby), then the pledge saying it is made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, launch, newPage } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { freshEmail } from '../lib/session.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('sign in to pledge → register → back on the need, then pledged', async () => {
  const need = sqlValue(`select id from needs where status = 'open' and kind = 'goods'
      and quantity - pledged >= 2 order by id desc limit 1`);
  const page = await newPage(browser, PHONE);
  await page.goto(`${BASE}/needs/${need}`);
  await page.getByRole('link', { name: /登录后认捐/ }).click();
  await page.waitForURL(/\/login\?next=/);
  await page.getByRole('link', { name: '注册' }).last().click();
  await page.waitForURL(new RegExp(`/register\\?next=%2Fneeds%2F${need}$`));

  // The password rule is on the page, not only a tooltip.
  assert.match(await page.locator('#password-rule').textContent(), /至少 10 个字符/);
  await page.getByLabel('姓名或昵称').fill('新来的志愿者');
  await page.getByLabel('邮箱').fill(freshEmail('flow-e2e'));
  await page.getByLabel('密码', { exact: true }).fill('a secret of mine');
  await page.getByLabel('再次输入密码').fill('not the same one');
  await page.getByLabel(/我已阅读并同意/).check();
  await page.getByRole('button', { name: '注册' }).click();
  await page.waitForLoadState();

  // The message stands right after the field it is about, which is
  // marked invalid, described by it, and focused.
  const again = page.getByLabel('再次输入密码');
  assert.equal(await again.getAttribute('aria-invalid'), 'true');
  assert.match(await again.getAttribute('aria-describedby'), /\bform-error\b/);
  assert.match(await page.locator('#form-error').textContent(), /两次输入的密码不一致/);
  assert.ok(await page.evaluate(() => {
    const err = document.getElementById('form-error');
    return err.previousElementSibling.contains(document.querySelector('[name=password2]'));
  }), 'the message follows the field');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'password2');

  // What was typed and ticked is kept (the passwords are not).
  assert.ok(await page.getByLabel(/我已阅读并同意/).isChecked());
  await page.getByLabel('密码', { exact: true }).fill('a secret of mine');
  await again.fill('a secret of mine');
  await page.getByRole('button', { name: '注册' }).click();
  // done= is taken out of the address once the page is shown.
  await page.waitForURL(new RegExp(`/needs/${need}$`));
  assert.match(await page.locator('#done').textContent(), /注册成功/);

  await page.getByLabel(/认捐数量/).fill('1');
  await page.getByRole('button', { name: '确认认捐' }).click();
  await page.waitForURL(/\/me\/pledges\/\d+$/);
  assert.match(await page.locator('#done').textContent(), /认捐成功/);
  assert.ok(await page.locator('.receipt .code').isVisible(), 'the receipt code, the next step');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'no sideways scrolling');
});
