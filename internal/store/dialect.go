package store

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// This file holds what differs between SQLite and PostgreSQL beyond the
// migrations, the change feed and search: opening a PostgreSQL database,
// and the few SQL fragments and locks whose spelling or need differs.

// defaultPoolSize is how many connections one process opens to PostgreSQL
// unless the URL says otherwise (pool_max_conns=N).
const defaultPoolSize = 16

// openPostgres connects a pool to the database dsn names, migrates it and
// starts listening to the change feed.
func (s *Store) openPostgres(ctx context.Context, dsn string, cfg *gorm.Config) error {
	pcfg, poolSize, err := parsePostgres(dsn)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	db := stdlib.OpenDB(*pcfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		flagsAsIntegers(c.TypeMap())
		return nil
	}))
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	db.SetConnMaxIdleTime(5 * time.Minute)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: db}), cfg)
	if err != nil {
		db.Close()
		return fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	s.w, s.r, s.pg = g, g, true
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return err
	}
	if s.pgFeed, err = startPGFeed(ctx, s, pcfg); err != nil {
		s.Close()
		return fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	return nil
}

// parsePostgres reads a PostgreSQL URL: pgx's parameters, plus
// pool_max_conns (pgxpool's name for it) for the size of the pool.
func parsePostgres(dsn string) (*pgx.ConnConfig, int, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, 0, fmt.Errorf("database URL %s: %w", Redact(dsn), err)
	}
	q := u.Query()
	size := defaultPoolSize
	if v := q.Get("pool_max_conns"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 2 {
			return nil, 0, fmt.Errorf("database URL: pool_max_conns must be a whole number of at least 2, not %q", v)
		}
		q.Del("pool_max_conns")
	}
	if q.Get("application_name") == "" {
		q.Set("application_name", "replydesk")
	}
	u.RawQuery = q.Encode()
	pcfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, 0, fmt.Errorf("database URL %s: %w", Redact(dsn), err)
	}
	return pcfg, size, nil
}

// Redact hides the password of a database URL (for logs and errors); a
// SQLite path comes back as it is.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// flagsAsIntegers lets Go booleans be written to the 0/1 SMALLINT flag
// columns, as SQLite's driver writes them to its INTEGER ones, so that the
// store's SQL and row types are the same on both databases.
func flagsAsIntegers(m *pgtype.Map) {
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{wrapBool}, m.TryWrapEncodePlanFuncs...)
}

type flag bool

func (f flag) Int64Value() (pgtype.Int8, error) {
	if f {
		return pgtype.Int8{Int64: 1, Valid: true}, nil
	}
	return pgtype.Int8{Int64: 0, Valid: true}, nil
}

type flagPlan struct{ next pgtype.EncodePlan }

func (p *flagPlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *flagPlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(flag(value.(bool)), buf)
}

// wrapBool is consulted only when the column's own codec cannot take a Go
// bool (a BOOLEAN column takes it as it is).
func wrapBool(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	if b, ok := value.(bool); ok {
		return &flagPlan{}, flag(b), true
	}
	return nil, nil, false
}

// newHolder names this process in claims and leases.
func newHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = crand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Holder is how this store names itself in the claims and leases it takes.
func (s *Store) Holder() string { return s.holder }

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.pg }

// transaction runs f in one write transaction. On PostgreSQL a transaction
// that lost a deadlock or could not be serialised is run again, so f must
// be safe to repeat (it starts from what it reads in tx).
func (s *Store) transaction(ctx context.Context, f func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(f)
		if err == nil || !s.pg || attempt == 8 || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt) * time.Duration(1+mrand.IntN(5)) * time.Millisecond)
	}
}

// retryable reports a PostgreSQL error that running the transaction again
// resolves: a deadlock, or a serialisation failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// lock serialises, within a transaction, the transactions that read, decide
// and write the same thing (the first admin, say). SQLite's writes are
// serial already; PostgreSQL takes a transaction-level advisory lock.
func (s *Store) lock(tx *gorm.DB, name string) error {
	if !s.pg {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(15, hashtext(?))", name).Error
}

// lastInsertID reads, in the transaction that inserted it, the id of the
// row just inserted into a table whose key the database numbers.
func (s *Store) lastInsertID() string {
	if s.pg {
		return "SELECT lastval()"
	}
	return "SELECT last_insert_rowid()"
}

// forUpdate ends a SELECT whose rows the transaction goes on to change, so
// that no other transaction changes them in between (SQLite: serial already).
func (s *Store) forUpdate() string {
	if s.pg {
		return " FOR UPDATE"
	}
	return ""
}

// skipLocked ends a SELECT of work to claim: rows another transaction is
// claiming right now are left to it rather than waited for.
func (s *Store) skipLocked() string {
	if s.pg {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// likeOp is the case-insensitive LIKE (SQLite's LIKE ignores ASCII case).
func (s *Store) likeOp() string {
	if s.pg {
		return "ILIKE"
	}
	return "LIKE"
}

// rebind turns the "?" placeholders of SQL run on database/sql directly
// (not through GORM, which does it itself) into PostgreSQL's $1, $2, ...
func (s *Store) rebind(q string) string {
	if !s.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
