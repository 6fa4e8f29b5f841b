package metasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestGraph_commentFields(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	parent := h.comment(map[string]any{"account": h.account(0), "text": "¿Cuánto cuesta?", "username": "sofia_garcia88", "age": "36h"})
	reply := h.comment(map[string]any{"account": h.account(0), "text": "same", "parent_id": parent})
	for _, prefix := range []string{"", "/v25.0", "/v24.0"} {
		r := h.get(prefix + "/" + parent + "?fields=id,text,timestamp,username,from,media{id,media_product_type},parent_id,replies{id}&access_token=" + tok)
		h.wantStatus(r, http.StatusOK)
		var c struct {
			ID, Text, Timestamp, Username string
			ParentID                      string `json:"parent_id"`
			From                          struct{ ID, Username string }
			Media                         struct {
				ID      string
				Product string `json:"media_product_type"`
			}
			Replies struct{ Data []struct{ ID string } }
		}
		h.decode(r, &c)
		created := testEpoch.Add(-36 * time.Hour)
		if c.ID != parent || c.Text != "¿Cuánto cuesta?" || c.Timestamp != created.Format("2006-01-02T15:04:05+0000") ||
			c.Username != "sofia_garcia88" || c.From.Username != "sofia_garcia88" || c.From.ID == "" ||
			c.Media.Product != "FEED" || c.ParentID != "" || len(c.Replies.Data) != 1 || c.Replies.Data[0].ID != reply {
			t.Fatalf("%s: comment %s", prefix, r.body)
		}
	}
	r := h.get("/" + reply + "?fields=parent_id&access_token=" + tok)
	if !strings.Contains(string(r.body), `"parent_id":"`+parent+`"`) {
		t.Fatalf("reply %s", r.body)
	}
	// A user token of someone with a task on the Page reads too.
	h.wantStatus(h.get("/"+parent+"?access_token="+h.login(h.user(0), allScopes)), http.StatusOK)
	// Ben has no task on Acme Coffee; Acme Outdoor's token cannot see it.
	h.wantGraphError(h.get("/"+parent+"?access_token="+h.login(h.user(1), allScopes)), 400, 100, 33)
	h.wantGraphError(h.get("/"+parent+"?access_token="+h.avaPage(1)), 400, 100, 33)
	h.wantGraphError(h.get("/17900000000000001?access_token="+tok), 400, 100, 33)
	h.wantStatus(h.postJSON("/control/comments/delete", map[string]string{"id": parent}), http.StatusOK)
	h.wantGraphError(h.get("/"+parent+"?access_token="+tok), 400, 100, 33)
}

func TestGraph_mediaCommentsPaging(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	feed := h.sim.world.accountMediaOfType(h.account(0), "FEED")[0] // seeded with 120 comments
	newest := h.comment(map[string]any{"account": h.account(0), "media": feed.ID, "text": "brand new"})
	path := "/v25.0/" + feed.ID + "/comments?fields=id,text,timestamp,username,parent_id&limit=500&access_token=" + tok
	var ids, stamps []string
	pages := 0
	for path != "" {
		r := h.get(path)
		h.wantStatus(r, http.StatusOK)
		var page struct {
			Data []struct {
				ID, Timestamp string
				ParentID      string `json:"parent_id"`
			}
			Paging struct{ Next string }
		}
		h.decode(r, &page)
		if len(page.Data) > 50 {
			t.Fatalf("page of %d", len(page.Data))
		}
		for _, c := range page.Data {
			if c.ParentID != "" {
				t.Fatalf("reply %s listed", c.ID)
			}
			ids = append(ids, c.ID)
			stamps = append(stamps, c.Timestamp)
		}
		pages++
		path = strings.TrimPrefix(page.Paging.Next, h.srv.URL)
	}
	if pages < 3 || len(ids) != 121 || ids[0] != newest {
		t.Fatalf("%d pages, %d comments, first %s", pages, len(ids), ids[0])
	}
	if !sort.SliceIsSorted(stamps, func(i, j int) bool { return stamps[i] > stamps[j] }) {
		t.Fatal("comments are not newest first")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("duplicate %s across pages", id)
		}
		seen[id] = true
	}
	var old int
	for _, s := range stamps {
		ts, _ := time.Parse(metaTime, s)
		if testEpoch.Sub(ts) > 7*24*time.Hour {
			old++
		}
	}
	if old == 0 {
		t.Fatal("the history has no comment older than 7 days")
	}
}

