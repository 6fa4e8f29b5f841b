package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// simToken is what the simulator's access tokens look like (Meta's start
// with EAA too).
var simToken = regexp.MustCompile(`EAA[A-Za-z0-9_-]{20,}`)

// TestLogs_noSecrets runs the real binary with every SQL statement logged
// (REPLYDESK_DEBUG), logs in, reads and writes (a reply, a status, a
// template, a logout), and greps its whole log for what must never be in
// it: session cookies, CSRF tokens, access tokens, and the secrets.
func TestLogs_noSecrets(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the binary")
	}
	w := NewWorld(t, WorldOptions{Env: map[string]string{"REPLYDESK_DEBUG": "1"}})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "price?"})
	other := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "thanks!"})
	waitComment(t, ava, id)
	waitComment(t, ava, other)
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": "Hi! It is €39."}); r.Status != 200 && r.Status != 202 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	if r := ava.PostForm(t, "/inbox/comments/"+other+"/status", url.Values{"status": {"done"}}); r.Status != 303 {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}
	if r := ava.PostForm(t, "/templates", url.Values{"name": {"Thanks"}, "body": {"Thank you {{username|there}}!"}}); r.Status != 303 {
		t.Fatalf("template: %d %s", r.Status, r.Body)
	}
	ava.Get(t, "/inbox?q=price")
	ben.Get(t, "/inbox")
	secrets := map[string]string{
		"Ava's session cookie": ava.SessionCookie(), "Ben's session cookie": ben.SessionCookie(),
		"Ava's CSRF token": ava.CSRF, "Ben's CSRF token": ben.CSRF,
		"REPLYDESK_SECRET": worldSecret, "META_APP_SECRET": worldAppSecret,
	}
	avaCSRF, avaCookie := ava.CSRF, ava.SessionCookie()
	if r := ava.PostForm(t, "/logout", nil); r.Status != 303 {
		t.Fatalf("logout: %d", r.Status)
	}
	w.App.Stop()
	logs := w.App.Logs()
	// GORM quotes names: `sessions` on SQLite, "sessions" on PostgreSQL
	// (\"sessions\" in the log).
	if !strings.Contains(logs, "SQL executed") || !regexp.MustCompile("INSERT INTO [`\\\\\"]*sessions").MatchString(logs) {
		t.Fatalf("the run logged no SQL, so the check proves nothing:\n%.2000s", logs)
	}
	if avaCSRF == "" || avaCookie == "" {
		t.Fatal("no session to look for")
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the log holds %s", what)
		}
	}
	if m := simToken.FindString(logs); m != "" {
		t.Errorf("the log holds an access token: %.20s…", m)
	}
}
