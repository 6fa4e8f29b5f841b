-- +goose Up
-- Comments per account and status, kept by triggers, so the inbox's counts
-- stay instant at millions of comments (a GROUP BY would scan them all).
CREATE TABLE comment_counts (
    account_id TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (account_id, status)
) STRICT, WITHOUT ROWID;
INSERT INTO comment_counts (account_id, status, n)
    SELECT account_id, status, COUNT(*) FROM comments GROUP BY account_id, status;

-- +goose StatementBegin
CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_counts_status AFTER UPDATE OF status ON comments WHEN old.status <> new.status BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER comment_counts_delete;
DROP TRIGGER comment_counts_status;
DROP TRIGGER comment_counts_insert;
DROP TABLE comment_counts;
