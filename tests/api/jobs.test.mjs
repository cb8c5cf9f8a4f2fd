// The periodic jobs (src/jobs.c) work in bounded batches and can always
// finish: a backlog far beyond what one statement does within the app
// role's statement timeout drains through the running servers' jobs
// (both test nodes tick every second), each pledge once, and /healthz
// reports the backlog going down to nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sql, sqlValue, getJson } from '../lib/env.mjs';
import { newDonor } from '../lib/matching.mjs';

const PSQL = '/usr/lib/postgresql/15/bin/psql';
const OVERDUE_NEEDS = 200;	// x PER_NEED pledges past due
const SOON_NEEDS = 10;		// x PER_NEED pledges due tomorrow
const PER_NEED = 100;
const OVERDUE = OVERDUE_NEEDS * PER_NEED;

let donor, org;

before(async () => {
  donor = await newDonor('积压测试');
  org = sqlValue(`select id from orgs where kind = 'school' order by id limit 1`);
});

test('the app role runs under the statement timeout of the deployment', () => {
  // sql/cluster.sh sets it as README.md tells an operator to: the jobs
  // below run under it.
  const t = execFileSync(PSQL, ['-X', '-At', process.env.APP_DB, '-c',
    'show statement_timeout'], { encoding: 'utf8' }).trim();
  assert.equal(t, '5s');
});

// Fully pledged needs of this test, each with PER_NEED pledges of one
// unit from the test's donor, logged as a real pledge is (need_opened,
// then pledge_made), due in ten days: nothing for the jobs yet.  The log
// is written a hundred entries a transaction, as the jobs write it: every
// append updates the one row of log_head (and its month's row of
// log_stats), and more versions of a row than its page holds, in one
// transaction, bloat those tables for every append after.  Returns the
// needs' ids.
function backlog(needs, what) {
  const title = `积压测试（${what} ${process.pid}.${Date.now()}）`;
  sql(`create temp table bn as
    with n as (insert into needs (org_id, town_id, kind, category, title, unit,
        quantity, deadline, story, status, opened_at)
      select id, town_id, 'goods', 'books', '${title}', '本', ${PER_NEED},
        current_date + 30, '', 'open', now() - interval '20 days'
      from orgs, generate_series(1, ${needs}) where id = ${org}
      returning id)
    select id from n;
    create temp table bp as
    with p as (insert into pledges (need_id, donor_id, quantity, created_at, due_at)
      select bn.id, ${donor.id}, 1, now() - interval '15 days', now() + interval '10 days'
      from bn, generate_series(1, ${PER_NEED})
      returning id)
    select id from p;
    insert into pledge_events (pledge_id, actor_id, action, to_status)
    select id, ${donor.id}, 'pledged', 'pledged' from bp;
    update needs set pledged = quantity, status = 'fully_pledged'
     where id in (select id from bn);`);
  sql(`do $$
    declare
      r record;
      n int := 0;
    begin
      for r in select n.id as need, p.id as pledge from needs n
          cross join lateral (select null::bigint as id union all
              select id from pledges where need_id = n.id) p
         where n.org_id = ${org} and n.title = '${title}'
         order by n.id, p.id nulls first loop
        if r.pledge is null then
          perform api.log_need_opened(r.need);
        else
          perform api.log_pledge_event('pledge_made', r.pledge);
        end if;
        n := n + 1;
        if n % 100 = 0 then
          commit;
        end if;
      end loop;
    end $$`);
  return sql(`select id from needs where org_id = ${org} and title = '${title}'
      order by id`).map((r) => Number(r[0]));
}

