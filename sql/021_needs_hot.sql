-- The indexes on needs, checked one by one (issue 15).  needs carried 17;
-- every one costs each insert, and an update that changes a column any of
-- them holds (as key, INCLUDE or predicate) cannot be a HOT update: it
-- writes a new entry into every index, the search index's dozens of
-- pieces included.  A pledge changes pledged (and updated_at); the
-- campaign index INCLUDEd pledged, so every pledge to a campaign's need
-- rewrote all 17 indexes.  What each one is for:
--
--   needs_pkey              every lookup by id                       kept
--   needs_org (org_id, status)
--                           a prefix of needs_org_work (org_id, status,
--                           id): the same lookups, one index more    dropped
--   needs_beneficiary       a child's needs (and the child's FK)     kept
--   needs_shelf_urgent, needs_shelf_deadline, needs_shelf_newest
--                           a page of the shelf in each sort order,
--                           index-only with the filters              kept
--   needs_search_grams      search by a word                         kept
--   needs_shelf_town, needs_shelf_category, needs_shelf_kind
--                           the few-matches path of api.needs_list   kept
--   needs_shelf_campaign (campaign_id, status), listed states only
--                           the same as needs_campaign's key, which
--                           holds every state                        dropped
--   needs_notice_due        the notice job                           kept
--   needs_deadline_live     the deadline job                         kept
--   needs_queue             the verification queue                   kept
--   needs_org_work          an organisation's work lists             kept
--   needs_campaign (campaign_id, status) include (kind, pledged,
--                           unit_amount): a campaign's figures read
--                           the index only -- at the price of no HOT
--                           update for any pledge to a campaign's need;
--                           now without the INCLUDE (the figures read
--                           the campaign's rows: a page a campaign, and
--                           the page is cached)                    rebuilt
--   needs_helped (beneficiary_id) where received > 0
--                           the home page's count of children helped;
--                           a receipt is not HOT, a pledge is         kept
--
-- And room on each page for the new version of an updated row: a HOT
-- update needs it on the same page (fillfactor 85; rows written from now
-- on, and all of them after the next rewrite of the table).

drop index needs_org;
drop index needs_shelf_campaign;
drop index needs_campaign;
create index needs_campaign on needs (campaign_id, status)
    where campaign_id is not null;
alter table needs set (fillfactor = 85);
