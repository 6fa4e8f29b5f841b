-- +goose Up
-- (Numbered 120: issue 20's second migration; goose needs a number of its own.)
-- The templates' order in the reply box, set by admins (issue 20): keys
-- 1–9 pick the first nine private templates in this order, and usage never
-- changes it. Existing templates keep the order the reply box showed them
-- in until now (most used first), so the keys people learned stay put.
ALTER TABLE templates ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE templates SET position = (
    SELECT o.n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY use_count DESC, name, id) AS n FROM templates) o
    WHERE o.id = templates.id);

-- +goose Down
ALTER TABLE templates DROP COLUMN position;
