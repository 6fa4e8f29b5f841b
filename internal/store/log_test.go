package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLog_statementsWithoutValues: with every statement logged (debug
// level, and every statement "slow"), the log shows the SQL but none of the
// values bound to it: a session's CSRF token and id hash, a setting.
func TestLog_statementsWithoutValues(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"), store.Options{Logger: log, SlowQuery: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	uid := storetest.User(t, s, "fb-marker-0042", "Ava", "admin") // read back through Raw(...).Scan
	const csrf, hash, setting = "csrf-5b1f0c9e7a24d3aa", "sessionhash-77e1d0", "setting-value-91c3"
	now := time.Now()
	if err := s.CreateSession(ctx, identity.Session{IDHash: []byte(hash), UserID: uid, CSRF: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, []byte(hash)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", setting); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "SQL executed") || !strings.Contains(out, "INSERT INTO") {
		t.Fatalf("no statement was logged:\n%s", out)
	}
	for _, secret := range []string{csrf, hash, setting, "fb-marker-0042"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}
