package metasim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// verifySignature checks X-Hub-Signature-256 with an independent HMAC over
// the raw bytes received.
func verifySignature(t *testing.T, d delivered) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(testAppSecret))
	mac.Write(d.body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := d.header.Get("X-Hub-Signature-256"); got != want {
		t.Fatalf("X-Hub-Signature-256 %q, want %q", got, want)
	}
	if !strings.HasPrefix(d.header.Get("X-Hub-Signature"), "sha1=") || d.header.Get("User-Agent") != "facebookexternalua" {
		t.Fatalf("headers %v", d.header)
	}
}

// installed answers a harness whose two Pages have the app installed.
func installed(t *testing.T, opts ...harnessOpt) *harness {
	h := newHarness(t, append([]harnessOpt{withWebhook()}, opts...)...)
	h.install(h.page(0), h.avaPage(0))
	h.install(h.page(1), h.avaPage(1))
	return h
}

func TestWebhook_commentShapeSignatureAndEscaping(t *testing.T) {
	h := installed(t)
	text := "Grüße äöå 👩‍💻 </b> ok"
	id := h.comment(map[string]any{"account": h.account(0), "text": text, "username": "lukas.mueller"})
	d := h.hook.wait(t, 1)[0]
	p := parsePayload(t, d)
	e := p.Entry[0]
	ch := e.Changes[0]
	feed := h.sim.world.firstMedia(h.account(0), "FEED")
	if e.ID != h.account(0) || e.Time != testEpoch.Unix() || ch.Field != "comments" || ch.Value.ID != id ||
		ch.Value.Text != text || ch.Value.From.Username != "lukas.mueller" || ch.Value.From.ID != h.sim.world.igsid("lukas.mueller") ||
		ch.Value.Media.ID != feed.ID || ch.Value.Media.MediaProductType != "FEED" {
		t.Fatalf("payload %s", d.body)
	}
	raw := string(d.body)
	for _, want := range []string{`Gr\u00fc\u00dfe \u00e4\u00f6\u00e5 \ud83d\udc69\u200d\ud83d\udcbb <\/b> ok`} {
		if !strings.Contains(raw, want) {
			t.Fatalf("body %s lacks %s", raw, want)
		}
	}
	for _, b := range d.body {
		if b >= 0x80 {
			t.Fatalf("non-ASCII byte in %s", raw)
		}
	}
}

func TestWebhook_liveAdReplyAndOwnShapes(t *testing.T) {
	h := installed(t)
	a := h.account(1)
	live := h.comment(map[string]any{"account": a, "text": "blue!", "live": true, "username": "live.viewer"})
	ad := h.comment(map[string]any{"account": a, "text": "Ship to Canada?", "ad": true})
	parent := h.comment(map[string]any{"account": a, "text": "Price?"})
	reply := h.comment(map[string]any{"account": a, "text": "same question", "parent_id": parent})
	own := h.comment(map[string]any{"account": a, "text": "Thanks!", "username": "acme.outdoor"})
	changes := map[string]payload{}
	for _, d := range h.hook.wait(t, 5) {
		p := parsePayload(t, d)
		changes[p.Entry[0].Changes[0].Value.ID] = p
	}
	c := changes[live].Entry[0].Changes[0]
	if c.Field != "live_comments" || c.Value.Media.MediaProductType != "LIVE" || c.Value.From.SelfIGScopedID != "" {
		t.Fatalf("live change %+v", c)
	}
	c = changes[ad].Entry[0].Changes[0]
	adMedia := h.sim.world.firstMedia(a, "AD")
	if c.Field != "comments" || c.Value.Media.MediaProductType != "FEED" || c.Value.Media.AdID != adMedia.AdID ||
		c.Value.Media.AdTitle != "Summer tents - free shipping" || c.Value.Media.OriginalMediaID == "" {
		t.Fatalf("ad change %+v", c)
	}
	if c = changes[reply].Entry[0].Changes[0]; c.Value.ParentID != parent {
		t.Fatalf("reply change %+v", c)
	}
	p := changes[own]
	if from := p.Entry[0].Changes[0].Value.From; from.ID != p.Entry[0].ID || from.SelfIGScopedID != from.ID {
		t.Fatalf("own comment %+v", p)
	}
	for id, p := range changes { // self_ig_scoped_id marks the account's own comments only
		if from := p.Entry[0].Changes[0].Value.From; id != own && from.SelfIGScopedID != "" {
			t.Fatalf("self_ig_scoped_id on someone else's comment %s: %+v", id, from)
		}
	}
}

