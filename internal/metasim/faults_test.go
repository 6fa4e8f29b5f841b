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
	e := h.wantGraphError(h.get("/"+h.account(0)+"?access_token="+tok0), 500, 1, 0)
	if !e.Error.IsTransient {
		t.Fatal("graph_5xx is not transient")
	}
	id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
	h.wantGraphError(h.send(h.page(0), tok0, id, "x"), 500, 1, 0) // the Page token matches too
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
	e := h.wantGraphError(r, 400, 613, 2534040)
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

// TestFaults_sendError: the next count Send API calls of the account answer
// exactly the Graph error the fault describes; what it leaves out comes from
// Meta's row for that code.
func TestFaults_sendError(t *testing.T) {
	tests := []struct {
		name          string
		fault         map[string]any
		status        int
		code, subcode int
		message       string
		transient     bool
	}{
		{"everything given", map[string]any{"code": 100, "subcode": 2534029, "status": 403, "message": "(#100) Blocked."},
			403, 100, 2534029, "(#100) Blocked.", false},
		{"rate limit from the table", map[string]any{"code": 613, "subcode": 2534040},
			400, 613, 2534040, "(#613) Calls to this api have exceeded the rate limit.", true},
		{"window from the table", map[string]any{"code": 10, "subcode": 2534022},
			403, 10, 2534022, "(#10) This message is sent outside of allowed window.", false},
		{"code 2", map[string]any{"code": 2},
			500, 2, 0, "An unexpected error has occurred. Please retry your request later.", true},
		{"code only, subcode unknown", map[string]any{"code": 551, "subcode": 42},
			400, 551, 42, "(#551) This person isn't available right now.", false},
		{"unsupported post", map[string]any{"code": 100, "message": "Unsupported request - method type: post"},
			400, 100, 0, "Unsupported request - method type: post", false},
		{"unknown code", map[string]any{"code": 12345, "status": 503},
			503, 12345, 0, "(#12345) An error occurred.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.avaPage(0)
			tt.fault["kind"] = "send_error"
			h.wantStatus(h.postJSON("/control/faults", tt.fault), http.StatusOK)
			id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
			e := h.wantGraphError(h.send(h.page(0), tok, id, "x"), tt.status, tt.code, tt.subcode)
			if e.Error.Message != tt.message || e.Error.IsTransient != tt.transient || e.Error.Type != "OAuthException" {
				t.Errorf("error %+v", e.Error)
			}
			h.wantStatus(h.send(h.page(0), tok, id, "x"), http.StatusOK) // count 1 by default; nothing was recorded
		})
	}
}

func TestFaults_sendErrorCountAndAccount(t *testing.T) {
	h := newHarness(t)
	tok0, tok1 := h.avaPage(0), h.avaPage(1)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "send_error", "code": 368, "count": 2, "account": h.account(0)}), 200)
	other := h.comment(map[string]any{"account": h.account(1), "text": "x"})
	h.wantStatus(h.send(h.page(1), tok1, other, "x"), http.StatusOK)           // another account
	h.wantStatus(h.get("/"+h.account(0)+"?access_token="+tok0), http.StatusOK) // reads are not Send API calls
	id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
	h.wantGraphError(h.send(h.page(0), tok0, id, "x"), 400, 368, 0)
	h.wantGraphError(h.send(h.page(0), tok0, id, "x"), 400, 368, 0)
	h.wantStatus(h.send(h.page(0), tok0, id, "x"), http.StatusOK)

	// A throttling code comes with the usage header at 100 %.
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "send_error", "code": 613, "subcode": 2534040}), 200)
	r := h.send(h.page(1), tok1, h.comment(map[string]any{"account": h.account(1), "text": "y"}), "x")
	h.wantGraphError(r, 400, 613, 2534040)
	if u := r.header.Get("X-Business-Use-Case-Usage"); !strings.Contains(u, `"`+h.account(1)+`":[{"type":"instagram","call_count":100`) ||
		!strings.Contains(u, `"estimated_time_to_regain_access":1`) {
		t.Fatalf("usage header %q", u)
	}
}
