package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ChromiumPath finds Chromium: $CHROMIUM, else Debian's
// chromium-headless-shell (Chromium without the desktop browser around it:
// the same page rendering for about a third less CPU, which on 2 cores is what
// the browser tests wait on), else the desktop browser.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium-headless-shell"); err == nil {
		return p
	}
	return DesktopChromiumPath()
}

// DesktopChromiumPath finds the desktop Chromium (or Chrome), which a test
// needs where the headless shell differs from what people run: the shell
// answers every permission request with "denied", so a page never sees a
// browser that has not been asked about notifications yet.
func DesktopChromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium tab.
type Browser struct {
	Ctx    context.Context
	t      testing.TB
	closed bool
	stop   func()
	kill   func()
}

// NewBrowser starts headless Chromium for the test. Without Chromium the test
// is skipped, except under CI=true, where that is a failure. When the test
// fails, a screenshot of the page is saved in web/e2e/screenshots/.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	return newBrowser(t, ChromiumPath(), "chromium-headless-shell")
}

// NewDesktopBrowser is NewBrowser with the desktop Chromium (see
// DesktopChromiumPath).
func NewDesktopBrowser(t testing.TB) *Browser {
	t.Helper()
	return newBrowser(t, DesktopChromiumPath(), "chromium")
}

func newBrowser(t testing.TB, path, pkg string) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped under -short")
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("e2e: %s is not installed (apt-get install -y %s); CI=true makes this a failure", pkg, pkg)
		}
		t.Skipf("e2e: %s not installed (apt-get install -y %s)", pkg, pkg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("force-prefers-reduced-motion", true), // no endless animations to paint (the pages honour it)
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute) // a whole test's browsing, on a loaded machine
	b := &Browser{Ctx: ctx, t: t}
	if err := chromedp.Do(ctx); err != nil {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("e2e: starting chromium: %v", err)
	}
	b.stop = func() { cancelTimeout(); cancelBrowser(); cancelAlloc() }
	b.kill = func() { cancelAlloc(); cancelBrowser(); cancelTimeout() } // the process first: no page hears of it
	t.Cleanup(func() {
		if t.Failed() && !b.closed {
			b.Screenshot("failure")
		}
		b.stop()
	})
	return b
}

// Do runs actions in the tab, one after another, and fails the test on
// error.
//
// An action is tried again when the node it found was replaced before it
// acted (a row re-rendered by the live stream between the query and the
// click): the selector then finds the new node.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for _, a := range actions {
		err := chromedp.Do(b.Ctx, a)
		for try := 0; err != nil && try < 3 && replacedNode(err); try++ {
			err = chromedp.Do(b.Ctx, a)
		}
		if err != nil {
			b.t.Fatalf("e2e: %v", err)
		}
	}
}

// replacedNode tells whether err is the browser's answer about a node
// that left the document after it was found.
func replacedNode(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") || strings.Contains(msg, "No node with given id found") ||
		strings.Contains(msg, "Node is detached from document")
}

// navigatedAway tells whether err is the browser's answer about a page
// that was replaced while JavaScript ran in it: a form that was submitted
// the way a browser without JavaScript submits it (a keystroke before the
// page's scripts took over, on a slow machine), a reload, a redirect.
func navigatedAway(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated")
}

// Eval evaluates JavaScript and returns its result. An evaluation that a
// navigation interrupted is tried again in the new page.
func Eval[T any](b *Browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	for try := 0; err != nil && try < 3 && navigatedAway(err); try++ {
		time.Sleep(100 * time.Millisecond)
		v, err = chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	}
	if err != nil {
		b.t.Fatalf("e2e: eval %q: %v", js, err)
	}
	return v
}

// WaitFor polls a JavaScript condition until it is true or timeout passes.
// A poll that a navigation interrupts loses its JavaScript context; it is
// retried in the new page until the timeout.
func (b *Browser) WaitFor(js string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if !navigatedAway(err) || time.Now().After(deadline) {
			b.t.Fatalf("e2e: waiting for %s: %v", js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitLive waits until the inbox's event stream is open.
func (b *Browser) WaitLive() {
	b.t.Helper()
	b.WaitFor(`document.querySelector("[data-testid=inbox-page][data-live=open]") !== null`, 10*time.Second)
}

// Text is the visible text of the first element matching css. It reads the
// element in one evaluation, so a live update that replaces the element a
// moment later cannot make the read fail.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	sel, _ := json.Marshal(css)
	js := `(function(){var e=document.querySelector(` + string(sel) + `);return e?{found:true,text:e.innerText}:{found:false,text:""}})()`
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[struct {
		Found bool   `json:"found"`
		Text  string `json:"text"`
	}](js))
	if err != nil || !v.Found {
		b.t.Fatalf("e2e: text of %s: not found (%v)", css, err)
	}
	return strings.TrimSpace(v.Text)
}

// Screenshot saves a PNG of the whole page under web/e2e/screenshots/ and
// returns its path.
func (b *Browser) Screenshot(name string) string {
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("e2e: screenshot: %v", err)
		return ""
	}
	dir := "screenshots"
	os.MkdirAll(dir, 0o755)
	safe := strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name() + "-" + name)
	p := filepath.Join(dir, safe+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("e2e: screenshot: %v", err)
		return ""
	}
	abs, _ := filepath.Abs(p)
	b.t.Logf("e2e: screenshot saved to %s", abs)
	return abs
}

