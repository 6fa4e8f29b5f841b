-- +goose Up
-- The inbox as a day's workplace (issue 20).
-- The Pages on which a person's role lacks the Messages task, by name (one
-- a line), from their last login: the no-access page names them.
ALTER TABLE users ADD COLUMN pages_without_messages TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN pages_without_messages;
