package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func TestRecordLogin_accessFollowsTasksAndFirstReplierIsAdmin(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	coffee, outdoor := storetest.NewAccount("acme.coffee"), storetest.NewAccount("acme.outdoor")
	// Dana has a role on coffee without MESSAGING: she connects nothing and
	// does not become admin, even though she logs in first.
	dana, err := s.RecordLogin(ctx, store.LoginRecord{FacebookID: "dana", Name: "Dana",
		Grants: []store.Grant{{Account: coffee, Tasks: []string{"ANALYZE"}, PageToken: []byte("d")}}})
	if err != nil || dana.IsAdmin() {
		t.Fatalf("dana = %+v, %v", dana, err)
	}
	if accts, _ := s.ConnectedAccounts(ctx); len(accts) != 0 {
		t.Fatalf("dana connected %v", accts)
	}
	ava := storetest.Login(t, s, "Ava", coffee, outdoor)
	ben := storetest.Login(t, s, "Ben", outdoor)
	if !ava.IsAdmin() || ben.IsAdmin() {
		t.Errorf("roles: ava %s, ben %s", ava.Role, ben.Role)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, ben.ID); !slices.Equal(ids, []string{outdoor.ID}) {
		t.Errorf("ben ids = %v", ids)
	}
	if got, _ := s.AccountsForUser(ctx, ava.ID); len(got) != 2 || got[0].Username != "acme.coffee" || got[0].TokenState != account.TokenOK {
		t.Errorf("ava accounts = %+v", got)
	}
	if _, err := s.AccountForUser(ctx, ben.ID, coffee.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ben reads coffee: %v", err)
	}
	if a, err := s.AccountForUser(ctx, ben.ID, outdoor.ID); err != nil || a.ID != outdoor.ID {
		t.Errorf("ben reads outdoor: %+v %v", a, err)
	}
	// Dana logs in again now that coffee is connected: a row without reply.
	if _, err := s.RecordLogin(ctx, store.LoginRecord{FacebookID: "dana", Name: "Dana",
		Grants: []store.Grant{{Account: coffee, Tasks: []string{"ANALYZE"}}}}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, dana.ID); len(ids) != 0 {
		t.Errorf("dana ids = %v", ids)
	}
	list, err := s.AccessList(ctx)
	if err != nil || len(list) != 4 {
		t.Fatalf("access list = %+v, %v", list, err)
	}
	for _, a := range list {
		wantReply := a.UserName != "Dana"
		if a.UserID == 0 || a.AccountID == "" || len(a.Tasks) == 0 || a.CanReply != wantReply || a.CheckedAt.IsZero() {
			t.Errorf("access row = %+v", a)
		}
	}
	// Ben loses his role: the next login removes his access.
	if _, err := s.RecordLogin(ctx, store.LoginRecord{FacebookID: benFB(t, s, ben.ID), Name: "Ben"}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, ben.ID); len(ids) != 0 {
		t.Errorf("ben after losing his role = %v", ids)
	}
}

func benFB(t *testing.T, s *store.Store, id int64) string {
	u, err := s.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.FacebookID
}

func TestRecordLogin_simultaneousFirstLoginsMakeOneAdmin(t *testing.T) {
	s := storetest.New(t)
	a := storetest.NewAccount("acme.coffee")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			storetest.Login(t, s, string(rune('A'+i)), a)
		})
	}
	wg.Wait()
	users, _ := s.Users(context.Background())
	admins := 0
	for _, u := range users {
		if u.IsAdmin() {
			admins++
		}
	}
	if len(users) != 4 || admins != 1 {
		t.Errorf("%d users, %d admins", len(users), admins)
	}
}

