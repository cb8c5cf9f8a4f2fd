// What the offers, matching and pairing tests share: fresh donors,
// needs and campaigns made for one test, so that what the engine may
// propose is known exactly.
import assert from 'node:assert/strict';
import { BASE, sql, sqlValue } from './env.mjs';
import { Api, freshEmail } from './session.mjs';

// A donor of their own (no demo history): an API client.
export async function newDonor(name = '测试捐赠人') {
  const email = freshEmail('donor');
  const password = 'a long enough secret';
  const res = await fetch(BASE + '/api/v1/register', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ privacy_version: 1, display_name: name, email, password }) });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  const api = new Api(body.token);
  Object.assign(api, { id: body.user.id, email, password });
  return api;
}

let seq = 0;
// A campaign of this test only: offers naming it see only its needs.
export function newCampaign() {
  seq += 1;
  const slug = `t${process.pid}-${Date.now() % 1e7}-${seq}`;
  const id = sqlValue(`insert into campaigns (slug, name_zh, name_en, starts_on, ends_on)
    values ('${slug}', '测试行动${seq}', 'Test ${seq}', current_date, current_date + 365)
    returning id`);
  return { id: Number(id), slug };
}

export const townId = (slug) => sqlValue(`select id from towns where slug = '${slug}'`);

// A demo school of a town that has a demo staff account.
export function schoolOf(town) {
  return sqlValue(`select o.id from orgs o join towns t on t.id = o.town_id
    join users u on u.org_id = o.id and u.email = 'org' || o.id || '@example.com'
    where o.kind = 'school' and t.slug = '${town}' order by o.id limit 1`);
}

// An open need, listed (and logged as opened), with the given fields.
export function newNeed({ org, town, kind = 'goods', category = 'clothing', item = '',
  spec = '', unit = '件', quantity = 1, unitAmount = null, urgency = 2, days = 30,
  campaign = null, child = null, openedDaysAgo = 0 }) {
  const id = sqlValue(`insert into needs (org_id, beneficiary_id, town_id, kind, category,
      campaign_id, title, item, spec, unit, quantity, unit_amount, urgency, deadline,
      story, status, opened_at)
    values (${org}, ${child ?? 'null'}, ${town ?? `(select town_id from orgs where id = ${org})`},
      '${kind}', '${category}', ${campaign ?? 'null'}, '测试需求 ${item}${spec}', '${item}',
      '${spec}', '${unit}', ${quantity}, ${unitAmount ?? 'null'}, ${urgency},
      current_date + ${days}, '', 'open', now() - interval '${openedDaysAgo} days')
    returning id`);
  sql(`select api.log_need_opened(${id})`);
  return Number(id);
}

// A child of org (public part only).
export function newChild(org, alias = '测试') {
  return Number(sqlValue(`insert into beneficiaries (org_id, alias, birth_year, gender,
      town_id, school_stage) select id, '${alias}', 2012, 'f', town_id, 'junior'
    from orgs where id = ${org} returning id`));
}

// The engine reads the open needs from a per-worker cache that lives
// SHOP_MATCH_CACHE_SECONDS (1 in tests): wait it out after a change.
export const settle = () => new Promise((r) => setTimeout(r, 1200));

export const need = (id) => sql(`select quantity, pledged, status from needs where id = ${id}`)[0]
  .map((v, i) => (i < 2 ? Number(v) : v));
