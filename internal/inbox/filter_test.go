package inbox

import (
	"net/url"
	"testing"
	"time"
)

func TestParseFilter_assigneeAndUrgent(t *testing.T) {
	cases := []struct {
		query string
		ok    bool
		want  string // the filter's query string again
	}{
		{"assignee=me", true, "assignee=me"},
		{"assignee=none&status=urgent", true, "assignee=none&status=urgent"},
		{"assignee=42", true, "assignee=42"},
		{"assignee=0", false, ""},
		{"assignee=-3", false, ""},
		{"assignee=ava", false, ""},
		{"status=urgent", true, "status=urgent"},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.query)
		f, err := ParseFilter(v)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.query, err)
			continue
		}
		if c.ok && f.Values().Encode() != c.want {
			t.Errorf("%q: values %q", c.query, f.Values().Encode())
		}
	}
}

func TestFilterMatches_assignee(t *testing.T) {
	now := time.Now()
	mine := Comment{Status: StatusOpen, Deadline: now.Add(30 * time.Minute), AssigneeID: 7}
	nobody := Comment{Status: StatusOpen, Deadline: now.Add(2 * time.Hour)}
	cases := []struct {
		f    Filter
		c    Comment
		want bool
	}{
		{Filter{View: "open", Assignee: AssigneeMe, Me: 7}, mine, true},
		{Filter{View: "open", Assignee: AssigneeMe, Me: 8}, mine, false},
		{Filter{View: "open", Assignee: AssigneeMe}, nobody, false}, // Me unset matches nobody
		{Filter{View: "open", Assignee: AssigneeNone}, nobody, true},
		{Filter{View: "open", Assignee: AssigneeNone}, mine, false},
		{Filter{View: "open", Assignee: "7"}, mine, true},
		{Filter{View: "open", Assignee: "8"}, mine, false},
		{Filter{View: ViewUrgent}, mine, true},
		{Filter{View: ViewUrgent}, nobody, false},
		{Filter{View: ViewUrgent, UrgentWithin: 3 * time.Hour}, nobody, true},
	}
	for _, c := range cases {
		if got := c.f.Matches(c.c, now); got != c.want {
			t.Errorf("%+v on %+v: %v", c.f, c.c, got)
		}
	}
}

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
