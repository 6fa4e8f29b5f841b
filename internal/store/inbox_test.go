package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// seed stores comments through the ingest path, as webhooks would.
func seed(t *testing.T, s *store.Store, cs ...inbox.Comment) {
	t.Helper()
	now := time.Now()
	for i := range cs {
		if cs[i].Status == "" {
			cs[i].Status = inbox.StatusOpen
		}
		if cs[i].Surface == "" {
			cs[i].Surface = inbox.SurfacePost
		}
		cs[i].ReceivedAt, cs[i].UpdatedAt = now.Add(time.Duration(i)*time.Millisecond), now
	}
	if _, err := s.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: cs}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexSearch(context.Background(), 1000); err != nil {
		t.Fatal(err)
	}
}

// pages lists userID's inbox in f a page of limit at a time, following
// each page's cursor through its URL form as the Load more link carries
// it, and answers each page's ids.
func pages(t *testing.T, s *store.Store, userID int64, f inbox.Filter, limit int) []string {
	t.Helper()
	var out []string
	var cur *inbox.Cursor
	for range 20 {
		p, err := s.ListInbox(context.Background(), userID, f, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ids(p.Items))
		if p.Next == nil {
			return out
		}
		if cur, err = inbox.ParseCursor(p.Next.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("paging does not end")
	return nil
}

func ids(items []inbox.Item) string {
	s := ""
	for _, it := range items {
		s += it.ID + " "
	}
	return s
}

func TestInbox_scopedFilteredPaged(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	ben := storetest.User(t, s, "fb-ben", "Ben", "agent")
	storetest.Grant(t, s, ava, "111")
	storetest.Grant(t, s, ava, "222")
	storetest.Grant(t, s, ben, "111")
	now := time.Now()
	h := func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) }
	seed(t, s,
		inbox.Comment{ID: "c1", AccountID: "111", MediaID: "m1", Username: "jane", Text: "How much is the blue one?", Deadline: h(30)},
		inbox.Comment{ID: "c2", AccountID: "222", MediaID: "m2", Username: "kai", Text: "Ships to Canada?", Deadline: h(2), Surface: inbox.SurfaceAd},
		inbox.Comment{ID: "c3", AccountID: "111", MediaID: "m1", Username: "zoé", Text: "Ça coûte combien ?", Deadline: h(10)},
		inbox.Comment{ID: "c4", AccountID: "111", MediaID: "m3", Username: "lee", Text: "<script>alert(1)</script>", Deadline: h(100)},
	)
	list := func(user int64, f inbox.Filter, cur *inbox.Cursor, limit int) inbox.Page {
		t.Helper()
		if f.View == "" {
			f.View = "open"
		}
		p, err := s.ListInbox(ctx, user, f, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := ids(list(ava, inbox.Filter{}, nil, 10).Items); got != "c2 c3 c1 c4 " {
		t.Errorf("ava sees %q, want deadline order c2 c3 c1 c4", got)
	}
	if got := ids(list(ben, inbox.Filter{}, nil, 10).Items); got != "c3 c1 c4 " {
		t.Errorf("ben sees %q: another account's comment leaked", got)
	}
	// Keyset paging visits every row once.
	p1 := list(ava, inbox.Filter{}, nil, 2)
	p2 := list(ava, inbox.Filter{}, p1.Next, 2)
	if ids(p1.Items) != "c2 c3 " || ids(p2.Items) != "c1 c4 " || p2.Next != nil {
		t.Errorf("pages %q %q next %v", ids(p1.Items), ids(p2.Items), p2.Next)
	}
	enc := p1.Next.Encode()
	if back, err := inbox.ParseCursor(enc); err != nil || *back != *p1.Next {
		t.Errorf("cursor round trip: %v %v", back, err)
	}
	for name, tc := range map[string]struct {
		f    inbox.Filter
		want string
	}{
		"account":       {inbox.Filter{AccountID: "222"}, "c2 "},
		"surface":       {inbox.Filter{Surface: inbox.SurfaceAd}, "c2 "},
		"due":           {inbox.Filter{View: inbox.ViewDue}, "c2 c3 "},
		"search text":   {inbox.Filter{Query: "blue"}, "c1 "},
		"search accent": {inbox.Filter{Query: "coûte"}, "c3 "},
		"search short":  {inbox.Filter{Query: "ka"}, "c2 "},
		"search user":   {inbox.Filter{Query: "zoé"}, "c3 "},
		"search quotes": {inbox.Filter{Query: `"x" OR 1`}, ""},
		"search @user":  {inbox.Filter{Query: "@jane"}, "c1 "},
		"search @part":  {inbox.Filter{Query: "@zo"}, "c3 "},
		"search @+text": {inbox.Filter{Query: "@jane blue"}, "c1 "},
		"search @+miss": {inbox.Filter{Query: "@jane canada"}, ""},
		"search @ only": {inbox.Filter{Query: "@kai"}, "c2 "},
		"search @text":  {inbox.Filter{Query: "@lee script"}, "c4 "},
		"newest":        {inbox.Filter{Sort: inbox.SortNewest}, "c4 c3 c2 c1 "},
	} {
		if got := ids(list(ava, tc.f, nil, 10).Items); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
	if it, _ := s.InboxItem(ctx, ava, "c3"); it.OpenOnMedia != 2 || it.AccountUsername != "acme.coffee" {
		t.Errorf("item decoration: %+v", it)
	}
	if _, err := s.InboxItem(ctx, ben, "c2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ben reading c2: %v, want not found", err)
	}
	counts, _ := s.InboxCounts(ctx, ava, "")
	if counts.Open != 4 || counts.Due != 2 {
		t.Errorf("counts %+v", counts)
	}
	if _, err := s.SetStatus(ctx, ava, []string{"c1"}, inbox.StatusDone); err != nil {
		t.Fatal(err)
	}
	if counts, _ = s.InboxCounts(ctx, ben, ""); counts.Open != 2 || counts.Done != 1 || counts.Due != 1 {
		t.Errorf("ben's counts after a triage (trigger-kept): %+v", counts)
	}
}

func TestInbox_triage(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	now := time.Now()
	seed(t, s,
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: now.Add(time.Hour)},
		inbox.Comment{ID: "c2", AccountID: "111", Deadline: now.Add(-time.Hour)},
		inbox.Comment{ID: "hidden", AccountID: "222", Deadline: now.Add(time.Hour)},
	)
	changed, err := s.SetStatus(ctx, ava, []string{"c1", "c2"}, inbox.StatusDone)
	if err != nil || len(changed) != 2 {
		t.Fatalf("done: %v %v", changed, err)
	}
	it, _ := s.InboxItem(ctx, ava, "c1")
	if it.Status != inbox.StatusDone || it.StatusByName != "Ava" {
		t.Errorf("after done: %+v", it)
	}
	if _, err := s.SetStatus(ctx, ava, []string{"c1", "c2"}, inbox.StatusOpen); err != nil {
		t.Fatal(err)
	}
	c1, _ := s.InboxItem(ctx, ava, "c1")
	c2, _ := s.InboxItem(ctx, ava, "c2")
	if c1.Status != inbox.StatusOpen || c2.Status != inbox.StatusExpired {
		t.Errorf("reopen: c1 %s (want open), c2 %s (want expired: past its deadline)", c1.Status, c2.Status)
	}
	if _, err := s.SetStatus(ctx, ava, []string{"hidden"}, inbox.StatusDone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("triage of an invisible comment: %v", err)
	}
	if _, err := s.SetStatus(ctx, ava, []string{"c1"}, inbox.StatusReplied); err == nil {
		t.Error("status replied set by hand")
	} else if ae, ok := apperr.As(err); !ok || ae.Field != "status" {
		t.Errorf("error %v", err)
	}
}

// TestInbox_equalDeadlinesInArrivalOrder: deadlines are to the second, so a
// busy second's comments share one; among them the inbox lists the first to
// arrive first (not by id), and paging one at a time visits each once.
func TestInbox_equalDeadlinesInArrivalOrder(t *testing.T) {
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	d := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	seed(t, s, // seed gives each the next millisecond of arrival
		inbox.Comment{ID: "c9", AccountID: "111", Deadline: d},
		inbox.Comment{ID: "c1", AccountID: "111", Deadline: d},
		inbox.Comment{ID: "c5", AccountID: "111", Deadline: d},
		inbox.Comment{ID: "c0", AccountID: "111", Deadline: d.Add(time.Second)},
		inbox.Comment{ID: "c7", AccountID: "111", Deadline: d.Add(-time.Second)},
	)
	for _, view := range []string{"open", inbox.ViewAll} {
		for _, acct := range []string{"", "111"} {
			f := inbox.Filter{View: view, AccountID: acct}
			got := strings.Join(pages(t, s, ava, f, 1), "")
			if want := "c7 c9 c1 c5 c0 "; got != want {
				t.Errorf("%+v, a page at a time: %q, want %q", f, got, want)
			}
		}
	}
}
