package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/webhook"
)

// TestPostReader_readsOnceKeepsPictureRetriesOutage (issue 20, item 6): a
// new comment's post is read from Graph with its picture and kept; once
// read it is not read again until the refresh; a Graph outage leaves
// nothing but a retry for later.
func TestPostReader_readsOnceKeepsPictureRetriesOutage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ava := f.viewer(t)
	r := NewPostReader(f.st, f.graph, f.tokens, slog.New(slog.DiscardHandler), PostReaderOptions{Retry: time.Hour})
	var world struct {
		Media []struct {
			ID        string `json:"id"`
			AccountID string `json:"account_id"`
			Type      string `json:"media_product_type"`
		} `json:"media"`
	}
	f.sim.Control(http.MethodGet, "/control/world", nil, &world)
	var posts []string
	for _, m := range world.Media {
		if m.AccountID == f.acct && m.Type == "FEED" {
			posts = append(posts, m.ID)
		}
	}
	if len(posts) < 2 {
		t.Fatalf("want two feed posts on %s, have %v", f.acct, posts)
	}
	f.deliverOn(t, f.sim.Comment(map[string]any{"account": f.acct, "media": posts[0], "text": "how much?"}), "comments", posts[0])
	before := f.calls.Load()
	if n := r.ReadDue(ctx); n != 1 {
		t.Fatalf("read %d media, want 1", n)
	}
	if calls := f.calls.Load() - before; calls != 2 {
		t.Errorf("%d HTTP requests for one post, want 2 (the media, its picture)", calls)
	}
	p, err := f.st.Post(ctx, ava, posts[0])
	if err != nil || p.Permalink == "" || p.Caption == "" || !p.Picture || p.PostedAt.IsZero() {
		t.Fatalf("post %+v %v", p, err)
	}
	if n := r.ReadDue(ctx); n != 0 {
		t.Errorf("a read post was read again (%d)", n)
	}
	// Meta is down: the read fails, nothing is kept, it waits for the retry.
	f.sim.Control(http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1}, nil)
	f.deliverOn(t, f.sim.Comment(map[string]any{"account": f.acct, "media": posts[1], "text": "size?"}), "comments", posts[1])
	if n := r.ReadDue(ctx); n != 1 {
		t.Fatalf("read %d media, want 1", n)
	}
	if p, err := f.st.Post(ctx, ava, posts[1]); err != nil || !p.ReadAt.IsZero() || p.Picture {
		t.Errorf("after an outage: %+v %v", p, err)
	}
	if n := r.ReadDue(ctx); n != 0 {
		t.Errorf("a failed read was retried at once (%d)", n)
	}
}

// viewer is a user who may see the fixture's account.
func (f *fixture) viewer(t *testing.T) int64 {
	id := storetest.User(t, f.st, "fb-viewer", "Viewer", "admin")
	storetest.Grant(t, f.st, id, f.acct)
	return id
}

// deliverOn ingests a webhook for a simulator comment on media, as Meta
// would send it.
func (f *fixture) deliverOn(t *testing.T, commentID, field, mediaID string) {
	t.Helper()
	body := fmt.Sprintf(`{"object":"instagram","entry":[{"id":%q,"time":%d,"changes":[{"field":%q,"value":{"id":%q,"text":"x","from":{"id":"u1","username":"fan"},"media":{"id":%q}}}]}]}`,
		f.acct, time.Now().Unix(), field, commentID, mediaID)
	p, err := webhook.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ing.Submit(context.Background(), f.ing.Delivery([]byte(body), "sig", p)); err != nil {
		t.Fatal(err)
	}
}
