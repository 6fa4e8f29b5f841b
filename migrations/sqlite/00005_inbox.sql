-- +goose Up
-- Full-text search over comment text and commenter usernames. The trigram
-- tokenizer matches any substring of three or more characters (usernames,
-- partial words, any script). Needs the sqlite_fts5 build tag (Makefile).
CREATE VIRTUAL TABLE comments_fts USING fts5(
    username, text,
    content = 'comments', content_rowid = 'rowid',
    tokenize = 'trigram remove_diacritics 1'
);
-- Rows are indexed in batches by the search indexer (store.IndexSearch),
-- not by triggers: a trigram index costs far more per row than the comment
-- insert itself, and batching keeps it off the webhook's critical path.
-- Comment text and usernames never change after arrival, and comments are
-- never deleted, so inserts are all the index needs to follow.
INSERT INTO comments_fts (rowid, username, text) SELECT rowid, username, text FROM comments;
INSERT INTO settings (key, value, updated_at)
    SELECT 'search_indexed_rowid', COALESCE(MAX(rowid), 0), 0 FROM comments;

-- Keyset paging for "all statuses" and for newest-first, and per-post counts.
CREATE INDEX comments_deadline ON comments (deadline, id);
CREATE INDEX comments_status_received ON comments (status, received_at, id);
DROP INDEX comments_media;
CREATE INDEX comments_media_status ON comments (media_id, status);

-- +goose Down
DROP INDEX comments_media_status;
CREATE INDEX comments_media ON comments (media_id);
DROP INDEX comments_status_received;
DROP INDEX comments_deadline;
DELETE FROM settings WHERE key = 'search_indexed_rowid';
DROP TABLE comments_fts;
