package web_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/web/webtest"
)

// TestPermissions_onlyWhatFeaturesNeed: the login asks for meta.Scopes and
// nothing else (no instagram_manage_messages: private replies do not need
// it), a private reply goes out with the token that grants, and the
// README's "Running against Meta" lists each permission asked for.
func TestPermissions_onlyWhatFeaturesNeed(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	d := h.World(t)
	c := h.Client()
	dialog := c.StartLogin(t, "")
	asked := strings.FieldsFunc(dialog.Query().Get("scope"), func(r rune) bool { return r == ',' || r == ' ' })
	want := append(meta.Scopes(), "email", "public_profile")
	for _, p := range asked {
		if !slices.Contains(want, p) {
			t.Errorf("the login asks for %s, which no feature needs", p)
		}
	}
	for _, p := range meta.Scopes() {
		if !slices.Contains(asked, p) {
			t.Errorf("the login does not ask for %s", p)
		}
	}
	if slices.Contains(asked, "instagram_manage_messages") {
		t.Error("the login asks for instagram_manage_messages")
	}
	if r := c.Callback(t, c.Dialog(t, dialog, d.User("Ava").ID, nil)); r.Status != http.StatusSeeOther {
		t.Fatalf("callback = %d", r.Status)
	}
	c.Get(t, "/inbox")
	w := &errWorld{h: h, ava: c, acct: d.Account("acme.coffee")}
	id := w.comment(t)
	w.send(t, id)
	w.until(t, "the reply goes out", func() bool { return len(repliesAtMeta(t, h, id)) == 1 })

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "### Running against Meta")
	section, _, _ = strings.Cut(section, "\n### ")
	for _, p := range meta.Scopes() {
		if !strings.Contains(section, "`"+p+"`") {
			t.Errorf("README's Running against Meta does not list %s", p)
		}
	}
}
