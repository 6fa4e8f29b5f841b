-- +goose Up
-- An account whose replies Meta stopped at the Page level (or refused too
-- often without saying why) is put on hold: its queued replies wait, none is
-- failed, until an admin resumes it or a probe send succeeds.
ALTER TABLE accounts ADD COLUMN held_at        INTEGER NOT NULL DEFAULT 0;  -- unix ms, 0 = sending
ALTER TABLE accounts ADD COLUMN hold_cause     TEXT    NOT NULL DEFAULT ''; -- refused | breaker
ALTER TABLE accounts ADD COLUMN hold_reason    TEXT    NOT NULL DEFAULT ''; -- plain words
ALTER TABLE accounts ADD COLUMN hold_advice    TEXT    NOT NULL DEFAULT ''; -- plain words: what to do
ALTER TABLE accounts ADD COLUMN hold_code      INTEGER NOT NULL DEFAULT 0;  -- Meta's error code
ALTER TABLE accounts ADD COLUMN hold_subcode   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hold_probe_at  INTEGER NOT NULL DEFAULT 0;  -- when one reply may test the hold
ALTER TABLE accounts ADD COLUMN refusal_streak INTEGER NOT NULL DEFAULT 0;  -- unexplained refusals in a row
ALTER TABLE accounts ADD COLUMN resumed_at     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN resumed_by     TEXT    NOT NULL DEFAULT ''; -- a person's name, probe or check

-- Meta's hourly private-reply budget counts Send API calls, failed or not:
-- each attempt that called it (outside Live) is counted for its account.
ALTER TABLE reply_attempts ADD COLUMN account_id TEXT    NOT NULL DEFAULT '';
ALTER TABLE reply_attempts ADD COLUMN counted    INTEGER NOT NULL DEFAULT 0;
UPDATE reply_attempts SET
    account_id = COALESCE((SELECT r.account_id FROM replies r WHERE r.id = reply_attempts.reply_id), ''),
    counted = COALESCE((SELECT r.live = 0 FROM replies r WHERE r.id = reply_attempts.reply_id), 0)
        AND (http_status <> 0 OR detail <> '');
CREATE INDEX reply_attempts_budget ON reply_attempts (account_id, at) WHERE counted = 1;

-- +goose Down
DROP INDEX reply_attempts_budget;
ALTER TABLE reply_attempts DROP COLUMN counted;
ALTER TABLE reply_attempts DROP COLUMN account_id;
ALTER TABLE accounts DROP COLUMN resumed_by;
ALTER TABLE accounts DROP COLUMN resumed_at;
ALTER TABLE accounts DROP COLUMN refusal_streak;
ALTER TABLE accounts DROP COLUMN hold_probe_at;
ALTER TABLE accounts DROP COLUMN hold_subcode;
ALTER TABLE accounts DROP COLUMN hold_code;
ALTER TABLE accounts DROP COLUMN hold_advice;
ALTER TABLE accounts DROP COLUMN hold_reason;
ALTER TABLE accounts DROP COLUMN hold_cause;
ALTER TABLE accounts DROP COLUMN held_at;
