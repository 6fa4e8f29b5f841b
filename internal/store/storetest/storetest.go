// Package storetest builds test data in a real SQLite store: a fresh
// database per test, users and connected accounts made through the same
// RecordLogin a Facebook login uses.
package storetest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/store"
)

// New opens a migrated store in the test's temporary directory.
func New(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "replydesk.db"), store.Options{})
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var seq atomic.Int64

// Account returns a new, unsaved account with unique ids; connect it with
// User.
func Account(username string) account.Account {
	n := seq.Add(1)
	return account.Account{
		ID: fmt.Sprintf("17841%012d", n), Username: username, Name: username,
		PageID: fmt.Sprintf("1000%011d", n), PageName: username + " Page",
	}
}

// Replier are the Page tasks of someone who can reply.
var Replier = []string{"MESSAGING", "MODERATE"}

// User logs a user in (RecordLogin) with MESSAGING on every account given,
// connecting those accounts with a placeholder sealed token. The first
// such user becomes admin, as in production.
func User(t testing.TB, s *store.Store, name string, accounts ...account.Account) account.User {
	t.Helper()
	rec := store.LoginRecord{FacebookID: fmt.Sprintf("10%014d", seq.Add(1)), Name: name}
	for _, a := range accounts {
		rec.Grants = append(rec.Grants, store.Grant{Account: a, Tasks: Replier, PageToken: []byte("sealed")})
	}
	u, err := s.RecordLogin(context.Background(), rec)
	if err != nil {
		t.Fatalf("storetest: user %s: %v", name, err)
	}
	return u
}
