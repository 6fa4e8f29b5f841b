-- +goose Up
-- Comments that share a deadline are ordered by arrival, then id
-- (sqlite/00216_deadline_ties.sql): the same order on both databases, and
-- new entries at the end of their deadline's range.
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