func TestWebhook_notDeliveredBeforeInstall(t *testing.T) {
	h := newHarness(t, withWebhook())
	tok := h.avaPage(0)
	first := h.comment(map[string]any{"account": h.account(0), "text": "before"})
	h.install(h.page(0), tok)
	second := h.comment(map[string]any{"account": h.account(0), "text": "after"})
	got := h.hook.wait(t, 1)
	time.Sleep(50 * time.Millisecond)
	if got = h.hook.all(); len(got) != 1 || parsePayload(t, got[0]).Entry[0].Changes[0].Value.ID != second {
		t.Fatalf("deliveries %d", len(got))
	}
	var log struct {
		Deliveries []deliveryRecord `json:"deliveries"`
	}
	h.decode(h.get("/control/deliveries"), &log)
	last := log.Deliveries[len(log.Deliveries)-1]
	if last.Outcome != "skipped" || last.Comments[0] != first {
		t.Fatalf("log %+v", log.Deliveries)
	}
	// Uninstalling stops deliveries again.
	h.wantStatus(h.do("DELETE", "/v25.0/"+h.page(0)+"/subscribed_apps?access_token="+tok, nil, ""), http.StatusOK)
	h.comment(map[string]any{"account": h.account(0), "text": "gone"})
	time.Sleep(50 * time.Millisecond)
	if n := len(h.hook.all()); n != 1 {
		t.Fatalf("%d deliveries after uninstall", n)
	}
}

func TestWebhook_batchesSeveralEntriesAndChanges(t *testing.T) {
	h := installed(t, withTuning(func(tn *tuning) {
		tn.batchChance, tn.maxBatch, tn.gather = 1, 10, 300*time.Millisecond
	}))
	var ids []string
	for i := range 6 {
		ids = append(ids, h.comment(map[string]any{"account": h.account(i % 2), "text": "burst"}))
	}
	seen := map[string]bool{}
	var maxChanges, maxEntries int
	for len(seen) < len(ids) {
		got := h.hook.wait(t, len(h.hook.all())+1)
		seen = map[string]bool{}
		for _, d := range got {
			p := parsePayload(t, d)
			maxEntries = max(maxEntries, len(p.Entry))
			n := 0
			for _, e := range p.Entry {
				for _, c := range e.Changes {
					seen[c.Value.ID] = true
					n++
				}
				if e.Time != testEpoch.Unix() {
					t.Fatalf("entry time %d", e.Time)
				}
			}
			maxChanges = max(maxChanges, n)
		}
	}
	if maxChanges < 2 || maxEntries < 2 {
		t.Fatalf("no batching seen: %d changes, %d entries at most", maxChanges, maxEntries)
	}
}

func TestWebhook_adCommentsDeliveredTwice(t *testing.T) {
	h := installed(t, withTuning(func(tn *tuning) { tn.adDuplicate = 1 }))
	ids := []string{
		h.comment(map[string]any{"account": h.account(0), "text": "ad one", "ad": true}),
		h.comment(map[string]any{"account": h.account(0), "text": "ad two", "ad": true}),
		h.comment(map[string]any{"account": h.account(0), "text": "ad three", "ad": true}),
	}
	counts := map[string]int{}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		counts = map[string]int{}
		for _, d := range h.hook.all() {
			for _, e := range parsePayload(t, d).Entry {
				for _, c := range e.Changes {
					counts[c.Value.ID]++
				}
			}
		}
		if counts[ids[0]] == 2 && counts[ids[1]] == 2 && counts[ids[2]] == 2 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("ad deliveries %v", counts)
}

