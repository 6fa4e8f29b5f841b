package outbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/crypt"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/outbound/outboundtest"
	"github.com/replydesk/replydesk/internal/outbox"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

// waitDelivered waits until the webhook's n latest deliveries are recorded
// as delivered (the receiver answers before the outbox records it).
func waitDelivered(t *testing.T, o *outbox.Outbox, webhookID int64, n int) []outbound.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, err := o.Recent(context.Background(), webhookID, n)
		done := err == nil && len(ds) == n
		for _, d := range ds {
			done = done && d.State == outbound.Delivered
		}
		if done {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not all recorded delivered: %+v %v", ds, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func setup(t *testing.T, st *store.Store, now func() time.Time) (*outbox.Outbox, identity.User) {
	t.Helper()
	keys, err := crypt.NewKeys("outbox-test-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Account(t, st, "111", "p1", "acme.coffee", nil)
	ava := storetest.User(t, st, "fb-ava", "Ava", identity.RoleAdmin)
	o := outbox.New(st, keys.Webhooks, outbox.Options{BaseURL: "https://rd.example", Poll: 20 * time.Millisecond, Now: now})
	return o, identity.User{ID: ava, Name: "Ava", Role: identity.RoleAdmin}
}

func comment(t *testing.T, st *store.Store, id string) {
	t.Helper()
	now := time.Now()
	_, err := st.CommitDeliveries(context.Background(), []store.DeliveryIn{{ReceivedAt: now, Body: []byte("{}"), Comments: []inbox.Comment{{
		ID: id, AccountID: "111", Surface: inbox.SurfacePost, Status: inbox.StatusOpen, Username: "jane", Text: "price?",
		Deadline: now.Add(7 * 24 * time.Hour), ReceivedAt: now, UpdatedAt: now}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// run runs the outbox's worker until the returned stop (or the test's end),
// which waits for it to return.
func run(t *testing.T, o *outbox.Outbox) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// TestOutbox_retriesUntilExactlyOneSuccessPerEvent: a receiver failing
// twice gets each event a third time, signed, once accepted never again.
func TestOutbox_retriesUntilExactlyOneSuccessPerEvent(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	o, ava := setup(t, st, nil)
	rcv, srv := outboundtest.New(t, 2)
	w, secret, err := o.Create(ctx, ava, srv.URL+"/hook", []string{outbound.CommentCreated, outbound.CommentExpiring})
	if err != nil || !strings.HasPrefix(secret, outbound.SecretPrefix) {
		t.Fatalf("create = %+v %q %v", w, secret, err)
	}
	rcv.SetSecret(secret)
	run(t, o)
	comment(t, st, "c1")
	comment(t, st, "c2")
	if _, err := st.RecordEvents(ctx, []outbound.Event{{Name: outbound.CommentExpiring, CommentID: "c1", AccountID: "111"}}); err != nil {
		t.Fatal(err)
	}
	rcv.WaitAccepted(t, "", 3)
	// A later event, accepted at the first try, is the signal that the
	// earlier ones are not sent again.
	rcv.SetFailures(0)
	comment(t, st, "c3")
	rcv.WaitAccepted(t, "", 4)
	names := map[string]int{}
	for id, e := range rcv.Events() {
		names[e.Name]++
		if e.Accepted != 1 {
			t.Errorf("event %d accepted %d times", id, e.Accepted)
		}
		var body struct {
			Event   string `json:"event"`
			Comment struct {
				ID, Text, URL string
			} `json:"comment"`
		}
		json.Unmarshal(e.Body, &body)
		if body.Event != e.Name || body.Comment.Text != "price?" || body.Comment.URL != "https://rd.example/inbox/comments/"+body.Comment.ID {
			t.Errorf("event %d body %s", id, e.Body)
		}
	}
	if rcv.BadSignatures() != 0 {
		t.Errorf("%d bad signatures", rcv.BadSignatures())
	}
	if names[outbound.CommentCreated] != 3 || names[outbound.CommentExpiring] != 1 {
		t.Errorf("events by name = %v", names)
	}
	ds := waitDelivered(t, o, w.ID, 4)
	for _, d := range ds {
		if d.State != outbound.Delivered || d.LastStatus != 200 || d.LastAnswer != "got it" {
			t.Errorf("delivery %+v", d)
		}
		if d.CommentID != "c3" && d.Attempts != 3 {
			t.Errorf("delivery of %s took %d attempts, want 3", d.CommentID, d.Attempts)
		}
	}
}

// TestOutbox_slackGetsText: a Slack incoming-webhook URL gets a readable
// message, not the JSON event.
func TestOutbox_slackGetsText(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	got := make(chan []byte, 1)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services/T0/B0/XYZ" {
			t.Errorf("path %s", r.URL.Path)
		}
		b, _ := io.ReadAll(r.Body)
		got <- b
		w.Write([]byte("ok"))
	}))
	t.Cleanup(slack.Close)
	target, _ := url.Parse(slack.URL)
	client := &http.Client{Transport: rewrite{to: target}}
	keys, _ := crypt.NewKeys("outbox-test-secret-0123456789abcdef")
	storetest.Account(t, st, "111", "p1", "acme.coffee", nil)
	o := outbox.New(st, keys.Webhooks, outbox.Options{BaseURL: "https://rd.example", Poll: 20 * time.Millisecond, Client: client})
	if _, _, err := o.Create(ctx, identity.User{Role: identity.RoleAdmin}, "https://hooks.slack.com/services/T0/B0/XYZ",
		[]string{outbound.CommentCreated}); err != nil {
		t.Fatal(err)
	}
	run(t, o)
	comment(t, st, "c1")
	select {
	case b := <-got:
		var msg struct{ Text string }
		if err := json.Unmarshal(b, &msg); err != nil || !strings.HasPrefix(msg.Text, "New comment on @acme.coffee from @jane: “price?”") {
			t.Errorf("slack body %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reached Slack")
	}
}

type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// TestOutbox_anAttemptCutShortIsMadeAgain: a process that dies while a
// receiver is answering records nothing; once its lease ends, the next
// process sends the event again (at least once, never lost).
func TestOutbox_anAttemptCutShortIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o1, ava := setup(t, st, now)
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first {
			select { // the first process dies while we answer
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	w, _, err := o1.Create(ctx, ava, srv.URL, []string{outbound.CommentCreated})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, o1)
	comment(t, st, "c1")
	<-arrived
	stop() // the process ends mid-attempt (run's cleanup waits for it)
	ds, _ := st.RecentDeliveries(ctx, w.ID, 5)
	if len(ds) != 1 || ds[0].State != outbound.Pending || ds[0].Attempts != 0 {
		t.Fatalf("after the cut: %+v", ds)
	}
	keys, _ := crypt.NewKeys("outbox-test-secret-0123456789abcdef")
	o2 := outbox.New(st, keys.Webhooks, outbox.Options{BaseURL: "https://rd.example", Now: now})
	o2.Pass(ctx) // still leased: nothing is sent
	select {
	case <-arrived:
		t.Fatal("a leased delivery was sent again before its lease ended")
	default:
	}
	mu.Lock()
	clock = clock.Add(2 * time.Minute)
	mu.Unlock()
	o2.Pass(ctx)
	<-arrived
	if ds := waitDelivered(t, o2, w.ID, 1); ds[0].Attempts != 1 {
		t.Errorf("after the restart: %+v", ds)
	}
}
