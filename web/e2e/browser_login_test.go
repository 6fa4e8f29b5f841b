package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_loginShowsAccountsAndTeam logs in through the real pages in
// headless Chromium (login button, the simulator's dialog, the callback)
// and looks at the accounts and team pages, light and dark.
func TestBrowser_loginShowsAccountsAndTeam(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	b := NewBrowser(t)
	b.Navigate(w.App.URL + "/")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-button]`)))
	b.Screenshot("login")
	w.BrowserLogin(t, b, d.User("Ava").ID)
	if loc := b.Location(); loc != w.App.URL+"/inbox" {
		t.Errorf("after login the browser is at %s, want /inbox", loc)
	}
	b.Navigate(w.App.URL + "/accounts")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=account-card]`)))
	if n := Eval[int](b, `document.querySelectorAll("[data-testid=account-card]").length`); n != 2 {
		t.Errorf("%d account cards, want 2", n)
	}
	if got := b.Text(`[data-testid=usermenu] .usermenu-name`); got != "Ava Martin" {
		t.Errorf("user menu = %q", got)
	}
	// Images and styles load under the CSP: the account picture is drawn.
	b.WaitFor(`[...document.querySelectorAll(".account-card img")].every(i => i.complete && i.naturalWidth > 0)`, 5*time.Second)
	if url := b.Text(`[data-testid=webhook-setup] label`); url == "" {
		t.Error("admin sees no webhook settings")
	}
	if v := Eval[string](b, `document.querySelector("[data-testid=webhook-url]").value`); v != w.App.URL+"/webhooks/instagram" {
		t.Errorf("webhook URL = %q", v)
	}
	if v := Eval[string](b, `document.querySelector("[data-testid=verify-token]").value`); v != w.VerifyToken {
		t.Errorf("verify token = %q", v)
	}
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=copy-webhook-url]`)))
	b.WaitFor(`document.querySelector("[data-testid=copy-webhook-url]").hasAttribute("data-copied")`, 3*time.Second)
	b.Screenshot("accounts-light")
	b.ColorScheme("dark")
	b.Screenshot("accounts-dark")
	b.ColorScheme("")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("accounts-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))

	b.Navigate(w.App.URL + "/team")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=team-row]`)))
	if role := b.Text(`[data-testid=team-role]`); role != "Admin" {
		t.Errorf("role = %q", role)
	}
	b.Screenshot("team")

	// Logging out is a form POST with the CSRF token.
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=usermenu] summary`)))
	b.ClickNav(`[data-testid=logout]`)
	if loc := b.Location(); !strings.HasSuffix(loc, "/login") {
		t.Errorf("after logout at %s", loc)
	}
	if got := b.Text(`[data-testid=toasts]`); !strings.Contains(got, "logged out") {
		t.Errorf("toast = %q", got)
	}
}

// TestBrowser_noAccessPage: a user without any account sees a friendly page.
func TestBrowser_noAccessPage(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	b := NewBrowser(t)
	w.BrowserLogin(t, b, w.World().User("Chloé").ID)
	b.Navigate(w.App.URL + "/accounts")
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=no-access]`)))
	if got := b.Text(`[data-testid=no-access] h1`); !strings.Contains(got, "Chloé") {
		t.Errorf("heading = %q", got)
	}
	b.Screenshot("no-access")
	b.ColorScheme("dark")
	b.Screenshot("no-access-dark")
}
