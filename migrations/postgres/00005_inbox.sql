-- +goose Up
-- Search over comment text and usernames (sqlite/00005_inbox.sql uses FTS5's
-- trigram tokenizer): a pg_trgm GIN index matches any substring of three or
-- more characters, in any script, ignoring case and accents as
-- "trigram remove_diacritics 1" does. PostgreSQL keeps the index up to date
-- itself, so there is no search watermark here. Both extensions are trusted:
-- the owner of the database may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
-- unaccent() is only STABLE (its dictionary could change); with the
-- dictionary named it can be wrapped as IMMUTABLE, which an index needs.
-- +goose StatementBegin
CREATE FUNCTION replydesk_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(unaccent('unaccent'::regdictionary, $1)) $$;
-- +goose StatementEnd
CREATE INDEX comments_search ON comments USING gin (replydesk_fold(username || E'\n' || text) gin_trgm_ops);

CREATE INDEX comments_deadline ON comments (deadline, id);
CREATE INDEX comments_status_received ON comments (status, received_at, id);
DROP INDEX comments_media;
CREATE INDEX comments_media_status ON comments (media_id, status);

-- +goose Down
DROP INDEX comments_media_status;
CREATE INDEX comments_media ON comments (media_id);
DROP INDEX comments_status_received;
DROP INDEX comments_deadline;
DROP INDEX comments_search;
DROP FUNCTION replydesk_fold(text);
