package metasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSend_acceptsAndRecordsReply(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "Price please?", "username": "jane.doe"})
	r := h.send(h.page(0), tok, id, "Hi Jane! 12 € a bag ☕")
	h.wantStatus(r, http.StatusOK)
	var ok struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	h.decode(r, &ok)
	if !strings.HasPrefix(ok.MessageID, "aWdf") || ok.RecipientID != h.sim.world.igsid("jane.doe") {
		t.Fatalf("answer %s", r.body)
	}
	if u := r.header.Get("X-Business-Use-Case-Usage"); !strings.Contains(u, `"`+h.account(0)+`":[{"type":"instagram","call_count":0`) {
		t.Fatalf("usage header %q", u)
	}
	if a := r.header.Get("X-App-Usage"); a != "" {
		t.Fatalf("X-App-Usage %q sent with the business-use-case header", a)
	}
	var replies struct {
		Replies []struct {
			CommentID   string `json:"comment_id"`
			Text        string `json:"text"`
			MessageID   string `json:"message_id"`
			RecipientID string `json:"recipient_id"`
			At          string `json:"at"`
		}
	}
	h.decode(h.get("/control/replies"), &replies)
	got := replies.Replies
	if len(got) != 1 || got[0].CommentID != id || got[0].Text != "Hi Jane! 12 € a bag ☕" ||
		got[0].MessageID != ok.MessageID || got[0].RecipientID != ok.RecipientID || got[0].At != testEpoch.Format(time.RFC3339) {
		t.Fatalf("replies %+v", got)
	}
}

func TestSend_formEncodedWithJSONFields(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(1)
	id := h.comment(map[string]any{"account": h.account(1), "text": "Waterproof?"})
	r := h.postForm("/"+h.page(1)+"/messages", url.Values{
		"recipient": {`{"comment_id":"` + id + `"}`}, "message": {`{"text":"Yes, 10,000 mm."}`},
		"access_token": {tok}, "appsecret_proof": {appsecretProof(testAppSecret, tok)},
	})
	h.wantStatus(r, http.StatusOK)
}

func TestSend_rules(t *testing.T) {
	h := newHarness(t)
	avaLong := h.longToken(h.login(h.user(0), allScopes))
	tok0 := h.pageToken(avaLong, h.page(0))
	tok1 := h.pageToken(avaLong, h.page(1))
	danaTok := h.pageToken(h.longToken(h.login(h.user(3), allScopes)), h.page(0))
	fresh := func(extra map[string]any) string {
		req := map[string]any{"account": h.account(0), "text": "hello"}
		for k, v := range extra {
			req[k] = v
		}
		return h.comment(req)
	}
	otherAccount := h.comment(map[string]any{"account": h.account(1), "text": "hi"})
	own := fresh(map[string]any{"own": true})
	old := fresh(map[string]any{"age": "8d"})
	live := fresh(map[string]any{"live": true})
	h.wantStatus(h.postJSON("/control/live/end", map[string]string{"account": h.account(0)}), http.StatusOK)
	multi := strings.Repeat("é", 500) // 1,000 bytes

	tests := []struct {
		name            string
		path, tok, text string
		comment         string
		status          int
		code, subcode   int
	}{
		{"garbage token", h.page(0), "EAAnonsense", "x", fresh(nil), 400, 190, 0},
		{"Instagram id in path", h.account(0), tok0, "x", fresh(nil), 400, 3, 0},
		{"another Page", h.page(1), tok0, "x", fresh(nil), 400, 100, 33},
		{"user token", h.page(0), avaLong, "x", fresh(nil), 400, 210, 0},
		{"no MESSAGING task", h.page(0), danaTok, "x", fresh(nil), 403, 230, 0},
		{"unknown comment", h.page(0), tok0, "x", "17900000000000000", 400, 100, 2018292},
		{"other account's comment", h.page(0), tok0, "x", otherAccount, 400, 100, 2018292},
		{"own comment", h.page(0), tok0, "x", own, 400, 100, 2534025},
		{"empty text", h.page(0), tok0, "", fresh(nil), 400, 100, 0},
		{"1,001 bytes", h.page(0), tok0, multi + "a", fresh(nil), 400, 100, 0},
		{"older than 7 days", h.page(0), tok0, "x", old, 403, 10, 2534022},
		{"Live ended", h.page(0), tok0, "x", live, 403, 10, 2534022},
		{"1,000 bytes", h.page(0), tok0, multi, fresh(nil), 200, 0, 0},
		{"6 days old", h.page(0), tok0, "x", fresh(map[string]any{"age": "6d"}), 200, 0, 0},
		{"reply comment", h.page(1), tok1, "x", h.comment(map[string]any{"account": h.account(1), "text": "same", "parent_id": otherAccount}), 200, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send(tt.path, tt.tok, tt.comment, tt.text)
			if tt.status == 200 {
				h.wantStatus(r, 200)
				return
			}
			h.wantGraphError(r, tt.status, tt.code, tt.subcode)
		})
	}
}

