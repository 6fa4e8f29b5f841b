package web

import "testing"

// TestLocalPath: a login returns only to a path on this site.
func TestLocalPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/inbox/comments/17904841947246779?account=1&q=%40mallory", "/inbox/comments/17904841947246779?account=1&q=%40mallory"},
		{"/templates", "/templates"},
		{"", ""},
		{"inbox", ""},
		{"//evil.example/x", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/", ""},
		{"/inbox\r\nSet-Cookie: x=1", ""},
		{"/inbox\tx", ""},
	} {
		if got := localPath(c.in); got != c.want {
			t.Errorf("localPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
