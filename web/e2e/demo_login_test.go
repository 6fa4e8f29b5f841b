package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDemo_loginThroughTheMountedSimulator: in demo mode the same login code
// path runs against the simulator under /_sim of the app's own port.
func TestDemo_loginThroughTheMountedSimulator(t *testing.T) {
	t.Parallel()
	app := StartApp(t, AppOptions{Env: map[string]string{"REPLYDESK_RECONCILE_INTERVAL": "1s"}})
	w := &World{App: app, SimURL: app.URL + "/_sim", t: t}
	d := w.World()
	c := w.NewClient()
	dialog := c.StartLogin(t, "")
	if dialog.Path != "/_sim/v25.0/dialog/oauth" {
		t.Errorf("dialog URL = %s", dialog)
	}
	if r := c.Callback(t, c.Dialog(t, dialog, d.User("Ben").ID, nil)); r.Status != http.StatusSeeOther {
		t.Fatalf("callback = %d %.300s", r.Status, r.Body)
	}
	page := c.Get(t, "/accounts")
	if n := page.Find(`[data-testid=account-card]`).Length(); n != 1 {
		t.Fatalf("%d accounts in demo mode, want 1:\n%.500s", n, page.Body)
	}
	if ok := page.Find(`[data-testid=check-webhooks]`).AttrOr("data-ok", ""); ok != "true" {
		t.Errorf("webhooks subscribed = %s", ok)
	}
	// The reconciler reaches the simulator through the same base URL: once
	// it has checked the account again, it must not have complained.
	checked := func() time.Time {
		var list struct {
			Data []struct {
				CheckedAt time.Time `json:"checked_at"`
			} `json:"data"`
		}
		c.GetJSON(t, "/api/v1/accounts", &list)
		return list.Data[0].CheckedAt
	}
	first := checked()
	deadline := time.Now().Add(15 * time.Second)
	for !checked().After(first) {
		if time.Now().After(deadline) {
			t.Fatal("the reconciler never checked the account")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if logs := app.Logs(); strings.Contains(logs, "reconcile:") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("the reconciler complained in demo mode:\n%s", logs)
	}
}
