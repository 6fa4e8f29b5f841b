package e2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ruleComment is a Comment with what rules did.
type ruleComment struct {
	ID                  string `json:"id"`
	Status              string `json:"status"`
	RuleID              *int64 `json:"rule_id"`
	SuggestedTemplateID *int64 `json:"suggested_template_id"`
	Reply               *struct {
		State string `json:"state"`
		By    string `json:"by"`
		Text  string `json:"text"`
	} `json:"reply"`
}

// postJSON posts body to the API and decodes the answer into out, failing
// the test unless the status is want.
func postJSON(t *testing.T, c *Client, path string, body any, want int, out any) {
	t.Helper()
	r := c.PostJSON(t, path, body)
	if r.Status != want {
		t.Fatalf("POST %s = %d %s", path, r.Status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(r.Body), out); err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
	}
}

type idOnly struct {
	ID int64 `json:"id"`
}

// sendRule creates a template and a rule sending it for keyword, through
// the API, and answers the rule's id.
func sendRule(t *testing.T, c *Client, name, keyword, body string, oncePerUser bool) int64 {
	t.Helper()
	var tpl, rule idOnly
	postJSON(t, c, "/api/v1/templates", map[string]any{"name": name + " template", "body": body}, http.StatusCreated, &tpl)
	postJSON(t, c, "/api/v1/rules", map[string]any{"name": name, "keywords": []string{keyword}, "action": "send",
		"template_id": tpl.ID, "once_per_user": oncePerUser}, http.StatusCreated, &rule)
	return rule.ID
}

