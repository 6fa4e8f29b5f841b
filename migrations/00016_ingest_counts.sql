-- +goose Up
-- New comments are counted by the store's group commit, once per account
-- and status of each transaction (store.insertComments), not row by row: a
-- trigger on every insert cost more than the rest of the insert. Status
-- changes and deletions keep their triggers.
DROP TRIGGER comment_counts_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
