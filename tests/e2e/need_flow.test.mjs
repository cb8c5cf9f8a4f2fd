// Staff at work in a browser: a school registers a child and posts a need
// for it, then submits it; its town branch verifies it, which starts the
// public notice; once the notice is over (set to 0 days here) the need is
// on the public shelf.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn } from '../lib/browser.mjs';
import { BASE, sql, sqlValue } from '../lib/env.mjs';
import { demo } from '../lib/session.mjs';

let browser, schoolEmail;
const title = `康复训练费 ${Date.now() % 100000}`;

before(async () => {
  browser = await launch();
  const school = sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
      where o.kind = 'school' and t.slug = 'wangwu' order by o.id limit 1`);
  schoolEmail = `org${school}@example.com`;
  sql(`update settings set value = '0' where key = 'notice_days'`);
});

after(async () => {
  sql(`update settings set value = '5' where key = 'notice_days'`);
  await browser?.close();
});

async function signedIn(email) {
  const page = await newPage(browser);
  await signIn(page, demo(email));
  await page.waitForURL(/\/branch$/);
  return page;
}

test('a school registers a child, and sees its private part on a page of its own', async () => {
  const page = await signedIn(schoolEmail);
  await page.getByRole('link', { name: /儿童档案/ }).first().click();
  await page.waitForURL(/\/branch\/children$/);
  // The child's form, not the register's filters above it.
  const form = page.locator('form.child-form');
  await form.getByLabel('化名', { exact: true }).fill('小星星');
  await form.getByLabel('出生年份').fill('2015');
  await form.getByLabel('性别').selectOption({ label: '男' });
  await form.getByLabel('学段').selectOption({ label: '小学' });
  await form.getByLabel('因学').check();
  await form.getByLabel('真实姓名').fill('上官星辰');
  await form.getByLabel('手机号').fill('13600000003');
  await form.getByLabel('监护人已同意登记（书面同意）').check();
  await form.getByRole('button', { name: '保存' }).click();
  await page.waitForURL(/\/branch\/children\/\d+$/);
  assert.equal((await page.locator('h1').textContent()).trim(), '小星星');
  assert.ok(!(await page.content()).includes('上官星辰'));
  await page.getByRole('link', { name: '查看隐私信息' }).click();
  await page.waitForURL(/\/private$/);
  assert.match(await page.locator('main').textContent(), /上官星辰/);
  await page.context().close();
});

test('post a need → submit → the town verifies → notice → on the shelf', async () => {
  const school = await signedIn(schoolEmail);
  await school.getByRole('link', { name: '发布需求' }).first().click();
  await school.waitForURL(/\/branch\/needs\/new$/);
  await school.getByLabel('类型').selectOption('money');
  // The fields of other kinds step aside.
  assert.equal(await school.getByLabel('数量').isVisible(), false);
  await school.getByLabel('标题').fill(title);
  await school.getByLabel('类别').selectOption({ label: '医疗康复' });
  await school.getByLabel('受助孩子/青年').selectOption({ index: 1 });
  await school.getByLabel('金额（元）', { exact: true }).fill('800.5');
  await school.getByLabel('需求说明').fill('听力康复训练\n需要一学期');
  await school.getByRole('button', { name: '保存草稿' }).click();
  await school.waitForURL(/\/branch\/needs\/\d+$/);
  const id = school.url().match(/(\d+)$/)[1];
  assert.match(await school.locator('main').textContent(), /¥800.50/);
  await school.getByRole('button', { name: '提交核实' }).click();
  await school.waitForURL(new RegExp(`/branch/needs/${id}$`));
  assert.match(await school.locator('.meta').first().textContent(), /待核实/);
  // The school cannot verify its own need.
  assert.equal(await school.getByRole('button', { name: '核实通过' }).count(), 0);

  const town = await signedIn('wangwu@example.com');
  await town.getByRole('link', { name: title }).first().click();
  await town.waitForURL(new RegExp(`/branch/needs/${id}$`));
  await town.getByLabel('核实方式（例如：入户走访、学校证明）').fill('入户走访，查看了医院诊断书');
  assert.ok(await town.getByLabel('核实后立即开始公示').isChecked());
  await town.getByRole('button', { name: '核实通过' }).click();
  await town.waitForURL(new RegExp(`/branch/needs/${id}$`));
  assert.match(await town.locator('.meta').first().textContent(), /公示中|认捐中/);
  assert.match(await town.locator('.events').textContent(), /核实通过[\s\S]*开始公示/);

  // Notice of 0 days: the job puts it on the shelf within a few seconds.
  const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await visitor.goto(BASE + '/needs?sort=newest');
    found = await visitor.getByRole('link', { name: title }).count() > 0;
    if (!found) await visitor.waitForTimeout(250);
  }
  assert.ok(found, 'on the shelf');
  await visitor.getByRole('link', { name: title }).first().click();
  await visitor.waitForURL(new RegExp(`/needs/${id}$`));
  assert.match(await visitor.locator('main').textContent(), /核实单位/);
  assert.equal(sqlValue(`select status from needs where id = ${id}`), 'open');
  await visitor.context().close();
  await school.context().close();
  await town.context().close();
});
