package metasim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// controlComment reads GET /control/comments/{id}.
func (h *harness) controlComment(id string) commentAnswer {
	h.t.Helper()
	r := h.get("/control/comments/" + id)
	h.wantStatus(r, http.StatusOK)
	var out commentAnswer
	h.decode(r, &out)
	return out
}

func (h *harness) publicReply(id, tok, text string) response {
	return h.postForm("/v25.0/"+id+"/replies", url.Values{"message": {text}, "access_token": {tok}})
}

func (h *harness) hide(id, tok, hide string) response {
	return h.postForm("/v25.0/"+id, url.Values{"hide": {hide}, "access_token": {tok}})
}

func (h *harness) deleteComment(id, tok string) response {
	return h.do("DELETE", "/v25.0/"+id+"?access_token="+url.QueryEscape(tok), nil, "")
}

func TestModeration_publicReplyComesBackAsOwnComment(t *testing.T) {
	h := installed(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "Open on Sunday?", "username": "jane.doe"})
	h.hook.wait(t, 1)

	r := h.publicReply(id, tok, "Yes, 9–17! ☕")
	h.wantStatus(r, http.StatusOK)
	var created struct{ ID string }
	h.decode(r, &created)
	if created.ID == "" || created.ID == id {
		t.Fatalf("answer %s", r.body)
	}
	p := parsePayload(t, h.hook.wait(t, 2)[1])
	v := p.Entry[0].Changes[0].Value
	if p.Entry[0].ID != h.account(0) || p.Entry[0].Changes[0].Field != "comments" || v.ID != created.ID ||
		v.ParentID != id || v.From.ID != h.account(0) || v.From.Username != "acme.coffee" || v.Text != "Yes, 9–17! ☕" {
		t.Fatalf("webhook %+v", p)
	}

	// JSON bodies work too; a reply to a reply joins the top-level thread.
	r = h.do("POST", "/v25.0/"+created.ID+"/replies", strings.NewReader(`{"message":"see you"}`), "application/json",
		"Authorization", "Bearer "+tok)
	h.wantStatus(r, http.StatusOK)
	var second struct{ ID string }
	h.decode(r, &second)
	if p := parsePayload(t, h.hook.wait(t, 3)[2]); p.Entry[0].Changes[0].Value.ParentID != id {
		t.Fatalf("reply to a reply: %+v", p)
	}

	got := h.controlComment(id)
	if got.ID != id || got.Text != "Open on Sunday?" || got.Hidden || got.Deleted ||
		len(got.Replies) != 1 || got.Replies[0] != (commentSummary{created.ID, "Yes, 9–17! ☕"}) {
		t.Fatalf("control %+v", got)
	}
	if got := h.controlComment(created.ID); len(got.Replies) != 1 || got.Replies[0].ID != second.ID {
		t.Fatalf("control of the reply %+v", got)
	}
	r = h.get("/v25.0/" + id + "/replies?fields=id,text,from&access_token=" + url.QueryEscape(tok))
	if !strings.Contains(string(r.body), created.ID) || !strings.Contains(string(r.body), second.ID) {
		t.Fatalf("replies edge %s", r.body)
	}
	// The account's own comment gets no private reply.
	h.wantGraphError(h.send(h.page(0), tok, created.ID, "hi me"), 400, 100, 2534025)
}

func TestModeration_hideAndUnhide(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "spam spam"})
	r := h.hide(id, tok, "true")
	h.wantStatus(r, http.StatusOK)
	if string(r.body) != `{"success":true}` {
		t.Fatalf("answer %s", r.body)
	}
	if got := h.controlComment(id); !got.Hidden || got.Deleted {
		t.Fatalf("control %+v", got)
	}
	r = h.get("/v25.0/" + id + "?fields=id,hidden&access_token=" + url.QueryEscape(tok))
	if !strings.Contains(string(r.body), `"hidden":true`) {
		t.Fatalf("node %s", r.body)
	}
	h.wantGraphError(h.publicReply(id, tok, "no"), 400, 100, 0)             // Meta: no public reply to hidden comments
	h.wantStatus(h.send(h.page(0), tok, id, "a DM is fine"), http.StatusOK) // a private reply still is
	h.wantStatus(h.hide(id, tok, "false"), http.StatusOK)
	if got := h.controlComment(id); got.Hidden {
		t.Fatalf("still hidden: %+v", got)
	}
	// The account's own comments always stay visible.
	own := h.comment(map[string]any{"account": h.account(0), "text": "from us", "own": true})
	h.wantStatus(h.hide(own, tok, "1"), http.StatusOK)
	if got := h.controlComment(own); got.Hidden {
		t.Fatalf("own comment hidden: %+v", got)
	}
}

func TestModeration_deleteLeavesNothingToAnswer(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "delete me"})
	reply := h.comment(map[string]any{"account": h.account(0), "text": "me too", "parent_id": id})
	r := h.deleteComment(id, tok)
	h.wantStatus(r, http.StatusOK)
	if string(r.body) != `{"success":true}` {
		t.Fatalf("answer %s", r.body)
	}
	if got := h.controlComment(id); !got.Deleted {
		t.Fatalf("control %+v", got)
	}
	h.wantGraphError(h.get("/v25.0/"+id+"?access_token="+url.QueryEscape(tok)), 400, 100, 33)
	h.wantGraphError(h.get("/v25.0/"+reply+"?access_token="+url.QueryEscape(tok)), 400, 100, 33) // the thread goes too
	h.wantGraphError(h.send(h.page(0), tok, id, "too late"), 400, 100, 2018292)
	h.wantGraphError(h.deleteComment(id, tok), 400, 100, 33)
	h.wantGraphError(h.hide(id, tok, "true"), 400, 100, 33)
	h.wantGraphError(h.publicReply(id, tok, "hello?"), 400, 100, 33)
	h.wantStatus(h.get("/control/comments/unknown"), http.StatusNotFound)
}

