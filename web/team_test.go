package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/replydesk/replydesk/internal/outbound"
	"github.com/replydesk/replydesk/internal/team"
	"github.com/replydesk/replydesk/web/webtest"
)

// team is a harness where Ava (both accounts, admin), Ben (acme.outdoor)
// and Eli (acme.coffee) have logged in.
type teamHarness struct {
	h               *webtest.Harness
	w               webtest.WorldData
	coffee, outdoor string
	ava, ben, eli   *webtest.Client
	id              map[*webtest.Client]int64
}

func newTeam(t *testing.T, opt webtest.Options) *teamHarness {
	t.Helper()
	h := webtest.New(t, opt)
	w := h.World(t)
	th := &teamHarness{h: h, w: w, coffee: w.Account("acme.coffee").ID, outdoor: w.Account("acme.outdoor").ID, id: map[*webtest.Client]int64{}}
	th.ava = h.Login(t, w.User("Ava").ID)
	th.ben = h.Login(t, w.User("Ben").ID)
	th.eli = h.Login(t, w.User("Eli").ID)
	for _, c := range []*webtest.Client{th.ava, th.ben, th.eli} {
		var me struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
			Role string `json:"role"`
		}
		c.GetJSON(t, "/api/v1/me", &me)
		th.id[c] = me.ID
	}
	return th
}

// comment makes a comment on account and waits until it is stored.
func (th *teamHarness) comment(t *testing.T, account, text string, extra ...any) string {
	t.Helper()
	in := map[string]any{"account": account, "text": text}
	for i := 0; i+1 < len(extra); i += 2 {
		in[extra[i].(string)] = extra[i+1]
	}
	id := th.h.Sim.Comment(t, in)
	stored(t, th.h, account, id)
	return id
}

