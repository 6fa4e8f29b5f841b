package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// TestCrash_whileSendingEveryReplyOnce: replies are queued for two dozen
// comments while Meta answers slowly (graph_slow: a send is taken at once,
// its answer comes 3 s later), and the real binary is killed (SIGKILL) with
// some replies answered, some in flight and some still queued. Restarted on
// the same database, it finishes the queue: each comment ends with exactly
// one private reply at Meta, and each reply is "sent", or "unconfirmed"
// where Meta took it but the answer died with the process.
func TestCrash_whileSendingEveryReplyOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped under -short")
	}
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee := d.Account("acme.coffee").ID
	ava := w.Login(t, d.User("Ava").ID)
	const n = 24
	ids := make([]string, n)
	for i := range ids {
		ids[i] = w.comment(t, map[string]any{"account": coffee, "text": fmt.Sprintf("price of #%d?", i)})
	}
	for _, id := range ids {
		waitComment(t, ava, id) // stored, deadline confirmed: sending needs no other Graph call
	}
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_slow", "delay": "3s", "count": 1000, "account": coffee}, nil)

	// Queue them all at once; each answer comes within the 3 s the API
	// waits for Meta (202 while queued or sending).
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i, id := range ids {
		wg.Go(func() {
			codes[i] = ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": fmt.Sprintf("Hi! #%d is €39.", i)}).Status
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK && c != http.StatusAccepted {
			t.Fatalf("reply %d: %d", i, c)
		}
	}
	atMeta := w.replyCounts(t)
	w.App.Kill()
	if len(atMeta) == 0 || len(atMeta) == n {
		t.Fatalf("setup: Meta held %d of %d replies at the kill; the crash must come mid-way", len(atMeta), n)
	}

	// What the crash left: read the database as the next start will find it.
	states := map[reply.State]int{}
	st, err := store.Open(context.Background(), w.App.DBPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		hist, _ := st.Replies(context.Background(), id)
		if len(hist) != 1 {
			t.Fatalf("comment %s has %d reply records before the restart", id, len(hist))
		}
		states[hist[0].State]++
	}
	st.Close()
	t.Logf("at SIGKILL: Meta held %d replies; the database had %v", len(atMeta), states)
	if states[reply.Sending]+states[reply.Queued] == 0 {
		t.Fatalf("setup: nothing was queued or in flight at the kill: %v", states)
	}

	w.Control(t, http.MethodDelete, "/control/faults", nil, nil)
	w.App.Restart()
	final := map[string]string{}
	deadline := time.Now().Add(60 * time.Second)
	for len(final) < n {
		for _, id := range ids {
			if _, ok := final[id]; ok {
				continue
			}
			var cm apiComment
			r := ava.Do(t, getRequest(t, ava.Base+"/api/v1/comments/"+id))
			if r.Status == http.StatusOK && json.Unmarshal([]byte(r.Body), &cm) == nil && cm.Reply != nil {
				if s := reply.State(cm.Reply.State); s.Done() {
					final[id] = cm.Reply.State
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, only %d of %d replies finished: %v", len(final), n, final)
		}
		time.Sleep(100 * time.Millisecond)
	}
	atMeta = w.replyCounts(t)
	byState := map[string]int{}
	for _, id := range ids {
		byState[final[id]]++
		if atMeta[id] != 1 {
			t.Errorf("comment %s: Meta holds %d private replies, want exactly 1", id, atMeta[id])
		}
		if s := reply.State(final[id]); !s.Delivered() {
			t.Errorf("comment %s: reply ended %s, want sent (or unconfirmed)", id, s)
		}
	}
	t.Logf("after the restart: %v; Meta holds one reply for each of the %d comments", byState, len(atMeta))
}

// replyCounts answers how many private replies Meta holds per comment.
func (w *World) replyCounts(t testing.TB) map[string]int {
	t.Helper()
	var out simReplies
	w.Control(t, http.MethodGet, "/control/replies", nil, &out)
	counts := map[string]int{}
	for _, r := range out.Replies {
		counts[r.CommentID]++
	}
	return counts
}

func getRequest(t testing.TB, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