func TestModeration_refusals(t *testing.T) {
	h := newHarness(t)
	benNoComments := h.pageToken(h.longToken(h.login(h.user(1), "pages_show_list,instagram_basic")), h.page(1))
	avaUser := h.longToken(h.login(h.user(0), allScopes))
	ava0, ava1 := h.pageToken(avaUser, h.page(0)), h.pageToken(avaUser, h.page(1))
	dana := h.pageToken(h.longToken(h.login(h.user(3), allScopes)), h.page(0))
	eli := h.pageToken(h.longToken(h.login(h.user(4), allScopes)), h.page(0))
	c0 := h.comment(map[string]any{"account": h.account(0), "text": "on Acme Coffee"})
	c1 := h.comment(map[string]any{"account": h.account(1), "text": "on Acme Outdoor"})
	live := h.comment(map[string]any{"account": h.account(0), "text": "live!", "live": true})
	var history string // a seeded comment by someone else on Acme Coffee
	for _, c := range h.sim.world.history {
		if c.AccountID == h.account(0) && !c.own() && c.ParentID == "" {
			history = c.ID
			break
		}
	}

	tests := []struct {
		name          string
		r             func() response
		status        int
		code, subcode int
	}{
		{"no token", func() response { return h.publicReply(c0, "", "x") }, 400, 104, 0},
		{"another Page's token", func() response { return h.hide(c0, ava1, "true") }, 400, 100, 33},
		{"no MODERATE task", func() response { return h.hide(c0, dana, "true") }, 403, 200, 0},
		{"no instagram_manage_comments", func() response { return h.deleteComment(c1, benNoComments) }, 403, 200, 0},
		{"live comment", func() response { return h.publicReply(live, ava0, "hi") }, 400, 100, 33},
		{"unknown comment", func() response { return h.deleteComment("17900000000000999", ava0) }, 400, 100, 33},
		{"message required", func() response { return h.publicReply(c0, ava0, " ") }, 400, 100, 0},
		{"message too long", func() response { return h.publicReply(c0, ava0, strings.Repeat("a", 2201)) }, 400, 100, 0},
		{"hide required", func() response { return h.hide(c0, ava0, "") }, 400, 100, 0},
		{"hide not a boolean", func() response { return h.hide(c0, ava0, "maybe") }, 400, 100, 0},
		{"PUT is unsupported", func() response { return h.do("PUT", "/v25.0/"+c0+"?access_token="+ava0, nil, "") }, 400, 100, 33},
		{"new-Pages task names", func() response { return h.hide(c0, eli, "false") }, 200, 0, 0},
		{"user token of a moderator", func() response { return h.hide(c0, avaUser, "false") }, 200, 0, 0},
		{"seeded history comment", func() response { return h.publicReply(history, ava0, "thanks!") }, 200, 0, 0},
	}
	outer := h.t
	defer func() { h.t = outer }()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			r := tt.r()
			if tt.status == http.StatusOK {
				h.wantStatus(r, tt.status)
				return
			}
			h.wantGraphError(r, tt.status, tt.code, tt.subcode)
		})
	}
}

func TestModeration_faults(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	id := h.comment(map[string]any{"account": h.account(0), "text": "x"})
	fault := func(kind string) {
		h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": kind, "account": h.account(0)}), http.StatusOK)
	}
	fault("graph_5xx")
	h.wantGraphError(h.hide(id, tok, "true"), 500, 1, 0)
	fault("rate_limit")
	r := h.publicReply(id, tok, "hi")
	h.wantGraphError(r, 400, 613, 2534040)
	if u := r.header.Get("X-Business-Use-Case-Usage"); !strings.Contains(u, `"call_count":100`) {
		t.Fatalf("usage header %q", u)
	}
	if got := h.controlComment(id); got.Hidden || len(got.Replies) != 0 {
		t.Fatalf("a failed call changed the comment: %+v", got)
	}
	h.wantStatus(h.deleteComment(id, tok), http.StatusOK) // faults used up
	fault("token_revoked")
	h.wantGraphError(h.hide(id, tok, "true"), 400, 190, 460)
}

func TestModeration_survivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, withConfig(func(c *Config) { c.StatePath = path }))
	tok := h.avaPage(0)
	var history *comment
	for _, c := range h.sim.world.history {
		if c.AccountID == h.account(0) && !c.own() && c.ParentID == "" {
			history = c
			break
		}
	}
	h.wantStatus(h.hide(history.ID, tok, "true"), http.StatusOK)
	h.wantGraphError(h.publicReply(history.ID, tok, "thanks!"), 400, 100, 0) // hidden: no public reply
	h.wantStatus(h.hide(history.ID, tok, "false"), http.StatusOK)
	h.wantStatus(h.publicReply(history.ID, tok, "thanks!"), http.StatusOK)
	h.wantStatus(h.hide(history.ID, tok, "true"), http.StatusOK)
	before := h.controlComment(history.ID)
	if err := h.sim.Close(); err != nil {
		t.Fatal(err)
	}
	sim, err := New(Config{AppID: testAppID, AppSecret: testAppSecret, Seed: 7, StatePath: path, Now: h.sim.cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	h2 := &harness{t: t, sim: sim, srv: srv, world: h.world}
	got := h2.controlComment(history.ID)
	if !got.Hidden || len(got.Replies) == 0 || got.Replies[len(got.Replies)-1].Text != "thanks!" || !reflect.DeepEqual(got, before) {
		t.Fatalf("after restart %+v, before %+v", got, before)
	}
}