test(`${OVERDUE} overdue pledges expire in batches; /healthz shows the backlog drain`, async (t) => {
  const soon = backlog(SOON_NEEDS, '将到期');
  const overdue = backlog(OVERDUE_NEEDS, '已逾期');
  assert.equal(overdue.length, OVERDUE_NEEDS);
  const ids = overdue.join(',');
  const soonIds = soon.join(',');
  // Now due, all at once.
  sql(`update pledges set due_at = case when need_id in (${ids})
      then now() - interval '1 day' else now() + interval '1 day' end
    where need_id in (${ids}, ${soonIds})`);
  const started = Date.now();
  const left = () => Number(sqlValue(`select count(*) from pledges
      where need_id in (${ids}) and status = 'pledged'`));
  assert.ok(left() > 0, 'the jobs are not done before they start');

  // Watch it drain: the backlog the jobs report after each batch, until
  // none is left and the needs are whole again.
  const seen = [];
  let h;
  const until = Date.now() + 300000;
  for (;;) {
    h = await getJson('/healthz');
    assert.equal(h.status, 200);
    const job = h.body.jobs?.pledges_tick;
    if (job && job.backlog !== seen[seen.length - 1]) seen.push(job.backlog);
    if (job?.backlog === 0 && left() === 0) break;
    assert.ok(Date.now() < until, `not drained in 300 s: ${left()} left, ` +
      `healthz ${JSON.stringify(h.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  t.diagnostic(`drained in ${Date.now() - started} ms; backlogs seen: ${seen.join(' ')}`);
  assert.ok(seen.some((b) => b > 0), `a backlog was reported: ${seen}`);
  assert.ok(seen.length >= 3, `it went down batch by batch: ${seen}`);
  for (const name of ['needs_tick', 'pledges_tick', 'pairings_tick', 'reports_tick', 'checkpoint']) {
    const job = h.body.jobs[name];
    assert.ok(job, name);
    assert.equal(job.error, null, `${name}: ${JSON.stringify(job)}`);
    assert.match(job.last_run, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(job.batches >= 1);
  }
  assert.equal(h.body.status, 'ok');

  // Each pledge expired once, its quantity back on the shelf, the donor
  // told, the public log appended: as api.pledges_tick did one by one.
  assert.deepEqual(sql(`select status, pledged, count(*) from needs where id in (${ids})
      group by 1, 2`), [['open', '0', String(OVERDUE_NEEDS)]]);
  const count = (q) => Number(sqlValue(q));
  const mine = `select id from pledges where need_id in (${ids})`;
  assert.equal(count(`select count(*) from pledges where need_id in (${ids})
      and status = 'expired' and closed_at is not null`), OVERDUE);
  assert.equal(count(`select count(*) from (select pledge_id from pledge_events
      where action = 'expired' and pledge_id in (${mine}) group by 1 having count(*) = 1) x`),
  OVERDUE);
  assert.equal(count(`select count(*) from log_entries where kind = 'pledge_expired'
      and need_id in (${ids})`), OVERDUE);
  assert.equal(count(`select count(distinct (fields ->> 'pledge')) from log_entries
      where kind = 'pledge_expired' and need_id in (${ids})`), OVERDUE);
  assert.equal(count(`select count(*) from notifications where user_id = ${donor.id}
      and kind = 'expired'`), OVERDUE);

  // The pledges due tomorrow: told once each, still pledged.
  assert.equal(count(`select count(*) from pledges where need_id in (${soonIds})
      and status = 'pledged' and due_notice_at is not null`), SOON_NEEDS * PER_NEED);
  assert.equal(count(`select count(*) from (select e.pledge_id from pledge_events e
      join pledges p on p.id = e.pledge_id where p.need_id in (${soonIds})
        and e.action = 'due_notice' group by 1 having count(*) = 1) x`), SOON_NEEDS * PER_NEED);
  assert.equal(count(`select count(*) from notifications where user_id = ${donor.id}
      and kind = 'due_soon'`), SOON_NEEDS * PER_NEED);

  // Off the shelf again, so that the tests after this one do not meet
  // 200 needs of nobody's.
  sql(`update needs set status = 'cancelled' where id in (${ids})`);
});
