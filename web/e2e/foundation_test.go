package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLoginPage_rendersStyledWithHTMX proves a page renders with its CSS and
// htmx loaded, in demo mode with the banner.
func TestLoginPage_rendersStyledWithHTMX(t *testing.T) {
	t.Parallel()
	app := StartApp(t, AppOptions{})
	b := NewBrowser(t)
	b.Do(chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-button]`)))
	b.WaitFor(`typeof htmx !== "undefined" && htmx.version.startsWith("2.")`, 5*time.Second)
	// The stylesheet applied: the button is Facebook blue (a shade darker,
	// #166fe5, for AA contrast with its white text), and the body uses the
	// system font.
	bg := Eval[string](b, `getComputedStyle(document.querySelector("[data-testid=login-button]")).backgroundColor`)
	if bg != "rgb(22, 111, 229)" {
		t.Errorf("login button background = %q, want Facebook blue (CSS not applied?)", bg)
	}
	if got := b.Text(`[data-testid=demo-banner]`); !strings.Contains(got, "Demo mode") {
		t.Errorf("demo banner = %q", got)
	}
	if sse := Eval[bool](b, `!!document.querySelector('script[src^="/static/js/sse.js"]')`); !sse {
		t.Error("the SSE extension script is not on the page")
	}
	b.Screenshot("login")
}

// TestServe_badConfigStopsWithOneLine checks start-up refusals: one line
// naming the variable, non-zero exit.
func TestServe_badConfigStopsWithOneLine(t *testing.T) {
	t.Parallel()
	// A directory that cannot be created, even by root: its parent is a file.
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unparsable addr", map[string]string{"REPLYDESK_ADDR": "localhost:http-ish"}, "REPLYDESK_ADDR:"},
		{"addr without port", map[string]string{"REPLYDESK_ADDR": "8080"}, "REPLYDESK_ADDR:"},
		{"unwritable database", map[string]string{"REPLYDESK_DATABASE": filepath.Join(blocker, "data", "x.db")}, "REPLYDESK_DATABASE:"},
		{"short secret", map[string]string{"REPLYDESK_SECRET": "short"}, "REPLYDESK_SECRET:"},
		{"production without secret", map[string]string{"META_APP_ID": "1", "META_APP_SECRET": "s", "META_VERIFY_TOKEN": "v"}, "REPLYDESK_SECRET:"},
		{"bad budget", map[string]string{"REPLYDESK_REPLY_BUDGET": "9000"}, "REPLYDESK_REPLY_BUDGET:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"REPLYDESK_DATABASE": filepath.Join(t.TempDir(), "r.db")}
			for k, v := range tc.env {
				env[k] = v
			}
			code, out := RunCommand(t, env)
			if code == 0 {
				t.Fatalf("exit code 0, want non-zero; output:\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("output = %q, want one line containing %q", out, tc.want)
			}
		})
	}
}