func TestGraph_accountMediaAndLive(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(1)
	a := h.account(1)
	r := h.get("/" + a + "/media?fields=id,caption,media_type,media_product_type,permalink,timestamp,comments_count&limit=4&access_token=" + tok)
	h.wantStatus(r, http.StatusOK)
	var media struct {
		Data   []map[string]any
		Paging struct{ Next string }
	}
	h.decode(r, &media)
	if len(media.Data) != 4 || media.Paging.Next == "" || !strings.Contains(media.Paging.Next, "/v25.0/"+a+"/media?") {
		t.Fatalf("media %s", r.body)
	}
	live := func() []map[string]any {
		var out struct{ Data []map[string]any }
		h.decode(h.get("/v25.0/"+a+"/live_media?fields=id,media_type,media_product_type,timestamp&access_token="+tok), &out)
		return out.Data
	}
	if got := live(); len(got) != 0 {
		t.Fatalf("live before start %v", got)
	}
	var started struct {
		MediaID string `json:"media_id"`
	}
	h.decode(h.postJSON("/control/live/start", map[string]string{"account": a}), &started)
	got := live()
	if len(got) != 1 || got[0]["id"] != started.MediaID || got[0]["media_type"] != "BROADCAST" || got[0]["media_product_type"] != "LIVE" {
		t.Fatalf("live %v", got)
	}
	c := h.comment(map[string]any{"account": a, "text": "hi from live", "live": true})
	h.wantStatus(h.get("/"+c+"?access_token="+tok), http.StatusOK)
	h.wantStatus(h.get("/"+started.MediaID+"/comments?access_token="+tok), http.StatusOK)
	h.wantStatus(h.postJSON("/control/live/end", map[string]string{"account": a}), http.StatusOK)
	if got := live(); len(got) != 0 {
		t.Fatalf("live after end %v", got)
	}
	h.wantGraphError(h.get("/"+c+"?access_token="+tok), 400, 100, 33)
	h.wantGraphError(h.get("/"+started.MediaID+"/comments?access_token="+tok), 400, 100, 33)
	r = h.get("/" + a + "?fields=id,username,profile_picture_url,name&access_token=" + tok)
	if !strings.Contains(string(r.body), `"username":"acme.outdoor"`) {
		t.Fatalf("account %s", r.body)
	}
	r = h.get("/" + h.page(1) + "?fields=id,name,instagram_business_account&access_token=" + tok)
	if !strings.Contains(string(r.body), `"instagram_business_account":{"id":"`+a+`"}`) {
		t.Fatalf("page %s", r.body)
	}
}

func TestGraph_pathsAndVersions(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	h.wantGraphError(h.get("/v99.0/me?access_token="+tok), 400, 2500, 0)
	h.wantGraphError(h.get("/v28.0/me?access_token="+tok), 400, 2500, 0) // not released
	for _, v := range []string{"v25.0", "v26.0", "v27.0"} {
		h.wantStatus(h.get("/"+v+"/me?access_token="+tok), http.StatusOK)
	}
	h.wantGraphError(h.get("/v25.0/"+h.page(0)+"/a/b?access_token="+tok), 400, 2500, 0)
	h.wantGraphError(h.get("/v25.0/"+h.page(0)+"/nonsense?access_token="+tok), 400, 100, 0)
	h.wantGraphError(h.do("DELETE", "/"+h.account(0)+"?access_token="+tok, nil, ""), 400, 100, 33)
	r := h.get("/me?access_token=" + tok) // a Page token's /me is the Page
	if !strings.Contains(string(r.body), `"id":"`+h.page(0)+`"`) {
		t.Fatalf("me %s", r.body)
	}
}

