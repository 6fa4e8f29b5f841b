-- +goose Up
-- The search index merges its segments when 16 of a size have gathered,
-- not 4 (issue 16; numbered 217 for it). The search indexer adds a segment
-- with every transaction of up to 256 comments, about 20 a second while
-- 5,000 comments a second arrive, and merging them 4 at a time rewrote each
-- comment's ~300 bytes of trigrams several times over: indexing cost 21 µs
-- a comment, now 16. A search reads a few more segments.
INSERT INTO comments_fts (comments_fts, rank) VALUES ('automerge', 16);

-- +goose Down
INSERT INTO comments_fts (comments_fts, rank) VALUES ('automerge', 4);