func TestSetRole_lastAdminStays(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := storetest.NewAccount("acme.coffee")
	ava, ben := storetest.Login(t, s, "Ava", a), storetest.Login(t, s, "Ben", a)
	if err := s.SetRole(ctx, ava.ID, identity.RoleAgent); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demoting the last admin: %v", err)
	}
	if err := s.SetRole(ctx, ben.ID, identity.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, ava.ID, identity.RoleAgent); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
	if err := s.SetRole(ctx, 999, identity.RoleAdmin); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if users, _ := s.Users(ctx); users[0].Name != "Ben" || users[0].Role != identity.RoleAdmin {
		t.Errorf("users = %+v", users)
	}
}

func TestAccountState_tokenSubscriptionWebhook(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := storetest.NewAccount("acme.coffee")
	storetest.Login(t, s, "Ava", a)
	tok, err := s.SealedPageToken(ctx, a.ID)
	if err != nil || tok.PageID != a.PageID || string(tok.Sealed) != "sealed" || tok.TokenState != account.TokenOK {
		t.Fatalf("token = %+v, %v", tok, err)
	}
	if changed, err := s.MarkTokenFailed(ctx, a.ID, "revoked"); !changed || err != nil {
		t.Errorf("mark failed: %v %v", changed, err)
	}
	if changed, err := s.MarkTokenFailed(ctx, a.ID, "again"); changed || err != nil {
		t.Errorf("mark failed twice: %v %v", changed, err)
	}
	if _, err := s.MarkTokenFailed(ctx, "nope", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	if err := s.SetSubscription(ctx, a.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Account(ctx, a.ID)
	if !got.NeedsReconnect() || got.TokenError != "revoked" || !got.Subscribed || got.CheckedAt.IsZero() {
		t.Errorf("account = %+v", got)
	}
	// A new login refreshes the token and clears needs_reconnect.
	storetest.Login(t, s, "Ava again", a)
	if got, _ := s.Account(ctx, a.ID); got.NeedsReconnect() || got.TokenError != "" || !got.Subscribed {
		t.Errorf("after reconnect = %+v", got)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	u := storetest.Login(t, s, "Ava")
	now := time.Now().UTC().Truncate(time.Millisecond)
	sess := identity.Session{IDHash: []byte("hash-1"), UserID: u.ID, CSRF: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, []byte("hash-1"))
	if err != nil || got.UserID != u.ID || got.CSRF != "c" || !got.ExpiresAt.Equal(sess.ExpiresAt) {
		t.Fatalf("session = %+v, %v", got, err)
	}
	if err := s.TouchSession(ctx, sess.IDHash, u.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.DeleteExpiredSessions(ctx, now, now); n != 0 {
		t.Errorf("deleted %d live sessions", n)
	}
	if n, _ := s.DeleteExpiredSessions(ctx, now.Add(2*time.Minute), now); n != 1 {
		t.Errorf("deleted %d idle sessions, want 1", n)
	}
	if _, err := s.Session(ctx, sess.IDHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteSession(ctx, []byte("missing")); err != nil {
		t.Error(err)
	}
}

func TestUserTokens_dropRemovesAccess(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := storetest.NewAccount("acme.coffee")
	u, _ := s.RecordLogin(ctx, store.LoginRecord{FacebookID: "fb1", Name: "Ava", UserToken: []byte("ut"),
		Grants: []store.Grant{{Account: a, Tasks: storetest.ReplyTasks(), PageToken: []byte("pt")}}})
	toks, err := s.UserTokens(ctx)
	if err != nil || len(toks) != 1 || toks[0].UserID != u.ID || string(toks[0].Sealed) != "ut" || toks[0].FacebookID != "fb1" {
		t.Fatalf("tokens = %+v, %v", toks, err)
	}
	if err := s.DropUserToken(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if toks, _ := s.UserTokens(ctx); len(toks) != 0 {
		t.Errorf("tokens after drop = %v", toks)
	}
	if ids, _ := s.AccessibleAccountIDs(ctx, u.ID); len(ids) != 0 {
		t.Errorf("access after drop = %v", ids)
	}
}
