package metasim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPage_postCommentLiveAndEscaping(t *testing.T) {
	h := newHarness(t)
	r := h.postForm("/ui/comment", url.Values{"account": {h.account(0)}, "username": {"@jane.doe"},
		"text": {"<script>alert(1)</script> ünïcödé"}})
	h.wantStatus(r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/?msg=Comment") {
		t.Fatalf("redirect %s", loc)
	}
	var id string
	h.sim.mu.Lock()
	for _, c := range h.sim.st.comments {
		if !c.history {
			id = c.ID
		}
	}
	h.sim.mu.Unlock()
	h.wantStatus(h.send(h.page(0), h.avaPage(0), id, "Hi <b>Jane</b>"), http.StatusOK)
	h.wantStatus(h.postForm("/ui/live", url.Values{"account": {h.account(1)}, "action": {"start"}}), http.StatusSeeOther)
	r = h.postForm("/ui/comment", url.Values{"account": {h.account(0)}, "text": {""}})
	if loc := r.header.Get("Location"); !strings.Contains(loc, "err=text") {
		t.Fatalf("error redirect %s", loc)
	}
	r = h.get("/")
	h.wantStatus(r, http.StatusOK)
	body := string(r.body)
	if strings.Contains(body, "<script>alert(1)</script>") || strings.Contains(body, "<b>Jane</b>") {
		t.Fatal("the page does not escape comment or reply text")
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; ünïcödé", "Hi &lt;b&gt;Jane&lt;/b&gt;", "End broadcast", `data-testid="replies"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestPage_mountedUnderPrefix(t *testing.T) {
	h := newHarness(t)
	mux := http.NewServeMux()
	mux.Handle("/_sim/", http.StripPrefix("/_sim", h.sim.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_sim/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	_, _ = io.Copy(buf, resp.Body)
	if !strings.Contains(buf.String(), `action="/_sim/ui/comment"`) {
		t.Fatalf("form action not under the prefix")
	}
	resp2, err := http.Get(srv.URL + "/_sim/v25.0/me")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Fatalf("Graph under prefix: %d", resp2.StatusCode)
	}
}

func TestPage_avatar(t *testing.T) {
	h := newHarness(t)
	r := h.get("/avatars/" + h.user(2) + ".svg")
	h.wantStatus(r, http.StatusOK)
	if r.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(r.body), ">CD<") {
		t.Fatalf("avatar %s", r.body)
	}
	h.wantStatus(h.get("/avatars/nobody.svg"), http.StatusNotFound)
}

func TestPage_faultButtons(t *testing.T) {
	h := newHarness(t)
	r := h.postForm("/ui/fault", url.Values{"kind": {"graph_5xx"}, "account": {h.account(0)}})
	h.wantStatus(r, http.StatusSeeOther)
	if loc, _ := url.QueryUnescape(r.header.Get("Location")); !strings.Contains(loc, "Meta down: the next 5 Graph API calls answer 500") {
		t.Errorf("redirect %s", loc)
	}
	h.wantStatus(h.postForm("/ui/fault", url.Values{"kind": {"graph_slow"}}), http.StatusSeeOther)
	h.sim.mu.Lock()
	if len(h.sim.faults) != 2 || h.sim.faults[0].Remaining != 5 || h.sim.faults[0].Account != h.account(0) || h.sim.faults[1].Delay != 8*time.Second {
		t.Errorf("faults %+v %+v", h.sim.faults[0], h.sim.faults[1])
	}
	h.sim.mu.Unlock()
	body := string(h.get("/").body)
	for _, want := range []string{`data-testid="pending-faults"`, "graph_5xx", "every account", `data-testid="fault-token_revoked"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	r = h.postForm("/ui/fault", url.Values{"kind": {"nonsense"}})
	if loc := r.header.Get("Location"); !strings.Contains(loc, "err=kind") {
		t.Errorf("error redirect %s", loc)
	}
	h.wantStatus(h.postForm("/ui/fault", url.Values{"kind": {"clear"}}), http.StatusSeeOther)
	h.sim.mu.Lock()
	defer h.sim.mu.Unlock()
	if len(h.sim.faults) != 0 {
		t.Errorf("faults left after clear: %d", len(h.sim.faults))
	}
}
