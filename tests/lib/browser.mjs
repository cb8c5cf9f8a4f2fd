// Debian's Chromium, headless, driven by playwright-core.
import { chromium } from 'playwright-core';
import { BASE } from './env.mjs';

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic'],
  });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

// A new page in a context of its own (Chinese, the viewport given); a
// script error on it fails the test.
export async function newPage(browser, viewport = DESKTOP) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  return page;
}

// Signs in on page as who ({ login, password }: a demo account).
export async function signIn(page, who) {
  await page.goto(BASE + '/login');
  await page.getByLabel('邮箱或手机号').fill(who.login);
  await page.getByLabel('密码').fill(who.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState();
}

// Clicks a form's button and waits for the page it leads to: the same
// page again (a refused form) or the page a redirect goes to.
export async function press(page, name) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name }).click(),
  ]);
  await page.waitForLoadState();
}
