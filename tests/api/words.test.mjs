// Every page a person can reach speaks their language (issue 19): each
// role follows the links of its pages (the public, a donor, a school's
// and a town's staff, an admin), in Chinese and in English, and no page
// shows a message key (a template's {{@key}} that has no message) or one
// of the codes the data hold (a status, a log entry's kind, an audit
// entry's action, a message's kind) in place of words.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, sqlValue } from '../lib/env.mjs';
import { Browser, demo } from '../lib/session.mjs';

const ROOT = process.env.SHOP_ROOT ?? '.';
const KEYS = new Set(Object.keys(JSON.parse(readFileSync(`${ROOT}/assets/messages_zh.json`, 'utf8'))));
// Codes of the data that must never stand for words on a page.
const CODES = ['pending', 'approved', 'pledged', 'delivered', 'disputed', 'fully_pledged',
  'fulfilled', 'submitted', 'pledge_made', 'pledge_received', 'pledge_delivered',
  'pledge_cancelled', 'need_opened', 'need_fulfilled', 'fund_received', 'fund_paid_out',
  'objection_dismiss', 'objection_uphold', 'pledge_receive', 'need_verify', 'child_create',
  'scholarship', 'left_behind'];
const MAX_PAGES = 60;	// per role and language

// What a reader sees: the text of the page's main part, no tags, no
// scripts, no SVG, no code blocks (a command or a hash is shown as such).
function seen(html) {
  const i = html.indexOf('<main');
  const main = i < 0 ? html : html.slice(i, html.lastIndexOf('</main>'));
  return main.replace(/<(script|style|svg|pre|code)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ');
}

// Same-site pages a link leads to: no downloads, no actions, no API.
function links(html) {
  const out = new Set();
  for (const [, href] of html.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)) {
    const u = href.replace(/&amp;/g, '&');
    if (/^\/(api|static|logout)\b|\.(csv|xlsx|png|json|txt|xml|yaml)\b|[?&](lang|page)=|\/unsubscribe|\/verify\/email|\/password\/reset/.test(u))
      continue;
    out.add(u);
  }
  return out;
}

async function crawl(b, starts, lang) {
  const found = [];
  const queue = [...starts];
  const done = new Set();
  while (queue.length && done.size < MAX_PAGES) {
    const path = queue.shift();
    if (done.has(path)) continue;
    done.add(path);
    const url = path + (path.includes('?') ? '&' : '?') + `lang=${lang}`;
    const r = await b.get(url);
    if (r.status !== 200 || !/text\/html/.test(r.headers.get('content-type') ?? '')) continue;
    const text = seen(r.text);
    // (A file's name, such as an upload's statement.csv, is no key.)
    for (const m of text.matchAll(/\b[a-z][a-z_]*\.[a-z][a-z0-9_]*\b/g))
      if (KEYS.has(m[0]) && !/\.(csv|xlsx|json|png)$/.test(m[0]))
        found.push(`${path} (${lang}): the key ${m[0]}`);
    // In English, "pledged" is a word too: there only the codes that are
    // no word (fully_pledged) give a code away.
    for (const c of CODES.filter((x) => lang === 'zh' || x.includes('_')))
      if (new RegExp(`(^|[^a-z_/.-])${c}([^a-z_/.-]|$)`).test(text))
        found.push(`${path} (${lang}): the code ${c}`);
    if (lang === 'zh') {
      const m = text.match(/\((pending|approved|rejected)\)/);
      if (m) found.push(`${path} (zh): ${m[0]}`);
    }
    for (const l of links(r.text)) if (!done.has(l)) queue.push(l);
  }
  return { found, pages: done.size };
}

let org;
before(() => {
  org = sqlValue(`select o.id from orgs o join users u on u.org_id = o.id
      where o.kind = 'school' and u.email = 'org' || o.id || '@example.com'
      order by o.id limit 1`);

});

for (const [role, email, starts] of [
  ['the public', null, ['/', '/needs', '/campaigns', '/transparency', '/offers', '/login', '/register']],
  ['a donor', 'donor1@example.com', ['/me', '/me/pledges', '/needs']],
  ['a school', () => `org${org}@example.com`, ['/branch', '/branch/pledges', '/branch/children', '/branch/needs']],
  ['a town', 'wangwu@example.com', ['/branch', '/programmes', '/branch/census']],
  ['an admin', 'admin@example.com', ['/admin', '/admin/needs', '/admin/fund', '/admin/audit']],
]) {
  test(`${role}: no message key, no code, in Chinese or English`, async () => {
    const b = new Browser();
    if (email) {
      const a = demo(typeof email === 'function' ? email() : email);
      await b.login(a.login, a.password);
    }
    const all = [];
    let pages = 0;
    for (const lang of ['zh', 'en']) {
      const r = await crawl(b, starts, lang);
      all.push(...r.found);
      pages += r.pages;
    }
    console.log(`# ${role}: ${pages} pages read`);
    assert.ok(pages > 5, `${pages} pages`);
    assert.deepEqual([...new Set(all)], []);
  });
}