// waitReplies polls the simulator until the comment holds n private
// replies, and answers how long that took.
func (w *World) waitReplies(t *testing.T, commentID string, n int, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got := w.repliesTo(t, commentID)
		if len(got) >= n {
			if len(got) > n {
				t.Fatalf("comment %s holds %d replies, want %d: %q", commentID, len(got), n, got)
			}
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("comment %s holds %d replies after %s, want %d", commentID, len(got), within, n)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (w *World) apiComment(t *testing.T, c *Client, id string) ruleComment {
	t.Helper()
	var out ruleComment
	c.GetJSON(t, "/api/v1/comments/"+id, &out)
	return out
}

// TestRules_sendAnswersOnceWithinSeconds: a send rule answers a matching
// comment with exactly one private reply (as the simulator saw it) within
// seconds of the webhook, by "rule:<name>"; a comment that does not match
// gets none; a crash and restart sends nothing twice.
func TestRules_sendAnswersOnceWithinSeconds(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	coffee := d.Account("acme.coffee").ID
	sendRule(t, ava, "Price DM", "price", "Hi {{username|there}}! Our price list: https://acme.example/prices", false)

	id := w.comment(t, map[string]any{"account": coffee, "username": "river.walks", "text": "What's the PRICE of the blue one?"})
	took := w.waitReplies(t, id, 1, 10*time.Second)
	t.Logf("automatic reply at the simulator %s after the comment was made", took.Round(time.Millisecond))
	if got := w.repliesTo(t, id); got[0] != "Hi river.walks! Our price list: https://acme.example/prices" {
		t.Errorf("reply text = %q", got[0])
	}
	var cm ruleComment
	deadline := time.Now().Add(5 * time.Second)
	for cm = w.apiComment(t, ava, id); cm.Status != "replied" && time.Now().Before(deadline); cm = w.apiComment(t, ava, id) {
		time.Sleep(25 * time.Millisecond)
	}
	if cm.Status != "replied" || cm.Reply == nil || cm.Reply.By != "rule:Price DM" || cm.RuleID == nil {
		t.Errorf("comment = %+v reply %+v", cm, cm.Reply)
	}

	other := w.comment(t, map[string]any{"account": coffee, "username": "kai_m", "text": "Lovely colours"})
	// Rules run in arrival order: once a later matching comment is answered,
	// the one before it was looked at.
	later := w.comment(t, map[string]any{"account": coffee, "username": "lee.c", "text": "price?"})
	w.waitReplies(t, later, 1, 10*time.Second)
	if got := w.repliesTo(t, other); len(got) != 0 {
		t.Errorf("the non-matching comment got %q", got)
	}
	if cm := w.apiComment(t, ava, other); cm.RuleID != nil || cm.Status != "open" {
		t.Errorf("non-matching comment = %+v", cm)
	}

	// A crash right after: on restart, rules look at recent arrivals again
	// and send nothing twice.
	w.App.Kill()
	w.App.Restart()
	ava = w.Login(t, d.User("Ava").ID)
	after := w.comment(t, map[string]any{"account": coffee, "username": "sam.k", "text": "price pls"})
	w.waitReplies(t, after, 1, 10*time.Second)
	for _, c := range []string{id, later} {
		if got := w.repliesTo(t, c); len(got) != 1 {
			t.Errorf("after the restart %s holds %d replies", c, len(got))
		}
	}
}

// TestRules_oncePerUser: with once_per_user, a second comment by the same
// person on the same post gets no second automatic reply; it stays open
// with the template suggested for a teammate.
func TestRules_oncePerUser(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	coffee := d.Account("acme.coffee").ID
	sendRule(t, ava, "Link once", "link", "Hi {{username|there}}! The shop: https://acme.example/shop", true)

	first := w.comment(t, map[string]any{"account": coffee, "username": "kai_m", "text": "link please"})
	w.waitReplies(t, first, 1, 10*time.Second)
	second := w.comment(t, map[string]any{"account": coffee, "username": "kai_m", "text": "the link again?"})
	someoneElse := w.comment(t, map[string]any{"account": coffee, "username": "lee.c", "text": "link?"})
	w.waitReplies(t, someoneElse, 1, 10*time.Second)
	if got := w.repliesTo(t, second); len(got) != 0 {
		t.Errorf("the same person's second comment got %q", got)
	}
	cm := w.apiComment(t, ava, second)
	if cm.Status != "open" || cm.RuleID == nil || cm.SuggestedTemplateID == nil || cm.Reply != nil {
		t.Errorf("second comment = %+v", cm)
	}
}

// TestRules_testListsTheRightComments: the rule test through the API on
// the real binary lists the week's matching comments, newest first, and
// changes nothing.
func TestRules_testListsTheRightComments(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	ava := w.Login(t, d.User("Ava").ID)
	coffee := d.Account("acme.coffee").ID
	var ids []string
	for _, text := range []string{"¿Hacen ENVÍOS a Chile?", "shipping to Chile?", "envío gratis = estafa", "precioso 😍"} {
		id := w.comment(t, map[string]any{"account": coffee, "text": text})
		waitComment(t, ava, id)
		ids = append(ids, id)
	}
	var tpl, rule idOnly
	postJSON(t, ava, "/api/v1/templates", map[string]any{"name": "Envíos", "body": "¡Hola! Enviamos a todo el mundo."}, http.StatusCreated, &tpl)
	postJSON(t, ava, "/api/v1/rules", map[string]any{"name": "Envíos", "keywords": []string{"envío", "envíos", "shipping"},
		"exclude_keywords": []string{"estafa"}, "action": "suggest", "template_id": tpl.ID}, http.StatusCreated, &rule)
	var out struct {
		Data []ruleComment `json:"data"`
	}
	postJSON(t, ava, "/api/v1/rules/"+strconv.FormatInt(rule.ID, 10)+"/test", nil, http.StatusOK, &out)
	var got []string
	for _, c := range out.Data {
		got = append(got, c.ID)
	}
	if want := []string{ids[1], ids[0]}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("test lists %q, want %q", got, want)
	}
	for _, id := range ids {
		if cm := w.apiComment(t, ava, id); cm.RuleID != nil {
			t.Errorf("the test (or the rule, created after) changed %s: %+v", id, cm)
		}
	}
}

// TestBrowser_suggestRule: an admin writes a suggest rule on the rules page,
// tests it, and a matching comment opens with the template in the composer,
// marked as the rule's suggestion; sending it works as usual.
func TestBrowser_suggestRule(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	coffee := d.Account("acme.coffee").ID
	ava := w.Login(t, d.User("Ava").ID)
	var tpl idOnly
	postJSON(t, ava, "/api/v1/templates", map[string]any{"name": "Price list", "body": "Hi {{username|there}}! The blue one is €39; all prices: https://acme.example/prices"}, http.StatusCreated, &tpl)
	postJSON(t, ava, "/api/v1/templates", map[string]any{"name": "Echo", "body": "You asked: {{comment_text}}"}, http.StatusCreated, nil)
	old := w.comment(t, map[string]any{"account": coffee, "username": "north.buyer", "text": "How much for two?"})
	waitComment(t, ava, old)

	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	b.Navigate(w.App.URL + "/rules")
	if b.Text("[data-testid=rule-new]") != "New rule" {
		t.Error("no New rule button")
	}
	b.Navigate(w.App.URL + "/rules/new")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-name]"), "Price questions"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-keywords]"), "price, how much, cuánto"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-exclude]"), "wholesale"),
		chromedp.Click(chromedp.CSS("[data-testid=field-surfaces-post]")),
		chromedp.Click(chromedp.CSS("[data-testid=field-surfaces-reel]")),
		chromedp.SetValue(chromedp.CSS("[data-testid=field-template]"), strconv.FormatInt(tpl.ID, 10)),
	)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=rule-test-draft]")))
	b.WaitFor(`!!document.querySelector("[data-testid=rule-test-row]")`, 5*time.Second)
	if got := b.Text("[data-testid=rule-test-summary]"); got != "1 comment from the last 7 days would match:" {
		t.Errorf("draft test = %q", got)
	}
	b.Screenshot("editor")
	b.ClickNav(`[data-testid=rule-save]`)
	b.WaitFor(`!!document.querySelector("[data-testid=rule-row]")`, 5*time.Second)
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=rule-test]")))
	b.WaitFor(`!!document.querySelector("[data-testid=rule-row] [data-testid=rule-test-row]")`, 5*time.Second)
	b.Screenshot("rules")
	b.ColorScheme("dark")
	b.Screenshot("rules-dark")
	b.ColorScheme("")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("rules-phone")
	b.Do(chromedp.EmulateViewport(1280, 800))

	id := w.comment(t, map[string]any{"account": coffee, "username": "river.walks", "text": "How much is the blue one?"})
	b.Navigate(w.App.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(id)+`")`, 10*time.Second)
	want := "Hi river.walks! The blue one is €39; all prices: https://acme.example/prices"
	// The rule runs just after the comment is stored: open the comment once
	// it has (its row changes over the live stream).
	deadline := time.Now().Add(10 * time.Second)
	for cm := w.apiComment(t, ava, id); cm.RuleID == nil; cm = w.apiComment(t, ava, id) {
		if time.Now().After(deadline) {
			t.Fatal("the rule never applied")
		}
		time.Sleep(25 * time.Millisecond)
	}
	w.waitSettled(t, ava, id)
	openRow(b, id)
	b.WaitFor(`(document.querySelector("[data-testid=reply-text]")||{}).value === `+jsString(want), 5*time.Second)
	if got := b.Text("[data-testid=reply-suggestion] span:last-child"); got != "Suggested by rule Price questions: “Price list”. Edit it or send it as it is." {
		t.Errorf("suggestion = %q", got)
	}
	if got := b.Text("[data-testid=byte-count]"); got != strconv.Itoa(len(want))+" / 1,000 bytes" {
		t.Errorf("byte count = %q", got)
	}
	b.Screenshot("suggested")
	b.ColorScheme("dark")
	b.Screenshot("suggested-dark")
	b.ColorScheme("")
	b.Do(chromedp.Click(chromedp.CSS("[data-testid=reply-send]")))
	b.WaitFor(`(document.querySelector("[data-testid=reply-state]")||{}).textContent === "Sent"`, 10*time.Second)
	if got := w.repliesTo(t, id); len(got) != 1 || got[0] != want {
		t.Errorf("simulator holds %q", got)
	}
}

