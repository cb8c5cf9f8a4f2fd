// Every public page and every page of a donor, on a phone (issue 19): no
// sideways scrolling (the transparency tiles were 449 px wide in a
// 390 px screen), and text contrast at WCAG 2.1 AA (4.5:1; the receive
// buttons were grey on red at about 1.5:1), checked by axe-core's
// color-contrast rule in the page as it is shown; and a header that
// leaves the screen to the page (signed in, its wrapped links stood
// 191 px high and stayed there while the page scrolled).  Both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PHONE, launch, signIn } from '../lib/browser.mjs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const one = (q) => sqlValue(q);
function publicPages() {
  const need = one(`select id from needs where status = 'open' order by id limit 1`);
  const notice = one(`select id from needs where status = 'notice' order by id limit 1`);
  const campaign = one('select slug from campaigns order by id limit 1');
  const entry = one('select max(position) from log_entries');
  return ['/', '/needs', `/needs/${need}`, `/needs/${need}/pledges`, `/needs/${notice}`,
    '/needs?q=棉衣', '/campaigns',
    `/campaigns/${campaign}`, '/offers', '/transparency', `/transparency/entries/${entry}`,
    '/verify', '/privacy', '/login', '/register', '/password/forgot', '/api'];
}
function donorPages(donorId) {
  const pledge = one(`select id from pledges where donor_id = ${donorId} order by id desc limit 1`);
  return ['/me', '/me/pledges', `/me/pledges/${pledge}`, `/me/pledges/${pledge}/certificate`,
    '/me/offers', '/me/recommended', '/me/notifications', '/me/data'];
}

// What is wrong with the page shown: its overflow, and axe's contrast
// findings (each: the text and its ratio).
async function check(page, path) {
  await page.goto(BASE + path);
  await page.waitForLoadState('networkidle');
  const wide = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, view: window.innerWidth,
    culprit: [...document.querySelectorAll('body *')].filter((e) =>
      e.getBoundingClientRect().right > window.innerWidth + 1)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))[0],
  }));
  const head = await page.evaluate(() => {
    const top = document.querySelector('.top');
    const height = top.getBoundingClientRect().height;
    window.scrollTo(0, 400);
    const covered = window.scrollY >= height ? Math.max(0, top.getBoundingClientRect().bottom) : 0;
    window.scrollTo(0, 0);
    return { height, covered, view: window.innerHeight };
  });
  const problems = [];
  if (head.height > 0.15 * head.view)
    problems.push(`${path}: the header is ${head.height} px high in ${head.view}`);
  if (head.covered > 0)
    problems.push(`${path}: scrolled, the header still covers ${head.covered} px`);
  if (wide.scroll > wide.view)
    problems.push(`${path}: ${wide.scroll} px wide in ${wide.view} (${wide.culprit})`);
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['color-contrast'],
      resultTypes: ['violations'] });
    return r.violations.flatMap((v) => v.nodes.map((n) =>
      `${n.target.join(' ')} “${(n.any[0]?.data?.fgColor ?? '')}/${n.any[0]?.data?.bgColor ?? ''}` +
      ` ${n.any[0]?.data?.contrastRatio ?? ''}:1”`));
  });
  for (const f of found) problems.push(`${path}: contrast ${f}`);
  return problems;
}

for (const lang of ['zh', 'en']) {
  test(`on a phone (${lang}): the public pages and a donor's fit and can be read`, async () => {
    // bypassCSP: axe is evaluated in the page (the site allows no inline script).
    const ctx = await browser.newContext({ viewport: PHONE, locale: lang === 'zh' ? 'zh-CN' : 'en-US',
      bypassCSP: true });
    const page = await ctx.newPage();
    const problems = [];
    await page.goto(`${BASE}/?lang=${lang}`);
    for (const path of publicPages()) problems.push(...await check(page, path));
    const as = async (who, paths) => {
      await page.context().clearCookies();
      await page.goto(`${BASE}/?lang=zh`);
      await signIn(page, who);
      await page.goto(`${BASE}/?lang=${lang}`);
      for (const path of paths) problems.push(...await check(page, path));
    };
    const donor = demo('donor1@example.com');
    await as(donor, ['/', '/needs', ...donorPages(one(`select id from users
        where email = '${donor.login}'`))]);
    // A school's desk, where the receive buttons were grey on red.
    const school = one(`select o.id from orgs o join pledges p on p.need_id in
        (select id from needs where org_id = o.id) and p.status in ('pledged', 'delivered')
      join users u on u.email = 'org' || o.id || '@example.com'
      where o.kind = 'school' order by o.id limit 1`);
    await as(demo(`org${school}@example.com`), ['/branch', '/branch/pledges', '/branch/needs',
      '/branch/children']);
    await ctx.close();
    assert.deepEqual(problems, []);
  });
}
