-- +goose Up
-- The change feed: one row per change to a comment that someone may see
-- (stored, status, deadline, reply state), written in the transaction that
-- makes the change. position is monotonic in commit order (SQLite has one
-- writer) and is the event id of the inbox's live stream: a browser catches
-- up from the position its page was rendered at. Rows older than a day are
-- pruned (janitor); a stream further behind reloads its list.
CREATE TABLE changes (
    position   INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id TEXT    NOT NULL,
    account_id TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_account ON changes (account_id, position);
CREATE INDEX changes_at ON changes (at);

-- The comments table's own change time is no longer the catch-up mark.
DROP INDEX comments_updated;

-- +goose Down
CREATE INDEX comments_updated ON comments (updated_at);
DROP TABLE changes;
