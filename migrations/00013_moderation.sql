-- +goose Up
-- Moderation (DESIGN §8): a comment can be hidden on Instagram, or deleted
-- there. A deleted comment stays in the record but leaves every view but
-- "All", and stops counting in the rail.
ALTER TABLE comments ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

-- Every moderation request on a comment, with who asked and what came of
-- it: the comment's moderation history and the worker's queue. A public
-- reply posted after a private one (the "check your DMs" nudge) waits for
-- that reply to be delivered (state waiting, after_reply_id).
CREATE TABLE comment_actions (
    id              INTEGER PRIMARY KEY,
    comment_id      TEXT    NOT NULL,             -- no FKs: purging comments or replies needs no ordering here
    account_id      TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('public_reply', 'hide', 'unhide', 'delete')),
    state           TEXT    NOT NULL
                    CHECK (state IN ('waiting', 'queued', 'working', 'retrying', 'done', 'failed', 'cancelled')),
    text            TEXT    NOT NULL DEFAULT '',  -- a public reply's text
    template_id     INTEGER,                      -- no FK: templates can be deleted
    template_name   TEXT    NOT NULL DEFAULT '',
    nudge           INTEGER NOT NULL DEFAULT 0,   -- posted because a private reply was sent
    after_reply_id  INTEGER,
    bulk            INTEGER NOT NULL DEFAULT 0,   -- part of a bulk action: goes after single ones
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    user_name       TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    ambiguous       INTEGER NOT NULL DEFAULT 0,   -- an attempt may have reached Meta without an answer
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    result_id       TEXT    NOT NULL DEFAULT '',  -- Meta's id of the public reply
    error_kind      TEXT    NOT NULL DEFAULT '',
    error           TEXT    NOT NULL DEFAULT '',  -- plain words and the next step
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    done_at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX comment_actions_comment ON comment_actions (comment_id, id);
CREATE INDEX comment_actions_due ON comment_actions (account_id, bulk, next_attempt_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX comment_actions_waiting ON comment_actions (after_reply_id) WHERE state = 'waiting';
CREATE INDEX comment_actions_working ON comment_actions (id) WHERE state = 'working';
-- One change of visibility in flight per comment: a double click, a key
-- pressed twice or two teammates never queue two.
CREATE UNIQUE INDEX comment_actions_one_visibility ON comment_actions (comment_id)
    WHERE kind IN ('hide', 'unhide', 'delete') AND state IN ('queued', 'working', 'retrying');
-- The same public reply at most once under a comment, unless it failed.
CREATE UNIQUE INDEX comment_actions_one_text ON comment_actions (comment_id, text)
    WHERE kind = 'public_reply' AND state NOT IN ('failed', 'cancelled');

-- Public replies under comments: the account's own comments, from the
-- answer to our Graph call or from their webhook, whichever comes first.
CREATE TABLE public_replies (
    id         TEXT    PRIMARY KEY,        -- Meta's comment id of the reply
    comment_id TEXT    NOT NULL,           -- the comment it answers
    account_id TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    action_id  INTEGER,                    -- posted from Replydesk; NULL when posted on Instagram
    user_name  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX public_replies_comment ON public_replies (comment_id, created_at);

-- The "check your DMs" nudge an account's composer offers by default.
CREATE TABLE account_nudges (
    account_id      TEXT    PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    template_id     INTEGER NOT NULL,
    updated_by_name TEXT    NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL
) STRICT;

-- A template is for private replies or for public ones, never both by accident.
ALTER TABLE templates ADD COLUMN public INTEGER NOT NULL DEFAULT 0;

-- Deleted comments leave the rail's counts.
DROP TRIGGER comment_counts_status;
-- +goose StatementBegin
CREATE TRIGGER comment_counts_status AFTER UPDATE OF status ON comments
WHEN old.status <> new.status AND old.deleted = 0 AND new.deleted = 0 BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_counts_deleted AFTER UPDATE OF deleted ON comments
WHEN old.deleted = 0 AND new.deleted = 1 BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
END;
-- +goose StatementEnd
DROP TRIGGER comment_counts_delete;
-- +goose StatementBegin
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments WHEN old.deleted = 0 BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER comment_counts_delete;
-- +goose StatementBegin
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
END;
-- +goose StatementEnd
DROP TRIGGER comment_counts_deleted;
DROP TRIGGER comment_counts_status;
-- +goose StatementBegin
CREATE TRIGGER comment_counts_status AFTER UPDATE OF status ON comments WHEN old.status <> new.status BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE account_id = old.account_id AND status = old.status;
    INSERT INTO comment_counts (account_id, status, n) VALUES (new.account_id, new.status, 1)
        ON CONFLICT (account_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
DELETE FROM comment_counts;
INSERT INTO comment_counts (account_id, status, n)
    SELECT account_id, status, COUNT(*) FROM comments GROUP BY account_id, status;
ALTER TABLE templates DROP COLUMN public;
DROP TABLE account_nudges;
DROP TABLE public_replies;
DROP TABLE comment_actions;
ALTER TABLE comments DROP COLUMN deleted;
ALTER TABLE comments DROP COLUMN hidden;
