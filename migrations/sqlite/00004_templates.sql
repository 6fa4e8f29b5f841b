-- +goose Up
-- Shared reply templates. A body uses replytmpl's {{variable|fallback}}
-- syntax and is checked before it is stored. Deleting a template is final:
-- a sent reply keeps its own copy of the text and its template id.
CREATE TABLE templates (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''),
    body            TEXT    NOT NULL CHECK (body <> ''),
    -- "/price" is stored as "price"; NULL when the template has none.
    shortcut        TEXT    UNIQUE CHECK (shortcut IS NULL OR (length(shortcut) BETWEEN 1 AND 32 AND shortcut NOT GLOB '*[^a-z0-9_-]*')),
    folder          TEXT    NOT NULL DEFAULT '',
    use_count       INTEGER NOT NULL DEFAULT 0,
    last_used_at    INTEGER NOT NULL DEFAULT 0,  -- unix ms, 0 = never
    updated_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by_name TEXT    NOT NULL DEFAULT '',  -- kept when the user is deleted
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE templates;