type teamComment struct {
	ID       string `json:"id"`
	Assignee *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"assignee"`
	DeadlineExact bool `json:"deadline_exact"`
}

func listIDs(t *testing.T, c *webtest.Client, query string) string {
	t.Helper()
	var page struct {
		Data []teamComment `json:"data"`
	}
	c.GetJSON(t, "/api/v1/comments?"+query, &page)
	var ids []string
	for _, x := range page.Data {
		ids = append(ids, x.ID)
	}
	return strings.Join(ids, ",")
}

// postHTMX posts a form as htmx does from a page.
func postHTMX(t *testing.T, c *webtest.Client, path string, vals url.Values) *webtest.Response {
	t.Helper()
	vals.Set("csrf", c.CSRF)
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	return c.Do(t, req)
}

// TestAPI_assignMeAndUsers: the people API names the caller and the
// teammates who share an account (with only those accounts); a comment can
// be assigned to someone who may see its account (else 422 with the
// reason), filtered by assignee, and unassigned with null.
func TestAPI_assignMeAndUsers(t *testing.T) {
	th := newTeam(t, webtest.Options{})
	c1 := th.comment(t, th.coffee, "How much is the blue one?")
	c2 := th.comment(t, th.outdoor, "Ships to Canada?")

	var me map[string]any
	th.ava.GetJSON(t, "/api/v1/me", &me)
	if me["name"] != "Ava Martin" || me["role"] != "admin" || me["id"] != float64(th.id[th.ava]) || len(me) != 3 {
		t.Errorf("me = %v", me)
	}
	var users struct {
		Data []struct {
			ID         int64    `json:"id"`
			Name       string   `json:"name"`
			Role       string   `json:"role"`
			AccountIDs []string `json:"account_ids"`
		} `json:"data"`
	}
	th.ben.GetJSON(t, "/api/v1/users", &users)
	if len(users.Data) != 2 || users.Data[0].Name != "Ava Martin" || users.Data[1].Name != "Ben Okafor" {
		t.Fatalf("Ben's teammates: %+v", users.Data)
	}
	for _, u := range users.Data {
		if strings.Join(u.AccountIDs, ",") != th.outdoor {
			t.Errorf("%s: accounts %v, want only the shared %s", u.Name, u.AccountIDs, th.outdoor)
		}
	}

	assign := func(c *webtest.Client, id string, body string) *webtest.Response {
		req, _ := http.NewRequest(http.MethodPost, c.Base+"/api/v1/comments/"+id+"/assign", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		return c.Do(t, req)
	}
	r := assign(th.ava, c1, `{"user_id":`+strconv.FormatInt(th.id[th.ben], 10)+`}`)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"code":"assignee_no_access"`) ||
		!strings.Contains(r.Body, "Ben Okafor cannot see @acme.coffee") {
		t.Errorf("assign to Ben = %d %s", r.Status, r.Body)
	}
	for _, body := range []string{`{}`, `{"user_id":"eli"}`, `{"user_id":0}`, `{"user":1}`} {
		if r := assign(th.ava, c1, body); r.Status != http.StatusBadRequest {
			t.Errorf("%s = %d %s", body, r.Status, r.Body)
		}
	}
	if r := assign(th.ava, c1, `{"user_id":99999}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "unknown_user") {
		t.Errorf("unknown user = %d %s", r.Status, r.Body)
	}
	if r := assign(th.ben, c1, `{"user_id":null}`); r.Status != http.StatusNotFound {
		t.Errorf("Ben may not see c1: %d %s", r.Status, r.Body)
	}
	noCSRF := *th.ava
	noCSRF.CSRF = ""
	if r := assign(&noCSRF, c1, `{"user_id":null}`); r.Status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", r.Status)
	}

	r = assign(th.ava, c1, `{"user_id":`+strconv.FormatInt(th.id[th.eli], 10)+`}`)
	var got teamComment
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &got) != nil || got.Assignee == nil ||
		got.Assignee.ID != th.id[th.eli] || got.Assignee.Name != "Eli Navarro" {
		t.Fatalf("assign to Eli = %d %s", r.Status, r.Body)
	}
	if !strings.Contains(r.Body, `"assignee":{"id":`+strconv.FormatInt(th.id[th.eli], 10)+`,"name":"Eli Navarro"}`) {
		t.Errorf("assignee shape: %s", r.Body)
	}
	if got := listIDs(t, th.eli, "assignee=me"); got != c1 {
		t.Errorf("Eli's mine = %q", got)
	}
	if got := listIDs(t, th.ava, "assignee=me"); got != "" {
		t.Errorf("Ava's mine = %q", got)
	}
	if got := listIDs(t, th.ava, "assignee="+strconv.FormatInt(th.id[th.eli], 10)); got != c1 {
		t.Errorf("Eli's, as Ava sees them = %q", got)
	}
	if got := listIDs(t, th.ava, "assignee=none"); got != c2 {
		t.Errorf("unassigned = %q", got)
	}
	if r := th.ava.Get(t, "/api/v1/comments?assignee=someone"); r.Status != http.StatusBadRequest {
		t.Errorf("bad assignee filter = %d", r.Status)
	}
	r = assign(th.eli, c1, `{"user_id":null}`)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"assignee":null`) {
		t.Errorf("unassign = %d %s", r.Status, r.Body)
	}
}

