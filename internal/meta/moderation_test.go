package meta

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// controlRaw calls the simulator's control API with a raw body and decodes its answer into out.
func (w *simWorld) controlRaw(t *testing.T, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, raw, err)
		}
	}
}

// page logs user i in and answers their first Page (with its Page token).
func (w *simWorld) page(t *testing.T, i int) Page {
	t.Helper()
	ctx := context.Background()
	tok, err := w.client.ExchangeToken(ctx, w.login(t, i))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := w.client.Accounts(ctx, tok.AccessToken)
	if err != nil || len(pages) == 0 {
		t.Fatalf("pages %v, %v", pages, err)
	}
	return pages[0]
}

// newComment makes a comment on the Page's Instagram account.
func (w *simWorld) newComment(t *testing.T, p Page, extra string) string {
	t.Helper()
	var out struct{ ID string }
	w.controlRaw(t, http.MethodPost, "/control/comments", `{"account":"`+p.Instagram.ID+`","text":"How much?"`+extra+`}`, &out)
	return out.ID
}

type simComment struct {
	Hidden  bool `json:"hidden"`
	Deleted bool `json:"deleted"`
	Replies []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"replies"`
}

func (w *simWorld) simComment(t *testing.T, id string) simComment {
	t.Helper()
	var out simComment
	w.controlRaw(t, http.MethodGet, "/control/comments/"+id, "", &out)
	return out
}

func TestModeration_publicReplyHideDelete(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	p := w.page(t, 0)
	id := w.newComment(t, p, "")

	replyID, _, err := w.client.PublicReply(ctx, p.AccessToken, id, "12 € a bag, see DMs ✉️")
	if err != nil {
		t.Fatal(err)
	}
	if got := w.simComment(t, id); len(got.Replies) != 1 || got.Replies[0].ID != replyID || got.Replies[0].Text != "12 € a bag, see DMs ✉️" {
		t.Fatalf("sim holds %+v, reply %s", got, replyID)
	}
	thread, err := w.client.CommentReplies(ctx, p.AccessToken, id)
	if err != nil || len(thread) != 1 || thread[0].ID != replyID || thread[0].FromID != p.Instagram.ID || thread[0].Text != "12 € a bag, see DMs ✉️" {
		t.Fatalf("replies read back: %+v, %v", thread, err)
	}

	if _, err := w.client.HideComment(ctx, p.AccessToken, id, true); err != nil {
		t.Fatal(err)
	}
	if got := w.simComment(t, id); !got.Hidden {
		t.Fatalf("not hidden: %+v", got)
	}
	_, _, err = w.client.PublicReply(ctx, p.AccessToken, id, "again")
	if Classify(err) != ClassPermanent {
		t.Fatalf("public reply to a hidden comment: %v (class %v)", err, Classify(err))
	}
	if _, _, err := w.client.SendPrivateReply(ctx, p.AccessToken, p.ID, id, "a DM still goes"); err != nil {
		t.Fatalf("private reply to a hidden comment: %v", err)
	}
	if _, err := w.client.HideComment(ctx, p.AccessToken, id, false); err != nil {
		t.Fatal(err)
	}
	if got := w.simComment(t, id); got.Hidden {
		t.Fatalf("still hidden: %+v", got)
	}

	if _, err := w.client.DeleteComment(ctx, p.AccessToken, id); err != nil {
		t.Fatal(err)
	}
	if got := w.simComment(t, id); !got.Deleted {
		t.Fatalf("not deleted: %+v", got)
	}
	other := w.newComment(t, p, "")
	if _, err := w.client.DeleteComment(ctx, p.AccessToken, other); err != nil {
		t.Fatal(err)
	}
	_, _, err = w.client.SendPrivateReply(ctx, p.AccessToken, p.ID, other, "too late")
	var e *Error
	if !errors.As(err, &e) || e.Code != 100 || Classify(err) != ClassPermanent {
		t.Fatalf("private reply to a deleted comment: %v", err)
	}
}

func TestModeration_errors(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	p := w.page(t, 0)
	id := w.newComment(t, p, "")
	dana := w.page(t, 3) // a Page role without a moderating task
	live := w.newComment(t, p, `,"live":true`)

	tests := []struct {
		name  string
		err   func() error
		code  int
		class Class
	}{
		{"deleted or unknown comment", func() error { _, err := w.client.DeleteComment(ctx, p.AccessToken, "17900000000000999"); return err }, 100, ClassPermanent},
		{"no moderating task", func() error { _, err := w.client.HideComment(ctx, dana.AccessToken, id, true); return err }, 200, ClassPause},
		{"live comment", func() error { _, _, err := w.client.PublicReply(ctx, p.AccessToken, live, "hi"); return err }, 100, ClassPermanent},
		{"empty text", func() error { _, _, err := w.client.PublicReply(ctx, p.AccessToken, id, ""); return err }, 100, ClassPermanent},
		{"bad token", func() error { _, err := w.client.HideComment(ctx, "EAAnope", id, true); return err }, 190, ClassToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || Classify(err) != tt.class {
				t.Fatalf("err %v (class %v), want code %d class %v", err, Classify(err), tt.code, tt.class)
			}
		})
	}
}

func TestModeration_faults(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	p := w.page(t, 0)
	id := w.newComment(t, p, "")
	fault := func(kind string) {
		w.controlRaw(t, http.MethodPost, "/control/faults", `{"kind":"`+kind+`","account":"`+p.Instagram.ID+`"}`, nil)
	}
	fault("graph_5xx")
	if _, err := w.client.HideComment(ctx, p.AccessToken, id, true); Classify(err) != ClassTransient {
		t.Fatalf("graph_5xx: %v", err)
	}
	fault("rate_limit")
	_, usage, err := w.client.PublicReply(ctx, p.AccessToken, id, "hi")
	if Classify(err) != ClassThrottled || usage.Percent != 100 || usage.RegainAfter == 0 {
		t.Fatalf("rate_limit: %v, usage %+v", err, usage)
	}
	fault("token_revoked")
	if _, err := w.client.DeleteComment(ctx, p.AccessToken, id); !IsTokenError(err) {
		t.Fatalf("token_revoked: %v", err)
	}
}
