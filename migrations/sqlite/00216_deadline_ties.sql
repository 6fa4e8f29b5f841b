-- +goose Up
-- Comments that share a deadline are ordered by arrival, then id (issue 16;
-- numbered 216 for it). Deadlines are to the second, so the comments of a
-- busy second share one, and with the id next in these indexes every
-- comment of a group commit went into a different leaf page of each: about
-- 30 pages of each index written per commit of 21 comments, most of what a
-- commit wrote. Arrival times are to the millisecond and grow, so new
-- entries land at the end of their deadline's range, in a page or two.
DROP INDEX comments_status_deadline;
CREATE INDEX comments_status_deadline ON comments (status, deadline, received_at, id);
DROP INDEX comments_account_status_deadline;
CREATE INDEX comments_account_status_deadline ON comments (account_id, status, deadline, received_at, id);
DROP INDEX comments_deadline;
CREATE INDEX comments_deadline ON comments (deadline, received_at, id);
DROP INDEX comments_assignee;
CREATE INDEX comments_assignee ON comments (assignee_id, status, deadline, received_at, id) WHERE assignee_id IS NOT NULL;

-- +goose Down
DROP INDEX comments_assignee;
CREATE INDEX comments_assignee ON comments (assignee_id, status, deadline, id) WHERE assignee_id IS NOT NULL;
DROP INDEX comments_deadline;
CREATE INDEX comments_deadline ON comments (deadline, id);
DROP INDEX comments_account_status_deadline;
CREATE INDEX comments_account_status_deadline ON comments (account_id, status, deadline, id);
DROP INDEX comments_status_deadline;
CREATE INDEX comments_status_deadline ON comments (status, deadline, id);
