package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

type apiComment struct {
	ID            string    `json:"id"`
	AccountID     string    `json:"account_id"`
	Status        string    `json:"status"`
	Text          string    `json:"text"`
	Deadline      time.Time `json:"deadline"`
	DeadlineExact bool      `json:"deadline_exact"`
	Reply         *struct {
		State     string `json:"state"`
		Text      string `json:"text"`
		MessageID string `json:"message_id"`
		By        string `json:"by"`
	} `json:"reply"`
}

// waitComment polls the API until the comment is stored and its deadline
// confirmed by Graph.
func waitComment(t *testing.T, c *Client, id string) apiComment {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, c.Base+"/api/v1/comments/"+id, nil)
		r := c.Do(t, req)
		var cm apiComment
		if r.Status == http.StatusOK && json.Unmarshal([]byte(r.Body), &cm) == nil && cm.DeadlineExact {
			return cm
		}
		if time.Now().After(deadline) {
			t.Fatalf("comment %s never arrived with an exact deadline: %d %s", id, r.Status, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAPI_commentsStatusAndReply drives the JSON API with the session cookie:
// list and read, triage, reply (once), and another account's comment refused.
func TestAPI_commentsStatusAndReply(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	ben := w.Login(t, d.User("Ben").ID)
	coffee, outdoor := d.Account("acme.coffee"), d.Account("acme.outdoor")
	id := w.comment(t, map[string]any{"account": coffee.ID, "text": "price?", "age": "30h"})
	other := w.comment(t, map[string]any{"account": outdoor.ID, "text": "size?"})
	cm := waitComment(t, ava, id)
	if left := time.Until(cm.Deadline); left < 137*time.Hour || left > 139*time.Hour {
		t.Errorf("deadline in %v, want about 7 days minus 30 h", left)
	}
	waitComment(t, ava, other)

	var list struct {
		Data       []apiComment `json:"data"`
		NextCursor *string      `json:"next_cursor"`
	}
	ava.GetJSON(t, "/api/v1/comments?limit=1", &list)
	if len(list.Data) != 1 || list.NextCursor == nil {
		t.Fatalf("first page: %+v", list)
	}
	next := *list.NextCursor
	ava.GetJSON(t, "/api/v1/comments?limit=1&cursor="+next, &list)
	if len(list.Data) != 1 || list.NextCursor != nil {
		t.Errorf("last page: %d items, next %v", len(list.Data), list.NextCursor)
	}

	// Ben's Page roles reach one account only: the other is invisible to him.
	if ben.GetJSON(t, "/api/v1/comments", &list); len(list.Data) != 1 {
		t.Fatalf("ben lists %+v, want the one comment on his account", list.Data)
	}
	hidden := other
	if list.Data[0].AccountID == outdoor.ID {
		hidden = id
	}
	if r := ben.Get(t, "/api/v1/comments/"+hidden); r.Status != http.StatusNotFound {
		t.Errorf("ben reading another account's comment: %d", r.Status)
	}
	if r := ben.PostJSON(t, "/api/v1/comments/"+hidden+"/reply", map[string]string{"text": "hi"}); r.Status != http.StatusNotFound {
		t.Errorf("ben replying to another account's comment: %d %s", r.Status, r.Body)
	}

	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/status", map[string]string{"status": "done"}); r.Status != 200 || !strings.Contains(r.Body, `"status":"done"`) {
		t.Errorf("status: %d %s", r.Status, r.Body)
	}
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/status", map[string]string{"status": "sideways"}); r.Status != 422 || !strings.Contains(r.Body, `"code":"bad_status"`) {
		t.Errorf("bad status: %d %s", r.Status, r.Body)
	}
	r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": "It is €39."})
	var sent struct {
		Reply   struct{ State, Text string } `json:"reply"`
		Comment apiComment                   `json:"comment"`
	}
	json.Unmarshal([]byte(r.Body), &sent)
	if (r.Status != 200 && r.Status != 202) || sent.Comment.ID != id {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	cm = waitReplied(t, ava, id)
	if cm.Reply == nil || cm.Reply.State != "sent" || cm.Reply.MessageID == "" || cm.Reply.By != "Ava Martin" {
		t.Errorf("comment after reply: %+v", cm.Reply)
	}
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": "again"}); r.Status != http.StatusConflict {
		t.Errorf("second reply: %d %s", r.Status, r.Body)
	}
	if r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": strings.Repeat("x", 1001)}); r.Status != http.StatusConflict && r.Status != 422 {
		t.Errorf("1,001 bytes: %d", r.Status)
	}
	if got := w.repliesTo(t, id); len(got) != 1 {
		t.Errorf("simulator holds %d replies", len(got))
	}
}