// TestInbox_assignmentReachesEachViewersMine: assigning from the inbox (the
// form the panel, keys, picker and bulk bar post) answers the rows and a
// toast; the assignee's stream filtered by assignee=me gets the row as a
// new one, the assigner's stream with the same URL only refreshes it; the
// panel's history says who assigned whom.
func TestInbox_assignmentReachesEachViewersMine(t *testing.T) {
	th := newTeam(t, webtest.Options{})
	id := th.comment(t, th.coffee, "Is the blue one back?")
	mine := func(c *webtest.Client) *webtest.Stream {
		r := c.Get(t, "/inbox?assignee=me")
		u, _ := r.Find("[data-testid=inbox-page]").Attr("sse-connect")
		if r.Status != 200 || !strings.Contains(u, "assignee=me") {
			t.Fatalf("mine page = %d, %q", r.Status, u)
		}
		return c.OpenStream(t, u, nil)
	}
	eliStream, avaStream := mine(th.eli), mine(th.ava)

	r := postHTMX(t, th.ava, "/inbox/assign", url.Values{"ids": {id}, "user_id": {strconv.FormatInt(th.id[th.eli], 10)}})
	if r.Status != 200 || r.Find("#comment-"+id+" [data-testid=row-assignee]").AttrOr("title", "") != "Assigned to Eli Navarro" ||
		!strings.Contains(r.Find("[data-testid=toast]").Text(), "Assigned the comment to Eli Navarro") {
		t.Fatalf("assign answer = %d %.600s", r.Status, r.Body)
	}
	assigned := func(e webtest.Event) bool { return rowOf(id)(e) && strings.Contains(e.Data, "Assigned to Eli Navarro") }
	e, _, ok := eliStream.Until(5*time.Second, assigned)
	if !ok || e.Name != "comment" {
		t.Errorf("Eli's mine: %+v %v", e, ok)
	}
	e, _, ok = avaStream.Until(5*time.Second, assigned)
	if !ok || e.Name != "update" {
		t.Errorf("Ava's mine: %+v %v", e, ok)
	}
	// Bulk to Ben, who may not see acme.coffee: refused in a toast, nothing changes.
	r = postHTMX(t, th.ava, "/inbox/assign", url.Values{"ids": {id}, "user_id": {strconv.FormatInt(th.id[th.ben], 10)}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Find("[data-testid=toast]").Text(), "Ben Okafor cannot see @acme.coffee") {
		t.Errorf("assign to Ben = %d %.300s", r.Status, r.Body)
	}
	// Take it (the a key), with the panel open: the panel comes back too.
	r = postHTMX(t, th.ava, "/inbox/assign", url.Values{"ids": {id}, "user_id": {"me"}, "panel": {id}})
	if r.Status != 200 || r.Find("#detail [data-testid=detail-assignee]").Text() == "" {
		t.Fatalf("take = %d %.300s", r.Status, r.Body)
	}
	if got := r.Find("#detail [data-testid=detail-assignee] span:last-child").Text(); got != "Assigned to Ava Martin" {
		t.Errorf("panel assignee = %q", got)
	}
	hist := r.Find("#detail [data-testid=history] li").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Find("span").Text()) })
	if strings.Join(hist, "|") != "Received|Assigned to Eli Navarro by Ava Martin|Ava Martin took it" {
		t.Errorf("history = %q", hist)
	}
	if sel := r.Find("#detail [data-testid=assign-select] option[selected]").AttrOr("value", ""); sel != strconv.FormatInt(th.id[th.ava], 10) {
		t.Errorf("select shows %q", sel)
	}
	// The rail counts Mine and Unassigned; searching within Mine keeps it.
	if v := th.ava.Get(t, "/inbox?assignee=me").Find("[data-testid=filters] input[name=assignee]").AttrOr("value", ""); v != "me" {
		t.Errorf("the search form drops assignee=me: %q", v)
	}
	page := th.ava.Get(t, "/inbox")
	if got := page.Find("[data-testid=view-mine] .rail-count").Text(); got != "1" {
		t.Errorf("Mine = %q", got)
	}
	if got := page.Find("[data-testid=view-unassigned] .rail-count").Text(); got != "0" {
		t.Errorf("Unassigned = %q", got)
	}
}

