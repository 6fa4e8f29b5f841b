package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// TestInbox_liveFirst (issue 20, item 4): while a broadcast runs, its open
// comments sort above everything else in the views sorted by deadline, even
// above a post's comment due sooner; keyset paging walks that order once,
// across the turn from Live to the rest; views of other statuses and the
// newest-first order are not touched; once the broadcast ends the comments
// fall back into the deadline order. No new index (a webhook's commit writes
// every index of comments): the Live part comes from the partial index of
// open Live comments, the rest is an index walk.
func TestInbox_liveFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	now := time.Now()
	h := func(n float64) time.Time { return now.Add(time.Duration(n * float64(time.Hour))) }
	seed(t, s,
		inbox.Comment{ID: "p1", AccountID: "111", MediaID: "m1", Username: "jane", Text: "soon", Deadline: h(0.5)},
		inbox.Comment{ID: "l1", AccountID: "111", MediaID: "live1", Username: "kai", Text: "live a", Deadline: h(3.9), Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "p2", AccountID: "111", MediaID: "m1", Username: "zoe", Text: "later", Deadline: h(30)},
		inbox.Comment{ID: "l2", AccountID: "111", MediaID: "live1", Username: "lee", Text: "live b", Deadline: h(3.95), Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "l3", AccountID: "111", MediaID: "live1", Username: "ann", Text: "live c", Deadline: h(4), Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "x1", AccountID: "111", MediaID: "old", Username: "old", Text: "expired", Deadline: h(-2), Status: inbox.StatusExpired},
	)
	walk := func(f inbox.Filter, limit int) string {
		t.Helper()
		return strings.Join(pages(t, s, ava, f, limit), "| ") + "| "
	}
	for _, tc := range []struct {
		name  string
		f     inbox.Filter
		limit int
		want  string
	}{
		{"open, one page", inbox.Filter{View: "open"}, 10, "l1 l2 l3 p1 p2 | "},
		{"open, pages of 2", inbox.Filter{View: "open"}, 2, "l1 l2 | l3 p1 | p2 | "},
		{"open, pages of 1", inbox.Filter{View: "open"}, 1, "l1 | l2 | l3 | p1 | p2 | "},
		{"open, pages of 3", inbox.Filter{View: "open"}, 3, "l1 l2 l3 | p1 p2 | "},
		{"one account", inbox.Filter{View: "open", AccountID: "111"}, 2, "l1 l2 | l3 p1 | p2 | "},
		{"due", inbox.Filter{View: inbox.ViewDue}, 2, "l1 l2 | l3 p1 | "},
		{"all", inbox.Filter{View: inbox.ViewAll}, 2, "l1 l2 | l3 x1 | p1 p2 | "},
		{"expired", inbox.Filter{View: "expired"}, 10, "x1 | "},
		{"newest first", inbox.Filter{View: "open", Sort: inbox.SortNewest}, 10, "l3 l2 p2 l1 p1 | "},
	} {
		if got := walk(tc.f, tc.limit); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	// The plans of the open views: the Live part from the partial index of
	// open Live comments, the rest an index walk in the order shown, never
	// a sort of the whole view. (SQLite's plans: PostgreSQL's planner
	// chooses by the table's statistics, and scans a table this small.)
	for _, f := range []inbox.Filter{{View: "open"}, {View: "open", AccountID: "111"}} {
		if testdb.Postgres() {
			break
		}
		live, err := s.ExplainInbox(ctx, ava, f, store.LiveNow, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(live, "comments_live_open") {
			t.Errorf("%+v: the Live part does not use the partial index:\n%s", f, live)
		}
		for _, cur := range []*inbox.Cursor{nil, {Key: 1, ID: "a"}} {
			rest, err := s.ExplainInbox(ctx, ava, f, "c.live = 0", cur)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(rest, "TEMP B-TREE FOR ORDER BY") || !strings.Contains(rest, "status_deadline") {
				t.Errorf("%+v after %+v: the rest is sorted, not walked in index order:\n%s", f, cur, rest)
			}
		}
	}
	// The broadcast ends: its comments expire and the rest keep their order.
	if _, err := s.ExpireLive(ctx, "111", []string{"live1"}); err != nil {
		t.Fatal(err)
	}
	if got := walk(inbox.Filter{View: "open"}, 10); got != "p1 p2 | " {
		t.Errorf("open after the broadcast: %q", got)
	}
	if got := walk(inbox.Filter{View: inbox.ViewAll}, 10); got != "x1 p1 l1 l2 l3 p2 | " {
		t.Errorf("all after the broadcast: %q, want deadline order", got)
	}
}

func TestCursor_liveRoundTrip(t *testing.T) {
	for _, c := range []inbox.Cursor{{Key: 5, ID: "a"}, {Live: true, Key: 5, ID: "a:b"}, {Live: true, Key: -3, ID: "z"}} {
		got, err := inbox.ParseCursor(c.Encode())
		if err != nil || *got != c {
			t.Errorf("%+v: got %+v, %v", c, got, err)
		}
	}
}

// TestLiveReads_usePartialIndexes: the Live watcher's poll and the inbox's
// Live counts (on every page) count what they should, and on SQLite read
// the few Live comments through their partial indexes rather than every
// open or expired comment of the accounts.
func TestLiveReads_usePartialIndexes(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	storetest.Account(t, s, "111", "p1", "acme.coffee", nil)
	storetest.Account(t, s, "222", "p2", "acme.outdoor", nil)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")
	storetest.Grant(t, s, ava, "111")
	storetest.Grant(t, s, ava, "222")
	d := time.Now().Add(time.Hour)
	seed(t, s,
		inbox.Comment{ID: "p1", AccountID: "111", MediaID: "m1", Deadline: d},
		inbox.Comment{ID: "l1", AccountID: "111", MediaID: "live1", Deadline: d, Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "l2", AccountID: "111", MediaID: "live1", Deadline: d, Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "l3", AccountID: "222", MediaID: "live2", Deadline: d, Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "l4", AccountID: "222", MediaID: "live3", Deadline: d, Live: true, Surface: inbox.SurfaceLive},
		inbox.Comment{ID: "l5", AccountID: "222", MediaID: "live4", Deadline: d, Live: true, Surface: inbox.SurfaceLive, Status: inbox.StatusDone},
	)
	if _, err := s.ExpireLive(ctx, "222", []string{"live3"}); err != nil {
		t.Fatal(err)
	}
	media, err := s.OpenLiveMedia(ctx)
	if err != nil {
		t.Fatal(err)
	}
	open, err := s.OpenLiveCounts(ctx, ava)
	if err != nil {
		t.Fatal(err)
	}
	ended, err := s.EndedLiveCounts(ctx, ava, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(media, open, ended); got != "map[111:[live1] 222:[live2]] map[111:2 222:1] map[222:1]" {
		t.Errorf("open media, open counts, ended counts: %s", got)
	}
	if testdb.Postgres() {
		return
	}
	plans, err := s.ExplainLiveReads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, index := range map[string]string{"OpenLiveMedia": "comments_live_open", "OpenLiveCounts": "comments_live_open",
		"EndedLiveCounts": "comments_live_ended"} {
		if !strings.Contains(plans[name], index) {
			t.Errorf("%s does not read %s:\n%s", name, index, plans[name])
		}
	}
}
