-- +goose Up
-- Work claimed by one process at a time, so that several processes sharing
-- a database (PostgreSQL) never do the same work twice, and a process that
-- dies leaves its claims to expire and be taken over.
--
-- A reply being sent names the process that claimed it and how long the
-- claim lasts: past claim_until, another process retries it as ambiguous.
ALTER TABLE replies ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE replies ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX replies_sending ON replies (claim_until) WHERE state = 'sending';

-- A moderation action being worked on (hide, delete, public reply) is
-- claimed the same way.
ALTER TABLE comment_actions ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE comment_actions ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;

-- Leases on named pieces of periodic work ("backfill:<account>",
-- "reconcile", ...): whoever holds an unexpired lease does that work.
CREATE TABLE leases (
    name   TEXT    PRIMARY KEY,
    holder TEXT    NOT NULL,
    until  INTEGER NOT NULL  -- unix ms
) STRICT;

-- +goose Down
DROP TABLE leases;
ALTER TABLE comment_actions DROP COLUMN claim_until;
ALTER TABLE comment_actions DROP COLUMN claimed_by;
DROP INDEX replies_sending;
ALTER TABLE replies DROP COLUMN claim_until;
ALTER TABLE replies DROP COLUMN claimed_by;
