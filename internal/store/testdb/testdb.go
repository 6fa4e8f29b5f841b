// Package testdb gives each test a database of its own, of the kind the
// environment asks for: a SQLite file in the test's temporary directory by
// default, or, when REPLYDESK_TEST_POSTGRES names a PostgreSQL server (a
// URL whose user may create databases), a new database on that server,
// copied from a migrated template and dropped when the test ends. Storage
// and end-to-end tests take their database from here, so `make test` runs
// them against both (Makefile).
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"

	"github.com/replydesk/replydesk/migrations"
)

// EnvVar names the PostgreSQL server tests use instead of SQLite.
const EnvVar = "REPLYDESK_TEST_POSTGRES"

// Postgres reports whether tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(EnvVar) != "" }

// Dialect is "postgres" or "sqlite", for test names and messages.
func Dialect() string {
	if Postgres() {
		return "postgres"
	}
	return "sqlite"
}

// DSN is a new, empty database for t, as REPLYDESK_DATABASE takes it: a
// file path (the file does not exist yet) or a PostgreSQL URL (already
// migrated).
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "data", "replydesk.db")
	}
	return NewPostgres(t)
}

// SkipUnlessPostgres skips a test that needs several processes sharing one
// database.
func SkipUnlessPostgres(t testing.TB) {
	t.Helper()
	if !Postgres() {
		t.Skip("needs PostgreSQL: set " + EnvVar + " (make test does when PostgreSQL is installed)")
	}
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// NewPostgres creates a database on the REPLYDESK_TEST_POSTGRES server,
// dropped when t ends, and answers its URL.
func NewPostgres(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvVar)
	if server == "" {
		t.Fatalf("testdb: %s is not set", EnvVar)
	}
	tplOnce.Do(func() { tplName, tplErr = template(server) })
	if tplErr != nil {
		t.Fatalf("testdb: %v", tplErr)
	}
	name, err := next(server)
	if err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() {
		// Dropping takes a while and nothing waits for it: in the
		// background (what a finished test process leaves, sweep removes).
		go func() {
			if admin, err := sql.Open("pgx", server); err == nil {
				admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
				admin.Close()
			}
		}()
	})
	return withDatabase(server, name)
}

// Copying the template takes a good part of a second on a busy machine, so
// the next test's database is made while this test runs.
var (
	aheadMu sync.Mutex
	ahead   chan made // the database made ahead, when one is being made
)

type made struct {
	name string
	err  error
}

// next answers a new database: the one made ahead if any, and starts
// making the one after.
func next(server string) (string, error) {
	aheadMu.Lock()
	ready := ahead
	ahead = make(chan made, 1)
	pending := ahead
	aheadMu.Unlock()
	go func() { n, err := create(server); pending <- made{n, err} }()
	if ready != nil {
		if m := <-ready; m.err == nil {
			return m.name, nil
		}
	}
	return create(server)
}

// create copies the template into a new database and answers its name,
// which carries its creation time, so that a later run can sweep what a
// killed run left behind (sweep).
func create(server string) (string, error) {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	b := make([]byte, 4)
	rand.Read(b)
	name := fmt.Sprintf("rdt_%d_%s", time.Now().Unix(), hex.EncodeToString(b))
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tplName); err != nil {
		return "", err
	}
	return name, nil
}

// sweep drops the test databases created over an hour ago.
func sweep(ctx context.Context, conn *sql.Conn) {
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'rdt\_%\_%' AND datname NOT LIKE 'rdt\_template\_%'`)
	if err != nil {
		return
	}
	var old []string
	for rows.Next() {
		var name string
		var at int64
		if rows.Scan(&name) == nil {
			if _, err := fmt.Sscanf(name, "rdt_%d_", &at); err == nil && time.Since(time.Unix(at, 0)) > time.Hour {
				old = append(old, name)
			}
		}
	}
	rows.Close()
	for _, name := range old {
		conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
}

// withDatabase is server's URL naming database name instead.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

// template makes sure a database migrated with the current migrations
// exists to copy from, creating it the first time (under a server-wide lock:
// test binaries of several packages start at once), and answers its name.
func template(server string) (string, error) {
	sum := sha256.New()
	files := migrations.FS("postgres")
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		fmt.Fprintf(sum, "%s\x00%s\x00", path, b)
		return err
	})
	if err != nil {
		return "", err
	}
	name := "rdt_template_" + hex.EncodeToString(sum.Sum(nil)[:6])
	ctx := context.Background()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", EnvVar, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(15, 1)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(15, 1)`)
	sweep(ctx, conn)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name+`_new`); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("pgx", withDatabase(server, name+"_new"))
	if err != nil {
		return "", err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithAllowOutofOrder(true))
	if err == nil {
		_, err = p.Up(ctx)
	}
	db.Close()
	if err != nil {
		conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+`_new WITH (FORCE)`)
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renamed once complete, so a failed run leaves no half-made template.
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+name+`_new RENAME TO `+name); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}
