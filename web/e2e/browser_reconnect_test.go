package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_reconnectAndGrantAgain: with a declined permission and a
// revoked Page token, the pages show both banners; Reconnect and Grant
// again go through the dialog and fix each.
func TestBrowser_reconnectAndGrantAgain(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_RECONCILE_INTERVAL": "1s"}})
	d := w.World()
	ava, coffee := d.User("Ava"), d.Account("acme.coffee")
	b := NewBrowser(t)
	// Log in declining pages_messaging (the dialog's checkbox, scripted).
	b.Navigate(w.App.URL + "/auth/facebook")
	dialog, _ := url.Parse(b.Location())
	q := dialog.Query()
	q.Set("sim_user", ava.ID)
	q.Set("sim_decline", "pages_messaging")
	dialog.RawQuery = q.Encode()
	b.Navigate(dialog.String())
	w.Control(t, http.MethodPost, "/control/faults", map[string]string{"kind": "token_revoked", "account": coffee.ID}, nil)
	start := time.Now()
	b.Navigate(w.App.URL + "/accounts")
	deadline := time.Now().Add(15 * time.Second)
	for Eval[string](b, `document.querySelector("#account-`+coffee.ID+`").dataset.healthy`) != "false" || !strings.Contains(b.Text(`[data-testid=account-status]`), "reconnect") {
		if time.Now().After(deadline) {
			t.Fatal("the account never showed needs reconnect")
		}
		time.Sleep(300 * time.Millisecond)
		b.Navigate(w.App.URL + "/accounts")
	}
	t.Logf("needs reconnect after %s", time.Since(start))
	if n := Eval[int](b, `document.querySelectorAll("[data-testid=banner]").length`); n != 2 {
		t.Errorf("%d banners, want 2 (reconnect, declined permission)", n)
	}
	b.Screenshot("needs-reconnect")
	b.ColorScheme("dark")
	b.Screenshot("needs-reconnect-dark")
	b.ColorScheme("")

	// Reconnect: the card's button, then the user on the dialog.
	b.ClickNav(`#account-` + coffee.ID + ` [data-testid=reconnect]`)
	b.ClickNav(`[data-testid="sim-user-` + ava.ID + `"]`)
	b.Navigate(w.App.URL + "/accounts")
	if h := Eval[string](b, `document.querySelector("#account-`+coffee.ID+`").dataset.healthy`); h != "false" {
		t.Errorf("still declined, so not healthy: %s", h)
	}
	if got := b.Text(`#account-` + coffee.ID + ` [data-testid=check-token]`); !strings.Contains(got, "Working") {
		t.Errorf("token after reconnecting: %q", got)
	}
	// Grant again: the banner's button asks with auth_type=rerequest.
	b.ClickNav(`[data-testid=banner] a[href="/auth/facebook?rerequest=1"]`)
	if !strings.Contains(b.Location(), "auth_type=rerequest") {
		t.Errorf("grant again opened %s", b.Location())
	}
	b.ClickNav(`[data-testid="sim-user-` + ava.ID + `"]`)
	b.Navigate(w.App.URL + "/accounts")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=account-card]`)))
	if n := Eval[int](b, `document.querySelectorAll("[data-testid=banner]").length`); n != 0 {
		t.Errorf("%d banners after fixing everything", n)
	}
	if n := Eval[int](b, `document.querySelectorAll("[data-healthy=true]").length`); n != 2 {
		t.Errorf("%d healthy accounts, want 2", n)
	}
}
