package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_demoPagesAccessibleLightAndDark is one demo-mode app and one
// browser for every page: `make run`'s welcome names the URL and the sample
// people; axe-core finds no violation on any page, light and dark, at
// 1280×800 (the inbox with a comment open is also checked on a 390 px phone,
// in TestBrowser_liveBroadcastEndsAtOnce); the simulator's page has fault
// buttons and a dark theme.
func TestBrowser_demoPagesAccessibleLightAndDark(t *testing.T) {
	t.Parallel() // its own app and browser
	app := StartApp(t, AppOptions{})
	w := &World{App: app, SimURL: app.URL + "/_sim", t: t}
	d := w.World()

	// Two commands, explained: the URL and who to log in as, with the
	// people who have no access and why.
	welcome := app.Logs()
	for _, want := range []string{
		"open " + app.URL, "Ava Martin", "answers @acme.coffee and @acme.outdoor",
		"Chloé Dubois     no access: no role on any Facebook Page",
		"Dana Kowalski    no access: a role on Acme Coffee, but without the Messages task",
		app.URL + "/_sim/",
	} {
		if !strings.Contains(welcome, want) {
			t.Errorf("the demo's welcome lacks %q:\n%s", want, welcome)
		}
	}

	b := NewBrowser(t)
	axe := func(name string) {
		t.Helper()
		for _, scheme := range []string{"light", "dark"} {
			b.ColorScheme(scheme)
			b.CheckAxe(name + " (" + scheme + ")")
		}
		b.ColorScheme("")
	}
	b.Navigate(app.URL + "/login")
	axe("login")
	w.BrowserLogin(t, b, d.User("Ava").ID)
	acct := d.Account("acme.coffee")
	var ids []string
	for _, text := range []string{"Is the blue one back in stock?", "Ships to Canada?"} {
		ids = append(ids, w.comment(t, map[string]any{"account": acct.ID, "username": "mallory", "text": text}))
	}
	b.Navigate(app.URL + "/inbox")
	b.WaitFor(`!!document.querySelector("`+rowSel(ids[1])+`")`, 10*time.Second)
	axe("inbox")
	b.Do(chromedp.KeyEvent("?"))
	b.WaitFor(`document.getElementById("shortcuts").open`, 2*time.Second)
	axe("shortcuts")
	b.Navigate(app.URL + "/inbox/comments/" + ids[0])
	b.WaitFor(`!!document.querySelector("[data-testid=comment-detail]")`, 5*time.Second)
	axe("inbox with a comment open")
	// The composer's "/" template picker, open (issue 20, item 5).
	b.Do(chromedp.SendKeys(chromedp.CSS("#detail [data-testid=reply-text]"), "/"))
	b.WaitFor(`!document.querySelector("[data-testid=template-picker]").hidden && !!document.querySelector("#detail [data-testid=reply-text]").getAttribute("aria-activedescendant")`, 3*time.Second)
	axe("the template picker")
	b.Navigate(app.URL + "/templates")
	tmpl := Eval[string](b, `document.querySelector(".template-name a").getAttribute("href")`)
	for _, p := range []string{
		"/templates", "/templates/new", tmpl, "/accounts", "/accounts/" + acct.ID, "/accounts/" + acct.ID + "/disconnect",
		"/team", "/settings/tokens", "/settings/webhooks", "/setup", "/nowhere",
	} {
		b.Navigate(app.URL + p)
		axe(p)
	}
	// The simulator's page: fault buttons, and a dark theme.
	b.Navigate(app.URL + "/_sim/")
	axe("the simulator's page")
	b.ColorScheme("dark")
	if bg := Eval[string](b, `getComputedStyle(document.querySelector("section")).backgroundColor`); bg == "rgb(255, 255, 255)" {
		t.Errorf("the simulator's page stays white in dark mode")
	}
	b.ColorScheme("")
	b.ClickNav(`[data-testid=fault-graph_5xx]`)
	if got := b.Text(`[data-testid=flash]`); !strings.Contains(got, "Meta down") {
		t.Errorf("after the fault button the page says %q", got)
	}
	if got := b.Text(`[data-testid=pending-faults]`); !strings.Contains(got, "graph_5xx") {
		t.Errorf("pending faults: %q", got)
	}
	b.ClickNav(`[data-testid=fault-clear]`)

	// No access: Dana has a Page role without the Messages task, and the
	// page names it.
	b.Navigate(app.URL + "/inbox")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=usermenu] summary`)))
	b.ClickNav(`[data-testid=logout]`)
	axe("login after logout")
	w.BrowserLogin(t, b, d.User("Dana").ID)
	if got := b.Text(`main`); !strings.Contains(got, "Acme Coffee") || !strings.Contains(got, "Messages") {
		t.Errorf("the no-access page does not name the Page and the task:\n%s", got)
	}
	axe("no access")
}
