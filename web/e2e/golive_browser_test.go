package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/replydesk/replydesk/internal/outbound/outboundtest"
)

// TestBrowser_goingLivePages drives the going-live pages as an admin in
// Chromium and saves screenshots to look at: the setup check with one
// thing wrong (desktop, phone, dark), the accounts page pointing to it,
// the API tokens and outbound webhooks settings, the disconnect
// confirmation, a purge leaving the open inbox, and the data-deletion
// status page.
func TestBrowser_goingLivePages(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	ava := w.Login(t, d.User("Ava").ID)
	waitComment(t, ava, w.comment(t, map[string]any{"account": outdoor.ID, "username": "river.walks", "text": "How much is the blue one?"}))

	// The setup check: only https is wrong (the test app is on http).
	b.Navigate(w.App.URL + "/setup")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=setup-page]`)))
	if n := Eval[string](b, `document.querySelector("[data-testid=setup-page]").dataset.problems`); n != "1" {
		t.Errorf("setup problems = %s", n)
	}
	if got := b.Text(`[data-testid=setup-https] .setup-fix`); !strings.Contains(got, "REPLYDESK_BASE_URL") {
		t.Errorf("https fix = %q", got)
	}
	b.Screenshot("setup-desktop")
	b.ColorScheme("dark")
	b.Screenshot("setup-dark")
	b.ColorScheme("")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("setup-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))

	b.Navigate(w.App.URL + "/accounts")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=setup-link]`)))
	b.Screenshot("accounts-setup-link")

	// API tokens: made on the page, shown once.
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=usermenu] summary`)), chromedp.Click(chromedp.CSS(`[data-testid=menu-tokens]`)))
	b.WaitFor(`!!document.querySelector("[data-testid=tokens-page]")`, 5*time.Second)
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-testid=token-name-input]`), "Nightly export"),
		chromedp.Click(chromedp.CSS(`[data-testid=create-token]`)))
	b.WaitFor(`!!document.querySelector("[data-testid=new-token-value]")`, 5*time.Second)
	if v := Eval[string](b, `document.querySelector("[data-testid=new-token-value]").value`); !strings.HasPrefix(v, "rdk_") {
		t.Errorf("token shown = %q", v)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-testid=token-name-input]`), "Zapier"),
		chromedp.Click(chromedp.CSS(`[data-testid=create-token]`)))
	b.WaitFor(`document.querySelectorAll("[data-testid=token-row]").length === 2`, 5*time.Second)
	b.Screenshot("tokens")

	// Outbound webhooks: one receiver answers, one keeps failing.
	rcv, good := outboundtest.New(t, 0)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"database is down"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(bad.Close)
	r := ava.PostJSON(t, "/api/v1/webhooks", map[string]any{"url": bad.URL + "/replydesk", "events": []string{"comment.created"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	b.Navigate(w.App.URL + "/settings/webhooks")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=webhook-form]`)))
	// Every event is ticked to begin with; the test leaves out reply.failed.
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-testid=webhook-url-input]`), good.URL+"/hooks/replydesk"),
		chromedp.Click(chromedp.CSS(`[data-testid="event-reply.failed"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=add-webhook]`)))
	b.WaitFor(`!!document.querySelector("[data-testid=new-webhook-secret]")`, 5*time.Second)
	secret := Eval[string](b, `document.querySelector("[data-testid=new-webhook-secret]").value`)
	rcv.SetSecret(secret)
	id := w.comment(t, map[string]any{"account": coffee.ID, "username": "north.buyer", "text": "Does it ship to Canada?"})
	waitComment(t, ava, id)
	rcv.WaitAccepted(t, "comment.created", 1)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b.Navigate(w.App.URL + "/settings/webhooks")
		if Eval[int](b, `document.querySelectorAll("[data-testid=delivery][data-state=delivered]").length`) == 1 &&
			Eval[int](b, `document.querySelectorAll("[data-testid=delivery][data-state=pending]").length`) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the settings page never showed one delivered and one retrying delivery")
		}
	}
	if got := b.Text(`[data-testid=delivery][data-state=pending]`); !strings.Contains(got, "HTTP 500") || !strings.Contains(got, "database is down") {
		t.Errorf("failing delivery shows %q", got)
	}
	b.Screenshot("webhooks")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("webhooks-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))

	// The disconnect confirmation.
	b.Navigate(w.App.URL + "/accounts/" + outdoor.ID + "/disconnect")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=disconnect-form]`)))
	b.Screenshot("disconnect")

	// A purge takes the comment off the open inbox.
	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 5*time.Second)
	var res struct {
		Purged int `json:"comments_purged"`
	}
	r = ava.PostJSON(t, "/api/v1/accounts/"+coffee.ID+"/disconnect", map[string]bool{"purge": true})
	if json.Unmarshal([]byte(r.Body), &res); r.Status != http.StatusOK || res.Purged != 1 {
		t.Fatalf("purge: %d %s", r.Status, r.Body)
	}
	b.WaitFor(`!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)

	// The status page Meta links a data-deletion request to.
	w.Login(t, d.User("Ben").ID)
	var cb callbackResult
	w.Control(t, http.MethodPost, "/control/data-deletion", map[string]string{"user": d.User("Ben").ID}, &cb)
	var answer struct {
		URL string `json:"url"`
	}
	json.Unmarshal([]byte(cb.Body), &answer)
	b.Navigate(answer.URL)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=deletion-page]`)))
	b.Screenshot("deletion")
}
