package e2e

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored for the tests (testdata/axe-core); the
// app never serves it.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// AxeViolation is one rule axe-core found broken, with where.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 5 {
			fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-5)
			break
		}
		fmt.Fprintf(&b, "\n    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// Axe runs axe-core's WCAG 2.1 A and AA rules and its best practices on the
// page as it is now, and answers the violations. (Evaluation through the
// DevTools protocol is not subject to the page's Content-Security-Policy.)
func (b *Browser) Axe() []AxeViolation {
	b.t.Helper()
	if !Eval[bool](b, `typeof window.axe === "object"`) {
		if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[any](axeSource+";true")); err != nil {
			b.t.Fatalf("e2e: injecting axe-core: %v", err)
		}
	}
	const run = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary || ""}))})))`
	out, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]AxeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("e2e: axe.run: %v", err)
	}
	return out
}

// CheckAxe fails the test (without stopping it) for every violation axe-core
// finds on the page, naming the page.
func (b *Browser) CheckAxe(page string) {
	b.t.Helper()
	for _, v := range b.Axe() {
		b.t.Errorf("axe on %s: %s", page, v)
	}
}
