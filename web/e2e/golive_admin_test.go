package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/replydesk/replydesk/internal/outbound/outboundtest"
	"github.com/replydesk/replydesk/web/webtest"
)

type apiAccounts struct {
	Data []struct {
		ID         string `json:"id"`
		Username   string `json:"username"`
		TokenState string `json:"token_state"`
	} `json:"data"`
}

func usernames(c *Client, t *testing.T) []string {
	t.Helper()
	var a apiAccounts
	c.GetJSON(t, "/api/v1/accounts", &a)
	var out []string
	for _, x := range a.Data {
		out = append(out, x.Username)
	}
	return out
}

// TestDisconnect_unsubscribesStopsSendsKeepsOrPurges: an admin disconnects
// an account: Meta stops delivering (the app left the Page), a reply still
// retrying is never sent, logins do not reconnect it, and its comments are
// kept (back when an admin connects it again) or purged, leaving the open
// inboxes through the change feed.
func TestDisconnect_unsubscribesStopsSendsKeepsOrPurges(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	avaID := d.User("Ava").ID
	ava := w.Login(t, avaID)
	ben := w.Login(t, d.User("Ben").ID)
	kept := w.comment(t, map[string]any{"account": outdoor.ID, "text": "keep me"})
	waitComment(t, ava, kept)
	// A reply that Meta keeps failing for now: retrying when the account goes.
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 1000, "account": outdoor.ID}, nil)
	if r := ava.PostJSON(t, "/api/v1/comments/"+kept+"/reply", map[string]string{"text": "on its way"}); r.Status != http.StatusAccepted && r.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	waitReplyState(t, ava, kept, "retrying")

	if r := ben.PostJSON(t, "/api/v1/accounts/"+outdoor.ID+"/disconnect", nil); r.Status != http.StatusForbidden {
		t.Errorf("an agent disconnects: %d", r.Status)
	}
	if r := ava.Get(t, "/accounts/"+outdoor.ID+"/disconnect"); r.Status != http.StatusOK || r.Find("[data-testid=disconnect-form]").Length() != 1 ||
		!strings.Contains(r.Find("legend").Text(), "1 comment") {
		t.Errorf("confirmation page = %d %s", r.Status, r.Find("legend").Text())
	}
	r := ava.PostForm(t, "/accounts/"+outdoor.ID+"/disconnect", url.Values{"purge": {"false"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/accounts" {
		t.Fatalf("disconnect form = %d %s %.300s", r.Status, r.Location(), r.Body)
	}
	w.Control(t, http.MethodDelete, "/control/faults", nil, nil)
	waitReplyState(t, ava, kept, "") // no longer visible to anyone
	if got := usernames(ava, t); len(got) != 1 || got[0] != "acme.coffee" {
		t.Errorf("ava's accounts after disconnect: %v", got)
	}
	if page := ben.Get(t, "/inbox"); page.Find("[data-testid=no-access]").Length() != 1 {
		t.Error("ben still reaches the disconnected account")
	}
	// Meta stops sending: the app left the Page. A comment on coffee arrives;
	// the one on outdoor, made before it, never does.
	gone := w.comment(t, map[string]any{"account": outdoor.ID, "text": "nobody hears me"})
	waitComment(t, ava, w.comment(t, map[string]any{"account": coffee.ID, "text": "i arrive"}))
	var deliveries struct {
		Deliveries []struct {
			Body string `json:"body"`
		} `json:"deliveries"`
	}
	w.Control(t, http.MethodGet, "/control/deliveries", nil, &deliveries)
	for _, dl := range deliveries.Deliveries {
		if strings.Contains(dl.Body, gone) {
			t.Error("Meta still delivered a comment of the disconnected account")
		}
	}
	if got := w.repliesTo(t, kept); len(got) != 0 {
		t.Errorf("the stopped reply was sent: %v", got)
	}
	// Logging in again does not reconnect it...
	ava = w.Login(t, avaID)
	if got := usernames(ava, t); len(got) != 1 {
		t.Errorf("a login reconnected it: %v", got)
	}
	page := ava.Get(t, "/accounts")
	if page.Find("[data-testid=unattended-account]").AttrOr("data-account-id", "") != outdoor.ID {
		t.Fatalf("the accounts page does not list it as not connected: %.500s", page.Find("[data-testid=unattended]").Text())
	}
	// ...until an admin connects it again: its comments are back.
	r = ava.PostForm(t, "/accounts/"+outdoor.ID+"/reconnect", nil)
	if r.Status != http.StatusSeeOther || r.Location() != "/auth/facebook" {
		t.Fatalf("connect again = %d %s", r.Status, r.Location())
	}
	ava = w.Login(t, avaID)
	if got := usernames(ava, t); len(got) != 2 {
		t.Fatalf("after connecting again: %v", got)
	}
	var back apiComment
	ava.GetJSON(t, "/api/v1/comments/"+kept, &back)
	if back.Reply == nil || back.Reply.State != "failed" {
		t.Errorf("the kept comment's reply = %+v, want failed (stopped)", back.Reply)
	}

	// Purge coffee while an inbox is open: its rows leave the page's stream.
	purged := w.comment(t, map[string]any{"account": coffee.ID, "text": "purge me"})
	waitComment(t, ava, purged)
	inbox := ava.Get(t, "/inbox")
	events, _ := inbox.Find("[data-testid=inbox-page]").Attr("sse-connect")
	stream := ava.OpenStream(t, events, nil)
	var res struct {
		Purged int  `json:"comments_purged"`
		Unsub  bool `json:"unsubscribed"`
	}
	r = ava.PostJSON(t, "/api/v1/accounts/"+coffee.ID+"/disconnect", map[string]bool{"purge": true})
	if json.Unmarshal([]byte(r.Body), &res); r.Status != http.StatusOK || res.Purged != 2 || !res.Unsub {
		t.Fatalf("purge = %d %s", r.Status, r.Body)
	}
	if _, _, ok := stream.Until(10*time.Second, func(e webtest.Event) bool {
		return strings.Contains(e.Data, `id="comment-`+purged+`"`) && strings.Contains(e.Data, `hx-swap-oob="delete"`)
	}); !ok {
		t.Error("the open inbox was not told the purged comment is gone")
	}
	if r := ava.PostJSON(t, "/api/v1/accounts/"+coffee.ID+"/disconnect", nil); r.Status != http.StatusConflict {
		t.Errorf("disconnecting twice: %d", r.Status)
	}
}

// waitReplyState polls the API until the comment's reply is in state, or,
// with state "", until the comment is no longer visible (404).
func waitReplyState(t *testing.T, c *Client, id, state string) apiComment {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		req, _ := http.NewRequest(http.MethodGet, c.Base+"/api/v1/comments/"+id, nil)
		r := c.Do(t, req)
		var cm apiComment
		json.Unmarshal([]byte(r.Body), &cm)
		switch {
		case state == "" && r.Status == http.StatusNotFound:
			return cm
		case state != "" && cm.Reply != nil && cm.Reply.State == state:
			return cm
		}
		if time.Now().After(deadline) {
			t.Fatalf("comment %s: %d %s, want reply %q", id, r.Status, r.Body, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSetup_checksOneThingWrong: against the simulator, everything Meta
// needs checks out but the public address's https (the test app is on
// http); a revoked Page token shows on its account; agents get 403, and the
// accounts page links admins to the check while anything is wrong.
func TestSetup_checksOneThingWrong(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	coffee := d.Account("acme.coffee")
	waitComment(t, ava, w.comment(t, map[string]any{"account": coffee.ID, "text": "hello"}))
	if r := ben.Get(t, "/setup"); r.Status != http.StatusForbidden {
		t.Errorf("an agent opens /setup: %d", r.Status)
	}
	if page := ava.Get(t, "/accounts"); page.Find("[data-testid=setup-link]").Length() != 0 {
		t.Error("the setup link shows before any check ran")
	}
	page := ava.Get(t, "/setup")
	if page.Status != http.StatusOK {
		t.Fatalf("/setup = %d", page.Status)
	}
	checks := map[string]string{}
	page.Find("[data-testid=setup-section]").Each(func(_ int, sec *goquery.Selection) {
		title := sec.Find("h2").Text()
		sec.Find("li[data-status]").Each(func(_ int, li *goquery.Selection) {
			key := strings.TrimPrefix(li.AttrOr("data-testid", ""), "setup-")
			checks[title+" "+key] = li.AttrOr("data-status", "") + ": " + li.Find(".setup-found").Text()
		})
	})
	for _, key := range []string{"https", "handshake", "signed_delivery", "credentials", "app_subscription", "graph_version"} {
		if _, ok := checks["This installation "+key]; !ok {
			t.Errorf("no %s check: %v", key, checks)
		}
	}
	for _, acct := range []string{"@acme.coffee", "@acme.outdoor"} {
		for _, key := range []string{"token", "page_subscription", "permissions", "data_access", "webhook_activity"} {
			if !strings.HasPrefix(checks[acct+" "+key], "ok:") {
				t.Errorf("%s %s = %q", acct, key, checks[acct+" "+key])
			}
		}
	}
	for k, v := range checks {
		if want := k == "This installation https"; strings.HasPrefix(v, "fail") != want {
			t.Errorf("%s = %q", k, v)
		}
	}
	if page.Find("[data-testid=setup-page]").AttrOr("data-problems", "") != "1" || !strings.Contains(page.Find("[data-testid=setup-https] .setup-fix").Text(), "TLS") {
		t.Errorf("problems = %s, https fix = %q", page.Find("[data-testid=setup-page]").AttrOr("data-problems", ""), page.Find("[data-testid=setup-https] .setup-fix").Text())
	}
	if link := ava.Get(t, "/accounts").Find("[data-testid=setup-link]"); link.Length() != 1 || !strings.Contains(link.Text(), "1 thing") {
		t.Errorf("accounts page link = %q", link.Text())
	}
	// Meta revokes coffee's Page token: its access check fails and says why.
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "token_revoked", "account": coffee.ID}, nil)
	page = ava.Get(t, "/setup")
	var coffeeToken string
	page.Find("[data-testid=setup-section]").Each(func(_ int, sec *goquery.Selection) {
		if sec.AttrOr("data-account-id", "") == coffee.ID {
			coffeeToken = sec.Find("[data-testid=setup-token]").AttrOr("data-status", "")
		}
	})
	if coffeeToken != "fail" {
		t.Errorf("coffee's token check with a revoked token: %q", coffeeToken)
	}
}

// TestOutboundWebhooks_failTwiceThenSucceedOnceEvenAcrossACrash: each
// event (a comment, its reply, a refused reply) reaches a receiver that
// fails twice and then succeeds, signed, exactly once; an event pending
// when the process is killed is delivered after the restart; the settings
// page shows the deliveries and their answers.
func TestOutboundWebhooks_failTwiceThenSucceedOnceEvenAcrossACrash(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee := d.Account("acme.coffee")
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	rcv, srv := outboundtest.New(t, 2)
	if r := ben.PostJSON(t, "/api/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"comment.created"}}); r.Status != http.StatusForbidden {
		t.Errorf("an agent adds a webhook: %d", r.Status)
	}
	if r := ava.PostJSON(t, "/api/v1/webhooks", map[string]any{"url": "not a url", "events": []string{"comment.created"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad URL: %d", r.Status)
	}
	r := ava.PostJSON(t, "/api/v1/webhooks", map[string]any{"url": srv.URL + "/hook",
		"events": []string{"comment.created", "comment.replied", "comment.expiring", "reply.failed"}})
	var hook struct {
		ID     int64    `json:"id"`
		Secret string   `json:"secret"`
		Events []string `json:"events"`
	}
	if json.Unmarshal([]byte(r.Body), &hook); r.Status != http.StatusCreated || !strings.HasPrefix(hook.Secret, "whsec_") || len(hook.Events) != 4 {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	rcv.SetSecret(hook.Secret)

	answered := w.comment(t, map[string]any{"account": coffee.ID, "text": "price?"})
	refused := w.comment(t, map[string]any{"account": coffee.ID, "text": "size?"})
	waitComment(t, ava, answered)
	waitComment(t, ava, refused)
	if r := ava.PostJSON(t, "/api/v1/comments/"+answered+"/reply", map[string]string{"text": "It is €39"}); r.Status >= 300 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	waitReplied(t, ava, answered)
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "send_error", "code": 551, "subcode": 1545041, "count": 1, "account": coffee.ID}, nil)
	if r := ava.PostJSON(t, "/api/v1/comments/"+refused+"/reply", map[string]string{"text": "hi"}); r.Status >= 300 && r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refused reply: %d %s", r.Status, r.Body)
	}
	rcv.WaitAccepted(t, "comment.created", 2)
	rcv.WaitAccepted(t, "comment.replied", 1)
	rcv.WaitAccepted(t, "reply.failed", 1)

	// A crash while an event is still failing: it arrives after the restart.
	rcv.SetFailures(1000)
	crashed := w.comment(t, map[string]any{"account": coffee.ID, "text": "during the crash"})
	waitComment(t, ava, crashed)
	// Killed once its first failure is recorded: the retry is pending in
	// the database. (An attempt cut short mid-request waits out its lease
	// instead: internal/outbox tests that with a clock.)
	for deadline := time.Now().Add(10 * time.Second); !failedOnce(t, ava, crashed); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the event of the crash was never attempted")
		}
	}
	w.App.Kill()
	rcv.SetFailures(2)
	w.App.Restart()
	rcv.WaitAccepted(t, "comment.created", 3)

	// A last event accepted at once is the signal that nothing earlier
	// comes again.
	rcv.SetFailures(0)
	w.comment(t, map[string]any{"account": coffee.ID, "text": "last"})
	rcv.WaitAccepted(t, "comment.created", 4)
	for id, e := range rcv.Events() {
		if e.Accepted != 1 {
			t.Errorf("event %d (%s) accepted %d times", id, e.Name, e.Accepted)
		}
	}
	if n := rcv.BadSignatures(); n != 0 {
		t.Errorf("%d requests with a bad signature or event header", n)
	}

	ava = w.Login(t, d.User("Ava").ID)
	var list struct {
		Data []struct {
			Deliveries []struct {
				Event      string `json:"event"`
				State      string `json:"state"`
				Attempts   int    `json:"attempts"`
				LastStatus int    `json:"last_status"`
				LastAnswer string `json:"last_answer"`
			} `json:"deliveries"`
		} `json:"data"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ava.GetJSON(t, "/api/v1/webhooks", &list)
		done := len(list.Data) == 1 && len(list.Data[0].Deliveries) == 6
		for _, dl := range list.Data[0].Deliveries {
			done = done && dl.State == "delivered"
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %+v", list.Data)
		}
	}
	for _, dl := range list.Data[0].Deliveries[1:] { // all but the last went through three attempts or more
		if dl.Attempts < 3 || dl.LastStatus != 200 || dl.LastAnswer != "got it" {
			t.Errorf("delivery %+v", dl)
		}
	}
	page := ava.Get(t, "/settings/webhooks")
	if rows := page.Find("[data-testid=delivery][data-state=delivered]"); rows.Length() != 6 || !strings.Contains(rows.First().Text(), "got it") {
		t.Errorf("settings page shows %d delivered: %s", rows.Length(), rows.First().Text())
	}
	if r := ava.Do(t, mustRequest(http.MethodDelete, ava.Base+"/api/v1/webhooks/999", ava.CSRF)); r.Status != http.StatusNotFound {
		t.Errorf("deleting an unknown webhook: %d", r.Status)
	}
}

// failedOnce reports whether the app recorded a failed attempt, due again,
// to deliver an event about the comment.
func failedOnce(t *testing.T, c *Client, commentID string) bool {
	var list struct {
		Data []struct {
			Deliveries []struct {
				CommentID string `json:"comment_id"`
				State     string `json:"state"`
				Attempts  int    `json:"attempts"`
			} `json:"deliveries"`
		} `json:"data"`
	}
	c.GetJSON(t, "/api/v1/webhooks", &list)
	for _, h := range list.Data {
		for _, d := range h.Deliveries {
			if d.CommentID == commentID && d.State == "pending" && d.Attempts >= 1 {
				return true
			}
		}
	}
	return false
}

func mustRequest(method, url, csrf string) *http.Request {
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("X-CSRF-Token", csrf)
	req.Header.Set("Accept", "application/json")
	return req
}
