// Package migrations holds the numbered goose SQL migrations, embedded into
// the binary and applied at start and by `replydesk migrate`: one folder per
// database, sqlite/ and postgres/, with the same version numbers. A feature's
// migration is written for SQLite and ported to PostgreSQL in the same change
// (postgres/00001_init.sql lists the conventions); TestDialects_sameVersions
// fails while one folder has a version the other lacks.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects are the folders, one per database.
var Dialects = []string{"sqlite", "postgres"}

// FS is one database's migrations ("sqlite" or "postgres").
func FS(dialect string) fs.FS {
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		panic(err) // a constant folder name; embed guarantees it exists
	}
	return sub
}
