package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite copies its write-ahead log back into the database file in a
// checkpoint, which ends in two fsyncs. By default the connection whose
// commit crosses 1,000 logged pages does it, inside that commit: with
// webhooks streaming in, the group commit stalled on a checkpoint several
// times a second, and every delivery waiting on it with it. A checkpointer
// of its own does it in the background instead (PASSIVE: it never blocks
// the writer or readers); the writer checkpoints itself only past a safety
// net, should the background fall behind.
//
// PASSIVE does not block the writer, but its fsyncs can: on ext4 a commit's
// log write that meets a checkpoint's fsync waits for the fsync (the
// journal commit it forces flushes the log's data too). A stalled commit
// measured 15–43 ms with a checkpoint every 200 ms and up to 100 ms every
// second, so it is checkpointed often and small: every 50 ms, stalls stay
// under 18 ms, and ingest's p99 under 32 clients fell from 26–34 ms to
// about 19 ms (issue 16's bench). Once a commit wrote half the pages
// (migration 00216), every 25 ms did better again: p99 13.6–14.2 ms
// against 14.0–15.6 ms at 50 and 15.2–18.0 ms at 100 (5 rounds each, twice).

const (
	checkpointEvery      = 25 * time.Millisecond
	writerAutoCheckpoint = 10_000 // pages (40 MB of log)
)

// checkpointer runs PASSIVE checkpoints on a connection of its own while
// the writer has committed since the last one.
type checkpointer struct {
	db    *sql.DB
	dirty atomic.Bool
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once // close may be called again (Store.Close is idempotent)
}

// startCheckpointer opens the checkpointer's connection to the database at
// path and starts it.
func (s *Store) startCheckpointer(path string) error {
	db, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return fmt.Errorf("store: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	s.chk = c
	go c.run(s)
	return nil
}

func (c *checkpointer) run(s *Store) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if !c.dirty.Swap(false) {
			continue
		}
		if _, err := c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			s.log.Warn("background checkpoint failed; the writer will checkpoint", "error", err)
		}
	}
}

// wrote notes that the writer committed.
func (c *checkpointer) wrote() {
	if c != nil {
		c.dirty.Store(true)
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.db.Close()
	})
	return err
}
