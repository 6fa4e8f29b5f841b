-- +goose Up
-- The search index merges its segments when 16 of a size have gathered,
-- not 4 (issue 16; numbered 217 for it). The search indexer adds a segment
-- with every transaction, a few a second under a stream of webhooks, and
-- merging them 4 at a time rewrote each comment's ~300 bytes of trigrams
-- several times over: indexing cost 21 µs a comment, now 16 (256 a
-- transaction). A search reads a few more segments; with the trigram
-- index they are a small part of its time.
INSERT INTO comments_fts (comments_fts, rank) VALUES ('automerge', 16);

-- +goose Down
INSERT INTO comments_fts (comments_fts, rank) VALUES ('automerge', 4);
