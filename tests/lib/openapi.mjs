// The API's contract, docs/openapi.yaml, as the tests use it: the spec
// parsed, its operations found by method and path, and a response checked
// against the operation's schema with ajv.  Shared by the check that
// every API test's responses follow the spec (check_responses.mjs) and by
// the test that the spec and conf/kore.conf name the same routes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPEC_FILE = join(ROOT, 'docs', 'openapi.yaml');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let cached;

// The spec, parsed once.
export function spec() {
  cached ??= parse(readFileSync(SPEC_FILE, 'utf8'));
  return cached;
}

// Each path of the spec: { path, re, params, item }; literal paths first,
// so /api/v1/me/pledges is not taken for /api/v1/me/{x}.
export function paths() {
  const s = spec();
  return Object.keys(s.paths).map((path) => {
    const params = [];
    const re = new RegExp('^' + path.split(/(\{[^}]+\})/).map((part) => {
      const m = part.match(/^\{([^}]+)\}$/);
      if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      params.push(m[1]);
      return '([^/]+)';
    }).join('') + '$');
    return { path, re, params, item: s.paths[path] };
  }).sort((a, b) => a.params.length - b.params.length);
}

// The operations of the spec: [{ method, path, op }].
export function operations() {
  const out = [];
  for (const [path, item] of Object.entries(spec().paths)) {
    for (const m of METHODS) {
      if (item[m]) out.push({ method: m.toUpperCase(), path, op: item[m] });
    }
  }
  return out;
}

// The spec's path that pathname falls under, or null.
export function findPath(pathname) {
  return paths().find((p) => p.re.test(pathname)) ?? null;
}

// pathname with its template's parameters filled with example values:
// the parameter's example, else 12 for an integer and "x" otherwise.
export function samplePath(path, item, op) {
  const declared = [...(item.parameters ?? []), ...(op?.parameters ?? [])]
    .map(deref);
  return path.replace(/\{([^}]+)\}/g, (_, name) => {
    const p = declared.find((x) => x.in === 'path' && x.name === name);
    if (p?.example !== undefined) return String(p.example);
    if (p?.schema?.example !== undefined) return String(p.schema.example);
    return p?.schema?.type === 'integer' ? '12' : 'x';
  });
}

// A $ref into the spec resolved (one level, as the spec uses them).
export function deref(o) {
  if (!o || typeof o.$ref !== 'string') return o;
  return o.$ref.slice(2).split('/').map((k) => k.replace(/~1/g, '/')
    .replace(/~0/g, '~')).reduce((at, k) => at[k], spec());
}

let ajv;
const validators = new Map();

// The ajv validator of the JSON schema at pointer (a JSON pointer into the
// spec, for references from it to resolve against the spec itself).
function validator(pointer) {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(spec(), 'openapi.json');
  }
  if (!validators.has(pointer))
    validators.set(pointer, ajv.compile({ $ref: 'openapi.json#' + pointer }));
  return validators.get(pointer);
}

const ptr = (...keys) => '/' + keys.map((k) => String(k)
  .replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

// Checks one answer: method and pathname of the request, the status, the
// content type and the body's text (null for a HEAD).  Returns null when
// it follows the spec, else what is wrong (a sentence).
//
// A path the spec does not have may only be answered 404 with the error
// object, and a method a path does not take 405 with it: those are the
// server's answers to any unknown path or method, not operations.  A
// status an operation does not list is an error unless it is a 5xx and
// the operation has a default answer.
export function checkAnswer(method, pathname, status, ctype, text) {
  const found = findPath(pathname);
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  const op = found?.item[m];
  let where;
  if (!found || !op) {
    const want = !found ? 404 : 405;
    if (status !== want)
      return `${method} ${pathname}: no such operation in docs/openapi.yaml ` +
        `(answered ${status}; only a ${want} error is expected)`;
    where = ptr('components', 'schemas', 'Error');
  } else {
    let key = String(status);
    if (!op.responses[key]) {
      if (status >= 500 && op.responses.default) key = 'default';
      else return `${method} ${found.path}: status ${status} is not in ` +
        `docs/openapi.yaml (it lists ${Object.keys(op.responses).join(', ')})`;
    }
    const resp = deref(op.responses[key]);
    const content = resp.content;
    if (!content) {
      if (text && text.length > 0 && method !== 'HEAD')
        return `${method} ${found.path} ${status}: a body where the spec ` +
          'has none';
      return null;
    }
    const base = (ctype ?? '').split(';')[0].trim();
    if (!content[base])
      return `${method} ${found.path} ${status}: content type ${ctype} ` +
        `(the spec has ${Object.keys(content).join(', ')})`;
    if (base !== 'application/json' || method === 'HEAD') return null;
    const r = op.responses[key];
    where = r.$ref
      ? r.$ref.slice(1) + ptr('content', base, 'schema')
      : ptr('paths', found.path, m, 'responses', key, 'content', base,
        'schema');
  }
  if (method === 'HEAD') return null;
  let body;
  try { body = JSON.parse(text); } catch {
    return `${method} ${pathname} ${status}: the body is not JSON: ` +
      text.slice(0, 200);
  }
  const v = validator(where);
  if (v(body)) return null;
  return `${method} ${found?.path ?? pathname} ${status}: the body does not ` +
    `match docs/openapi.yaml:\n` + v.errors.slice(0, 8).map((e) =>
    `  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    .join('\n') + '\n  body: ' + text.slice(0, 600);
}