// TestPresence_shownWarnedClearedAndExpired: Eli's open composer shows as
// "Eli is replying" on the row Ava's stream gets; Ava sending is first
// warned (nothing sent), then sends for real; a presence nobody refreshes
// is swept within team.PresenceTTL+PresenceSweep.
func TestPresence_shownWarnedClearedAndExpired(t *testing.T) {
	clk := &testClock{}
	th := newTeam(t, webtest.Options{Now: clk.Now})
	id := th.comment(t, th.coffee, "Can I get a refund?")
	s := th.ava.OpenStream(t, eventsURL(t, th.ava), nil)

	if r := postHTMX(t, th.eli, "/inbox/comments/"+id+"/presence", url.Values{"state": {"on"}}); r.Status != http.StatusNoContent {
		t.Fatalf("presence on = %d %s", r.Status, r.Body)
	}
	if r := postHTMX(t, th.ben, "/inbox/comments/"+id+"/presence", url.Values{"state": {"on"}}); r.Status != http.StatusNotFound {
		t.Errorf("Ben's presence on a comment he may not see = %d", r.Status)
	}
	e, _, ok := s.Until(5*time.Second, func(e webtest.Event) bool { return rowOf(id)(e) && strings.Contains(e.Data, "row-presence") })
	if !ok {
		t.Fatal("Ava never saw Eli replying")
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(e.Data))
	p := doc.Find("[data-testid=row-presence]")
	if strings.TrimSpace(p.Text()) != "Eli is replying" || p.AttrOr("data-user", "") != strconv.FormatInt(th.id[th.eli], 10) {
		t.Errorf("presence = %q %v", p.Text(), p.AttrOr("data-user", ""))
	}

	r := postHTMX(t, th.ava, "/inbox/comments/"+id+"/reply", url.Values{"text": {"Hi! Sure, DM sent."}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Find("[data-testid=reply-warning]").Text(), "Eli Navarro is replying to this comment right now") ||
		r.Find("[data-testid=reply-text]").Text() != "Hi! Sure, DM sent." || r.Find("input[name=confirm]").Length() != 1 {
		t.Fatalf("warning = %d %.800s", r.Status, r.Body)
	}
	var replies struct {
		Replies []map[string]any `json:"replies"`
	}
	th.h.Sim.Control(t, http.MethodGet, "/control/replies", nil, &replies)
	if len(replies.Replies) != 0 {
		t.Fatalf("the warning sent a reply: %v", replies.Replies)
	}
	r = postHTMX(t, th.ava, "/inbox/comments/"+id+"/reply", url.Values{"text": {"Hi! Sure, DM sent."}, "confirm": {"1"}})
	if r.Status != 200 || r.Find("[data-testid=reply-warning]").Length() != 0 {
		t.Fatalf("send anyway = %d %.400s", r.Status, r.Body)
	}
	// Sent: nobody is replying any more.
	e, _, ok = s.Until(10*time.Second, func(e webtest.Event) bool {
		return rowOf(id)(e) && strings.Contains(e.Data, `data-status="replied"`) && !strings.Contains(e.Data, "row-presence")
	})
	if !ok {
		t.Errorf("the replied row still shows presence: %+v", e)
	}

	// A presence nobody refreshes (the tab closed without a word) is swept.
	other := th.comment(t, th.coffee, "And the green one?")
	if r := postHTMX(t, th.eli, "/inbox/comments/"+other+"/presence", url.Values{"state": {"on"}}); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	if _, _, ok := s.Until(5*time.Second, func(e webtest.Event) bool { return rowOf(other)(e) && strings.Contains(e.Data, "row-presence") }); !ok {
		t.Fatal("no presence on the second comment")
	}
	clk.Add(team.PresenceTTL)
	start := time.Now()
	if _, _, ok := s.Until(2*team.PresenceSweep, func(e webtest.Event) bool { return rowOf(other)(e) && !strings.Contains(e.Data, "row-presence") }); !ok {
		t.Error("the stale presence was not swept")
	}
	t.Logf("swept %v after expiring", time.Since(start).Round(time.Millisecond))
}

// TestAlerts_expiringRecordedOnceShownAndCounted: a comment made 6 days
// 23.5 hours ago, which nobody is on, gets its deadline alert: the row
// carries it, comment.expiring is recorded once, and the rail's "Due < 1 h"
// count is red.
func TestAlerts_expiringRecordedOnceShownAndCounted(t *testing.T) {
	th := newTeam(t, webtest.Options{})
	s := th.ava.OpenStream(t, eventsURL(t, th.ava), nil)
	id := th.comment(t, th.coffee, "Last chance?", "age", "167h30m")
	far := th.comment(t, th.coffee, "No hurry", "age", "100h")
	e, _, ok := s.Until(20*time.Second, func(e webtest.Event) bool { return rowOf(id)(e) && strings.Contains(e.Data, "data-alert-at") })
	if !ok {
		t.Fatal("no alert on the row")
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(e.Data))
	a := doc.Find("[data-testid=row-alert]")
	if !strings.HasPrefix(a.AttrOr("data-alert-title", ""), "@") || !strings.Contains(a.AttrOr("data-alert-title", ""), "on @acme.coffee: reply by ") ||
		a.AttrOr("data-alert-body", "") != "“Last chance?” Nobody is assigned." {
		t.Errorf("alert = %q / %q", a.AttrOr("data-alert-title", ""), a.AttrOr("data-alert-body", ""))
	}
	events, err := th.h.App.Store.EventsAfter(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Name == outbound.CommentExpiring {
			n++
			if ev.CommentID != id {
				t.Errorf("comment.expiring for %s", ev.CommentID)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d comment.expiring events, want 1", n)
	}
	page := th.ava.Get(t, "/inbox")
	urgent := page.Find("[data-testid=view-urgent]")
	if strings.TrimSpace(urgent.Find("span").First().Text()) != "Due < 1 h" || urgent.Find(".rail-count-alert").Text() != "1" {
		t.Errorf("rail: %q", urgent.Text())
	}
	if got := listIDs(t, th.ava, "status=urgent"); got != id {
		t.Errorf("urgent view = %q (not %s)", got, far)
	}
	if page.Find("[data-testid=alerts-prompt]").Length() != 1 || page.Find("[data-testid=alerts-setting]").Length() != 1 {
		t.Error("no alerts prompt or setting")
	}
}

// TestAutoAssign_adminsTurnItOnNewCommentsGoInTurn: an admin turns
// auto-assignment on for acme.coffee with a cap of one: new comments go to
// Ava, then Eli (both online), then wait. Agents cannot change it.
func TestAutoAssign_adminsTurnItOnNewCommentsGoInTurn(t *testing.T) {
	th := newTeam(t, webtest.Options{})
	before := th.comment(t, th.coffee, "before it was on")
	path := "/accounts/" + th.coffee + "/auto-assign"
	if r := th.eli.PostForm(t, path, url.Values{"enabled": {"1"}, "cap": {"1"}}); r.Status != http.StatusForbidden {
		t.Errorf("agent = %d", r.Status)
	}
	if r := th.ava.PostForm(t, path, url.Values{"enabled": {"1"}, "cap": {"0"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("cap 0 = %d", r.Status)
	}
	if r := th.ava.PostForm(t, path, url.Values{"enabled": {"1"}, "cap": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("admin = %d %s", r.Status, r.Body)
	}
	page := th.ava.Get(t, "/accounts")
	card := page.Find("[data-testid=account-card][data-account-id='" + th.coffee + "']")
	if card.Find("[data-testid=auto-assign]").AttrOr("data-enabled", "") != "true" ||
		!strings.Contains(card.Find("[data-testid=auto-assign-summary]").Text(), "up to 1 open comment each") ||
		!strings.Contains(page.Find("[data-testid=toasts]").Text(), "Auto-assignment saved.") {
		t.Errorf("accounts page: %q", card.Find("[data-testid=auto-assign]").Text())
	}
	if th.eli.Get(t, "/accounts").Find("[data-testid=auto-assign-cap]").Length() != 0 {
		t.Error("an agent sees the form")
	}
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		ids = append(ids, th.comment(t, th.coffee, text))
	}
	want := map[string]string{ids[0]: "Ava Martin", ids[1]: "Eli Navarro", ids[2]: "", before: ""}
	waitFor(t, 10*time.Second, "auto-assignment", func() bool {
		for id, who := range want {
			var c teamComment
			th.ava.GetJSON(t, "/api/v1/comments/"+id, &c)
			name := ""
			if c.Assignee != nil {
				name = c.Assignee.Name
			}
			if name != who {
				return false
			}
		}
		return true
	})
	// The Team page counts each person's open assigned comments.
	team := th.ava.Get(t, "/team")
	for _, c := range []*webtest.Client{th.ava, th.eli} {
		row := team.Find("[data-testid=workload-row][data-user-id='" + strconv.FormatInt(th.id[c], 10) + "']")
		if row.Find("[data-testid=workload-open]").Text() != "1" || row.Find("[data-testid=workload-online]").Text() != "Online" {
			t.Errorf("workload row: %q", row.Text())
		}
	}
}

// testClock is the real clock moved ahead by what the test adds.
type testClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.d += d; c.mu.Unlock() }
