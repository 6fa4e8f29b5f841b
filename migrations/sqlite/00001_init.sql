-- +goose Up
-- settings holds instance-wide values that outlive a restart (e.g. the
-- moment the instance was first started), one row per key.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE settings;
