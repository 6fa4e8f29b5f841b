-- +goose Up
-- The templates' order in the reply box (sqlite/00120_template_positions.sql):
-- existing templates keep the order the reply box showed them in (most used
-- first).
ALTER TABLE templates ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE templates SET position = o.n FROM
    (SELECT id, ROW_NUMBER() OVER (ORDER BY use_count DESC, lower(name), id) AS n FROM templates) AS o
    WHERE o.id = templates.id;

-- +goose Down
ALTER TABLE templates DROP COLUMN position;
