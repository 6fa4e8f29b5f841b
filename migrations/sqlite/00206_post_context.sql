-- +goose Up
-- Context in the panel (issue 20, item 6; numbered 206 for it): the post a
-- comment is on, read from Graph once and refreshed rarely, off the request
-- path. Its picture is kept here, so the app serves it itself (Meta's CDN
-- links expire, and the page's Content-Security-Policy stays 'self').
ALTER TABLE media ADD COLUMN media_type TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN posted_at INTEGER NOT NULL DEFAULT 0;   -- unix ms; 0 unknown
ALTER TABLE media ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;     -- when Graph last answered; 0 never
ALTER TABLE media ADD COLUMN read_after INTEGER NOT NULL DEFAULT 0;  -- when to read it (again)
ALTER TABLE media ADD COLUMN read_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX media_read_after ON media (read_after);

CREATE TABLE media_pictures (
    media_id     TEXT    PRIMARY KEY,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    fetched_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE media_pictures;
DROP INDEX media_read_after;
ALTER TABLE media DROP COLUMN read_failures;
ALTER TABLE media DROP COLUMN read_after;
ALTER TABLE media DROP COLUMN read_at;
ALTER TABLE media DROP COLUMN posted_at;
ALTER TABLE media DROP COLUMN media_type;