func waitReplied(t *testing.T, c *Client, id string) apiComment {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		var cm apiComment
		c.GetJSON(t, "/api/v1/comments/"+id, &cm)
		if cm.Status == "replied" {
			return cm
		}
		if time.Now().After(deadline) {
			t.Fatalf("never replied: %+v", cm)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEvents_streamAndCatchUp reads /inbox/events from the real binary as
// a browser does: live rows, escaped, without gzip; then a second stream
// from the page's position replays what the first one saw.
func TestEvents_streamAndCatchUp(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	page := ava.Get(t, "/inbox")
	url, _ := page.Find("[data-testid=inbox-page]").Attr("sse-connect")
	s := ava.OpenStream(t, url, http.Header{"Accept-Encoding": {"gzip"}})
	if s.Status != 200 {
		t.Fatalf("stream = %d", s.Status)
	}
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "text": "<i>hi</i>"})
	isRow := func(e webtest.Event) bool {
		return e.Name == "comment" && strings.Contains(e.Data, `id="comment-`+id+`"`)
	}
	e, _, ok := s.Until(10*time.Second, isRow)
	if !ok {
		t.Fatalf("no event for %s", id)
	}
	if !strings.Contains(e.Data, "&lt;i&gt;hi&lt;/i&gt;") {
		t.Errorf("row not escaped: %s", e.Data)
	}
	again := ava.OpenStream(t, url, nil)
	if _, _, ok := again.Until(10*time.Second, isRow); !ok {
		t.Error("a stream from the page's position did not replay the comment")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestAPI_templatesAdminsEditEveryoneReads: the templates API with roles.
func TestAPI_templatesAdminsEditEveryoneReads(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID) // first with an account: admin
	ben := w.Login(t, d.User("Ben").ID) // agent
	r := ava.PostJSON(t, "/api/v1/templates", map[string]string{"name": "Price", "body": "Hi {{username|there}}!", "shortcut": "/price"})
	var tpl struct {
		ID       int64  `json:"id"`
		Shortcut string `json:"shortcut"`
		UseCount int    `json:"use_count"`
	}
	if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &tpl) != nil || tpl.Shortcut != "price" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if r := ava.PostJSON(t, "/api/v1/templates", map[string]string{"name": "Bad", "body": "Hi {{price}}"}); r.Status != 422 || !strings.Contains(r.Body, "line 1, column 4") {
		t.Errorf("unknown variable: %d %s", r.Status, r.Body)
	}
	if r := ben.PostJSON(t, "/api/v1/templates", map[string]string{"name": "Mine", "body": "x"}); r.Status != http.StatusForbidden {
		t.Errorf("an agent creating a template: %d", r.Status)
	}
	if r := ben.PostForm(t, "/templates/"+itoa(tpl.ID)+"/delete", nil); r.Status != http.StatusForbidden {
		t.Errorf("an agent deleting a template: %d", r.Status)
	}
	var list struct {
		Data []struct{ Name string } `json:"data"`
	}
	if ben.GetJSON(t, "/api/v1/templates", &list); len(list.Data) != 1 || list.Data[0].Name != "Price" {
		t.Errorf("an agent listing templates: %+v", list.Data)
	}
	id := w.comment(t, map[string]any{"account": d.Account("acme.coffee").ID, "username": "kai_m", "text": "?"})
	waitComment(t, ava, id)
	r = ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]any{"template_id": tpl.ID})
	if !strings.Contains(r.Body, `"text":"Hi kai_m!"`) {
		t.Errorf("reply from a template: %d %s", r.Status, r.Body)
	}
	ava.GetJSON(t, "/api/v1/templates/"+itoa(tpl.ID), &tpl)
	if tpl.UseCount != 1 {
		t.Errorf("use count %d, want 1", tpl.UseCount)
	}
}
