package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/web/webtest"
)

// Several replydesk processes sharing one PostgreSQL database, as behind a
// load balancer (DESIGN §7): the simulated Meta delivers its webhooks to the
// first (A); a peer (B) serves the same inbox.

// StartPeer starts another replydesk process on the world's database and
// simulator, with env on top of the first process's configuration.
func (w *World) StartPeer(t testing.TB, env map[string]string) *App {
	t.Helper()
	peer := map[string]string{}
	for k, v := range w.App.Env {
		switch k {
		case "REPLYDESK_ADDR", "REPLYDESK_BASE_URL", "REPLYDESK_DATABASE":
		default:
			peer[k] = v
		}
	}
	for k, v := range env {
		peer[k] = v
	}
	return StartApp(t, AppOptions{DBPath: w.App.DBPath, Env: peer})
}

// database opens the world's PostgreSQL database for the test to look at.
func (w *World) database(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", w.App.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// postReply asks app (by its URL; the session works on every process) to
// reply to comment id and answers the status and the reply's state.
func postReply(t *testing.T, c *Client, appURL, id, text string) (int, string) {
	t.Helper()
	r := c.PostJSON(t, appURL+"/api/v1/comments/"+id+"/reply", map[string]string{"text": text})
	var out struct {
		Reply struct{ State string } `json:"reply"`
	}
	json.Unmarshal([]byte(r.Body), &out)
	return r.Status, out.Reply.State
}

// TestProcesses_webhookToAReachesAStreamOnB: a comment whose webhook landed
// on process A appears, live, on an inbox event stream served by process B,
// and on B's inbox page in a browser.
func TestProcesses_webhookToAReachesAStreamOnB(t *testing.T) {
	t.Parallel()
	testdb.SkipUnlessPostgres(t)
	w := NewWorld(t, WorldOptions{})
	b := w.StartPeer(t, nil)
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	onB := webtest.Login(t, b.URL, ava.ID)
	stream := onB.OpenStream(t, "/inbox/events", nil)
	if stream.Status != http.StatusOK {
		t.Fatalf("stream on B: %d", stream.Status)
	}
	id := w.comment(t, map[string]any{"account": acct.ID, "username": "river.walks", "text": "Seen from the other process?"})
	ev, _, ok := stream.Until(15*time.Second, func(e webtest.Event) bool {
		return e.Name == "comment" && strings.Contains(e.Data, `id="comment-`+id+`"`)
	})
	if !ok {
		t.Fatalf("comment %s (webhook to A) never reached B's stream", id)
	}
	if !strings.Contains(ev.Data, "Seen from the other process?") {
		t.Errorf("B's row: %.300s", ev.Data)
	}
	// Presence across processes: Eli opens the comment's composer on A; Ava,
	// streaming from B, sees "Eli is replying" on its row.
	eli := w.Login(t, d.User("Eli").ID)
	if r := eli.PostForm(t, "/inbox/comments/"+id+"/presence", url.Values{"state": {"on"}}); r.Status != http.StatusNoContent {
		t.Fatalf("Eli's presence on A = %d %s", r.Status, r.Body)
	}
	ev, _, ok = stream.Until(15*time.Second, func(e webtest.Event) bool {
		return e.Name == "comment" && strings.Contains(e.Data, `id="comment-`+id+`"`) && strings.Contains(e.Data, "row-presence")
	})
	if !ok || !strings.Contains(ev.Data, "Eli") {
		t.Fatalf("Eli's presence on A never reached B's stream (%.300s)", ev.Data)
	}
	if testing.Short() {
		return
	}
	br := NewBrowser(t)
	w.BrowserLogin(t, br, ava.ID) // at A: the session is good on every process
	br.Navigate(b.URL + "/inbox")
	br.WaitLive()
	next := w.comment(t, map[string]any{"account": acct.ID, "username": "kai_m", "text": "Webhook to A, browser on B"})
	br.WaitFor(`!!document.querySelector("`+rowSel(next)+`")`, 15*time.Second)
	// B counts what A stored too (the counts' deltas, read with the table).
	br.WaitFor(`document.querySelector("[data-testid=view-open] .rail-count").textContent === "2"`, 5*time.Second)
	br.Screenshot("inbox-on-b")
}

// TestProcesses_twentySendsOneMessage: twenty concurrent sends of a reply to
// one comment, split across A and B, leave exactly one message at Meta.
func TestProcesses_twentySendsOneMessage(t *testing.T) {
	t.Parallel()
	testdb.SkipUnlessPostgres(t)
	w := NewWorld(t, WorldOptions{})
	b := w.StartPeer(t, nil)
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	c := w.Login(t, ava.ID)
	id := w.comment(t, map[string]any{"account": acct.ID, "text": "price?"})
	waitComment(t, c, id)
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range 20 {
		app := []string{w.App.URL, b.URL}[i%2]
		wg.Go(func() {
			status, _ := postReply(t, c, app, id, fmt.Sprintf("reply %d", i))
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	accepted := statuses[http.StatusOK] + statuses[http.StatusAccepted]
	if accepted != 1 || statuses[http.StatusConflict] != 19 {
		t.Errorf("answers %v: want one accepted and 19 conflicts", statuses)
	}
	waitReplyIn(t, c, id, "sent")
	if got := w.repliesTo(t, id); len(got) != 1 {
		t.Errorf("%d messages at the simulator, want exactly 1: %q", len(got), got)
	}
}

// waitReplyIn polls the API until the comment's reply is in one of the
// states.
func waitReplyIn(t *testing.T, c *Client, id string, states ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var cm apiComment
		c.GetJSON(t, "/api/v1/comments/"+id, &cm)
		if cm.Reply != nil {
			for _, s := range states {
				if cm.Reply.State == s {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply to %s never reached %v: %+v", id, states, cm.Reply)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestProcesses_killedSenderIsTakenOver: A is SIGKILLed while its Send API
// calls are in flight (Meta took the messages, the answers are late). B
// leaves A's claims alone while they last, then retries them; Meta refuses
// a second reply to a comment, so nothing is sent twice and every reply
// ends delivered.
func TestProcesses_killedSenderIsTakenOver(t *testing.T) {
	t.Parallel()
	testdb.SkipUnlessPostgres(t)
	// Calls time out after 6 s, so a claim lasts 9 s.
	env := map[string]string{"REPLYDESK_SEND_TIMEOUT": "6s", "REPLYDESK_RECONCILE_INTERVAL": "1h"}
	w := NewWorld(t, WorldOptions{Env: env})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	c := w.Login(t, ava.ID)
	var ids []string
	for i := range 3 {
		id := w.comment(t, map[string]any{"account": acct.ID, "text": fmt.Sprint("question ", i)})
		waitComment(t, c, id) // its timestamp read: Graph is quiet from here
		ids = append(ids, id)
	}
	// Meta takes the next sends at once but answers 20 s late.
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_slow", "delay": "20s", "count": len(ids), "account": acct.ID}, nil)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if status, _ := postReply(t, c, w.App.URL, id, "Hi! Details in your DMs"); status != http.StatusAccepted && status != http.StatusOK {
				t.Errorf("reply to %s: %d", id, status)
			}
		})
	}
	wg.Wait()
	db := w.database(t)
	var heldByA int
	var claimEnd int64
	db.QueryRow(`SELECT count(*), COALESCE(MIN(claim_until), 0) FROM replies WHERE state = 'sending' AND claimed_by LIKE $1`,
		fmt.Sprintf("%%/%d/%%", w.App.Pid())).Scan(&heldByA, &claimEnd)
	if heldByA == 0 {
		t.Fatal("no reply in flight at A: nothing to take over")
	}
	w.App.Kill()
	b := w.StartPeer(t, nil)
	onB := webtest.Login(t, b.URL, ava.ID)
	for _, id := range ids {
		waitReplyIn(t, onB, id, "unconfirmed", "sent")
	}
	for _, id := range ids {
		if got := w.repliesTo(t, id); len(got) != 1 {
			t.Errorf("Meta holds %d replies to %s after the takeover, want exactly 1", len(got), id)
		}
	}
	var early int
	db.QueryRow(`SELECT count(*) FROM reply_attempts WHERE at < $1`, claimEnd).Scan(&early)
	if early > len(ids)-heldByA {
		t.Errorf("%d attempts recorded before A's claims ran out", early)
	}
	if !strings.Contains(b.Logs(), "left in flight by a stopped process") {
		t.Errorf("B did not say it took over A's replies:\n%s", b.Logs())
	}
	t.Logf("%d of %d replies were in flight at A when it was killed; B took them over", heldByA, len(ids))
}

// TestProcesses_oneBudgetForAll: with REPLYDESK_REPLY_BUDGET=2, two
// processes send two replies an hour between them, not two each.
func TestProcesses_oneBudgetForAll(t *testing.T) {
	t.Parallel()
	testdb.SkipUnlessPostgres(t)
	env := map[string]string{"REPLYDESK_REPLY_BUDGET": "2"}
	w := NewWorld(t, WorldOptions{Env: env})
	b := w.StartPeer(t, nil)
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	c := w.Login(t, ava.ID)
	var ids []string
	for i := range 6 {
		id := w.comment(t, map[string]any{"account": acct.ID, "text": fmt.Sprint("q", i)})
		waitComment(t, c, id)
		ids = append(ids, id)
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		app := []string{w.App.URL, b.URL}[i%2]
		wg.Go(func() {
			if status, _ := postReply(t, c, app, id, "Thanks!"); status != http.StatusOK && status != http.StatusAccepted {
				t.Errorf("reply to %s: %d", id, status)
			}
		})
	}
	wg.Wait()
	// Every send kicked its process's sender; stopping both lets any send
	// under way finish, so nothing more can go out after the count.
	w.App.Stop()
	b.Stop()
	sent := 0
	for _, id := range ids {
		sent += len(w.repliesTo(t, id))
	}
	var queued int
	w.database(t).QueryRow(`SELECT count(*) FROM replies WHERE state = 'queued'`).Scan(&queued)
	if sent != 2 || queued != 4 {
		t.Errorf("%d replies at the simulator and %d queued, want 2 and 4: one budget for both processes", sent, queued)
	}
}

// TestProcesses_killedModeratorIsTakenOver: A is SIGKILLed while its public
// reply is in flight (Instagram posted it, the answer is late). B leaves
// A's claim alone while it lasts, then retries the action as ambiguous: it
// finds the reply already under the comment, so Instagram holds it once.
func TestProcesses_killedModeratorIsTakenOver(t *testing.T) {
	t.Parallel()
	testdb.SkipUnlessPostgres(t)
	// Calls time out after 6 s, so a claim lasts 9 s.
	env := map[string]string{"REPLYDESK_SEND_TIMEOUT": "6s", "REPLYDESK_RECONCILE_INTERVAL": "1h"}
	w := NewWorld(t, WorldOptions{Env: env})
	d := w.World()
	ava, acct := d.User("Ava"), d.Account("acme.coffee")
	c := w.Login(t, ava.ID)
	id := w.comment(t, map[string]any{"account": acct.ID, "text": "is this in stock?"})
	waitComment(t, c, id) // its timestamp read: Graph is quiet from here
	w.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_slow", "delay": "20s", "count": 1, "account": acct.ID}, nil)
	r := c.PostJSON(t, "/api/v1/comments/"+id+"/public-reply", map[string]string{"text": "Yes! Sent you the link in DMs"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("public reply: %d %s, want 202 while Instagram has not answered", r.Status, r.Body)
	}
	db := w.database(t)
	var claimEnd int64
	db.QueryRow(`SELECT COALESCE(MIN(claim_until), 0) FROM comment_actions WHERE state = 'working' AND claimed_by LIKE $1`,
		fmt.Sprintf("%%/%d/%%", w.App.Pid())).Scan(&claimEnd)
	if claimEnd == 0 {
		t.Fatal("the public reply is not in flight at A: nothing to take over")
	}
	w.App.Kill()
	b := w.StartPeer(t, nil)
	var state string
	var attempts int
	var finishedAt int64
	for deadline := time.Now().Add(30 * time.Second); ; {
		db.QueryRow(`SELECT state, attempts, updated_at FROM comment_actions WHERE comment_id = $1`, id).Scan(&state, &attempts, &finishedAt)
		if state == "done" || state == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state != "done" || attempts != 2 {
		t.Fatalf("the public reply ended %q after %d attempts, want done after 2 (A's, then B's)", state, attempts)
	}
	if finishedAt < claimEnd {
		t.Errorf("B finished it before A's claim ran out")
	}
	if got := w.atMeta(t, id).Replies; len(got) != 1 {
		t.Errorf("Instagram holds %d public replies under the comment, want exactly 1: %+v", len(got), got)
	}
	if !strings.Contains(b.Logs(), "moderation calls were left in flight by a stopped process") {
		t.Errorf("B did not say it took over A's public reply:\n%s", b.Logs())
	}
}
