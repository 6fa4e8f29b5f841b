-- +goose Up
-- Work claimed by one process at a time (sqlite/00015_claims.sql).
ALTER TABLE replies ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE replies ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX replies_sending ON replies (claim_until) WHERE state = 'sending';

ALTER TABLE comment_actions ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE comment_actions ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;

CREATE TABLE leases (
    name   TEXT   PRIMARY KEY,
    holder TEXT   NOT NULL,
    until  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE leases;
ALTER TABLE comment_actions DROP COLUMN claim_until;
ALTER TABLE comment_actions DROP COLUMN claimed_by;
DROP INDEX replies_sending;
ALTER TABLE replies DROP COLUMN claim_until;
ALTER TABLE replies DROP COLUMN claimed_by;
