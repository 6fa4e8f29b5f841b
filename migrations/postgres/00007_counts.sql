-- +goose Up
-- Comments per account and status, kept by triggers, so the inbox's counts
-- stay instant at millions of comments (sqlite/00007_counts.sql).
--
-- SQLite's triggers add to one row per account and status. Here that row
-- would be locked by every writer until it commits: webhook batches in two
-- processes would queue behind each other on it, and two transactions
-- touching two accounts in opposite orders would deadlock. So the triggers
-- only append to comment_count_deltas, which no two writers share; a count
-- is comment_counts plus the deltas, read in one snapshot (store.countsSource),
-- and CompactCounts (the janitor, every few seconds) folds the deltas into
-- comment_counts in one statement.
CREATE TABLE comment_counts (
    account_id TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (account_id, status)
);
INSERT INTO comment_counts (account_id, status, n)
    SELECT account_id, status, COUNT(*) FROM comments GROUP BY account_id, status;

CREATE TABLE comment_count_deltas (
    id         BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT     NOT NULL,
    status     TEXT     NOT NULL,
    n          SMALLINT NOT NULL
);
CREATE INDEX comment_count_deltas_account ON comment_count_deltas (account_id);

-- +goose StatementBegin
CREATE FUNCTION comment_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO comment_count_deltas (account_id, status, n) VALUES (OLD.account_id, OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO comment_count_deltas (account_id, status, n) VALUES (NEW.account_id, NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION comment_counts_trigger();
CREATE TRIGGER comment_counts_status AFTER UPDATE OF status ON comments
    FOR EACH ROW WHEN (OLD.status <> NEW.status) EXECUTE FUNCTION comment_counts_trigger();
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION comment_counts_trigger();

-- +goose Down
DROP TRIGGER comment_counts_delete ON comments;
DROP TRIGGER comment_counts_status ON comments;
DROP TRIGGER comment_counts_insert ON comments;
DROP FUNCTION comment_counts_trigger();
DROP TABLE comment_count_deltas;
DROP TABLE comment_counts;
