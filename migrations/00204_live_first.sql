-- +goose Up
-- (Numbered 204: issue 20, item 4; 00020 is the issue's first file.)
-- Live comments first (issue 20, item 4): while a broadcast runs, its open
-- comments sort above everything else, then by deadline. These indexes keep
-- that order a keyset walk: the views of open comments (all accounts, or
-- one), and "all", whose order key is the expression below.
CREATE INDEX comments_open_live_first ON comments (status, live DESC, deadline, id);
CREATE INDEX comments_account_live_first ON comments (account_id, status, live DESC, deadline, id);
CREATE INDEX comments_all_live_first ON comments ((live = 1 AND status = 'open') DESC, deadline, id);

-- +goose Down
DROP INDEX comments_all_live_first;
DROP INDEX comments_account_live_first;
DROP INDEX comments_open_live_first;
