package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var versioned = regexp.MustCompile(`^/v\d+\.\d+/`)

// TestGraphV27_whenConfigured runs the real binary pinned to Graph API
// v27.0 (META_GRAPH_VERSION) against the simulator: login, a comment by
// webhook with its deadline read from Graph, a private reply. Every
// versioned call the simulator saw went to /v27.0/.
func TestGraphV27_whenConfigured(t *testing.T) {
	t.Parallel()
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
		case p == "/v27.0/"+id, p == "/v27.0/": // the comment's timestamp, alone or in a batch request
			seen["comment"] = true
		}
	}
	for _, want := range []string{"dialog", "pages", "subscribe", "send", "comment"} {
		if !seen[want] {
			t.Errorf("no %s call on v27.0 among %v", want, w.SimPaths())
		}
	}
}
