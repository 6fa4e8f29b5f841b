package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// post calls the simulator's control API with POST.
func (w *simWorld) post(t testing.TB, path string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, err := http.Post(w.srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d", path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// commentAged creates a comment on account, age old, and answers its id.
func (w *simWorld) commentAged(t testing.TB, account, age string) string {
	t.Helper()
	var out struct{ ID string }
	w.post(t, "/control/comments", map[string]string{"account": account, "text": "price?", "age": age}, &out)
	return out.ID
}

// pageToken answers user 0's token for Page 0 and that Page's account.
func (w *simWorld) pageToken(t *testing.T) (token, account string) {
	t.Helper()
	ctx := context.Background()
	long, err := w.client.ExchangeToken(ctx, w.login(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := w.client.Accounts(ctx, long.AccessToken)
	if err != nil || len(pages) == 0 {
		t.Fatalf("pages %v, %v", pages, err)
	}
	return pages[0].AccessToken, pages[0].Instagram.ID
}

// countingClient is a Client on the simulator that counts its HTTP requests.
func (w *simWorld) countingClient(n *atomic.Int64) *Client {
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	return New(Options{GraphURL: w.srv.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret,
		HTTPClient: &http.Client{Transport: rt, Timeout: 15 * time.Second}})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCommentTimestamps_eachCommentOnItsOwn(t *testing.T) {
	w := newSimWorld(t)
	tok, acct := w.pageToken(t)
	fresh, old := w.commentAged(t, acct, "2h"), w.commentAged(t, acct, "6d")
	gone := w.commentAged(t, acct, "1h")
	w.post(t, "/control/comments/delete", map[string]string{"id": gone}, nil)
	other := w.commentAged(t, w.pages[1].AccountID, "1h") // not this Page's
	ids := []string{fresh, gone, old, "17999999999999999", other, fresh}
	got, _, err := w.client.CommentTimestamps(context.Background(), tok, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d answers for %d ids", len(got), len(ids))
	}
	for i, ct := range got {
		if ct.ID != ids[i] {
			t.Errorf("answer %d is for %s, want %s", i, ct.ID, ids[i])
		}
		switch ids[i] {
		case fresh, old:
			single, err := w.client.Comment(context.Background(), tok, ids[i])
			if ct.Err != nil || err != nil || !ct.Timestamp.Equal(single.Timestamp) {
				t.Errorf("%s: batched %v %v, single %v %v", ids[i], ct.Timestamp, ct.Err, single.Timestamp, err)
			}
		default:
			var e *Error
			if !errors.As(ct.Err, &e) || e.Code != 100 || Classify(ct.Err) != ClassPermanent || !ct.Timestamp.IsZero() {
				t.Errorf("%s: want a permanent Graph error, got %v (%v)", ids[i], ct.Err, Classify(ct.Err))
			}
		}
	}
	if age := time.Since(got[2].Timestamp); age < 6*24*time.Hour-time.Minute || age > 6*24*time.Hour+time.Minute {
		t.Errorf("6-day-old comment is %v old", age)
	}
}

// TestCommentTimestamps_requestsPer1000Comments measures what batching
// saves: HTTP requests to Graph for the timestamps of 1,000 new comments,
// one call each against batched. Run with -v to see the figures.
func TestCommentTimestamps_requestsPer1000Comments(t *testing.T) {
	w := newSimWorld(t)
	tok, acct := w.pageToken(t)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = w.commentAged(t, acct, fmt.Sprintf("%dm", i+1))
	}
	var single, batched atomic.Int64
	one := w.countingClient(&single)
	start := time.Now()
	want := make([]time.Time, len(ids))
	for i, id := range ids {
		info, err := one.Comment(context.Background(), tok, id)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = info.Timestamp
	}
	singleTook, start := time.Since(start), time.Now()
	got, _, err := w.countingClient(&batched).CommentTimestamps(context.Background(), tok, ids, nil)
	batchedTook := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		if got[i].Err != nil || !got[i].Timestamp.Equal(want[i]) {
			t.Fatalf("comment %d: batched %v %v, single %v", i, got[i].Timestamp, got[i].Err, want[i])
		}
	}
	t.Logf("Graph HTTP requests for 1,000 comment timestamps: %d one by one (%v), %d batched (%v); Meta counts 1,000 calls either way",
		single.Load(), singleTook.Round(time.Millisecond), batched.Load(), batchedTook.Round(time.Millisecond))
	if single.Load() != 1000 || batched.Load() != 20 {
		t.Errorf("requests: %d single, %d batched; want 1000 and 20", single.Load(), batched.Load())
	}
}

func TestCommentTimestamps_faults(t *testing.T) {
	w := newSimWorld(t)
	tok, acct := w.pageToken(t)
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = w.commentAged(t, acct, "1h")
	}
	t.Run("5xx on some comments", func(t *testing.T) {
		w.post(t, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 3, "account": acct}, nil)
		got, _, err := w.client.CommentTimestamps(context.Background(), tok, ids, nil)
		if err != nil || len(got) != len(ids) {
			t.Fatalf("%d answers, err %v", len(got), err)
		}
		failed := 0
		for _, ct := range got {
			if ct.Err != nil {
				failed++
				if Classify(ct.Err) != ClassTransient {
					t.Errorf("5xx classed %v: %v", Classify(ct.Err), ct.Err)
				}
			}
		}
		if failed != 3 {
			t.Errorf("%d comments failed, want 3", failed)
		}
	})
	t.Run("revoked token fails the whole read", func(t *testing.T) {
		w.post(t, "/control/faults", map[string]any{"kind": "token_revoked", "account": acct}, nil)
		got, _, err := w.client.CommentTimestamps(context.Background(), tok, ids, nil)
		if len(got) != 0 || Classify(err) != ClassToken || !strings.HasPrefix(err.Error(), "meta: read comment timestamps: ") {
			t.Errorf("%d answers, err %v (%v)", len(got), err, Classify(err))
		}
	})
}

func TestCommentTimestamps_paced(t *testing.T) {
	w := newSimWorld(t)
	tok, acct := w.pageToken(t)
	ids := make([]string, 150)
	for i := range ids {
		ids[i] = w.commentAged(t, acct, "1h")
	}
	start := time.Now()
	got, _, err := w.client.CommentTimestamps(context.Background(), tok, ids, NewLimiter(2000))
	if err != nil || len(got) != 150 {
		t.Fatalf("%d answers, err %v", len(got), err)
	}
	if took := time.Since(start); took < 45*time.Millisecond {
		t.Errorf("150 calls at 2,000/s after a burst of 50 took %v, want at least 50ms", took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, _, err = w.client.CommentTimestamps(ctx, tok, ids[:60], NewLimiter(10))
	if len(got) != 50 || err == nil {
		t.Errorf("past the deadline: %d answers, err %v; want the first batch and an error", len(got), err)
	}
}
