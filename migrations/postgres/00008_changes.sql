-- +goose Up
-- The change feed (sqlite/00008_changes.sql). SQLite has one writer, so its
-- AUTOINCREMENT is in commit order. Here many transactions in many processes
-- write at once, and a sequence alone is not: a transaction that draws a
-- lower number can commit after one that drew a higher number, and a stream
-- that caught up past the higher one would skip it. So positions come from
-- the one row of feed_head, bumped as the last step of every transaction
-- that logs changes: its row lock is held until that transaction commits,
-- so the next writer draws the next numbers only after the previous one is
-- visible. Positions are dense (a rollback returns its numbers) and in
-- commit order, and feed_head remembers the newest even once it is pruned.
CREATE TABLE changes (
    position   BIGINT PRIMARY KEY,
    comment_id TEXT   NOT NULL,
    account_id TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX changes_account ON changes (account_id, position);
CREATE INDEX changes_at ON changes (at);

CREATE TABLE feed_head (
    one      SMALLINT PRIMARY KEY DEFAULT 1 CHECK (one = 1),
    position BIGINT   NOT NULL
);
INSERT INTO feed_head (one, position) VALUES (1, 0);

-- +goose Down
DROP TABLE feed_head;
DROP TABLE changes;
