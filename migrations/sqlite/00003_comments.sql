-- +goose Up
-- Instagram media that comments arrived on, as far as webhooks and Graph
-- reads told us.
CREATE TABLE media (
    id                 TEXT    PRIMARY KEY,
    account_id         TEXT    NOT NULL,
    media_product_type TEXT    NOT NULL DEFAULT '',  -- FEED, REELS, STORY, AD, LIVE
    ad_id              TEXT    NOT NULL DEFAULT '',
    ad_title           TEXT    NOT NULL DEFAULT '',
    original_media_id  TEXT    NOT NULL DEFAULT '',
    caption            TEXT    NOT NULL DEFAULT '',
    permalink          TEXT    NOT NULL DEFAULT '',
    thumbnail_url      TEXT    NOT NULL DEFAULT '',
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX media_account ON media (account_id);

-- Comments, one row per Meta comment id (the dedupe key). Times are unix ms.
CREATE TABLE comments (
    id                 TEXT    PRIMARY KEY,
    account_id         TEXT    NOT NULL,
    media_id           TEXT    NOT NULL DEFAULT '',
    media_product_type TEXT    NOT NULL DEFAULT '',
    surface            TEXT    NOT NULL CHECK (surface IN ('post', 'reel', 'story', 'ad', 'live')),
    ad_id              TEXT    NOT NULL DEFAULT '',
    ad_title           TEXT    NOT NULL DEFAULT '',
    original_media_id  TEXT    NOT NULL DEFAULT '',
    parent_id          TEXT    NOT NULL DEFAULT '',
    from_id            TEXT    NOT NULL DEFAULT '',
    username           TEXT    NOT NULL DEFAULT '',
    text               TEXT    NOT NULL DEFAULT '',
    live               INTEGER NOT NULL DEFAULT 0,   -- arrived as a live_comments change
    status             TEXT    NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'replied', 'done', 'dismissed', 'expired')),
    status_by          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status_at          INTEGER NOT NULL DEFAULT 0,
    deadline           INTEGER NOT NULL,             -- last moment a private reply is allowed
    deadline_exact     INTEGER NOT NULL DEFAULT 0,   -- 1 once Graph's timestamp corrected it
    created_at         INTEGER NOT NULL DEFAULT 0,   -- Graph's timestamp; 0 until known
    entry_time         INTEGER NOT NULL DEFAULT 0,   -- the webhook entry.time (send time)
    received_at        INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    enrich_attempts    INTEGER NOT NULL DEFAULT 0,
    enrich_after       INTEGER NOT NULL DEFAULT 0    -- next timestamp fetch not before
) STRICT;
-- The inbox reads by status and deadline, overall and per account (keyset paging).
CREATE INDEX comments_status_deadline ON comments (status, deadline, id);
CREATE INDEX comments_account_status_deadline ON comments (account_id, status, deadline, id);
CREATE INDEX comments_media ON comments (media_id);
CREATE INDEX comments_updated ON comments (updated_at);
CREATE INDEX comments_enrich ON comments (enrich_after) WHERE deadline_exact = 0 AND live = 0;
CREATE INDEX comments_live_open ON comments (account_id) WHERE live = 1 AND status = 'open';

-- Every signed webhook delivery as received, for audit and replay (kept 30 days).
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    received_at      INTEGER NOT NULL,
    signature        TEXT    NOT NULL,
    body             BLOB    NOT NULL,
    comments_new     INTEGER NOT NULL DEFAULT 0,  -- comments stored by this delivery
    comments_dup     INTEGER NOT NULL DEFAULT 0,  -- already known (retries, ad duplicates)
    comments_skipped INTEGER NOT NULL DEFAULT 0,  -- the account's own comments
    unknown_accounts TEXT    NOT NULL DEFAULT '', -- comma-separated ids of accounts not connected
    unknown_comments INTEGER NOT NULL DEFAULT 0   -- comments dropped for those accounts
) STRICT;
CREATE INDEX deliveries_received ON deliveries (received_at);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE comments;
DROP TABLE media;
