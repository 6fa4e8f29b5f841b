// Package store keeps Replydesk's data in SQLite through GORM. Schema comes
// only from the goose migrations in /migrations; nothing here auto-migrates.
// It is also the only publisher of the change feed (changes.go): every write
// that changes what someone may see about a comment logs the change in its
// transaction and publishes it once committed.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/replydesk/replydesk/migrations"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrInUse is returned when a record cannot be deleted because another
// refers to it (a template a rule uses).
var ErrInUse = errors.New("store: in use")

// Conflict is a write refused by a uniqueness rule: Column is the value
// already taken, and Holder names the record holding it ("" if unknown).
type Conflict struct {
	Column, Holder string
	Err            error
}

func (c *Conflict) Error() string { return "store: " + c.Column + " already taken" }

func (c *Conflict) Unwrap() error { return c.Err }

// Store is the database: SQLite (the embedded default) or PostgreSQL (a URL
// in REPLYDESK_DATABASE, for several processes sharing one database). The
// two differ in few places, each named after its dialect: how they open
// (here), how the change feed numbers and publishes changes (changes.go,
// feed_pg.go), search (search.go) and the small SQL fragments of dialect.go.
// Everything else is one SQL that both run: flags are 0/1 integers on both,
// times unix milliseconds, placeholders "?".
//
// SQLite allows one writer at a time, so writes go through a single
// connection whose transactions BEGIN IMMEDIATE (a deferred BEGIN that
// upgrades from read to write fails with "database is locked" in WAL mode,
// and the busy handler does not retry it). Reads use a pool of query-only
// connections, which WAL lets run beside the writer. On PostgreSQL, reads
// and writes share one pool, transactions run at READ COMMITTED and the few
// that read, decide and write take a lock first (lock, forUpdate).
type Store struct {
	w      *gorm.DB // SQLite: the one writer connection; PostgreSQL: the pool
	r      *gorm.DB // SQLite: the reader pool; PostgreSQL: the same pool
	pg     bool     // PostgreSQL, else SQLite
	holder string   // names this process in claims and leases
	now    func() time.Time
	log    *slog.Logger
	feed   Feed       // hears every committed change to a comment
	wmu    sync.Mutex // SQLite: held from BEGIN to publication by writes that change comments
	pgFeed *pgFeed    // PostgreSQL: publishes the feed in position order (feed_pg.go)

	ingest preparedIngest // the webhook hot path's statements (ingest_stmts.go)
	chk    *checkpointer  // moves the write-ahead log into the database (checkpoint.go)
}

// Options tune Open; the zero value is fine.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	Feed   Feed // the live hub; nil publishes nowhere
	// SlowQuery is the duration above which a statement is logged as slow
	// (default 200ms).
	SlowQuery time.Duration
}

// IsPostgres reports whether a REPLYDESK_DATABASE value names a PostgreSQL
// database (a postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database and applies every pending migration: the SQLite
// file at dsn (created when missing), or the PostgreSQL database dsn names.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Feed == nil {
		opt.Feed = noFeed{}
	}
	if opt.SlowQuery <= 0 {
		opt.SlowQuery = 200 * time.Millisecond
	}
	s := &Store{now: opt.Now, log: opt.Logger, feed: opt.Feed, holder: newHolder()}
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return opt.Now().UTC() },
		Logger:                 newGormLogger(opt.Logger, opt.SlowQuery, IsPostgres(dsn)),
	}
	open := s.openSQLite
	if IsPostgres(dsn) {
		open = s.openPostgres
	}
	if err := open(ctx, dsn, cfg); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string, cfg *gorm.Config) error {
	if err := CheckSQLite(ctx); err != nil {
		return err
	}
	if err := ownerOnly(path); err != nil {
		return err
	}
	registerDriver.Do(func() {
		sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA temp_store = MEMORY", nil)
			return err
		}})
	})
	w, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: driverName, DSN: dsn(path, false)}), cfg)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	wdb, _ := w.DB()
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	s.w = w
	if err := wdb.PingContext(ctx); err != nil {
		s.Close()
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return err
	}
	r, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: driverName, DSN: dsn(path, true)}), cfg)
	if err != nil {
		s.Close()
		return fmt.Errorf("store: open readers %s: %w", path, err)
	}
	rdb, _ := r.DB()
	n := max(4, runtime.GOMAXPROCS(0)*2)
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s.r = r
	// The writer's own checkpoints are only a safety net (checkpoint.go).
	if err := wdb.PingContext(ctx); err == nil {
		_, err = wdb.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerAutoCheckpoint))
	}
	if err := s.startCheckpointer(path); err != nil {
		s.Close()
		return err
	}
	return nil
}

// driverName is mattn's SQLite driver with what its DSN cannot say:
// temp_store = MEMORY. Every write that fires a trigger or may touch several
// rows opens a statement journal, and SQLite keeps those (and sorts that
// spill) in temporary files by default: a file's creation, writes and
// deletion per statement, the largest cost of a webhook commit.
const driverName = "sqlite3_replydesk"

