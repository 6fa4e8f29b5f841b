-- +goose Up
-- Live comments whose broadcast ended, by account and when
-- (sqlite/00218_live_ended.sql).
CREATE INDEX comments_live_ended ON comments (account_id, status_at) WHERE live = 1 AND status = 'expired';

-- +goose Down
DROP INDEX comments_live_ended;
