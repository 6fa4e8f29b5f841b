-- Comments in a delivery whose account, comment or media id is not shaped
-- like Meta's (digits): dropped, and counted here for the record (issue 17).

-- +goose Up
ALTER TABLE deliveries ADD COLUMN comments_rejected INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN comments_rejected;
