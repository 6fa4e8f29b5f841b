package web_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/web/webtest"
)

// TestParams_oddInputIs400: a NUL byte or bytes that are not UTF-8, in
// any inbox or API parameter (query, path, form or JSON), get 400 with a
// message naming the parameter, as do other bad filter values; nothing is
// stored.
func TestParams_oddInputIs400(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	w := h.World(t)
	ava := h.Login(t, w.User("Ava").ID)
	acct := w.Account("acme.coffee").ID
	id := h.Sim.Comment(t, map[string]any{"account": acct, "text": "price?"})
	waitFor(t, 10e9, "the comment stored", func() bool {
		_, err := h.App.Store.Comment(context.Background(), id)
		return err == nil
	})
	nulCursor := base64.RawURLEncoding.EncodeToString([]byte("1:a\x00b"))
	gets := []struct{ path, field string }{
		{"/inbox?q=a%00b", "q"},
		{"/inbox?q=caf%E9", "q"},
		{"/inbox?status=%00", "status"},
		{"/inbox?account=%FF", "account"},
		{"/inbox?surface=post%00", "surface"},
		{"/inbox?status=sideways", "status"},
		{"/inbox?cursor=" + nulCursor, "cursor"},
		{"/inbox?x%00=1", ""},
		{"/inbox/comments/a%00b", "id"},
		{"/inbox/comments/%FF%FE", "id"},
		{"/inbox/comments/" + id + "?q=%00", "q"},
		{"/templates?q=%00", "q"},
		{"/templates?folder=%FF", "folder"},
		{"/accounts/%00", "id"},
		{"/api/v1/comments?q=a%00b", "q"},
		{"/api/v1/comments?q=%C3%28", "q"},
		{"/api/v1/comments?limit=%00", "limit"},
		{"/api/v1/comments?limit=500", "limit"},
		{"/api/v1/comments?cursor=%00", "cursor"},
		{"/api/v1/comments/a%00b", "id"},
		{"/api/v1/templates?q=%00", "q"},
		{"/api/v1/templates/%FF", "id"},
		{"/api/v1/accounts/%00", "id"},
		{"/login?error=%00", "error"},
		{"/inbox/events?q=%00", "q"}, // last: accepted, it would stream until the timeout
	}
	for _, g := range gets {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+g.path, nil)
		r := ava.Do(t, req)
		cancel()
		if r.Status != 400 {
			t.Errorf("GET %s: %d, want 400: %.200s", g.path, r.Status, r.Body)
			continue
		}
		api := strings.HasPrefix(g.path, "/api/") || strings.HasPrefix(g.path, "/inbox/events")
		if api && !strings.Contains(r.Body, `"field":"`+g.field+`"`) || !api && r.Find("[data-testid=error-page]").Length() != 1 {
			t.Errorf("GET %s: the answer does not name %s: %.300s", g.path, g.field, r.Body)
		}
	}
	writes := []struct {
		name, path, ctype, body string
	}{
		{"reply form with NUL", "/inbox/comments/" + id + "/reply", "application/x-www-form-urlencoded", "text=hi%00there&csrf=" + ava.CSRF},
		{"reply form not UTF-8", "/inbox/comments/" + id + "/reply", "application/x-www-form-urlencoded", "text=caf%E9&csrf=" + ava.CSRF},
		{"API reply with NUL", "/api/v1/comments/" + id + "/reply", "application/json", `{"text":"hi\u0000there"}`},
		{"API status with NUL", "/api/v1/comments/" + id + "/status", "application/json", `{"status":"done\u0000"}`},
		{"API template with NUL", "/api/v1/templates", "application/json", `{"name":"a\u0000","body":"hi"}`},
		{"template form with NUL", "/templates", "application/x-www-form-urlencoded", "name=a%00&body=hi&csrf=" + ava.CSRF},
	}
	for _, wr := range writes {
		req, _ := http.NewRequest(http.MethodPost, h.URL+wr.path, strings.NewReader(wr.body))
		req.Header.Set("Content-Type", wr.ctype)
		req.Header.Set("X-CSRF-Token", ava.CSRF)
		if r := ava.Do(t, req); r.Status != 400 || !strings.Contains(r.Body, "does not accept") {
			t.Errorf("%s: %d, want 400: %.300s", wr.name, r.Status, r.Body)
		}
	}
	if rs, _ := h.App.Store.Replies(context.Background(), id); len(rs) != 0 {
		t.Errorf("refused replies were recorded: %+v", rs)
	}
	if c, _ := h.App.Store.Comment(context.Background(), id); c.Status != "open" {
		t.Errorf("comment status = %s after refused writes", c.Status)
	}
	var list struct{ Data []struct{ Name string } }
	ava.GetJSON(t, "/api/v1/templates", &list)
	for _, tm := range list.Data {
		if strings.ContainsRune(tm.Name, 0) {
			t.Errorf("a template named with a NUL was saved")
		}
	}
}

// TestErrors_cancelledRequestIsNotAnEmpty200: a request whose client went
// away before it was answered is answered 499 with an error body (logged
// as such), never an empty 200.
func TestErrors_cancelledRequestIsNotAnEmpty200(t *testing.T) {
	h := webtest.New(t, webtest.Options{})
	ava := h.Login(t, h.World(t).User("Ava").ID)
	for _, path := range []string{"/login", "/inbox", "/templates", "/api/v1/comments", "/no-such-page"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		if path != "/login" {
			req.Header.Set("Cookie", "replydesk_session="+ava.SessionCookie())
		}
		rec := httptest.NewRecorder()
		h.Server.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("cancelled GET %s: %d with %d bytes, want an error with a body", path, rec.Code, rec.Body.Len())
		}
		if rec.Code != 499 && rec.Code != 404 {
			t.Errorf("cancelled GET %s: %d, want 499", path, rec.Code)
		}
	}
}