// registerDriver registers driverName once per process.
var registerDriver sync.Once

// ownerOnly makes sure the database (sessions, encrypted tokens) is for
// this user's eyes only: a missing directory is created 0700, and the
// database file is created 0600 before SQLite opens it, so that its WAL and
// shared-memory files, which SQLite creates with the database's mode, are
// 0600 too. Files an older version left readable by others are tightened.
func ownerOnly(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: create directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return fmt.Errorf("store: make %s private: %w", p, err)
		}
	}
	return nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL") // durable across app crashes; WAL fsyncs at checkpoints
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", "-16000") // 16 MB page cache per connection
	if readOnly {
		q.Set("_query_only", "true")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	sqlDB, err := s.w.DB()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	// Features are numbered by the issue that brought them (00011 for issue
	// 11, say), so a migration may land after a higher-numbered one: apply
	// the missing ones rather than refuse.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect, files := goose.DialectSQLite3, migrations.FS("sqlite")
	if s.pg {
		dialect, files = goose.DialectPostgres, migrations.FS("postgres")
		// Processes starting together migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, files, opts...)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range res {
		s.log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration)
	}
	return nil
}

// Version reports the newest applied migration.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.WithContext(ctx).Raw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v).Error
	if err != nil {
		return 0, fmt.Errorf("store: version: %w", err)
	}
	return v, nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close checkpoints the write-ahead log (SQLite), stops listening to the
// change feed (PostgreSQL) and closes every connection.
func (s *Store) Close() error {
	var errs []error
	if s.pgFeed != nil {
		s.pgFeed.close()
	}
	if s.r != nil && s.r != s.w {
		if db, err := s.r.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	errs = append(errs, s.chk.close())
	s.wmu.Lock()
	s.ingest.close()
	s.wmu.Unlock()
	if s.w != nil {
		if !s.pg {
			s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		if db, err := s.w.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// ms converts a time to the unix milliseconds stored in INTEGER columns.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts stored unix milliseconds back to a UTC time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// newGormLogger logs slow and failed statements (and, at debug level, every
// statement) as SQL with its placeholders, never with the values bound to
// them: those are session ids, CSRF tokens, sealed Page tokens, comment
// text.
func newGormLogger(l *slog.Logger, slow time.Duration, pg bool) logger.Interface {
	level := logger.Warn
	if l.Enabled(context.Background(), slog.LevelDebug) {
		level = logger.Info
	}
	return sqlLogger{logger.NewSlogLogger(l, logger.Config{
		SlowThreshold:             slow,
		LogLevel:                  level,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	}), pg}
}

// sqlLogger is GORM's logger with the literals taken out of every logged
// statement. ParameterizedQueries alone is not enough: GORM's Scan records
// the statement with its values written in, and logs that.
type sqlLogger struct {
	logger.Interface
	pg bool // PostgreSQL: "quoted" names and $1 placeholders are kept
}

func (l sqlLogger) LogMode(level logger.LogLevel) logger.Interface {
	return sqlLogger{l.Interface.LogMode(level), l.pg}
}

func (l sqlLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	l.Interface.Trace(ctx, begin, func() (string, int64) {
		sql, rows := fc()
		return withoutLiteralsIn(sql, l.pg), rows
	}, err)
}

// ParamsFilter keeps the values out of the statements GORM explains.
func (l sqlLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// withoutLiterals replaces the string, blob and number literals of a SQL
// statement with ?, keeping its words, `quoted` names and placeholders.
func withoutLiterals(sql string) string { return withoutLiteralsIn(sql, false) }

// withoutLiteralsIn is withoutLiterals for SQLite, or for PostgreSQL (pg),
// where "double quotes" name a table or column and $1 is a placeholder.
func withoutLiteralsIn(sql string, pg bool) string {
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case pg && c == '"':
			end := len(sql)
			if j := strings.IndexByte(sql[i+1:], '"'); j >= 0 {
				end = i + j + 2
			}
			b.WriteString(sql[i:end])
			i = end
		case pg && c == '$':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			b.WriteString(sql[i:j])
			i = j
		case c == '\'' || c == '"':
			// A quoted literal; a doubled quote stays inside it.
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteByte('?')
			i = j + 1
		case c >= '0' && c <= '9' && (i == 0 || !wordByte(sql[i-1])):
			j := i
			for j < len(sql) && (wordByte(sql[j]) || sql[j] == '.') {
				j++
			}
			b.WriteByte('?')
			i = j
		case c == '`':
			end := len(sql)
			if j := strings.IndexByte(sql[i+1:], '`'); j >= 0 {
				end = i + j + 2
			}
			b.WriteString(sql[i:end])
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func wordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
