-- +goose Up
-- Context in the panel (sqlite/00206_post_context.sql): the post a comment
-- is on, read from Graph once and refreshed rarely, and its picture.
ALTER TABLE media ADD COLUMN media_type TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN posted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN read_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN read_after BIGINT NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN read_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX media_read_after ON media (read_after);

CREATE TABLE media_pictures (
    media_id     TEXT   PRIMARY KEY,
    content_type TEXT   NOT NULL,
    data         BYTEA  NOT NULL,
    fetched_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE media_pictures;
DROP INDEX media_read_after;
ALTER TABLE media DROP COLUMN read_failures;
ALTER TABLE media DROP COLUMN read_after;
ALTER TABLE media DROP COLUMN read_at;
ALTER TABLE media DROP COLUMN posted_at;
ALTER TABLE media DROP COLUMN media_type;
