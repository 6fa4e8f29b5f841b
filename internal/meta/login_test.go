package meta

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExchangeToken_longLived(t *testing.T) {
	w := newSimWorld(t)
	short := w.login(t, 0)
	tok, err := w.client.ExchangeToken(context.Background(), short)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.AccessToken == short || tok.ExpiresIn < 50*24*time.Hour {
		t.Errorf("token %+v", tok)
	}
	_, err = w.client.ExchangeToken(context.Background(), "EAAgarbage")
	if err == nil || Classify(err) != ClassToken || strings.Contains(err.Error(), testAppSecret) {
		t.Errorf("bad token: %v (class %v)", err, Classify(err))
	}
}

func TestAccounts_followsPagingAndReadsTasks(t *testing.T) {
	w := newSimWorld(t)
	tok, _ := w.client.ExchangeToken(context.Background(), w.login(t, 0))
	w.client.pageLimit = 1 // two Pages → two requests through paging.next
	pages, err := w.client.Accounts(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("pages = %+v", pages)
	}
	for i, p := range pages {
		if p.ID != w.pages[i].ID || p.AccessToken == "" || !slices.Contains(p.Tasks, "MESSAGING") ||
			p.Instagram == nil || p.Instagram.ID != w.pages[i].AccountID || p.Instagram.Username == "" || p.Instagram.PictureURL == "" {
			t.Errorf("page %d = %+v %+v", i, p, p.Instagram)
		}
	}
	// Chloé has no Page role.
	tok, _ = w.client.ExchangeToken(context.Background(), w.login(t, 2))
	if pages, err := w.client.Accounts(context.Background(), tok.AccessToken); err != nil || len(pages) != 0 {
		t.Errorf("chloé pages = %v, %v", pages, err)
	}
}

func TestPermissions_declined(t *testing.T) {
	w := newSimWorld(t)
	tok := w.login(t, 1, "pages_messaging")
	perms, err := w.client.Permissions(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(perms, Permission{"pages_messaging", "declined"}) || !slices.Contains(perms, Permission{"pages_show_list", "granted"}) {
		t.Errorf("perms = %v", perms)
	}
}

func TestSubscribeApp_andCheck(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	tok, _ := w.client.ExchangeToken(ctx, w.login(t, 0))
	pages, _ := w.client.Accounts(ctx, tok.AccessToken)
	p := pages[0]
	if ok, err := w.client.AppSubscribed(ctx, p.AccessToken, p.ID); err != nil || ok {
		t.Fatalf("before subscribing: %v, %v", ok, err)
	}
	if err := w.client.SubscribeApp(ctx, p.AccessToken, p.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := w.client.AppSubscribed(ctx, p.AccessToken, p.ID); err != nil || !ok {
		t.Fatalf("after subscribing: %v, %v", ok, err)
	}
	// A revoked Page token is a token error (190).
	resp, err := http.Post(w.srv.URL+"/control/faults", "application/json",
		strings.NewReader(`{"kind":"token_revoked","account":"`+p.Instagram.ID+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("fault: %v %v", resp, err)
	}
	resp.Body.Close()
	_, err = w.client.SubscribedApps(ctx, p.AccessToken, p.ID)
	if Classify(err) != ClassToken {
		t.Errorf("revoked token: %v (class %v)", err, Classify(err))
	}
	// A user token is not a Page token: Meta refuses (permission class).
	if err := w.client.SubscribeApp(ctx, tok.AccessToken, p.ID); err == nil {
		t.Error("subscribed with a user token")
	}
}

func TestNextPage_staysOnTheGraphBase(t *testing.T) {
	c := New(Options{GraphURL: "http://graph.test/_sim", Version: "v25.0"})
	u, q, err := c.nextPage("https://elsewhere.example/_sim/v25.0/me/accounts?after=QQ&limit=1&access_token=SECRET&appsecret_proof=p")
	if err != nil {
		t.Fatal(err)
	}
	if u != "http://graph.test/_sim/v25.0/me/accounts" || q.Get("after") != "QQ" || q.Get("limit") != "1" || q.Has("access_token") || q.Has("appsecret_proof") {
		t.Errorf("next = %s %v", u, q)
	}
	if u, _, _ := c.nextPage(""); u != "" {
		t.Errorf("no next link = %q", u)
	}
}
