// Package storetest builds real SQLite stores for tests: a fresh migrated
// database per test, plus builders for the rows tests need.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store"
)

// New opens a migrated store in a temporary directory, closed at cleanup.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, filepath.Join(t.TempDir(), "replydesk.db"))
}

// Open opens (migrating) the store at path, closed at cleanup.
func Open(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Account inserts a connected Instagram account with its Page. sealedToken
// may be nil when the test makes no Graph calls with it.
func Account(t testing.TB, s *store.Store, igID, pageID, username string, sealedToken []byte) {
	t.Helper()
	now := time.Now().UnixMilli()
	row := map[string]any{
		"id": igID, "username": username, "page_id": pageID, "page_name": username + " Page",
		"connected_at": now, "updated_at": now, "subscribed": 1,
	}
	if sealedToken != nil {
		row["page_token"] = sealedToken
	}
	if err := s.InsertFixture(context.Background(), "accounts", row); err != nil {
		t.Fatal(err)
	}
}

// User inserts a user and returns their id.
func User(t testing.TB, s *store.Store, facebookID, name, role string) int64 {
	t.Helper()
	row := map[string]any{"facebook_id": facebookID, "name": name, "role": role, "created_at": time.Now().UnixMilli()}
	if err := s.InsertFixture(context.Background(), "users", row); err != nil {
		t.Fatal(err)
	}
	id, err := s.UserIDByFacebookID(context.Background(), facebookID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Grant gives a user reply access to an account.
func Grant(t testing.TB, s *store.Store, userID int64, accountID string) {
	t.Helper()
	row := map[string]any{"user_id": userID, "account_id": accountID, "tasks": "MESSAGING", "can_reply": 1, "checked_at": time.Now().UnixMilli()}
	if err := s.InsertFixture(context.Background(), "account_access", row); err != nil {
		t.Fatal(err)
	}
}
