// The transparency page speaks to everyone (issue 19): plain words first,
// every figure defined where it is shown, one gift checked by the code of
// its receipt, a log entry readable as a page; the cryptography and the
// shell commands behind "how these records are checked", folded away.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, get, getJson, sqlValue } from '../lib/env.mjs';

// Words only an engineer reads: none may show before a reader unfolds
// the technical details.
const ENGINEERS = /Merkle|默克尔|RFC ?\d|Ed25519|base64|logverify|SHA-256|哈希|hash|检查点|checkpoint|JSON/i;

// What a reader sees at first: the page's main text without its folded
// details, tags, attributes or the layout around it.
function visibleText(html) {
  const main = html.slice(html.indexOf('<main'), html.lastIndexOf('</main>'));
  return main.replace(/<details[\s\S]*?<\/details>/g, ' ').replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

let code, received;

before(() => {
  received = sqlValue(`select position from log_entries where kind = 'pledge_received'
      order by position desc limit 1`);
  code = sqlValue(`select p.verify_code from pledges p
      where p.status = 'received' order by p.id limit 1`);
  assert.ok(received && code, 'the demo data hold a gift received');
});

test('the page: plain words first, each figure defined, the engineers\' words folded away', async () => {
  for (const lang of ['zh', 'en']) {
    const res = await get(`/transparency?lang=${lang}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes('<main'), 'the page has its main part');
    const seen = visibleText(html);
    assert.doesNotMatch(seen, ENGINEERS, `${lang}: ${seen.match(ENGINEERS)?.[0]} shown at first`);
    // The technical part is there, behind its summary, at "how".
    assert.match(html, /<h2 id="how">/);
    assert.match(html, /<details class="technical">\s*<summary>/);
    assert.match(html, /<pre class="commands">/);
    // Check one gift: a form to /verify.
    assert.match(html, /<form class="check-form" method="get" action="\/verify">/);
    // Every figure of the totals has its definition.
    const terms = [...html.matchAll(/<div class="stat">.*?<span>([^<·]+)/g)].map((m) => m[1].trim());
    assert.ok(terms.length >= 9, `${terms.length} figures`);
    const defined = [...html.matchAll(/<dl class="definitions small">([\s\S]*?)<\/dl>/g)][0][1];
    for (const t of terms)
      assert.ok(defined.includes(`<dt>${t}</dt>`), `${lang}: "${t}" is defined`);
  }
});

test('the figures agree with their definitions: the fund received at least what needs received', async () => {
  const d = (await getJson('/api/v1/transparency')).body;
  assert.ok(d.totals.money_received > 0, 'the demo data received money');
  assert.ok(d.totals.fund_received >= d.totals.money_received,
    `the fund ${d.totals.fund_received} < the needs ${d.totals.money_received}`);
});

test('a log entry as a page: what happened, in words; its text behind a summary', async () => {
  const html = await (await get(`/transparency/entries/${received}`)).text();
  assert.match(html, /<h1>学校确认收到<\/h1>/);
  const need = sqlValue(`select need_id from log_entries where position = ${received}`);
  assert.match(html, new RegExp(`href="/needs/${need}"`));
  assert.doesNotMatch(visibleText(html), ENGINEERS);
  const entry = Buffer.from(sqlValue(`select encode(convert_to(entry, 'UTF8'), 'hex')
      from log_entries where position = ${received}`), 'hex').toString();
  const shown = html.match(/<pre class="entry"><code>([\s\S]*?)<\/code><\/pre>/)[1];
  assert.equal(shown, entry.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  const en = await (await get(`/transparency/entries/${received}?lang=en`)).text();
  assert.match(en, /<h1>Received by the school<\/h1>/);
  // A money gift: the amount as people read it; the foundation's entry.
  const fund = sqlValue(`select position from log_entries where kind = 'fund_received'
      order by position desc limit 1`);
  const f = await (await get(`/transparency/entries/${fund}`)).text();
  assert.match(f, /<h1>基金会收款<\/h1>/);
  assert.match(f, /<dd class="given">¥[\d,.]+<\/dd>/);
  // Past the end of the log, or not a number: 404.
  assert.equal((await get('/transparency/entries/999999999')).status, 404);
  assert.equal((await get('/transparency/entries/x1')).status, 404);
});

test('check one gift by its code: typed in any case, with spaces, or as the link', async () => {
  const form = await get('/verify');
  assert.equal(form.status, 200);
  assert.match(await form.text(), /<input name="code" required/);
  const spaced = code.toUpperCase().replace(/(.{4})/g, '$1 ');
  for (const typed of [code, spaced, `${BASE}/verify/${code}`, `  ${code}-`]) {
    const r = await get(`/verify?code=${encodeURIComponent(typed)}`, { redirect: 'manual' });
    assert.equal(r.status, 303, typed);
    assert.equal(r.headers.get('location'), `/verify/${code}`);
  }
  // Not a code: the form again, the message beside it, what was typed kept.
  for (const typed of ['12345', code + '0', code.slice(1) + 'g', '<b>x</b>']) {
    const r = await get(`/verify?code=${encodeURIComponent(typed)}`, { redirect: 'manual' });
    assert.equal(r.status, 400, typed);
    const html = await r.text();
    assert.match(html, /这不是一个核验码/);
    assert.ok(!html.includes('<b>x</b>'), 'what was typed is escaped');
  }
  // The gift's page: its steps in words, linked to their entries; the
  // hashes and the command folded away.
  const page = await (await get(`/verify/${code}`)).text();
  assert.match(page, /<a href="\/transparency\/entries\/\d+">认捐 · #\d+<\/a>/);
  assert.doesNotMatch(visibleText(page).replace(/[0-9a-f]{32}/g, ''), ENGINEERS);
});
