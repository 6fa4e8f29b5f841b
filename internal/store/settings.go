package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type settingRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt int64
}

func (settingRow) TableName() string { return "settings" }

// Setting reads an instance-wide setting; ErrNotFound when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var row settingRow
	err := s.r.WithContext(ctx).Take(&row, "key = ?", key).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return "", ErrNotFound
	case err != nil:
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return row.Value, nil
}

// SetSetting writes an instance-wide setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	row := settingRow{Key: key, Value: value, UpdatedAt: ms(s.now())}
	err := s.w.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", key, err)
	}
	return nil
}
