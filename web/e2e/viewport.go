package e2e

import (
	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Phone and desktop sizes the tests look at the pages in.
const (
	PhoneWidth, PhoneHeight     = 390, 844
	DesktopWidth, DesktopHeight = 1280, 800
)

// Viewport makes the tab width×height CSS pixels; mobile also emulates a
// touch phone (device scale 3, mobile viewport).
func (b *Browser) Viewport(width, height int, mobile bool) {
	b.t.Helper()
	scale := 1.0
	if mobile {
		scale = 3
	}
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: int64(width), Height: int64(height), DeviceScaleFactor: scale, Mobile: mobile,
		})
		return err
	}))
}

// LookEverywhere saves a screenshot (name-desktop-light, …) and runs axe on
// page (unless page is "") at desktop and phone sizes, light and dark, then
// goes back to the desktop size and the system's scheme.
func (b *Browser) LookEverywhere(name, page string) {
	b.t.Helper()
	for _, v := range []struct {
		name          string
		width, height int
		phone         bool
	}{{"desktop", DesktopWidth, DesktopHeight, false}, {"phone", PhoneWidth, PhoneHeight, true}} {
		b.Viewport(v.width, v.height, v.phone)
		for _, scheme := range []string{"light", "dark"} {
			b.ColorScheme(scheme)
			b.Screenshot(name + "-" + v.name + "-" + scheme)
			if page != "" {
				b.CheckAxe(page + ", " + v.name + ", " + scheme)
			}
		}
	}
	b.ColorScheme("")
	b.Viewport(DesktopWidth, DesktopHeight, false)
}

// TimeZone makes the tab live in an IANA time zone ("Asia/Tokyo"); ""
// restores the machine's.
func (b *Browser) TimeZone(id string) {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: id})
		return err
	}))
}
