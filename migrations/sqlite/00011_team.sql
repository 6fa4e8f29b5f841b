-- +goose Up
-- Team workflow (issue 11): who a comment is assigned to, who is replying
-- to it right now, and whether its deadline alert went out.
ALTER TABLE comments ADD COLUMN assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN alerted_at INTEGER NOT NULL DEFAULT 0; -- the comment.expiring alert, unix ms; 0 = none

-- "Mine" and a person's other lists read by assignee, status and deadline;
-- the unassigned count is the open count less the open assigned ones.
CREATE INDEX comments_assignee ON comments (assignee_id, status, deadline, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX comments_open_assigned ON comments (account_id, status, assignee_id) WHERE status = 'open' AND assignee_id IS NOT NULL;

-- Who assigned whom, when: a comment's history. by_id is NULL (and by_name
-- '') for automatic assignment; assignee_id NULL is an unassignment.
CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    comment_id    TEXT    NOT NULL,
    assignee_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    assignee_name TEXT    NOT NULL DEFAULT '',  -- kept when the user is deleted
    by_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    by_name       TEXT    NOT NULL DEFAULT '',
    auto          INTEGER NOT NULL DEFAULT 0,   -- round-robin auto-assignment
    at            INTEGER NOT NULL
) STRICT;
CREATE INDEX assignments_comment ON assignments (comment_id, id);

-- Who has a comment open in the composer: a courtesy shown to the others,
-- never a lock. The browser refreshes its row while the composer is open;
-- rows past expires_at are swept (and the change published).
CREATE TABLE presence (
    comment_id TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id TEXT    NOT NULL,
    since      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX presence_expires ON presence (expires_at);

-- Round-robin auto-assignment per account (admins turn it on). Comments
-- received from enabled_at on are given, in turn, to teammates who are
-- online and may reply, each up to cap open assigned comments.
CREATE TABLE auto_assign (
    account_id   TEXT    PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    enabled      INTEGER NOT NULL DEFAULT 0,
    cap          INTEGER NOT NULL DEFAULT 20 CHECK (cap BETWEEN 1 AND 1000),
    enabled_at   INTEGER NOT NULL DEFAULT 0,
    last_user_id INTEGER NOT NULL DEFAULT 0,  -- the turn: the next goes to the first id above it
    updated_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- The Team page counts each person's replies today.
CREATE INDEX replies_user_sent ON replies (user_id, sent_at) WHERE sent_at > 0;

-- +goose Down
DROP INDEX replies_user_sent;
DROP TABLE auto_assign;
DROP TABLE presence;
DROP TABLE assignments;
DROP INDEX comments_open_assigned;
DROP INDEX comments_assignee;
ALTER TABLE comments DROP COLUMN alerted_at;
ALTER TABLE comments DROP COLUMN assignee_id;
