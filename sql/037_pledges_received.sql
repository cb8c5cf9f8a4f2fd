-- The gifts received in a period, by the day they were received
-- (api.report_figures: a quarter's report and the roll-up read the
-- pledges of their days, not every pledge the branches ever had: the
-- soak's roll-up of a past quarter went from 6 to 500 ms in an hour of
-- gifts, none of them in that quarter).
create index pledges_received on pledges (received_at)
    where status = 'received';
