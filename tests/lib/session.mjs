// Signing in as the demo accounts (whose random passwords tests/run.sh
// wrote to DEMO_ACCOUNTS) or as new ones, by API token or by cookie.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { BASE } from './env.mjs';

let accounts;

// The demo accounts: [{ role, login, name, password }].
export function demoAccounts() {
  if (!accounts) {
    accounts = readFileSync(process.env.DEMO_ACCOUNTS, 'utf8').split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => { const [role, login, name, password] = l.split('\t');
        return { role, login, name, password }; });
  }
  return accounts;
}

export function demo(login) {
  const a = demoAccounts().find((x) => x.login === login);
  assert.ok(a, `demo account ${login}`);
  return a;
}

// An API client with a Bearer token.
export class Api {
  constructor(token) { this.token = token; }

  // Signed in as the demo account with this e-mail.
  static as(email) {
    const a = demo(email);
    return Api.login(a.login, a.password);
  }

  static async login(identifier, password) {
    const res = await fetch(BASE + '/api/v1/login', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier, password }) });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return new Api(body.token);
  }

  async call(method, path, body, extra = {}) {
    const headers = { authorization: 'Bearer ' + this.token, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(BASE + path, { method, headers, redirect: 'manual',
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: res.status, headers: res.headers, body: json };
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body ?? {}); }
}

// A browser-like client: keeps cookies, reads the csrf field of forms.
export class Browser {
  constructor() { this.cookies = new Map(); }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  // The cookie header, if there is anything to send.
  withCookies(headers = {}) {
    const c = this.cookieHeader();
    return c ? { cookie: c, ...headers } : { ...headers };
  }

  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i), value = pair.slice(i + 1);
      if (/Max-Age=0/.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path, headers = {}) {
    const res = await fetch(BASE + path, { redirect: 'manual',
      headers: this.withCookies(headers) });
    this.keep(res);
    const text = await res.text();
    const m = text.match(/name="csrf" value="([0-9a-f]{64})"/);
    if (m) this.csrf = m[1];
    return { status: res.status, headers: res.headers, text };
  }

  // Posts a form; adds the csrf field last read unless fields has one.
  async post(path, fields, headers = {}) {
    const form = new URLSearchParams({ csrf: this.csrf ?? '', ...fields });
    const res = await fetch(BASE + path, { method: 'POST', redirect: 'manual',
      body: form.toString(), headers: this.withCookies({
        'content-type': 'application/x-www-form-urlencoded', ...headers }) });
    this.keep(res);
    const text = await res.text();
    const m = text.match(/name="csrf" value="([0-9a-f]{64})"/);
    if (m) this.csrf = m[1];
    return { status: res.status, headers: res.headers, text };
  }

  async login(identifier, password) {
    await this.get('/login');
    const r = await this.post('/login', { identifier, password });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    await this.get('/me');
    return r;
  }
}

let seq = 0;
// A fresh e-mail address for a test account.
export function freshEmail(tag = 't') {
  seq += 1;
  return `${tag}${process.pid}x${Date.now() % 1e6}x${seq}@example.org`;
}