// ClickUntil clicks the element matching css until the JavaScript
// condition done holds (at most three clicks). A click lands where the
// element was measured an instant before; on a loaded machine the live
// stream can move the element in between (a row arriving above it), and
// the click then misses, as a person's would. The element is clicked again
// only while it is still there to click.
func (b *Browser) ClickUntil(css, done string) {
	b.t.Helper()
	for try := 0; ; try++ {
		b.Do(chromedp.Click(chromedp.CSS(css)))
		if ok, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](done, chromedp.WithPollingTimeout(3*time.Second))); err == nil && ok {
			return
		}
		sel, _ := json.Marshal(css)
		if !Eval[bool](b, `(e => !!e && !e.hidden && e.getClientRects().length > 0)(document.querySelector(`+string(sel)+`))`) {
			b.WaitFor(done, 10*time.Second) // the click took; the page is slow
			return
		}
		if try == 2 {
			b.t.Fatalf("e2e: clicked %s three times, and still not %s", css, done)
		}
		b.t.Logf("e2e: a click on %s missed; clicking again", css)
	}
}

// ClickNav clicks the element and waits for the page load it causes.
func (b *Browser) ClickNav(css string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(css)))); err != nil {
		b.t.Fatalf("e2e: click %s: %v", css, err)
	}
}

// Navigate opens url and waits for it to load.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url))
}

// Location is the tab's current URL.
func (b *Browser) Location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("e2e: location: %v", err)
	}
	return loc
}

// ColorScheme switches prefers-color-scheme to "dark" or "light" ("" resets).
func (b *Browser) ColorScheme(scheme string) {
	b.t.Helper()
	var features []*emulation.MediaFeature
	if scheme != "" {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	}))
}

// Kill ends the browser at once, as a crash or a closed laptop would: its
// pages get no chance to say goodbye.
func (b *Browser) Kill() {
	b.closed = true
	b.kill()
}

// GrantNotifications lets origin show notifications, as if the person had
// said yes when asked.
func (b *Browser) GrantNotifications(origin string) {
	b.t.Helper()
	_, err := chromedp.CallBrowser(b.Ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted, Origin: origin,
	})
	if err != nil {
		b.t.Fatalf("e2e: granting notifications: %v", err)
	}
}

// BrowserLogin logs a seeded Facebook user in by clicking through the real
// pages: the login button, then the user on the simulator's dialog. It
// waits until the browser is back on the app.
func (w *World) BrowserLogin(t testing.TB, b *Browser, facebookUserID string) {
	t.Helper()
	b.Navigate(w.App.URL + "/login")
	b.ClickNav(`[data-testid=login-button]`)
	if loc := b.Location(); !strings.HasPrefix(loc, w.SimURL) {
		t.Fatalf("e2e: after the login button the browser is at %s, not the simulator's dialog", loc)
	}
	b.ClickNav(`[data-testid="sim-user-` + facebookUserID + `"]`)
	if loc := b.Location(); !strings.HasPrefix(loc, w.App.URL) {
		t.Fatalf("e2e: after the dialog the browser is at %s, not the app", loc)
	}
}

// HoldRequests pauses every request of the tab whose URL matches pattern
// (CDP Fetch interception, wildcards '*') and answers a function that waits
// for one to be held, then lets the held ones go on, and every later one.
func (b *Browser) HoldRequests(pattern string) (release func()) {
	b.t.Helper()
	held := make(chan fetch.RequestID, 64)
	if err := chromedp.Listen(b.Ctx, func(ev any) {
		if p, ok := ev.(*fetch.EventRequestPaused); ok {
			held <- p.RequestID
		}
	}); err != nil {
		b.t.Fatalf("e2e: listen: %v", err)
	}
	if _, err := chromedp.Call(b.Ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}); err != nil {
		b.t.Fatalf("e2e: fetch.enable: %v", err)
	}
	return func() {
		b.t.Helper()
		var first fetch.RequestID
		select {
		case first = <-held:
		case <-time.After(10 * time.Second):
			b.t.Fatalf("e2e: no request to %s was made", pattern)
		}
		if _, err := chromedp.Call(b.Ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: first}); err != nil {
			b.t.Fatalf("e2e: continue %s: %v", first, err)
		}
		if _, err := chromedp.Call(b.Ctx, fetch.Disable, cdp.Empty{}); err != nil {
			b.t.Fatalf("e2e: fetch.disable: %v", err)
		}
		for {
			select {
			case id := <-held:
				if _, err := chromedp.Call(b.Ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
					b.t.Logf("e2e: continue %s: %v", id, err)
				}
			default:
				return
			}
		}
	}
}