// TestBrowser_assignRule: an admin writes an assign rule in the browser
// (the editor shows the teammate, not the template); a matching comment on
// an account the teammate can answer lands on the inbox row with their
// initials, live, and the panel says the rule assigned it.
func TestBrowser_assignRule(t *testing.T) {
	t.Parallel()
	w := NewWorld(t, WorldOptions{})
	d := w.World()
	outdoor := d.Account("acme.outdoor").ID
	w.Login(t, d.User("Ava").ID)        // the first in is the admin
	ben := w.Login(t, d.User("Ben").ID) // a teammate on acme.outdoor
	var me idOnly
	ben.GetJSON(t, "/api/v1/me", &me)

	b := NewBrowser(t)
	w.BrowserLogin(t, b, d.User("Ava").ID)
	b.Navigate(w.App.URL + "/rules/new")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-name]"), "Wholesale to Ben"),
		chromedp.SendKeys(chromedp.CSS("[data-testid=field-keywords]"), "wholesale, mayorista"),
		chromedp.Click(chromedp.CSS("[data-testid=field-action-assign]")),
		chromedp.SetValue(chromedp.CSS("[data-testid=field-assignee]"), strconv.FormatInt(me.ID, 10)),
	)
	b.WaitFor(`document.querySelector("[data-testid=field-template]").offsetParent === null &&
		document.querySelector("[data-testid=field-assignee]").offsetParent !== null`, 5*time.Second)
	b.Screenshot("editor-assign")
	b.ClickNav(`[data-testid=rule-save]`)
	b.WaitFor(`!!document.querySelector("[data-testid=rule-row]")`, 5*time.Second)
	if got := b.Text("[data-testid=rule-then]"); got != "assign it to Ben Okafor" {
		t.Errorf("rule says %q", got)
	}
	b.Screenshot("rules")

	b.Navigate(w.App.URL + "/inbox")
	b.WaitLive()
	id := w.comment(t, map[string]any{"account": outdoor, "username": "shop.owner", "text": "¿Precio MAYORISTA para 50?"})
	b.WaitFor(`(document.querySelector("`+rowSel(id)+` [data-testid=row-assignee]")||{}).title === "Assigned to Ben Okafor"`, 10*time.Second)
	openRow(b, id)
	b.WaitFor(`(document.querySelector("[data-testid=history]")||{textContent:""}).textContent.includes("Assigned to Ben Okafor by rule “Wholesale to Ben”")`, 5*time.Second)
	b.Screenshot("assigned")
}
