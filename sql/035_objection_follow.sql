-- An objection's follow-up code (issue 19: the person who objected was
-- never told how it ended).  Objections are anonymous, so the one who
-- filed it gets a code, and with it reads the answer; only the code's
-- SHA-256 is kept, as with account tokens.  Older objections have none.
alter table objections add column follow_hash bytea
    check (length(follow_hash) = 32);
create unique index objections_follow on objections (follow_hash);
