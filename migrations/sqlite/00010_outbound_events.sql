-- +goose Up
-- Events other systems may want (internal/outbound), recorded when they
-- happen so that none is lost; outbound webhooks deliver them. A comment
-- gets each event at most once where the event says so (comment.expiring).
CREATE TABLE outbound_events (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    comment_id TEXT    NOT NULL,
    account_id TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX outbound_events_once ON outbound_events (name, comment_id) WHERE name = 'comment.expiring';
CREATE INDEX outbound_events_at ON outbound_events (at);

-- +goose Down
DROP TABLE outbound_events;