func TestSend_newPagesExperienceMessagingTask(t *testing.T) {
	h := newHarness(t)
	eli := h.pageToken(h.longToken(h.login(h.user(4), allScopes)), h.page(0))
	id := h.comment(map[string]any{"account": h.account(0), "text": "hi"})
	h.wantStatus(h.send(h.page(0), eli, id, "hello"), http.StatusOK)
}

func TestSend_declinedPermissions(t *testing.T) {
	tests := []struct {
		decline       string
		status, code  int
		wantMessageIs string
	}{
		{"pages_messaging", 403, 230, "(#230) Requires pages_messaging permission to manage the object"},
		{"instagram_manage_comments", 403, 199, "An unknown error occurred."}, // Meta's 199 (meta-platform.md §10)
	}
	for _, tt := range tests {
		t.Run(tt.decline, func(t *testing.T) {
			h := newHarness(t)
			q := url.Values{"client_id": {testAppID}, "redirect_uri": {testRedirect}, "scope": {allScopes},
				"sim_user": {h.user(0)}, "sim_decline": {tt.decline}}
			loc, _ := url.Parse(h.get("/dialog/oauth?" + q.Encode()).header.Get("Location"))
			r := h.postForm("/oauth/access_token", url.Values{"client_id": {testAppID}, "client_secret": {testAppSecret},
				"redirect_uri": {testRedirect}, "code": {loc.Query().Get("code")}})
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			h.decode(r, &tok)
			pt := h.pageToken(tok.AccessToken, h.page(0))
			id := h.comment(map[string]any{"account": h.account(0), "text": "hi"})
			if e := h.wantGraphError(h.send(h.page(0), pt, id, "x"), tt.status, tt.code, 0); e.Error.Message != tt.wantMessageIs {
				t.Errorf("message %q", e.Error.Message)
			}
		})
	}
}

func TestSend_onePerCommentUnderConcurrency(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "first!"})
	var wg sync.WaitGroup
	results := make([]response, 20)
	for i := range results {
		wg.Go(func() { results[i] = h.send(h.page(0), tok, id, "only once") })
	}
	wg.Wait()
	accepted := 0
	for _, r := range results {
		if r.status == http.StatusOK {
			accepted++
			continue
		}
		h.wantGraphError(r, 400, 100, 2534025)
	}
	if accepted != 1 {
		t.Fatalf("accepted %d replies, want 1", accepted)
	}
	var replies struct{ Replies []json.RawMessage }
	h.decode(h.get("/control/replies"), &replies)
	if len(replies.Replies) != 1 {
		t.Fatalf("recorded %d replies", len(replies.Replies))
	}
}

func TestSend_windowClosesAsClockAdvances(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "hi", "age": "5d"})
	h.advance("48h")
	h.wantGraphError(h.send(h.page(0), tok, id, "late"), 403, 10, 2534022)
}

