-- +goose Up
-- sqlite/00217_search_merge.sql tunes SQLite's FTS5 search index; the
-- pg_trgm index on PostgreSQL has nothing like it. Kept so that both
-- databases count the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
