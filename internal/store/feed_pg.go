package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// The change feed on PostgreSQL, where several processes write at once.
//
// Positions: every transaction that logs changes bumps the one row of
// feed_head as its last statement (logChangesPG). The row lock is held until
// that transaction commits, so the next transaction draws the next numbers
// only once the previous ones are visible: positions are dense and in commit
// order across every process, and a reader that sees position N sees every
// position below it. (A sequence alone is not enough: a transaction that
// drew 10 could commit after one that drew 11, and a stream that caught up
// to 11 would never see 10.)
//
// Publication: the same statement NOTIFYs channel replydesk_feed with the
// new positions and, when they fit in PostgreSQL's 8,000-byte payload, the
// changes themselves. NOTIFY is delivered at commit, to every process. Each
// process publishes to its hub, in position order, what it committed itself
// and what it hears from the others (pgFeed); when a position is missing
// (its notice was too big, still on its way, or the listening connection
// was down) it reads it from the changes table, where every position below
// a committed one is already committed.

const feedChannel = "replydesk_feed"

// maxPayload keeps a notice under PostgreSQL's 8,000-byte limit.
const maxPayload = 7900

// sqlLogChangesPG logs changes in one round trip: draw the positions, insert
// the rows, notify. $1 how many, $2 comment ids, $3 account ids, $4 the time,
// $5 the notice after its first position.
const sqlLogChangesPG = `WITH h AS (
	UPDATE feed_head SET position = position + $1 RETURNING position - $1 AS base
), ins AS (
	INSERT INTO changes (position, comment_id, account_id, at)
	SELECT h.base + t.ord, t.c, t.a, $4 FROM h, unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(c, a, ord)
), n AS (
	SELECT pg_notify('` + feedChannel + `', (h.base + 1)::text || $5) FROM h
)
SELECT h.base FROM h, n`

// logChangesPG records changes as the last statement of their transaction.
func (s *Store) logChangesPG(ctx context.Context, conn gorm.ConnPool, changed []inbox.Change) ([]inbox.Change, error) {
	cids := make([]string, len(changed))
	aids := make([]string, len(changed))
	for i, c := range changed {
		cids[i], aids[i] = c.CommentID, c.AccountID
	}
	var base int64
	err := conn.QueryRowContext(ctx, sqlLogChangesPG, len(changed), cids, aids, ms(s.now()), noticeTail(changed)).Scan(&base)
	if err != nil {
		return nil, fmt.Errorf("log changes: %w", err)
	}
	out := make([]inbox.Change, len(changed))
	for i, c := range changed {
		out[i] = inbox.Change{Position: base + 1 + int64(i), CommentID: c.CommentID, AccountID: c.AccountID}
	}
	return out, nil
}

// noticeTail is a notice after its first position: " <count>", then one line
// "<comment id> <account id>" per change when they all fit.
func noticeTail(changed []inbox.Change) string {
	head := " " + strconv.Itoa(len(changed))
	var b strings.Builder
	b.WriteString(head)
	for _, c := range changed {
		if strings.ContainsAny(c.CommentID+c.AccountID, " \n") || b.Len()+len(c.CommentID)+len(c.AccountID)+2 > maxPayload-20 {
			return head
		}
		b.WriteString("\n" + c.CommentID + " " + c.AccountID)
	}
	return b.String()
}

// parseNotice reads a notice: the positions it announces (first and last)
// and, when it carries them, the changes.
func parseNotice(payload string) (changes []inbox.Change, last int64, err error) {
	lines := strings.Split(payload, "\n")
	var first, n int64
	if _, err := fmt.Sscanf(lines[0], "%d %d", &first, &n); err != nil || n < 1 {
		return nil, 0, fmt.Errorf("change feed notice %q: not <first> <count>", lines[0])
	}
	last = first + n - 1
	if int64(len(lines)-1) != n {
		return nil, last, nil // too big to carry: read from the table
	}
	changes = make([]inbox.Change, n)
	for i, l := range lines[1:] {
		cid, aid, ok := strings.Cut(l, " ")
		if !ok {
			return nil, last, nil
		}
		changes[i] = inbox.Change{Position: first + int64(i), CommentID: cid, AccountID: aid}
	}
	return changes, last, nil
}

// pgFeed publishes one process's view of the change feed in position order.
type pgFeed struct {
	s    *Store
	mu   sync.Mutex
	head int64 // the newest position published
	stop context.CancelFunc
	done chan struct{}
}

// startPGFeed starts from the newest position and listens for the others'.
func startPGFeed(ctx context.Context, s *Store, cfg *pgx.ConnConfig) (*pgFeed, error) {
	f := &pgFeed{s: s, done: make(chan struct{})}
	if err := s.r.WithContext(ctx).Raw(`SELECT position FROM feed_head`).Scan(&f.head).Error; err != nil {
		return nil, fmt.Errorf("read the change feed's head: %w", err)
	}
	lcfg := cfg.Copy()
	lcfg.RuntimeParams["application_name"] += " listener" // told apart in pg_stat_activity
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, lcfg.Copy()) },
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				s.log.Warn("change feed: listening to other processes", "error", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	l.Handle(feedChannel, f)
	lctx, stop := context.WithCancel(context.Background())
	f.stop = stop
	go func() {
		defer close(f.done)
		l.Listen(lctx)
	}()
	return f, nil
}

func (f *pgFeed) close() {
	f.stop()
	<-f.done
}

// HandleNotification publishes what another process (or this one) committed.
func (f *pgFeed) HandleNotification(ctx context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	changes, last, err := parseNotice(n.Payload)
	if err != nil {
		return err
	}
	return f.deliver(ctx, changes, last)
}

// HandleBacklog publishes what was committed while nobody listened (at
// start, and after the connection was lost).
func (f *pgFeed) HandleBacklog(ctx context.Context, _ string, conn *pgx.Conn) error {
	var head int64
	if err := conn.QueryRow(ctx, `SELECT position FROM feed_head`).Scan(&head); err != nil {
		return err
	}
	return f.deliver(ctx, nil, head)
}

// committed publishes what this process just committed, without waiting for
// its notice: the caller then sees its change in the hub, as on SQLite.
func (f *pgFeed) committed(ctx context.Context, logged []inbox.Change) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := f.deliver(ctx, logged, logged[len(logged)-1].Position); err != nil {
		// The notice of this commit, or the next one, publishes it.
		f.s.log.Warn("change feed: publishing", "error", err)
	}
}

// deliver publishes every position up to last not yet published, in order:
// known holds some of them (the newest, contiguous); the others are read
// from the changes table.
func (f *pgFeed) deliver(ctx context.Context, known []inbox.Change, last int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if last <= f.head {
		return nil
	}
	from := last + 1 // the first position known holds
	if len(known) > 0 {
		from = known[0].Position
	}
	for f.head+1 < from {
		upTo := min(from-1, f.head+1000)
		var rows []inbox.Change
		err := f.s.r.WithContext(ctx).Raw(`SELECT position, comment_id, account_id FROM changes
			WHERE position > ? AND position <= ? ORDER BY position`, f.head, upTo).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("read changes %d to %d: %w", f.head+1, upTo, err)
		}
		if int64(len(rows)) < upTo-f.head {
			f.s.log.Warn("change feed: positions were pruned before this process published them",
				"from", f.head+1, "to", upTo, "found", len(rows))
		}
		f.s.feed.Publish(rows...)
		f.head = upTo
	}
	for len(known) > 0 && known[0].Position <= f.head {
		known = known[1:]
	}
	f.s.feed.Publish(known...)
	f.head = last
	return nil
}
