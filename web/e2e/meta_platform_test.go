package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/meta"
)

var versioned = regexp.MustCompile(`^/v\d+\.\d+/`)

// TestGraphV27_whenConfigured runs the real binary pinned to Graph API
// v27.0 (META_GRAPH_VERSION) against the simulator: login, a comment by
// webhook with its deadline read from Graph, a private reply. Every
// versioned call the simulator saw went to /v27.0/.
func TestGraphV27_whenConfigured(t *testing.T) {
	w := NewWorld(t, WorldOptions{Env: map[string]string{"META_GRAPH_VERSION": "v27.0"}})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "price?", "age": "3h"})
	waitComment(t, ava, id) // its timestamp, read through v27.0
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"text": "Hi! It is €39."}); r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		t.Fatalf("reply = %d %s", r.Status, r.Body)
	}
	waitReplied(t, ava, id)
	if got := w.repliesTo(t, id); len(got) != 1 {
		t.Errorf("simulator holds %d replies", len(got))
	}
	seen := map[string]bool{}
	for _, p := range w.SimPaths() {
		v := versioned.FindString(p)
		if v == "" {
			continue // the control API, and goth's unversioned token exchange and /me
		}
		if v != "/v27.0/" {
			t.Errorf("%s is not on v27.0", p)
		}
		switch {
		case strings.HasSuffix(p, "/dialog/oauth"):
			seen["dialog"] = true
		case strings.HasSuffix(p, "/me/accounts"):
			seen["pages"] = true
		case strings.HasSuffix(p, "/subscribed_apps"):
			seen["subscribe"] = true
		case strings.HasSuffix(p, "/messages"):
			seen["send"] = true
		case p == "/v27.0/"+id: // the comment's timestamp
			seen["comment"] = true
		}
	}
	for _, want := range []string{"dialog", "pages", "subscribe", "send", "comment"} {
		if !seen[want] {
			t.Errorf("no %s call on v27.0 among %v", want, w.SimPaths())
		}
	}
}

// TestPermissions_onlyWhatFeaturesNeed: the login asks for meta.Scopes and
// nothing else (no instagram_manage_messages: private replies do not need
// it), a reply goes out with the token that grants, and the README's
// "Running against Meta" lists each permission asked for.
func TestPermissions_onlyWhatFeaturesNeed(t *testing.T) {
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	c := w.NewClient()
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
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "price?"})
	waitComment(t, c, id)
	if r := c.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"text": "Hi!"}); r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		t.Fatalf("reply = %d %s", r.Status, r.Body)
	}
	waitReplied(t, c, id)

	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
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
