// logverify against a hostile server (tests/lib/hostile_log.mjs): every
// malformed answer ends with exit status 2 and "cannot verify: " and what
// is wrong on stderr; never a signal, never a verdict on the log.  Each
// scenario spoils one answer of an otherwise honest log, which logverify
// passes as it is (the first tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { makeLog, honest, ok, serve, signNote } from '../lib/hostile_log.mjs';

const LOGVERIFY = `${process.env.SHOP_ROOT}/build/logverify`;
const T = 'time 2026-01-02T03:04:05Z\n';
const ENTRIES = [
  `index 0\n${T}kind need_opened\nneed 1\nneed_kind goods\ncategory clothing\n`
    + 'town potou\nquantity 10\nunit x\n',
  `index 1\n${T}kind pledge_made\nneed 1\npledge 1\nquantity 2\ndonor x\n`,
  `index 2\n${T}kind fund_paid_out\namount 5\n`,
];
const log = makeLog(ENTRIES);
const ORIGIN = log.checkpoint.origin;
const ROOT = log.checkpoint.root_hash;
const raw = (s) => Buffer.from(s, 'latin1');
const HDR = 'HTTP/1.1 200 OK\r\n';
const CHUNKED = `${HDR}Transfer-Encoding: chunked\r\n\r\n`;
const hash = (n) => Buffer.alloc(n, 9).toString('base64');

// 1 need, then 1025 payments of 2^53 - 1 fen for it: the last one's
// total does not fit in 63 bits.
const MANY = [ENTRIES[0]];
for (let i = 1; i <= 1025; i++)
  MANY.push(`index ${i}\n${T}kind fund_paid_out\nneed 1\namount 9007199254740991\n`);
const many = makeLog(MANY);

// The answer at path spoiled (reply: bytes, or a function of the honest
// log's answer), the others honest; of log, or of another honest log.
const spoil = (at, reply, of = log) => (path, q) => (path === at
  ? (typeof reply === 'function' ? reply(q) : reply) : honest(of, path, q));
const checkpoint = (fields) => spoil('/api/v1/log/checkpoint', ok({ ...log.checkpoint, ...fields }));

