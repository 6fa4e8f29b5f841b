// Package storetest builds real stores for tests: a fresh migrated database
// per test (SQLite, or PostgreSQL when REPLYDESK_TEST_POSTGRES is set; see
// testdb), plus builders for the rows tests need.
package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// New opens a migrated store on a database of its own, closed at cleanup.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, testdb.DSN(t))
}

// WithFeed opens a migrated store on a database of its own whose change
// feed goes to feed (a live.Memory, say), closed at cleanup.
func WithFeed(t testing.TB, feed store.Feed) *store.Store {
	t.Helper()
	return OpenWith(t, testdb.DSN(t), store.Options{Feed: feed})
}

// WithOptions opens a migrated store (testdb.DSN) with opt (a clock, a
// feed), closed at cleanup.
func WithOptions(t testing.TB, opt store.Options) *store.Store {
	t.Helper()
	return OpenWith(t, testdb.DSN(t), opt)
}

// Open opens (migrating) the store at dsn (testdb.DSN), closed at cleanup.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	return OpenWith(t, dsn, store.Options{})
}

// OpenWith is Open with options: a second store on the same PostgreSQL
// database stands for a second process.
func OpenWith(t testing.TB, dsn string, opt store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, opt)
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
		"connected_at": now, "updated_at": now, "subscribed": true,
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
	row := map[string]any{"user_id": userID, "account_id": accountID, "tasks": "MESSAGING", "can_reply": true, "checked_at": time.Now().UnixMilli()}
	if err := s.InsertFixture(context.Background(), "account_access", row); err != nil {
		t.Fatal(err)
	}
}

var seq atomic.Int64

// NewAccount returns a new, unsaved account with unique ids; connect it
// with Login.
func NewAccount(username string) account.Account {
	n := seq.Add(1)
	return account.Account{
		ID: fmt.Sprintf("17841%012d", n), Username: username, Name: username,
		PageID: fmt.Sprintf("1000%011d", n), PageName: username + " Page",
	}
}

// ReplyTasks are the Page tasks of someone who can reply and moderate.
func ReplyTasks() []string { return []string{"MESSAGING", "MODERATE"} }

// Login records a Facebook login (store.RecordLogin) of a new user with
// MESSAGING on every account given, connecting those accounts with a
// placeholder sealed token. As in production, the first such user becomes
// admin.
func Login(t testing.TB, s *store.Store, name string, accounts ...account.Account) identity.User {
	t.Helper()
	rec := store.LoginRecord{FacebookID: fmt.Sprintf("10%014d", seq.Add(1)), Name: name}
	for _, a := range accounts {
		rec.Grants = append(rec.Grants, store.Grant{Account: a, Tasks: ReplyTasks(), PageToken: []byte("sealed")})
	}
	u, err := s.RecordLogin(context.Background(), rec)
	if err != nil {
		t.Fatalf("storetest: login %s: %v", name, err)
	}
	return u
}
