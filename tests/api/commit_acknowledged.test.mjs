// A write is acknowledged only once it is committed.  Over PostgreSQL's
// extended protocol a statement's rows and its CommandComplete arrive
// before the implicit transaction commits (at Sync), and the commit can
// still fail: a serializable transaction's conflict (40001), a deferred
// constraint, the server dying before the WAL is flushed.  db.c used to
// answer from the rows: the fault test that crashes the database under
// pledge load found a pledge answered 201 that was not there afterwards
// (630 of 631, tests/faults/db_crash.test.mjs, on a loaded machine).
// Here the commit is made to fail every time, by a deferred constraint
// trigger raising 40001 at commit for one need's pledges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlValue, assertApiError } from '../lib/env.mjs';
import { Api } from '../lib/session.mjs';

let donor, need;

before(async () => {
  donor = await Api.as('donor1@example.com');
  need = sqlValue(`insert into needs (org_id, town_id, kind, category, title, unit,
      quantity, deadline, story, status, opened_at)
    select id, town_id, 'goods', 'books', '提交失败测试', '本', 10,
      current_date + 30, '', 'open', now()
    from orgs where kind = 'school' order by id limit 1 returning id`);
  sql(`select api.log_need_opened(${need})`);
  sql(`create function public.test_commit_fails() returns trigger
      language plpgsql as $$
    begin
      raise exception 'could not serialize access (test)'
        using errcode = '40001';
    end $$;
    create constraint trigger test_commit_fails after insert on pledges
      deferrable initially deferred for each row
      when (new.need_id = ${need}) execute function public.test_commit_fails()`);
});

after(() => {
  sql(`drop trigger if exists test_commit_fails on pledges;
    drop function if exists public.test_commit_fails()`);
});

test('a pledge whose commit fails is answered as failed, not 201', async () => {
  const key = `commit-fails-${process.pid}-${Date.now()}`;
  const r = await donor.call('POST', `/api/v1/needs/${need}/pledges`,
    { quantity: 2 }, { 'idempotency-key': key });
  assertApiError(r, 503, 'busy');
  assert.equal(r.headers.get('retry-after'), '1');
  assert.deepEqual(sql(`select pledged, status from needs where id = ${need}`),
    [['0', 'open']]);
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${need}`), '0');
  assert.equal(sqlValue(`select count(*) from idempotency_keys where key = '${key}'`), '0');

  // Sent again with its key once the commit can succeed: made, once.
  sql('drop trigger test_commit_fails on pledges');
  const again = await donor.call('POST', `/api/v1/needs/${need}/pledges`,
    { quantity: 2 }, { 'idempotency-key': key });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.deepEqual(sql(`select pledged from needs where id = ${need}`), [['2']]);
  const replay = await donor.call('POST', `/api/v1/needs/${need}/pledges`,
    { quantity: 2 }, { 'idempotency-key': key });
  assert.deepEqual([replay.status, replay.body], [201, again.body], 'the first answer again');
  assert.equal(sqlValue(`select count(*) from pledges where need_id = ${need}`), '1');
});
