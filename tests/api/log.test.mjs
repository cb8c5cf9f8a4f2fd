// The public log: its endpoints and their bad input, the signed
// checkpoints (checked here with Node's own crypto, and the tree
// recomputed here too), the append-only guarantee in the database, gap-free
// positions under concurrent appends, and logverify: it passes on the
// untouched log, names an entry an attacker altered in the database, and
// its per-need totals equal the platform's own figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { statSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { BASE, getJson, get, assertApiError, sql, sqlValue } from '../lib/env.mjs';

const PSQL = '/usr/lib/postgresql/15/bin/psql';
const LOGVERIFY = `${process.env.SHOP_ROOT}/build/logverify`;
const STATE = `${process.env.TEST_VAR}/logverify.state`;
const run = promisify(execFile);

// psql as another role: APP_DB (the platform), SUPER_DB (an attacker with
// full access).  Returns rows; throws with psql's message on an error.
function psql(db, query) {
  const out = execFileSync(PSQL, ['-X', '-q', '-At', '-F', '\t', '-v',
    'ON_ERROR_STOP=1', db, '-c', query],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function psqlError(db, query) {
  try {
    psql(db, query);
  } catch (e) {
    return e.stderr;
  }
  return null;
}

// A text value that may hold line breaks (sql() reads one row a line).
function sqlText(expr) {
  return Buffer.from(sqlValue(`select encode(convert_to(${expr}, 'UTF8'), 'hex')`),
    'hex').toString('utf8');
}

function logverify(...args) {
  const r = spawnSync(LOGVERIFY, [...args, BASE], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// RFC 6962 / 9162, a third time (after src/lib/merkle.c and logverify).
const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (entry) => sha(Buffer.from([0]), Buffer.from(entry, 'utf8'));
const nodeHash = (l, r) => sha(Buffer.from([1]), l, r);
function mth(leaves, a = 0, b = leaves.length) {
  if (b - a === 1) return leaves[a];
  let k = 1;
  while (k * 2 < b - a) k *= 2;
  return nodeHash(mth(leaves, a, a + k), mth(leaves, a + k, b));
}

function verifyInclusion(index, size, leaf, path, root) {
  let fn = index; let sn = size - 1; let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      r = nodeHash(p, r);
      while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

function verifyConsistency(first, second, r1, r2, path) {
  if (first === second) return path.length === 0 && r1.equals(r2);
  if (path.length === 0) return false;
  const p = (first & (first - 1)) === 0 ? [r1, ...path] : [...path];
  let fn = first - 1; let sn = second - 1;
  while (fn & 1) { fn >>= 1; sn >>= 1; }
  let fr = p[0]; let sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && fr.equals(r1) && sr.equals(r2);
}

const b64 = (s) => Buffer.from(s, 'base64');

async function allEntries(size) {
  const out = [];
  while (out.length < size) {
    const r = await getJson(`/api/v1/log/entries?start=${out.length}&end=${size - 1}`);
    assert.equal(r.status, 200);
    for (const e of r.body.entries) out.push(e);
  }
  return out.slice(0, size);
}

async function checkpoint() {
  const r = await getJson('/api/v1/log/checkpoint');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('the key is published as raw, PEM and note verifier key; 0600 on disk', async () => {
  const r = await getJson('/api/v1/log/key');
  assert.equal(r.status, 200);
  assert.equal(r.body.algorithm, 'Ed25519');
  const raw = b64(r.body.public_key);
  assert.equal(raw.length, 32);
  const pem = createPublicKey(r.body.public_key_pem);
  assert.equal(pem.asymmetricKeyType, 'ed25519');
  assert.deepEqual(pem.export({ format: 'der', type: 'spki' }).subarray(-32), raw);
  // name+keyid+base64(0x01 || key), the key ID per c2sp.org/signed-note.
  // (The base64 may itself hold a '+': split at the first two only.)
  const [, name, id, key] = r.body.verifier_key.match(/^([^+]+)\+([0-9a-f]{8})\+(.+)$/);
  assert.equal(name, r.body.origin);
  const kid = sha(Buffer.from(name + '\n'), Buffer.from([1]), raw).subarray(0, 4);
  assert.equal(id, kid.toString('hex'));
  assert.deepEqual(b64(key), Buffer.concat([Buffer.from([1]), raw]));
  const mode = statSync(`${process.env.TEST_VAR}/log_ed25519.pem`).mode & 0o777;
  assert.equal(mode, 0o600);
});

test('the checkpoint is a signed note of the current tree, and its root is the entries\'', async () => {
  const key = await getJson('/api/v1/log/key');
  const pub = createPublicKey(key.body.public_key_pem);
  const cp = await checkpoint();
  assert.equal(cp.tree_size, Number(sqlValue('select size from log_head')));
  assert.ok(cp.tree_size > 100, 'the demo log has entries');
  const m = cp.checkpoint.match(/^([^\n]+)\n(\d+)\n([A-Za-z0-9+/=]{44})\n\n\u2014 (\S+) (\S+)\n$/);
  assert.ok(m, cp.checkpoint);
  assert.equal(m[1], cp.origin);
  assert.equal(Number(m[2]), cp.tree_size);
  assert.equal(m[3], cp.root_hash);
  assert.equal(m[4], cp.origin);
  const sig = b64(m[5]);
  const text = `${m[1]}\n${m[2]}\n${m[3]}\n`;
  assert.ok(verify(null, Buffer.from(text), pub, sig.subarray(4)));
  assert.ok(!verify(null, Buffer.from(text.replace(m[2], String(cp.tree_size + 1))), pub,
    sig.subarray(4)));
  // Kept forever, in the table.
  assert.equal(sqlText(`(select note from log_checkpoints
    where tree_size = ${cp.tree_size})`), cp.checkpoint);

  const entries = await allEntries(cp.tree_size);
  entries.forEach((e, i) => {
    assert.equal(e.index, i);
    assert.ok(e.entry.startsWith(`index ${i}\ntime `), e.entry);
  });
  assert.deepEqual(mth(entries.map((e) => leafHash(e.entry))), b64(cp.root_hash));
});

test('entries: a range, cut at the end of the log and at 1000; bad ranges are 400', async () => {
  const size = Number(sqlValue('select size from log_head'));
  let r = await getJson('/api/v1/log/entries?start=2&end=4');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.entries.map((e) => e.index), [2, 3, 4]);
  r = await getJson(`/api/v1/log/entries?start=${size - 2}&end=${size + 50}`);
  assert.deepEqual(r.body.entries.map((e) => e.index), [size - 2, size - 1]);

  // 1001 more entries, in one statement: a page stops at 1000.
  psql(process.env.APP_DB, `select api.log_append('fund_received', null,
    '{"amount": 100, "donor": "分页测试"}') from generate_series(1, 1001)`);
  r = await getJson('/api/v1/log/entries?start=0&end=5000');
  assert.equal(r.body.entries.length, 1000);
  assert.equal(r.body.entries[999].index, 999);
  assert.equal(r.body.tree_size, size + 1001);

  for (const [q, code, field] of [
    ['', 'required', 'start'],
    ['start=0', 'required', 'end'],
    ['start=-1&end=3', 'bad_number', 'start'],
    ['start=a&end=3', 'bad_number', 'start'],
    ['start=0&end=1.5', 'bad_number', 'end'],
    ['start=9007199254740992&end=9007199254740993', 'bad_number', 'start'],
    ['start=5&end=4', 'log_range', 'end'],
    [`start=${size + 1001}&end=${size + 1001}`, 'log_range', 'start'],
    ['start=0&start=1&end=2', 'duplicate', 'start'],
  ]) {
    assertApiError(await getJson(`/api/v1/log/entries?${q}`), 400, code, field);
  }
  const en = await getJson('/api/v1/log/entries?start=5&end=4&lang=en');
  assert.match(en.body.error.message, /outside the public log/);
  assertApiError(await getJson('/api/v1/log/entries?start=0&end=1', { method: 'POST' }),
    405, 'method');
});

test('inclusion proofs verify for every kind of position; bad input is 400', async () => {
  const cp = await checkpoint();
  const n = cp.tree_size;
  const entries = await allEntries(n);
  const root = b64(cp.root_hash);
  for (const i of [0, 1, 2, 7, 8, 100, 511, 512, n - 2, n - 1]) {
    const r = await getJson(`/api/v1/log/proof/inclusion?index=${i}&size=${n}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.leaf_index, i);
    assert.equal(r.body.tree_size, n);
    const leaf = leafHash(entries[i].entry);
    assert.deepEqual(b64(r.body.leaf_hash), leaf);
    const path = r.body.inclusion_path.map(b64);
    assert.ok(verifyInclusion(i, n, leaf, path, root), `entry ${i}`);
    assert.ok(!verifyInclusion(i, n, leafHash(entries[i].entry + 'x'), path, root));
  }
  // A smaller tree: against that tree's root.
  const small = await getJson('/api/v1/log/proof/inclusion?index=3&size=5');
  assert.ok(verifyInclusion(3, 5, leafHash(entries[3].entry),
    small.body.inclusion_path.map(b64), mth(entries.slice(0, 5).map((e) => leafHash(e.entry)))));

  for (const [q, code, field] of [
    ['size=5', 'required', 'index'],
    ['index=1', 'required', 'size'],
    ['index=5&size=5', 'log_range', 'index'],
    ['index=0&size=0', 'bad_number', 'size'],
    [`index=0&size=${n + 100000}`, 'log_range', 'size'],
    ['index=x&size=5', 'bad_number', 'index'],
  ]) {
    assertApiError(await getJson(`/api/v1/log/proof/inclusion?${q}`), 400, code, field);
  }
});

test('consistency proofs verify between any two sizes; bad input is 400', async () => {
  const cp = await checkpoint();
  const n = cp.tree_size;
  const leaves = (await allEntries(n)).map((e) => leafHash(e.entry));
  for (const [a, b] of [[1, 1], [1, n], [2, 5], [6, 8], [7, 100], [64, 128],
    [100, n], [n - 1, n], [n, n], [129, n - 5]]) {
    const r = await getJson(`/api/v1/log/proof/consistency?first=${a}&second=${b}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const path = r.body.consistency_path.map(b64);
    const ra = mth(leaves, 0, a);
    const rb = mth(leaves, 0, b);
    assert.ok(verifyConsistency(a, b, ra, rb, path), `${a} -> ${b}`);
    if (a !== b) {
      assert.ok(!verifyConsistency(a, b, mth(leaves, 1, a + 1), rb, path));
    }
  }
  for (const [q, code, field] of [
    ['first=0&second=5', 'bad_number', 'first'],
    ['first=6&second=5', 'log_range', 'first'],
    [`first=1&second=${n + 1}`, 'log_range', 'second'],
    ['second=5', 'required', 'first'],
  ]) {
    assertApiError(await getJson(`/api/v1/log/proof/consistency?${q}`), 400, code, field);
  }
});

test('the log is append-only: the platform may not change it, nor may its owner', () => {
  const app = process.env.APP_DB;
  for (const q of [
    'update log_entries set need_id = 1 where position = 0',
    'delete from log_entries where position = 0',
    'truncate log_entries',
    'update log_nodes set hash = hash where level = 0 and idx = 0',
    'delete from log_checkpoints',
    'update log_head set size = 0',
    // Only kind, need_id and fields: the trigger decides the rest.
    "insert into log_entries (position, kind, need_id) values (99999, 'need_fulfilled', 1)",
    "insert into log_entries (kind, need_id, entry) values ('need_fulfilled', 1, 'x')",
    "insert into log_nodes values (0, 99999, sha256('x'))",
  ]) {
    assert.match(psqlError(app, q) ?? 'no error', /permission denied/, q);
  }
  for (const q of [
    'update log_entries set need_id = 1 where position = 0',
    'delete from log_entries where position = 0',
    'truncate log_entries',
    'truncate log_nodes cascade',
    'update log_nodes set hash = hash where level = 0 and idx = 0',
    'delete from log_checkpoints',
    'update log_checkpoints set note = note',
  ]) {
    assert.match(psqlError(process.env.OWNER_DB, q) ?? 'no error', /append-only/, q);
  }
  assert.match(psqlError(process.env.OWNER_DB, 'update log_head set size = 0') ?? '',
    /only grows by one/);
  assert.match(psqlError(process.env.OWNER_DB, 'delete from log_head') ?? '',
    /only grows by one/);
});

test('appends carry only the fields of their kind; contact data never gets in', () => {
  const app = process.env.APP_DB;
  for (const [q, msg] of [
    ["select api.log_append('need_deleted', 1)", /unknown kind/],
    ["select api.log_append('need_fulfilled', null)", /needs a need/],
    [`select api.log_append('pledge_made', 1, '{"pledge": 1, "quantity": 1,
      "donor": "王女士", "alias": "小雨"}')`, /takes no field alias/],
    [`select api.log_append('pledge_made', 1, '{"pledge": 1, "quantity": 1,
      "donor": "王女士", "phone": "13812345678"}')`, /takes no field phone/],
    [`select api.log_append('pledge_made', 1, '{"pledge": 1, "donor": "王女士"}')`,
      /needs field quantity/],
    [`select api.log_append('pledge_received', 1, '{"pledge": 1, "quantity": 0}')`,
      /positive integer/],
    [`select api.log_append('pledge_received', 1, '{"pledge": 1, "quantity": "3"}')`,
      /must be a number/],
    [`select api.log_append('need_opened', 1, '{"need_kind": "goods", "category":
      "clothing", "town": "potou", "quantity": 1, "unit": "件", "unit_amount": 5}')`,
      /scholarships only/],
  ]) {
    assert.match(psqlError(app, q) ?? 'no error', msg, q);
  }
  const before = Number(sqlValue('select size from log_head'));
  const [[pos]] = psql(app, `select api.log_append('fund_received', null,
    '{"amount": 100, "donor": "张三 138-1234-5678"}')`);
  assert.equal(Number(pos), before);
  const entry = sqlText(`(select entry from log_entries where position = ${pos})`);
  assert.equal(entry.split('\n').slice(2).join('\n'),
    'kind fund_received\namount 100\ndonor 爱心人士\n');
  // A line break in a name cannot forge a line.
  const [[p2]] = psql(app, `select api.log_append('fund_received', null,
    jsonb_build_object('amount', 1, 'donor', E'李\\nkind pledge_made'))`);
  assert.match(sqlText(`(select entry from log_entries where position = ${p2})`),
    /\ndonor 李 kind pledge_made\n$/);
});

test('positions stay gap-free and in commit order under 50 concurrent appends', async () => {
  const app = process.env.APP_DB;
  const before = Number(sqlValue('select size from log_head'));
  const jobs = [];
  for (let i = 0; i < 50; i++) {
    // One in five rolls back: its position is taken by the next one.
    const end = i % 5 === 4 ? 'rollback' : 'commit';
    jobs.push(run(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', app, '-c', `begin;
      select api.log_append('fund_received', null,
        '{"amount": ${i + 1}, "donor": "并发测试"}');
      select pg_sleep(0.01);
      ${end};`]));
  }
  await Promise.all(jobs);
  const [[n, min, max, size]] = sql(`select count(*), min(position), max(position),
    (select size from log_head) from log_entries`);
  assert.equal(Number(min), 0);
  assert.equal(Number(n), Number(max) + 1, 'no gap');
  assert.equal(Number(size), Number(n));
  assert.equal(Number(size), before + 40, 'rolled back appends left nothing');
  // Each took its position when the one before had committed: times
  // taken after the position's lock never go back.
  assert.equal(sqlValue(`select bool_and(created_at >= prev) from (
    select created_at, lag(created_at) over (order by position) as prev
      from log_entries where position >= ${before}) t where prev is not null`), 't');
  const nodes = Number(sqlValue('select count(*) from log_nodes where level = 0'));
  assert.equal(nodes, Number(size));
});

test('checkpoints are signed periodically, without anyone asking', async () => {
  const size = Number(psql(process.env.APP_DB, `select api.log_append('fund_paid_out',
    null, '{"amount": 3}') + 1`)[0][0]);
  let signed = null;
  for (let i = 0; i < 50 && !signed; i++) {
    await new Promise((r) => setTimeout(r, 100));
    signed = sqlValue(`select tree_size from log_checkpoints where tree_size = ${size}`);
  }
  assert.equal(Number(signed), size, 'signed within 5 s by the timer');
});

test('logverify passes on the untouched log, and checks a receipt', () => {
  rmSync(STATE, { force: true });
  const pledge = sqlValue("select min(position) from log_entries where kind = 'pledge_made'");
  const leaf = sqlValue(`select encode(leaf_hash, 'base64') from log_entries
    where position = ${pledge}`);
  let r = logverify('-s', STATE, '-i', pledge, '-l', leaf);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /signature good/);
  assert.match(r.stderr, new RegExp(`entry ${pledge} is in the signed tree`));
  // Again, against the checkpoint it kept, after the log grew.
  psql(process.env.APP_DB, "select api.log_append('fund_paid_out', null, '{\"amount\": 5}')");
  r = logverify('-s', STATE);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /consistent with the checkpoint of \d+ entries kept/);
  // A receipt that is not that entry's fails.
  r = logverify('-i', pledge, '-l', Buffer.alloc(32, 1).toString('base64'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`FAIL: entry ${pledge}: not the entry of the receipt`));
  // The log's key given by hand (as one would pin it) works too.
  const mine = `${process.env.TEST_VAR}/log_key.pem`;
  writeFileSync(mine, execFileSync('curl', ['-s', `${BASE}/api/v1/log/key`],
    { encoding: 'utf8' }).match(/"public_key_pem":"([^"]+)"/)[1].replace(/\\n/g, '\n'));
  r = logverify('-q', '-k', mine);
  assert.equal(r.status, 0, r.stderr);
  // Another key is not the log's.
  const other = `${process.env.TEST_VAR}/other_key.pem`;
  writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export(
    { format: 'pem', type: 'spki' }));
  r = logverify('-k', other);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not signed by the log's key/);
});

test('the log\'s per-need totals are the platform\'s own figures', () => {
  const r = logverify('-q', '-t');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines[0].split('\t').slice(0, 7),
    ['need', 'need_kind', 'unit', 'quantity', 'pledged', 'delivered', 'received']);
  const log = new Map();
  for (const l of lines.slice(1)) {
    const c = l.split('\t');
    if (c[0] !== '-') log.set(c[0], c);
  }
  const platform = sql(`select id, kind, quantity, pledged, received,
    (select coalesce(sum(quantity), 0) from pledges p where p.need_id = n.id
      and p.delivered_at is not null) from needs n
    where id in (select need_id from log_entries where kind = 'need_opened')`);
  assert.ok(platform.length >= 50, 'the log covers the listed needs');
  assert.equal(log.size, platform.length);
  let pledged = 0;
  for (const [id, kind, quantity, p, received, delivered] of platform) {
    const c = log.get(id);
    assert.ok(c, `need ${id} in the log's totals`);
    assert.equal(c[1], kind, `need ${id} kind`);
    assert.equal(c[3], quantity, `need ${id} quantity`);
    assert.equal(c[4], p, `need ${id} pledged`);
    assert.equal(c[5], delivered, `need ${id} delivered`);
    assert.equal(c[6], received, `need ${id} received`);
    pledged += Number(p);
  }
  assert.ok(pledged > 0);
});

test('an entry altered in the database is named by logverify', async () => {
  const sup = process.env.SUPER_DB;
  // A kept checkpoint of the honest log.
  rmSync(STATE, { force: true });
  assert.equal(logverify('-q', '-s', STATE).status, 0);

  const pos = sqlValue(`select position from log_entries where kind = 'pledge_made'
    order by position offset 3 limit 1`);
  const entry = sqlText(`(select entry from log_entries where position = ${pos})`);
  const forged = entry.replace(/quantity (\d+)/, (m, q) => `quantity ${Number(q) + 10}`);
  assert.notEqual(forged, entry);
  // The attacker rewrites the entry and its leaf hash (so that the row
  // still satisfies its check), past the trigger.
  const tamper = (text) => psql(sup, `set session_replication_role = replica;
    update log_entries set entry = $$${text}$$,
      leaf_hash = sha256('\\x00'::bytea || convert_to($$${text}$$, 'UTF8'))
    where position = ${pos}`);
  tamper(forged);
  try {
    // Against the checkpoint it kept: the leaf changed.
    let r = logverify('-s', STATE);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`FAIL: entry ${pos}: changed since the checkpoint`));
    // With no state: the signed tree disowns it (found by bisection over
    // the platform's consistency proofs).
    r = logverify();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`FAIL: entry ${pos}: not the entry the signed tree`));
    // The log may grow meanwhile: the new checkpoint still disowns it.
    psql(process.env.APP_DB, "select api.log_append('fund_paid_out', null, '{\"amount\": 7}')");
    r = logverify();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`FAIL: entry ${pos}: `));
  } finally {
    tamper(entry);
  }
  const r = logverify('-s', STATE);
  assert.equal(r.status, 0, r.stderr);
});

test('the platform refuses to sign a tree that does not extend its last checkpoint', async () => {
  const sup = process.env.SUPER_DB;
  const cp = await checkpoint();
  // Rewrite the top subtree hash of the signed tree (as one would after
  // recomputing the tree over an altered entry), then let the log grow.
  const [[level, idx, hash]] = psql(sup, `select level, idx, encode(hash, 'hex')
    from log_nodes where idx = 0 and level = (select max(level) from log_nodes
      where idx = 0 and (1::bigint << level) <= ${cp.tree_size})`);
  const set = (h) => psql(sup, `set session_replication_role = replica;
    update log_nodes set hash = decode('${h}', 'hex') where level = ${level} and idx = ${idx}`);
  set('00'.repeat(32));
  try {
    psql(process.env.APP_DB, "select api.log_append('fund_paid_out', null, '{\"amount\": 9}')");
    const r = await getJson('/api/v1/log/checkpoint');
    assertApiError(r, 500, 'log_inconsistent');
    assert.equal(Number(sqlValue('select max(tree_size) from log_checkpoints')),
      cp.tree_size, 'nothing signed meanwhile');
  } finally {
    set(hash);
  }
  const after = await checkpoint();
  assert.equal(after.tree_size, cp.tree_size + 1);
  assert.equal(logverify('-q').status, 0);
});

test('unknown log paths are 404 JSON', async () => {
  assertApiError(await getJson('/api/v1/log/nothing'), 404, 'not_found');
  const res = await get('/api/v1/log/key', { method: 'HEAD' });
  assert.equal(res.status, 200);
});
