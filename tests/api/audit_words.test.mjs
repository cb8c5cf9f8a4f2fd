// The audit log in words (issue 19: "pledge_receive", "user 9" stood raw
// on Chinese pages): every action the api functions write has a name in
// both languages (api.audit_action_name), found by reading every
// api.audit call in sql/api/; the pages show the names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/openapi.mjs';
import { sqlValue } from '../lib/env.mjs';
import { Browser, demo } from '../lib/session.mjs';

// The suffixes of the actions made up of a prefix and a checked word.
const COMPOSED = {
  need_: ['submit', 'verify', 'reject', 'publish', 'redraft', 'cancel'],
  objection_: ['dismiss', 'uphold'],
  loan_: ['approve', 'reject', 'disburse', 'default'],
  exit_: ['verify', 'reject'],
};

function actionsWritten() {
  const codes = new Set();
  const dir = join(ROOT, 'sql', 'api');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/perform api\.audit\(([^;]*);/g)) {
      // The action is the second argument: a literal, a case of
      // literals, or a prefix || a word.
      const call = m[1].replace(/^[^,]*,\s*/, '');
      const composed = call.match(/^'([a-z_]+_)'\s*\|\|/);
      if (composed) {
        assert.ok(COMPOSED[composed[1]], `${f}: the words of ${composed[1]} are listed here`);
        for (const w of COMPOSED[composed[1]]) codes.add(composed[1] + w);
        continue;
      }
      const head = call.startsWith('case') ? call.slice(0, call.indexOf(' end')) :
        call.slice(0, call.indexOf(','));
      const lits = [...head.matchAll(/'([a-z][a-z_]*)'/g)].map((x) => x[1])
        .filter((x) => x.includes('_') || ['login', 'logout'].includes(x));
      assert.ok(lits.length, `${f}: an action in ${call.slice(0, 80)}`);
      for (const l of lits) codes.add(l);
    }
  }
  return [...codes].sort();
}

test('every action the platform audits has a name, in Chinese and in English', () => {
  const codes = actionsWritten();
  assert.ok(codes.length > 60, `${codes.length} actions`);
  const missing = [];
  for (const c of codes) {
    const zh = sqlValue(`select api.audit_action_name('${c}', 'zh')`);
    const en = sqlValue(`select api.audit_action_name('${c}', 'en')`);
    if (zh === c || /[A-Za-z_]/.test(zh) || en === c || en.includes('_')) missing.push(c);
  }
  assert.deepEqual(missing, []);
});

test('the audit pages name actions and records in words', async () => {
  const admin = demo('admin@example.com');
  const b = new Browser();
  await b.login(admin.login, admin.password);
  for (const path of ['/admin', '/admin/audit']) {
    const page = await b.get(path);
    assert.equal(page.status, 200);
    const rows = page.text.slice(page.text.indexOf('<tbody>'));
    assert.match(rows, /<td>登录<\/td><td>账号 \d+<\/td>/, path);
    assert.ok(!/<td>[a-z]+_[a-z_]+<\/td>/.test(rows), `${path}: no raw action`);
  }
  // The search's choices are the names, the values the codes.
  const page = await b.get('/admin/audit');
  assert.match(page.text, /<option value="login">登录<\/option>/);
  const en = await b.get('/admin/audit?lang=en');
  assert.match(en.text, /<td>signed in<\/td><td>account \d+<\/td>/);
});
