package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

func TestOpen_walMigratedAndWritable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "r.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	s.r.Raw("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var fk int
	s.w.Raw("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Error("foreign keys are off")
	}
	for name, db := range map[string]*gorm.DB{"writer": s.w, "reader": s.r} {
		var temp int
		db.Raw("PRAGMA temp_store").Scan(&temp)
		if temp != 2 {
			t.Errorf("%s: temp_store = %d, want 2 (memory: statement journals stay off the disk)", name, temp)
		}
	}
	if v, err := s.Version(ctx); err != nil || v < 1 {
		t.Errorf("version = %d, %v", v, err)
	}
	if _, err := s.Setting(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing setting: %v, want ErrNotFound", err)
	}
	if err := s.SetSetting(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", "v2"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting(ctx, "k"); err != nil || v != "v2" {
		t.Errorf("setting = %q, %v", v, err)
	}
	// Readers are query-only.
	if err := s.r.Exec("INSERT INTO settings(key, value, updated_at) VALUES ('x','y',0)").Error; err == nil {
		t.Error("a reader connection could write")
	}
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpen_reopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetSetting(ctx, "k", "kept")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Setting(ctx, "k"); v != "kept" {
		t.Errorf("after reopen: %q", v)
	}
}
