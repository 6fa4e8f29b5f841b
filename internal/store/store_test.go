package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/store/testdb"
)

func TestOpen_migratedAndWritable(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t)
	if !testdb.Postgres() {
		dsn = filepath.Join(t.TempDir(), "nested", "dir", "r.db")
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Postgres() != testdb.Postgres() {
		t.Fatalf("%s opened as postgres=%v", Redact(dsn), s.Postgres())
	}
	if s.pg {
		var trgm, unaccent bool
		s.r.Raw("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").Scan(&trgm)
		s.r.Raw("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')").Scan(&unaccent)
		if !trgm || !unaccent {
			t.Errorf("extensions: pg_trgm %v, unaccent %v", trgm, unaccent)
		}
	} else {
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
		// Readers are query-only.
		if err := s.r.Exec("INSERT INTO settings(key, value, updated_at) VALUES ('x','y',0)").Error; err == nil {
			t.Error("a reader connection could write")
		}
	}
	if v, err := s.Version(ctx); err != nil || v < 15 {
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
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpen_reopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t)
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetSetting(ctx, "k", "kept")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Setting(ctx, "k"); v != "kept" {
		t.Errorf("after reopen: %q", v)
	}
}

func TestOpen_badPostgresURLNamesNoPassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://ava:s3cret@127.0.0.1:1/replydesk?connect_timeout=1", Options{})
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	if got := err.Error(); !strings.Contains(got, "127.0.0.1:1") || strings.Contains(got, "s3cret") {
		t.Errorf("error %q: want the address without the password", got)
	}
}