func TestWebhook_retriesKeepTheBody(t *testing.T) {
	h := installed(t)
	h.hook.setFail(2)
	id := h.comment(map[string]any{"account": h.account(0), "text": "retry me"})
	h.hook.wait(t, 1) // the body is built before the clock moves
	h.advance("10m")  // retries keep the original entry.time
	got := h.hook.wait(t, 3)
	for _, d := range got {
		verifySignature(t, d)
		if !bytes.Equal(d.body, got[0].body) {
			t.Fatalf("retry body changed:\n%s\n%s", got[0].body, d.body)
		}
	}
	if p := parsePayload(t, got[2]); p.Entry[0].Changes[0].Value.ID != id || p.Entry[0].Time != testEpoch.Unix() {
		t.Fatalf("payload %s", got[2].body)
	}
	waitOutcome(t, h, "delivered")
	var log struct {
		Deliveries []deliveryRecord `json:"deliveries"`
	}
	h.decode(h.get("/control/deliveries"), &log)
	if d := log.Deliveries; len(d) != 3 || d[0].Outcome != "delivered" || d[0].Attempt != 3 || d[1].Status != 500 || d[2].Outcome != "failed" {
		t.Fatalf("log %+v", d)
	}
}

func TestWebhook_unsubscribedAfterAnHourOfFailures(t *testing.T) {
	h := installed(t, withConfig(func(c *Config) {
		c.RetryBackoff = []time.Duration{100 * time.Millisecond}
	}))
	h.hook.setFail(1000)
	h.comment(map[string]any{"account": h.account(0), "text": "nobody home"})
	waitOutcome(t, h, "failed")
	h.advance("61m")
	h.hook.wait(t, 2)
	tok := h.avaPage(0)
	deadline := time.Now().Add(3 * time.Second)
	for {
		var apps struct{ Data []json.RawMessage }
		h.decode(h.get("/v25.0/"+h.page(0)+"/subscribed_apps?access_token="+tok), &apps)
		if len(apps.Data) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Page is still subscribed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The other Page keeps its subscription; re-subscribing restores delivery.
	var apps struct{ Data []json.RawMessage }
	h.decode(h.get("/v25.0/"+h.page(1)+"/subscribed_apps?access_token="+h.avaPage(1)), &apps)
	if len(apps.Data) != 1 {
		t.Fatalf("Page 1 apps %d", len(apps.Data))
	}
	h.hook.setFail(0)
	h.install(h.page(0), tok)
	n := len(h.hook.all())
	h.comment(map[string]any{"account": h.account(0), "text": "back"})
	h.hook.wait(t, n+1)
}

func TestWebhook_givesUpAfter36Hours(t *testing.T) {
	h := installed(t, withConfig(func(c *Config) { c.RetryBackoff = []time.Duration{50 * time.Millisecond} }))
	h.hook.setFail(1000)
	h.comment(map[string]any{"account": h.account(0), "text": "lost"})
	waitOutcome(t, h, "failed")
	h.advance("37h")
	waitOutcome(t, h, "gave_up")
}

// waitOutcome waits until the delivery log holds an outcome.
func waitOutcome(t *testing.T, h *harness, outcome string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range h.sim.hooks.recent(recordsKept) {
			if d.Outcome == outcome {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s delivery: %+v", outcome, h.sim.hooks.recent(5))
}

func TestWebhook_subscribeHandshake(t *testing.T) {
	h := newHarness(t, withWebhook())
	r := h.postJSON("/control/subscribe", nil)
	h.wantStatus(r, http.StatusOK)
	bad := newHarness(t, withWebhook(), withConfig(func(c *Config) { c.VerifyToken = "wrong" }))
	r = bad.postJSON("/control/subscribe", nil)
	h.wantStatus(r, http.StatusBadGateway)
	if !strings.Contains(string(r.body), "HTTP 403") {
		t.Fatalf("answer %s", r.body)
	}
}

func TestEscapeMeta(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"äöå"}`, `{"a":"\u00e4\u00f6\u00e5"}`},
		{`{"u":"http://x/y"}`, `{"u":"http:\/\/x\/y"}`},
		{`{"e":"😀"}`, `{"e":"\ud83d\ude00"}`},
		{`{"h":"<b>&</b>"}`, `{"h":"<b>&<\/b>"}`},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatal(err)
		}
		got, err := metaJSON(v)
		if err != nil || string(got) != tt.want {
			t.Errorf("metaJSON(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
