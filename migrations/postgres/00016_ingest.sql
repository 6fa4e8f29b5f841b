-- +goose Up
-- sqlite/00016_ingest.sql makes SQLite's group commit touch fewer pages: it
-- drops the per-row insert trigger on comment counts (its group commit
-- counts new comments itself) and two time indexes. Nothing to do here:
-- PostgreSQL's insert trigger only appends to comment_count_deltas, which no
-- two writers share (postgres/00007_counts.sql), its set-based ingest does
-- not count comments itself (store/delivery_pg.go), and the time indexes
-- cost little beside a round trip.
SELECT 1;

-- +goose Down
SELECT 1;
