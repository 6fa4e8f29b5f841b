-- +goose Up
-- Staff who log in with Facebook. The first user who connects an account
-- becomes admin (store.RecordLogin, inside the login's one transaction).
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    facebook_id          TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    email                TEXT    NOT NULL DEFAULT '',
    avatar_url           TEXT    NOT NULL DEFAULT '',
    role                 TEXT    NOT NULL DEFAULT 'agent' CHECK (role IN ('admin', 'agent')),
    user_token           BLOB,                      -- long-lived user token, AES-GCM sealed
    user_token_expires   INTEGER NOT NULL DEFAULT 0, -- unix ms, 0 = unknown
    declined_permissions TEXT    NOT NULL DEFAULT '', -- comma-separated, from /me/permissions
    created_at           INTEGER NOT NULL,
    last_login_at        INTEGER NOT NULL DEFAULT 0,
    last_seen_at         INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Connected Instagram professional accounts, one per Facebook Page.
CREATE TABLE accounts (
    id                 TEXT    PRIMARY KEY,          -- Instagram account id (webhook entry.id)
    username           TEXT    NOT NULL,
    name               TEXT    NOT NULL DEFAULT '',
    picture_url        TEXT    NOT NULL DEFAULT '',
    page_id            TEXT    NOT NULL UNIQUE,
    page_name          TEXT    NOT NULL DEFAULT '',
    page_token         BLOB,                         -- Page access token, AES-GCM sealed
    token_state        TEXT    NOT NULL DEFAULT 'ok' CHECK (token_state IN ('ok', 'needs_reconnect')),
    token_error        TEXT    NOT NULL DEFAULT '',
    subscribed         INTEGER NOT NULL DEFAULT 0,   -- the app is installed on the Page (subscribed_apps)
    subscription_error TEXT    NOT NULL DEFAULT '',
    missing_permissions TEXT   NOT NULL DEFAULT '',  -- comma-separated, declined by whoever connected it
    checked_at         INTEGER NOT NULL DEFAULT 0,   -- last reconciliation, unix ms
    last_webhook_at    INTEGER NOT NULL DEFAULT 0,
    connected_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    connected_at       INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

-- Which user may see which account, from their Page tasks at their last login.
CREATE TABLE account_access (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    tasks      TEXT    NOT NULL DEFAULT '',  -- comma-separated Page tasks
    can_reply  INTEGER NOT NULL DEFAULT 0,   -- MESSAGING or PROFILE_PLUS_MESSAGING
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, account_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX account_access_account ON account_access (account_id);

-- Server-side sessions; the cookie holds a random id, the table its hash.
CREATE TABLE sessions (
    id_hash      BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL  -- absolute expiry, unix ms
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE account_access;
DROP TABLE accounts;
DROP TABLE users;