// name: [arguments, answers, what stderr must say]
const SCENARIOS = {
  // The answer's framing.
  chunked_cl0: [[], spoil('/api/v1/log/key', raw(`${HDR}Transfer-Encoding: chunked\r\n`
    + 'Content-Length: 0\r\n\r\nfffff\r\n')), /both Content-Length and Transfer-Encoding/],
  chunked_cl_nan: [[], spoil('/api/v1/log/key', raw(`${HDR}Transfer-Encoding: chunked\r\n`
    + 'Content-Length: abc\r\n\r\n2\r\n{}\r\n0\r\n\r\n')), /Content-Length that is not a byte count/],
  chunk_huge: [[], spoil('/api/v1/log/key', raw(`${CHUNKED}ffffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n`)),
    /a chunk size larger than the answer/],
  chunk_past_end: [[], spoil('/api/v1/log/key', raw(`${CHUNKED}fff\r\n{}\r\n0\r\n\r\n`)),
    /a chunk size larger than the answer/],
  chunk_no_crlf: [[], spoil('/api/v1/log/key', raw(`${CHUNKED}2\r\n{}XX0\r\n\r\n`)),
    /a chunk not followed by CRLF/],
  chunk_no_end: [[], spoil('/api/v1/log/key', raw(`${CHUNKED}2\r\n{}\r\n`)),
    /a chunk without a size/],
  status_huge: [[], spoil('/api/v1/log/key', raw('HTTP/1.1 99999999999999999999 OK\r\n\r\n')),
    /not an HTTP answer/],
  not_http: [[], spoil('/api/v1/log/key', raw('hello\r\n\r\n')), /not an HTTP answer/],
  no_header_end: [[], spoil('/api/v1/log/key', raw(`${HDR}Content-Length: 2\r\n{}`)),
    /header does not end/],
  short_body: [[], spoil('/api/v1/log/key', raw(`${HDR}Content-Length: 100\r\n\r\n{}`)),
    /a body of 2 bytes, not its Content-Length 100/],
  too_large: [[], spoil('/api/v1/log/key', Buffer.concat([
    raw(`${HDR}Content-Length: 17000000\r\n\r\n`), Buffer.alloc(17000000, 0x20)])),
  /an answer of more than 16777216 bytes/],
  // The JSON.
  truncated_json: [[], spoil('/api/v1/log/key', ok('{"public_key": "AAA')),
    /no Ed25519 public key/],
  deep_json: [[], spoil('/api/v1/log/key', ok('['.repeat(100000) + ']'.repeat(100000))),
    /no Ed25519 public key/],
  entries_misnumbered: [[], spoil('/api/v1/log/entries', ok({ tree_size: 3,
    entries: [{ index: 1, entry: ENTRIES[1] }] })), /entries\?start=0&end=2: entry 1 where entry 0 should be/],
  nul_in_entry: [[], spoil('/api/v1/log/entries', ok({ tree_size: 3,
    entries: [{ index: 0, entry: 'index 0\u0000\n' }] })), /entries\?start=0&end=2: no entries/],
  // The checkpoint.
  checkpoint_long_line: [[], checkpoint({ checkpoint: `${'a'.repeat(255)}7` }),
    /checkpoint: the checkpoint is not a signed note/],
  checkpoint_long_origin: [[], checkpoint({ checkpoint: signNote(
    `${'a'.repeat(300)}\n3\n${ROOT}\n`, 'a'.repeat(300)) }),
  /origin is empty or longer than 255 bytes/],
  checkpoint_bad_size: [[], checkpoint({ checkpoint: signNote(
    `${ORIGIN}\n-3\n${ROOT}\n`, ORIGIN) }), /tree size is not a number/],
  checkpoint_short_root: [[], checkpoint({ checkpoint: signNote(
    `${ORIGIN}\n3\n${hash(31)}\n`, ORIGIN) }), /root hash is not 32 bytes/],
  checkpoint_huge_size: [[], checkpoint({ checkpoint: signNote(
    `${ORIGIN}\n${2n ** 60n}\n${ROOT}\n`, ORIGIN) }),
  /a log of 1152921504606846976 entries: logverify checks at most/],
  checkpoint_unsigned: [[], checkpoint({ checkpoint: `${ORIGIN}\n3\n${ROOT}\n\n` }),
    /not signed by the log's key: not a signed note/],
  checkpoint_bad_sig_line: [[], checkpoint({ checkpoint: `${ORIGIN}\n3\n${ROOT}\n\n— ${ORIGIN}\n` }),
    /signature line has no signature/],
  // The proofs.
  inclusion_short_hash: [['-i', '1'], spoil('/api/v1/log/proof/inclusion',
    () => ok({ ...log.inclusion(1), inclusion_path: [hash(31), hash(32)] })),
  /a bad hash in inclusion_path/],
  inclusion_long_leaf: [['-i', '1'], spoil('/api/v1/log/proof/inclusion',
    () => ok({ ...log.inclusion(1), leaf_hash: hash(33) })), /no hash leaf_hash/],
  consistency_short_hash: [[], spoil('/api/v1/log/proof/consistency',
    ok({ first: 1, second: 3, consistency_path: [hash(31)] }),
    makeLog(ENTRIES, { root: Buffer.alloc(32, 7) })), /a bad hash in consistency_path/],
  // The entries: a total beyond 2^63 - 1.
  totals_overflow: [[], (path, q) => honest(many, path, q),
    /entry 1025: the totals of need 1 add up to more than 2\^63 - 1/],
  // A message quoting the server cannot drive the terminal.
  escapes: [[], spoil('/api/v1/log/key', raw('HTTP/1.1 500 Oops\r\nContent-Length: 14\r\n\r\n'
    + '\x1b[2J\x1b]0;pwn\x07')), /HTTP 500: \\x1b\[2J\\x1b\]0;pwn\\x07/],
};

let server;
let base;

before(async () => {
  const empty = makeLog([], { root: Buffer.alloc(32, 7) });
  const answers = { honest: (path, q) => honest(log, path, q),
    empty_wrong_root: (path, q) => honest(empty, path, q) };
  for (const [name, [, answer]] of Object.entries(SCENARIOS)) answers[name] = answer;
  ({ server, base } = await serve(answers));
});

after(() => server.close());

// Runs logverify (without blocking the server in this process).
function logverify(args, url) {
  return new Promise((resolve) => {
    const child = spawn(LOGVERIFY, [...args, url]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d) => { stderr += d.toString('latin1'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

test('an empty log signed with a root that is not the empty tree\'s fails', async () => {
  // There is no entry to name (it named entry 2^64 - 1).
  const r = await logverify([], `${base}/empty_wrong_root`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /FAIL: the checkpoint of the empty log does not have the empty tree's root/);
});

test('logverify passes the honest log the hostile scenarios start from', async () => {
  let r = await logverify([], `${base}/honest`);
  assert.equal(r.status, 0, r.stderr);
  r = await logverify(['-q', '-t', '-i', '1'], `${base}/honest`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^1\tgoods\tx\t10\t2\t0\t0\t0\t0\tno$/m);
  assert.match(r.stdout, /^-\t-\tfen\t-\t-\t-\t-\t0\t5\t-$/m);
});

for (const [name, [args, , expect]] of Object.entries(SCENARIOS)) {
  test(`a hostile answer (${name}) ends with exit status 2 and a message`, async () => {
    const r = await logverify(['-q', ...args], `${base}/${name}`);
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^logverify: cannot verify: /);
    assert.match(r.stderr, expect);
    assert.ok(!/[\x00-\x09\x0b-\x1f\x7f]/.test(r.stderr), 'no control characters');
  });
}
