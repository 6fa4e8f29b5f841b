-- +goose Up
-- Live comments whose broadcast ended, by account and when (issue 16;
-- numbered 218 for it): the inbox counts those of the last minutes on
-- every page, and without this index SQLite walked every expired comment
-- of the accounts, which grows by every comment nobody answered. No
-- comment arrives expired, so webhooks never write to it.
CREATE INDEX comments_live_ended ON comments (account_id, status_at) WHERE live = 1 AND status = 'expired';

-- +goose Down
DROP INDEX comments_live_ended;
