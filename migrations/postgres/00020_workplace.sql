-- +goose Up
-- The inbox as a day's workplace (sqlite/00020_workplace.sql): the Pages on
-- which a person's role lacks the Messages task, by name, one a line.
ALTER TABLE users ADD COLUMN pages_without_messages TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN pages_without_messages;
