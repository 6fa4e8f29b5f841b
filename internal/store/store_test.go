package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
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

// TestOpen_filesOwnerOnly: the database, its WAL and shared-memory files are
// 0600 and a directory Open creates is 0700, whatever the umask lets
// through; files an older version left 0644 are tightened.
func TestOpen_filesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which lets 0644 through
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "r.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", "v"); err != nil { // the WAL and SHM exist once written
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for p, mode := range want {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want %v", filepath.Base(p), fi.Mode().Perm(), err, mode)
		}
	}
	s.Close()

	// An existing database left readable by others.
	for _, p := range []string{path, path + "-wal"} {
		if err := os.WriteFile(p, nil, 0o644); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		os.Chmod(p, 0o644)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("reopened %s: %v %v, want 0600", filepath.Base(p), fi.Mode().Perm(), err)
		}
	}
}

func TestWithoutLiterals(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT * FROM `sessions` WHERE id_hash = ? LIMIT 1", "SELECT * FROM `sessions` WHERE id_hash = ? LIMIT ?"},
		{`INSERT INTO changes (comment_id, at) VALUES ("1790", 1796141140859) RETURNING position`, `INSERT INTO changes (comment_id, at) VALUES (?, ?) RETURNING position`},
		{`SELECT c.* FROM comments c WHERE c.id = "a""b" AND user_id = 2 AND status = 'open'`, `SELECT c.* FROM comments c WHERE c.id = ? AND user_id = ? AND status = ?`},
		{`UPDATE t SET v = 'it''s', w = -3.5e2, x2 = X'00ff' WHERE id IN (1,2)`, `UPDATE t SET v = ?, w = -?, x2 = X? WHERE id IN (?,?)`},
		{"SELECT `a\"b` FROM t1 WHERE k = \"unterminated", "SELECT `a\"b` FROM t1 WHERE k = ?"},
		{"SELECT `unterminated", "SELECT `unterminated"},
	}
	for _, tc := range cases {
		if got := withoutLiterals(tc.in); got != tc.want {
			t.Errorf("withoutLiterals(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
