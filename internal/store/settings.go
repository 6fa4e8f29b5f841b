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

// BackfillKey is the setting that records when an account's comments were
// last read from the Graph API (RFC 3339); unset until the first backfill.
func BackfillKey(accountID string) string { return "backfill:" + accountID }

// FirstBackfillPending reports whether any of the accounts has never been
// backfilled yet: its recent comments are still being fetched.
func (s *Store) FirstBackfillPending(ctx context.Context, accountIDs []string) (bool, error) {
	if len(accountIDs) == 0 {
		return false, nil
	}
	keys := make([]string, len(accountIDs))
	for i, id := range accountIDs {
		keys[i] = BackfillKey(id)
	}
	var n int64
	if err := s.r.WithContext(ctx).Model(&settingRow{}).Where("key IN ?", keys).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: backfill settings: %w", err)
	}
	return int(n) < len(keys), nil
}
