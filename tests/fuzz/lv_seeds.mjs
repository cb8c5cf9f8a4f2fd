// The seed corpora of the fuzz_lv_* targets (node tests/fuzz/lv_seeds.mjs
// rewrites them): a few answers as the platform gives them, the inputs
// that crashed logverify (crash-*), and for lv_note checkpoints signed
// with the target's fixed Ed25519 key (seed 01 02 ... 20, not a secret).
import { createPrivateKey, createPublicKey, createHash, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const C = new URL('corpus/', import.meta.url).pathname;
const w = (p, s) => writeFileSync(C + p, typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
const utf8 = (s) => Buffer.from(s, 'utf8');
const sha = (...p) => createHash('sha256').update(Buffer.concat(p)).digest();
const ROOT = sha().toString('base64');

// lv_note
const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const priv = createPrivateKey({ key: Buffer.concat([Buffer.from(
  '302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32);
function note(text, origin, signer = origin) {
  const kid = sha(Buffer.from(`${signer}\n`), Buffer.from([1]), pub).subarray(0, 4);
  const sig = sign(null, Buffer.from(text), priv);
  return utf8(`${text}\n— ${signer} ${Buffer.concat([kid, sig]).toString('base64')}\n`);
}
const O = 'fuzz.example/log';
w('lv_note/signed', note(`${O}\n0\n${ROOT}\n`, O));
w('lv_note/signed_extension', note(`${O}\n18446744073709551615\n${ROOT}\nextension line\n`, O));
w('lv_note/two_signatures', utf8(note(`${O}\n7\n${ROOT}\n`, O).toString().replace('\n— ',
  `\n— other.example/log ${'A'.repeat(88)}=\n— `)));
const good = note(`${O}\n7\n${ROOT}\n`, O).toString();
const i = good.length - 20;
w('lv_note/bad_signature', utf8(good.slice(0, i) + (good[i] === 'A' ? 'B' : 'A') + good.slice(i + 1)));
w('lv_note/other_key', note(`${O}\n7\n${ROOT}\n`, O, 'other.example/log'));
// logverify.c cut a first line of 255 bytes, found no newline after it,
// and read NULL + 1.
w('lv_note/crash-long-line', `${'a'.repeat(255)}7`);
w('lv_note/long-origin', note(`${'a'.repeat(300)}\n3\n${ROOT}\n`, 'a'.repeat(300)));
w('lv_note/unsigned', `${O}\n3\n${ROOT}\n\n`);
w('lv_note/no-signature', utf8(`${O}\n3\n${ROOT}\n\n— ${O}\n`));

// lv_http
const key = '{"origin":"youth-shop.jiyuan.example/log","algorithm":"Ed25519",'
  + '"public_key":"ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"}';
const HDR = 'HTTP/1.1 200 OK\r\n';
w('lv_http/ok_length', `${HDR}content-type: application/json\r\ncontent-length: ${key.length}`
  + `\r\nconnection: close\r\n\r\n${key}`);
w('lv_http/ok_chunked', `${HDR}Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{"a":\r\n02\r\n1}\r\n`
  + '0\r\nX-Trailer: t\r\n\r\n');
w('lv_http/ok_close', 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\n[1,2]');
const nf = '{"error":{"code":"not_found","message":"no such","field":""}}\n';
w('lv_http/status_404', `HTTP/1.1 404 Not Found\r\ncontent-length: ${nf.length}\r\n\r\n${nf}`);
// dechunk trusted the Content-Length: len - i wrapped, memmove(len).
w('lv_http/crash-chunked-cl0', `${HDR}Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\nfffff\r\n`);
w('lv_http/crash-chunked-cl-nan', `${HDR}Transfer-Encoding: chunked\r\nContent-Length: abc\r\n\r\n`
  + 'fffff\r\nab\r\n');
w('lv_http/chunk_huge', `${HDR}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n`);
w('lv_http/chunk_no_crlf', `${HDR}Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n`);
w('lv_http/status_huge', 'HTTP/1.1 99999999999999999999 OK\r\n\r\n');

// lv_json
w('lv_json/key', key);
w('lv_json/checkpoint', `{"origin" : "youth-shop.jiyuan.example/log", "tree_size" : 3, "root_hash" : "${ROOT}", `
  + `"checkpoint" : "youth-shop.jiyuan.example/log\\n3\\n${ROOT}\\n\\n\\u2014 youth-shop.jiyuan.example/log AAAA\\n", `
  + '"signed_at" : null, "ok" : true, "no" : false, "neg" : -7}');
w('lv_json/entries', utf8('{"tree_size" : 2, "entries" : [{"index" : 0, "entry" : "index 0\\ntime '
  + '2026-01-02T03:04:05Z\\nkind fund_received\\namount 5\\ndonor 王女士 \\ud83d\\ude00 \\"\\/\\\\ '
  + '\\b\\f\\r\\t\\n"}, {"index" : 1, "entry" : "x"}]}'));
w('lv_json/proof', `{"leaf_index":1,"tree_size":3,"leaf_hash":"${ROOT}","inclusion_path":["${ROOT}","${ROOT}"]}`);
w('lv_json/truncated', '{"public_key": "AAA');
w('lv_json/deep', '['.repeat(40) + ']'.repeat(40));
w('lv_json/bad_escapes', '["\\u0000", "\\ud800", "\\udc00x", "\\x", 01, 1.5, 9007199254740992]');

// lv_entry: entries separated by an empty line.
const T = 'time 2026-01-02T03:04:06Z\n';
const entries = [
  'index 0\ntime 2026-01-02T03:04:05Z\nkind need_opened\nneed 7\nneed_kind goods\n'
    + 'category clothing\ntown potou\nquantity 10\nunit 件\n',
  `index 1\n${T}kind pledge_made\nneed 7\npledge 3\nquantity 4\ndonor 王女士\n`,
  `index 2\n${T}kind pledge_received\nneed 7\npledge 3\nquantity 4\n`,
  `index 3\n${T}kind need_fulfilled\nneed 7\n`,
  `index 4\n${T}kind fund_received\namount 500\ndonor A B\n`,
  `index 5\n${T}kind fund_paid_out\nneed 7\namount 500\n`,
  `index 6\n${T}kind need_opened\nneed 8\nneed_kind scholarship\ncategory tuition\n`
    + 'town dayu\nquantity 2\nunit t\nunit_amount 100000\n',
  `index 7\n${T}kind pledge_cancelled\nneed 7\npledge 3\nquantity 1\n`,
  `index 8\n${T}kind pledge_delivered\nneed 7\npledge 3\nquantity 1\n`,
  `index 9\n${T}kind pledge_made\nneed 8\npledge 4\nquantity 1\ndonor 爱心人士\n`,
  `index 10\n${T}kind pledge_expired\nneed 8\npledge 4\nquantity 1\n`,
];
w('lv_entry/good', utf8(entries.join('\n')));
w('lv_entry/bad_order', utf8(`${entries.slice(0, 2).join('\n')}\nindex 2\nkind need_fulfilled\n${T}need 7\n`));
w('lv_entry/never_made', utf8(`${entries[0]}\nindex 1\n${T}kind pledge_received\nneed 7\npledge 9\nquantity 1\n`));
// The totals of need 7, then of the funds naming no need, pass 2^63 - 1
// at the 1025th amount of 2^53 - 1 (was signed overflow).
const many = [entries[0]];
for (let k = 1; k <= 1025; k++)
  many.push(`index ${k}\n${T}kind fund_paid_out\nneed 7\namount 9007199254740991\n`);
w('lv_entry/crash-totals-overflow', utf8(many.join('\n')));
const gen = [];
for (let k = 0; k <= 1024; k++)
  gen.push(`index ${k}\n${T}kind fund_received\namount 9007199254740991\ndonor x\n`);
w('lv_entry/crash-general-overflow', utf8(gen.join('\n')));
