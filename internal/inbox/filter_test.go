package inbox

import (
	"testing"
	"time"
)

func TestFilter_search(t *testing.T) {
	now := time.Now()
	c := Comment{Username: "mallory_k", Text: "Is the Blue one back?", Status: StatusOpen, Deadline: now.Add(time.Hour)}
	for q, tc := range map[string]struct {
		want    Search
		matches bool
	}{
		"blue":             {Search{Text: "blue"}, true},
		"@mallory":         {Search{User: "mallory"}, true},
		"@MALL blue one":   {Search{User: "MALL", Text: "blue one"}, true},
		"blue @mallory":    {Search{User: "mallory", Text: "blue"}, true},
		"@mallory @kai":    {Search{User: "mallory", Text: "@kai"}, false},
		"@kai":             {Search{User: "kai"}, false},
		"@mallory red":     {Search{User: "mallory", Text: "red"}, false},
		"@":                {Search{Text: "@"}, false},
		"  @@mallory_k  ":  {Search{User: "mallory_k"}, true},
		"mallory":          {Search{Text: "mallory"}, true},
		"email@x.com blue": {Search{User: "", Text: "email@x.com blue"}, false},
	} {
		f := Filter{View: "open", Query: q}
		if got := f.Search(); got != tc.want {
			t.Errorf("%q: Search() = %+v, want %+v", q, got, tc.want)
		}
		if got := f.Matches(c, now); got != tc.matches {
			t.Errorf("%q: Matches = %v, want %v", q, got, tc.matches)
		}
	}
}
