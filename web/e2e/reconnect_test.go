package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReconcile_revokedTokenNeedsReconnect: a Page token revoked through the
// simulator's faults is caught by the reconciler; the account shows "needs
// reconnect" with a banner and a Reconnect button, and logging in again
// reconnects it.
func TestReconcile_revokedTokenNeedsReconnect(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_RECONCILE_INTERVAL": "1s"}})
	d := w.World()
	ava := d.User("Ava")
	coffee := d.Account("acme.coffee")
	c := w.Login(t, ava.ID)
	card := func() *Response {
		return c.Get(t, "/accounts")
	}
	if h := card().Find(`#account-`+coffee.ID).AttrOr("data-healthy", ""); h != "true" {
		t.Fatalf("before the fault the account is healthy=%s", h)
	}
	w.Control(t, http.MethodPost, "/control/faults", map[string]string{"kind": "token_revoked", "account": coffee.ID}, nil)
	var page *Response
	deadline := time.Now().Add(15 * time.Second)
	for {
		page = card()
		if page.Find(`#account-`+coffee.ID).AttrOr("data-healthy", "") == "false" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the account never needed reconnecting:\n%s", w.App.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	acct := page.Find(`#account-` + coffee.ID)
	if s := acct.Find(`[data-testid=account-status]`).Text(); s != "Needs reconnect" {
		t.Errorf("status = %q", s)
	}
	if ok := acct.Find(`[data-testid=check-token]`).AttrOr("data-ok", ""); ok != "false" {
		t.Errorf("token check ok = %s", ok)
	}
	if href := acct.Find(`[data-testid=reconnect]`).AttrOr("href", ""); href != "/auth/facebook" {
		t.Errorf("reconnect button = %q", href)
	}
	banner := page.Find(`[data-testid=banner]`)
	if !strings.Contains(banner.Text(), "@acme.coffee needs reconnecting") || banner.Find("a").AttrOr("href", "") != "/auth/facebook" {
		t.Errorf("banner = %q", banner.Text())
	}
	// The other account is untouched.
	outdoor := d.Account("acme.outdoor")
	if h := page.Find(`#account-`+outdoor.ID).AttrOr("data-healthy", ""); h != "true" {
		t.Errorf("the other account is healthy=%s", h)
	}
	var api struct {
		TokenState string `json:"token_state"`
	}
	c.GetJSON(t, "/api/v1/accounts/"+coffee.ID, &api)
	if api.TokenState != "needs_reconnect" {
		t.Errorf("API token_state = %q", api.TokenState)
	}
	// Reconnect = log in again: fresh Page tokens, the account is healthy.
	if r := c.Callback(t, c.Dialog(t, c.StartLogin(t, ""), ava.ID, nil)); r.Status != http.StatusSeeOther {
		t.Fatalf("reconnect login = %d", r.Status)
	}
	page = card()
	if h := page.Find(`#account-`+coffee.ID).AttrOr("data-healthy", ""); h != "true" || page.Find(`[data-testid=banner]`).Length() != 0 {
		t.Errorf("after reconnecting: healthy=%s banner %q", h, page.Find(`[data-testid=banner]`).Text())
	}
}

// TestAccounts_lastWebhookShown: once a connected account's Page is
// subscribed, a comment's webhook reaches the app and the accounts page
// shows when the last one arrived.
func TestAccounts_lastWebhookShown(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	c := w.Login(t, d.User("Ben").ID)
	outdoor := d.Account("acme.outdoor")
	sel := `#account-` + outdoor.ID + ` [data-testid=check-last_event]`
	if got := c.Get(t, "/accounts").Find(sel).Text(); !strings.Contains(got, "never") {
		t.Fatalf("before any comment: %q", got)
	}
	w.Control(t, http.MethodPost, "/control/comments", map[string]string{"account": outdoor.ID, "text": "Price please?"}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := c.Get(t, "/accounts").Find(sel)
		if got.AttrOr("data-ok", "") == "true" && strings.Contains(got.Text(), "just now") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("last comment still %q:\n%s", got.Text(), w.App.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
