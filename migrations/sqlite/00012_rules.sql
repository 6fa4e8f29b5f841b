-- +goose Up
-- Keyword automation (issue 12). Admins keep an ordered list of rules; the
-- first enabled rule that matches a new comment applies. Lists are JSON
-- arrays; an empty one places no condition.
CREATE TABLE rules (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1,
    position         INTEGER NOT NULL,             -- 1 is checked first
    accounts         TEXT    NOT NULL DEFAULT '[]',
    surfaces         TEXT    NOT NULL DEFAULT '[]',
    media_ids        TEXT    NOT NULL DEFAULT '[]',
    keywords         TEXT    NOT NULL DEFAULT '[]',
    match            TEXT    NOT NULL DEFAULT 'any' CHECK (match IN ('any', 'all')),
    exclude_keywords TEXT    NOT NULL DEFAULT '[]',
    action           TEXT    NOT NULL CHECK (action IN ('suggest', 'send', 'assign', 'dismiss')),
    template_id      INTEGER REFERENCES templates(id), -- a template in use by a rule cannot be deleted
    assignee_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    once_per_user    INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_name  TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX rules_template ON rules (template_id) WHERE template_id IS NOT NULL;

-- What a rule did to a comment: which rule applied, and the template the
-- composer opens with. No foreign keys: a rule or template deleted later
-- leaves the record as it was.
ALTER TABLE comments ADD COLUMN rule_id INTEGER;
ALTER TABLE comments ADD COLUMN suggested_template_id INTEGER;
-- The rules page counts a week of matches per rule; few comments match, so
-- the partial index costs ingest nothing for the rest.
CREATE INDEX comments_rule ON comments (rule_id, received_at) WHERE rule_id IS NOT NULL;

-- An automatic reply names its rule (by = 'rule:<name>' in user_name), and
-- once_key (account/media/commenter) when its rule sends at most one per
-- commenter per media: unique among replies not failed, like the one live
-- reply per comment.
ALTER TABLE replies ADD COLUMN rule_id INTEGER;
ALTER TABLE replies ADD COLUMN once_key TEXT;
CREATE UNIQUE INDEX replies_once_per_user ON replies (once_key) WHERE once_key IS NOT NULL AND state <> 'failed';
CREATE INDEX replies_rule_sent ON replies (rule_id, sent_at) WHERE rule_id IS NOT NULL;

-- Rules run on comments in arrival order, from this mark on (the rowid of
-- the last comment looked at): comments that arrived before rules existed
-- are left alone.
INSERT INTO settings (key, value, updated_at)
    SELECT 'rules_rowid', COALESCE(MAX(rowid), 0), 0 FROM comments;

-- +goose Down
DELETE FROM settings WHERE key = 'rules_rowid';
DROP INDEX replies_rule_sent;
DROP INDEX replies_once_per_user;
ALTER TABLE replies DROP COLUMN once_key;
ALTER TABLE replies DROP COLUMN rule_id;
DROP INDEX comments_rule;
ALTER TABLE comments DROP COLUMN suggested_template_id;
ALTER TABLE comments DROP COLUMN rule_id;
DROP INDEX rules_template;
DROP TABLE rules;
