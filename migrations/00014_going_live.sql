-- +goose Up
-- An account an admin disconnected: no token, no webhooks, no sends, and
-- logins no longer reconnect it by themselves (unix ms; 0 = connected).
ALTER TABLE accounts ADD COLUMN disconnected_at INTEGER NOT NULL DEFAULT 0;

-- Personal API tokens: a script acts as its user with `Authorization:
-- Bearer <token>`. Only the SHA-256 of the token is stored; hint is its
-- last characters, so a person can tell tokens apart.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (name <> ''),
    hash         BLOB    NOT NULL UNIQUE,
    hint         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Meta's data-deletion requests, by the confirmation code Meta shows the
-- person; summary says what was deleted (JSON). Nothing here names the person.
CREATE TABLE data_deletions (
    code         TEXT    PRIMARY KEY,
    requested_at INTEGER NOT NULL,
    completed_at INTEGER NOT NULL,
    summary      TEXT    NOT NULL
) STRICT;

-- Outbound webhooks (admins): where events go. cursor is the newest
-- outbound_events id already fanned out to this webhook's deliveries; a new
-- webhook starts at the newest event, so it hears what happens from then on.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL,                -- comma-separated event names
    secret     BLOB    NOT NULL,                -- signing secret, AES-GCM sealed
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The durable outbox: one row per event and webhook, with its body, kept
-- until delivered or given up on (24 h), then for the record.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL,
    event           TEXT    NOT NULL,
    comment_id      TEXT    NOT NULL,
    body            BLOB    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,           -- also a lease while an attempt is in flight
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER NOT NULL DEFAULT 0, -- the receiver's HTTP status (0: no answer)
    last_answer     TEXT    NOT NULL DEFAULT '', -- the start of its answer, or why there was none
    UNIQUE (webhook_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_comment ON webhook_deliveries (comment_id);
CREATE INDEX webhook_deliveries_updated ON webhook_deliveries (updated_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE data_deletions;
DROP TABLE api_tokens;
ALTER TABLE accounts DROP COLUMN disconnected_at;
