package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

// TestReply_commentOlderThanItsWebhook: a comment written 7 days and an
// hour ago reaches the app by webhook now, so its deadline looks a week
// away until Graph says otherwise. A reply sent before the background
// correction (held back here by one Graph error) is not sent to Meta to
// fail there: the app asks Graph first, and refuses with the reason,
// leaving no record.
func TestReply_commentOlderThanItsWebhook(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	acct := w.Account("acme.coffee").ID
	ava := h.Login(t, w.User("Ava").ID)
	// Two Graph errors: the post's read (at once) and the timestamp's (a moment later).
	h.Sim.Control(t, http.MethodPost, "/control/faults", map[string]any{"kind": "graph_5xx", "count": 2, "account": acct}, nil)
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "still available?", "age": "169h"})
	ctx := context.Background()
	waitFor(t, 10*time.Second, "the comment stored and its first timestamp read failed", func() bool {
		var out struct{ Faults []any }
		h.Sim.Control(t, http.MethodGet, "/control/faults", nil, &out)
		_, err := h.App.Store.Comment(ctx, id)
		return err == nil && len(out.Faults) == 0
	})
	var before struct {
		DeadlineExact bool      `json:"deadline_exact"`
		Deadline      time.Time `json:"deadline"`
	}
	ava.GetJSON(t, "/api/v1/comments/"+id, &before)
	if before.DeadlineExact || time.Until(before.Deadline) < 6*24*time.Hour {
		t.Fatalf("setup: the deadline should still be the webhook's, a week away: %+v", before)
	}

	r := ava.PostJSON(t, "/api/v1/comments/"+id+"/reply", map[string]string{"text": "Yes! Sending details."})
	if r.Status != http.StatusUnprocessableEntity || apiCode(r) != "cannot_reply" || !strings.Contains(r.Body, "7-day") {
		t.Errorf("reply = %d %s, want 422 saying the 7-day window has closed", r.Status, r.Body)
	}
	if hist, _ := h.App.Store.Replies(ctx, id); len(hist) != 0 {
		t.Errorf("the refused reply left %d records", len(hist))
	}
	var sent struct {
		Replies []struct {
			CommentID string `json:"comment_id"`
		} `json:"replies"`
	}
	h.Sim.Control(t, http.MethodGet, "/control/replies", nil, &sent)
	for _, rep := range sent.Replies {
		if rep.CommentID == id {
			t.Error("a reply reached Meta")
		}
	}
	var after struct {
		DeadlineExact bool   `json:"deadline_exact"`
		Status        string `json:"status"`
	}
	ava.GetJSON(t, "/api/v1/comments/"+id, &after)
	if !after.DeadlineExact {
		t.Errorf("the deadline was not corrected: %+v", after)
	}
	// The page's composer says the same, in the panel.
	form := ava.PostForm(t, "/inbox/comments/"+id+"/reply", map[string][]string{"text": {"Yes!"}})
	if form.Status != http.StatusUnprocessableEntity || !strings.Contains(form.Body, "7-day") {
		t.Errorf("form reply = %d %.300s", form.Status, form.Body)
	}
}
