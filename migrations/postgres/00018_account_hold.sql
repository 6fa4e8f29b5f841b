-- +goose Up
-- Accounts on hold, and Send API calls counted for Meta's hourly budget
-- (sqlite/00018_account_hold.sql).
ALTER TABLE accounts ADD COLUMN held_at        BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hold_cause     TEXT    NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN hold_reason    TEXT    NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN hold_advice    TEXT    NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN hold_code      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hold_subcode   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hold_probe_at  BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN refusal_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN resumed_at     BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN resumed_by     TEXT    NOT NULL DEFAULT '';

ALTER TABLE reply_attempts ADD COLUMN account_id TEXT     NOT NULL DEFAULT '';
ALTER TABLE reply_attempts ADD COLUMN counted    SMALLINT NOT NULL DEFAULT 0;
UPDATE reply_attempts a SET
    account_id = r.account_id,
    counted = CASE WHEN r.live = 0 AND (a.http_status <> 0 OR a.detail <> '') THEN 1 ELSE 0 END
    FROM replies r WHERE r.id = a.reply_id;
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
