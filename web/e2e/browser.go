package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath finds Debian's chromium (or another Chromium/Chrome on PATH).
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium tab.
type Browser struct {
	Ctx context.Context
	t   testing.TB
}

// NewBrowser starts headless Chromium for the test. Without Chromium the test
// is skipped, except under CI=true, where that is a failure. When the test
// fails, a screenshot of the page is saved in web/e2e/screenshots/.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped under -short")
	}
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("e2e: chromium is not installed (apt-get install -y chromium); CI=true makes this a failure")
		}
		t.Skip("e2e: chromium not installed (apt-get install -y chromium)")
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
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	b := &Browser{Ctx: ctx, t: t}
	if err := chromedp.Do(ctx); err != nil {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("e2e: starting chromium: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.Screenshot("failure")
		}
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return b
}

// Do runs actions in the tab and fails the test on error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.t.Fatalf("e2e: %v", err)
	}
}

// Eval evaluates JavaScript and returns its result.
func Eval[T any](b *Browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("e2e: eval %q: %v", js, err)
	}
	return v
}

// WaitFor polls a JavaScript condition until it is true or timeout passes.
func (b *Browser) WaitFor(js string, timeout time.Duration) {
	b.t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(timeout))); err != nil {
		b.t.Fatalf("e2e: waiting for %s: %v", js, err)
	}
}

// Text is the visible text of the first element matching css.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("e2e: text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
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