func TestSend_liveOnlyWhileBroadcasting(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(1)
	a := h.account(1)
	first := h.comment(map[string]any{"account": a, "text": "blue one!", "live": true})
	second := h.comment(map[string]any{"account": a, "text": "red one!", "live": true})
	h.wantStatus(h.send(h.page(1), tok, first, "Sending the link"), http.StatusOK)
	h.wantStatus(h.postJSON("/control/live/end", map[string]string{"account": a}), http.StatusOK)
	h.wantGraphError(h.send(h.page(1), tok, second, "too late"), 403, 10, 2534022)
}

func TestSend_hourlyBudget(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	ids := make([]string, hourlyReplyBudget+2)
	for i := range ids {
		c, err := h.sim.createComment(commentRequest{Account: h.account(0), Text: "q"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	for i := range hourlyReplyBudget {
		if r := h.send(h.page(0), tok, ids[i], "a"); r.status != http.StatusOK {
			t.Fatalf("reply %d refused: %s", i+1, r.body)
		}
	}
	r := h.send(h.page(0), tok, ids[hourlyReplyBudget], "a")
	h.wantGraphError(r, 400, 613, 2534040)
	u := r.header.Get("X-Business-Use-Case-Usage")
	if !strings.Contains(u, `"call_count":100`) || !strings.Contains(u, `"estimated_time_to_regain_access":60`) {
		t.Fatalf("usage header %q", u)
	}
	// Another account keeps its own budget.
	other := h.comment(map[string]any{"account": h.account(1), "text": "q"})
	h.wantStatus(h.send(h.page(1), h.avaPage(1), other, "a"), http.StatusOK)
	h.advance("1h")
	h.wantStatus(h.send(h.page(0), tok, ids[hourlyReplyBudget], "a"), http.StatusOK)
}

func TestSend_liveRatePerSecond(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	ids := make([]string, liveRepliesPerSecond+1)
	for i := range ids {
		c, err := h.sim.createComment(commentRequest{Account: h.account(0), Text: "live!", Live: true})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	for i := range liveRepliesPerSecond {
		h.wantStatus(h.send(h.page(0), tok, ids[i], "a"), http.StatusOK)
	}
	h.wantGraphError(h.send(h.page(0), tok, ids[liveRepliesPerSecond], "a"), 400, 613, 2534040)
	h.advance("1s")
	h.wantStatus(h.send(h.page(0), tok, ids[liveRepliesPerSecond], "a"), http.StatusOK)
}

func TestSend_revokedToken(t *testing.T) {
	h := newHarness(t)
	tok0, tok1 := h.avaPage(0), h.avaPage(1)
	id0 := h.comment(map[string]any{"account": h.account(0), "text": "hi"})
	id1 := h.comment(map[string]any{"account": h.account(1), "text": "hi"})
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "token_revoked", "account": h.account(0)}), 200)
	h.wantGraphError(h.send(h.page(0), tok0, id0, "x"), 400, 190, 460)
	h.wantStatus(h.send(h.page(1), tok1, id1, "x"), http.StatusOK)         // the other Page is unaffected
	h.wantGraphError(h.send(h.page(0), tok0, id0, "x"), 400, 190, 460)     // it stays revoked
	h.wantStatus(h.send(h.page(0), h.avaPage(0), id0, "x"), http.StatusOK) // a fresh login works
}

func TestSend_ambiguousTimeoutStaysAccepted(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "hi"})
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_slow", "delay": "2s", "account": h.account(0)}), 200)
	body := `{"recipient":{"comment_id":"` + id + `"},"message":{"text":"hello"}}`
	req, _ := http.NewRequest("POST", h.srv.URL+"/v25.0/"+h.page(0)+"/messages?access_token="+tok, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if _, err := (&http.Client{Timeout: 100 * time.Millisecond}).Do(req); err == nil {
		t.Fatal("want a client timeout")
	}
	h.wantGraphError(h.send(h.page(0), tok, id, "hello again"), 400, 100, 2534025)
}
