package inbox

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilter feeds arbitrary query strings to the inbox's filter and
// cursor parsers: they must never panic; what they accept is clean text
// (UTF-8, no NUL) within the limits, and survives a round trip through the
// URL it is written back to.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"", "status=open", "status=due&account=17841400000000001&surface=reel&q=price&sort=newest",
		"status=all&q=caf%C3%A9+%F0%9F%98%8D", "q=a%00b", "q=%ff", "status=sideways", "surface=post%00",
		"account=12a", "sort=oldest", "q=" + strings.Repeat("x", 101), "cursor=MTc2NzIyNTYwMDAwMDoxNzkw",
		"cursor=%00", "cursor=MTphAGI", "status=+open+&q=++", "q=%E2%80%8B", "status=open&status=done",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := ParseFilter(v)
		if err == nil {
			for _, s := range []string{flt.View, flt.AccountID, string(flt.Surface), flt.Query, flt.Sort} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("ParseFilter(%q) accepted %q", raw, s)
				}
			}
			if utf8.RuneCountInString(flt.Query) > MaxQueryLen {
				t.Fatalf("ParseFilter(%q) accepted a query of %d characters", raw, utf8.RuneCountInString(flt.Query))
			}
			again, err := ParseFilter(flt.Values())
			if err != nil || again != flt {
				t.Fatalf("ParseFilter(%q) = %+v, but its Values %q parse to %+v, %v", raw, flt, flt.Values().Encode(), again, err)
			}
		}
		cur, err := ParseCursor(v.Get("cursor"))
		if err != nil || cur == nil {
			return
		}
		if !utf8.ValidString(cur.ID) || strings.IndexByte(cur.ID, 0) >= 0 || cur.ID == "" {
			t.Fatalf("ParseCursor(%q) accepted id %q", v.Get("cursor"), cur.ID)
		}
		if again, err := ParseCursor(cur.Encode()); err != nil || *again != *cur {
			t.Fatalf("cursor %+v does not survive Encode: %+v, %v", cur, again, err)
		}
	})
}
