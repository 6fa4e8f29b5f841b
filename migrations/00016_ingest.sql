-- +goose Up
-- The webhook path's group commit touches as few pages as it can: every
-- index a commit adds to is one more page written to the WAL each time.
--
-- New comments are counted by the group commit, once per account and
-- status of each transaction (store.insertComments), not row by row: a
-- trigger on every insert cost more than the rest of the insert. Status
-- changes and deletions keep their triggers.
DROP TRIGGER comment_counts_insert;
-- Raw deliveries and change-feed rows are appended in time order, so the
-- janitor finds old ones by their row id; no index on their time.
DROP INDEX deliveries_received;
DROP INDEX changes_at;

-- +goose Down
CREATE INDEX changes_at ON changes (at);
CREATE INDEX deliveries_received ON deliveries (received_at);
-- +goose StatementBegin
CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