func TestGraph_subscribedApps(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	path := "/v25.0/" + h.page(0) + "/subscribed_apps"
	apps := func() []map[string]any {
		var out struct{ Data []map[string]any }
		h.decode(h.get(path+"?access_token="+tok), &out)
		return out.Data
	}
	if len(apps()) != 0 {
		t.Fatal("installed from the start")
	}
	h.wantGraphError(h.postForm(path, url.Values{"access_token": {tok}}), 400, 100, 0)
	h.wantGraphError(h.postForm(path, url.Values{"access_token": {tok}, "subscribed_fields": {"comments"}}), 400, 100, 0)
	h.wantGraphError(h.postForm(path, url.Values{"access_token": {h.login(h.user(0), allScopes)}, "subscribed_fields": {"feed"}}), 400, 210, 0)
	dana := h.pageToken(h.login(h.user(3), allScopes), h.page(0))
	h.wantGraphError(h.postForm(path, url.Values{"access_token": {dana}, "subscribed_fields": {"feed"}}), 403, 200, 0)
	r := h.postForm(path+"?subscribed_fields=feed,messages", url.Values{"access_token": {tok}})
	h.wantStatus(r, http.StatusOK)
	if string(r.body) != `{"success":true}` {
		t.Fatalf("answer %s", r.body)
	}
	got := apps()
	if len(got) != 1 || got[0]["id"] != testAppID || len(got[0]["subscribed_fields"].([]any)) != 2 {
		t.Fatalf("apps %v", got)
	}
	h.wantStatus(h.do("DELETE", path+"?access_token="+tok, nil, ""), http.StatusOK)
	if len(apps()) != 0 {
		t.Fatal("still installed after DELETE")
	}
}

// TestGraph_usageHeaders: a Page token's calls carry the business-use-case
// header (type instagram keyed by the Instagram account on Instagram nodes,
// type pages keyed by the Page on Page nodes), other calls carry
// X-App-Usage, and never both (meta-platform.md §10).
func TestGraph_usageHeaders(t *testing.T) {
	h := newHarness(t)
	page := h.avaPage(0)
	user := h.login(h.user(0), allScopes)
	media := h.world.Media[0].ID
	tests := []struct {
		name, path string
		key, typ   string // "" means X-App-Usage only
	}{
		{"Instagram account, Page token", "/v25.0/" + h.account(0) + "?access_token=" + page, h.account(0), "instagram"},
		{"media, Page token", "/v27.0/" + media + "/comments?access_token=" + page, h.account(0), "instagram"},
		{"Page, Page token", "/v25.0/" + h.page(0) + "?access_token=" + page, h.page(0), "pages"},
		{"me, Page token", "/me?access_token=" + page, h.page(0), "pages"},
		{"Page, user token", "/v25.0/" + h.page(0) + "?access_token=" + user, "", ""},
		{"me/accounts, user token", "/v25.0/me/accounts?access_token=" + user, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.get(tt.path)
			h.wantStatus(r, http.StatusOK)
			buc, app := r.header.Get("X-Business-Use-Case-Usage"), r.header.Get("X-App-Usage")
			if tt.typ == "" {
				if buc != "" || app == "" {
					t.Fatalf("want X-App-Usage only, got BUC %q app %q", buc, app)
				}
				return
			}
			var usage map[string][]map[string]any
			if err := json.Unmarshal([]byte(buc), &usage); err != nil || len(usage) != 1 || len(usage[tt.key]) != 1 ||
				usage[tt.key][0]["type"] != tt.typ || app != "" {
				t.Fatalf("BUC %q app %q, want %s keyed by %s only", buc, app, tt.typ, tt.key)
			}
		})
	}
}

func TestFields_parse(t *testing.T) {
	fs, err := parseFields("id, name,instagram_business_account{id,username},replies.limit(5){id,from{id}},picture.type(large)")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 5 || fs[2].name != "instagram_business_account" || len(fs[2].sub) != 2 ||
		fs[3].limit != 5 || fs[3].sub[1].sub[0].name != "id" || fs[4].name != "picture" {
		t.Fatalf("parsed %+v", fs)
	}
	for _, bad := range []string{"id}", "a{b", "a.limit(x)", "a.(", "%"} {
		if _, err := parseFields(bad); err == nil {
			t.Errorf("parseFields(%q) accepted", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := map[string]time.Duration{"36h": 36 * time.Hour, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90s": 90 * time.Second}
	for in, want := range tests {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "7x", "xd"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) accepted", bad)
		}
	}
}
