package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "gorm.io/driver/sqlite" // registers the "sqlite3" driver (mattn/go-sqlite3)
)

// ErrNoFTS5 means the binary's SQLite lacks the FTS5 module that inbox
// search (and a migration) needs: it was built without the sqlite_fts5 tag.
var ErrNoFTS5 = errors.New("this binary was built without SQLite's FTS5 module, which inbox search needs: " +
	"build it with `make build` (or `go build -tags sqlite_fts5 ./cmd/replydesk`)")

// CheckSQLite makes sure the SQLite compiled into this binary has what
// Replydesk needs, on a private in-memory database, so that a binary built
// without the tag says so at start instead of failing half-way through a
// migration of the real one.
func CheckSQLite(ctx context.Context) error {
	db, err := sql.Open("sqlite3", "file::memory:?mode=memory")
	if err != nil {
		return fmt.Errorf("store: sqlite: %w", err)
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize = 'trigram')")
	switch {
	case err != nil && strings.Contains(err.Error(), "no such module: fts5"):
		return ErrNoFTS5
	case err != nil:
		return fmt.Errorf("store: sqlite: %w", err)
	}
	return nil
}
