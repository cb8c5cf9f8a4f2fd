-- A need's public pledges, newest first (api.need_pledges_json): the
-- need's page reads its newest ten, the list pages of 50 after them,
-- without sorting all of a need's pledges on every read.
create index pledges_need_public on pledges (need_id, created_at desc, id desc)
    where status in ('pledged', 'delivered', 'received', 'disputed');
