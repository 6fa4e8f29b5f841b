-- +goose Up
-- Private replies. One row per attempt to answer a comment; a partial unique
-- index allows only one live reply per comment (queued, sending, retrying,
-- sent or unconfirmed), so a double click, two teammates, a retry or a
-- restart can never send twice. Failed replies stay as history.
CREATE TABLE replies (
    id              INTEGER PRIMARY KEY,
    comment_id      TEXT    NOT NULL REFERENCES comments(id),
    account_id      TEXT    NOT NULL,
    state           TEXT    NOT NULL
                    CHECK (state IN ('queued', 'sending', 'retrying', 'sent', 'unconfirmed', 'failed')),
    text            TEXT    NOT NULL,
    template_id     INTEGER,                      -- the template used, if any (no FK: templates can be deleted)
    template_name   TEXT    NOT NULL DEFAULT '',
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    user_name       TEXT    NOT NULL DEFAULT '',
    live            INTEGER NOT NULL DEFAULT 0,
    deadline        INTEGER NOT NULL,             -- the comment's deadline: queue order and retry limit
    attempts        INTEGER NOT NULL DEFAULT 0,
    ambiguous       INTEGER NOT NULL DEFAULT 0,   -- an attempt may have reached Meta without an answer
    next_attempt_at INTEGER NOT NULL,
    message_id      TEXT    NOT NULL DEFAULT '',
    recipient_id    TEXT    NOT NULL DEFAULT '',
    error_kind      TEXT    NOT NULL DEFAULT '',  -- reply.Kind of the last failure
    error           TEXT    NOT NULL DEFAULT '',  -- plain words and the next step
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX replies_one_per_comment ON replies (comment_id)
    WHERE state IN ('queued', 'sending', 'retrying', 'sent', 'unconfirmed');
CREATE INDEX replies_comment ON replies (comment_id, id);
CREATE INDEX replies_due ON replies (next_attempt_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX replies_account_sent ON replies (account_id, sent_at) WHERE sent_at > 0;

-- Every call to Meta's Send API, with what came back.
CREATE TABLE reply_attempts (
    id           INTEGER PRIMARY KEY,
    reply_id     INTEGER NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    outcome      TEXT    NOT NULL,  -- sent, unconfirmed, retry, failed
    http_status  INTEGER NOT NULL DEFAULT 0,
    meta_code    INTEGER NOT NULL DEFAULT 0,
    meta_subcode INTEGER NOT NULL DEFAULT 0,
    fbtrace_id   TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT ''   -- for operators: Meta's message or the network error
) STRICT;
CREATE INDEX reply_attempts_reply ON reply_attempts (reply_id);

-- +goose Down
DROP TABLE reply_attempts;
DROP TABLE replies;
