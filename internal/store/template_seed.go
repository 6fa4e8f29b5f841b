package store

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/templates"
)

// templatesSeededKey is the setting that records the starter set was
// offered, so deleting every template does not bring it back at the next
// start.
const templatesSeededKey = "templates_seeded"

// SeedTemplates stores a starter set of already validated templates the
// first time it is called on a database whose template table is empty, and
// reports how many it stored. Later calls, and calls on a database that
// already has templates, store nothing.
func (s *Store) SeedTemplates(ctx context.Context, ins []templates.Input) (int, error) {
	now := ms(s.now())
	rows := make([]templateRow, len(ins))
	for i, in := range ins {
		rows[i] = templateRow{Name: in.Name, Body: in.Body, Shortcut: shortcutColumn(in.Shortcut), Folder: in.Folder, Public: in.Public, Position: i + 1,
			UpdatedByName: "Replydesk", CreatedAt: now, UpdatedAt: now}
	}
	stored := 0
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var seeded, existing int64
		if err := tx.Model(&settingRow{}).Where("key = ?", templatesSeededKey).Count(&seeded).Error; err != nil {
			return err
		}
		if err := tx.Model(&templateRow{}).Count(&existing).Error; err != nil {
			return err
		}
		if seeded > 0 {
			return nil
		}
		if existing == 0 && len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
			stored = len(rows)
		}
		return tx.Create(&settingRow{Key: templatesSeededKey, Value: strconv.Itoa(stored), UpdatedAt: now}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: seed templates: %w", err)
	}
	return stored, nil
}
