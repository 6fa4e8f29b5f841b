package metasim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// hookListener is a webhook receiver that records raw deliveries.
type hookListener struct {
	srv      *httptest.Server
	mu       sync.Mutex
	got      []delivered
	failNext int           // answer 500 to this many POSTs first
	slowNext int           // answer this many POSTs (after failures) only after slowFor
	slowFor  time.Duration // how late a slow answer comes
	arrived  chan struct{}
}

type delivered struct {
	body   []byte
	header http.Header
}

func newHookListener(t *testing.T) *hookListener {
	l := &hookListener{arrived: make(chan struct{}, 1000)}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			q := r.URL.Query()
			if q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == testVerify {
				_, _ = io.WriteString(w, q.Get("hub.challenge"))
				return
			}
			w.WriteHeader(http.StatusForbidden)
			return
		}
		b, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.got = append(l.got, delivered{b, r.Header.Clone()})
		fail := l.failNext > 0
		if fail {
			l.failNext--
		}
		slow := !fail && l.slowNext > 0
		if slow {
			l.slowNext--
		}
		wait := l.slowFor
		l.mu.Unlock()
		l.arrived <- struct{}{}
		if slow {
			select {
			case <-time.After(wait):
			case <-r.Context().Done():
			}
		}
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

// wait blocks until n POSTs have arrived in total.
func (l *hookListener) wait(t *testing.T, n int) []delivered {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		l.mu.Lock()
		if len(l.got) >= n {
			out := append([]delivered(nil), l.got...)
			l.mu.Unlock()
			return out
		}
		l.mu.Unlock()
		select {
		case <-l.arrived:
		case <-deadline:
			t.Fatalf("waited for %d webhook POSTs, got %d", n, len(l.all()))
		}
	}
}

func (l *hookListener) all() []delivered {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]delivered(nil), l.got...)
}

// setSlow makes the next n POSTs answer only after d.
func (l *hookListener) setSlow(n int, d time.Duration) {
	l.mu.Lock()
	l.slowNext, l.slowFor = n, d
	l.mu.Unlock()
}

func (l *hookListener) setFail(n int) {
	l.mu.Lock()
	l.failNext = n
	l.mu.Unlock()
}

// payload is a webhook body as the app reads it.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Time    int64  `json:"time"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				ID       string `json:"id"`
				Text     string `json:"text"`
				ParentID string `json:"parent_id"`
				From     struct {
					ID             string `json:"id"`
					Username       string `json:"username"`
					SelfIGScopedID string `json:"self_ig_scoped_id"`
				} `json:"from"`
				Media struct {
					ID               string `json:"id"`
					MediaProductType string `json:"media_product_type"`
					AdID             string `json:"ad_id"`
					AdTitle          string `json:"ad_title"`
					OriginalMediaID  string `json:"original_media_id"`
				} `json:"media"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

func parsePayload(t *testing.T, d delivered) payload {
	t.Helper()
	verifySignature(t, d)
	var p payload
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatalf("payload %s: %v", d.body, err)
	}
	if p.Object != "instagram" || len(p.Entry) == 0 {
		t.Fatalf("payload %s", d.body)
	}
	return p
}
