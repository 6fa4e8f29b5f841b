package metasim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults_graph5xxMatchesAccount(t *testing.T) {
	h := newHarness(t)
	tok0, tok1 := h.avaPage(0), h.avaPage(1)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_5xx", "count": 2, "account": h.account(0)}), 200)
	h.wantStatus(h.get("/"+h.account(1)+"?access_token="+tok1), http.StatusOK) // another account
	e := h.wantGraphError(h.get("/"+h.account(0)+"?access_token="+tok0), 500, 2, 0)
	if !e.Error.IsTransient {
		t.Fatal("graph_5xx is not transient")
	}
	id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
	h.wantGraphError(h.send(h.page(0), tok0, id, "x"), 500, 2, 0) // the Page token matches too
	h.wantStatus(h.send(h.page(0), tok0, id, "x"), http.StatusOK) // count used up; nothing was recorded before
}

func TestFaults_graphSlow(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_slow", "delay": "300ms"}), 200)
	start := time.Now()
	h.wantStatus(h.get("/me?access_token="+tok), http.StatusOK)
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("slow call took %v", d)
	}
	start = time.Now()
	h.wantStatus(h.get("/me?access_token="+tok), http.StatusOK)
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("second call took %v", d)
	}
}

func TestFaults_rateLimit(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "rate_limit", "count": 1, "account": h.account(0)}), 200)
	id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
	r := h.send(h.page(0), tok, id, "x")
	e := h.wantGraphError(r, 400, 613, 0)
	if !e.Error.IsTransient || !strings.Contains(r.header.Get("X-Business-Use-Case-Usage"), `"estimated_time_to_regain_access":1`) {
		t.Fatalf("rate limit %s %q", r.body, r.header.Get("X-Business-Use-Case-Usage"))
	}
	h.wantStatus(h.send(h.page(0), tok, id, "x"), http.StatusOK)
}

func TestFaults_tokenRevokedEverywhere(t *testing.T) {
	h := newHarness(t)
	user := h.login(h.user(1), allScopes)
	page := h.pageToken(user, h.page(1))
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "token_revoked"}), 200)
	h.wantGraphError(h.get("/me?access_token="+user), 400, 190, 460)
	h.wantGraphError(h.get("/me?access_token="+page), 400, 190, 460)
	h.wantStatus(h.get("/me?access_token="+h.login(h.user(1), allScopes)), http.StatusOK)
}

func TestFaults_webhookDrop(t *testing.T) {
	h := installed(t)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "webhook_drop", "account": h.account(0)}), 200)
	h.comment(map[string]any{"account": h.account(0), "text": "lost"})
	kept := h.comment(map[string]any{"account": h.account(0), "text": "kept"})
	got := h.hook.wait(t, 1)
	time.Sleep(50 * time.Millisecond)
	if got = h.hook.all(); len(got) != 1 || parsePayload(t, got[0]).Entry[0].Changes[0].Value.ID != kept {
		t.Fatalf("%d deliveries", len(got))
	}
}
