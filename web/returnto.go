package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// returnCookie remembers, across Facebook Login, the page a logged-out
// visitor asked for (a deep link to a comment, say), so the login ends
// there rather than on the inbox.
const returnCookie = "replydesk_return"

// localPath answers p when it is a path on this site ("/inbox/comments/1?q=x"),
// else "": never another host ("//evil", "/\evil", "https://…").
func localPath(p string) string {
	if len(p) > 2000 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}

// rememberReturn keeps the page asked for, when it is worth coming back to
// (a page GET, not htmx's partials).
func (s *Server) rememberReturn(c echo.Context) {
	r := c.Request()
	if r.Method != http.MethodGet || isHTMX(c) {
		return
	}
	p := localPath(r.URL.RequestURI())
	if p == "" || p == "/" || p == "/inbox" {
		return
	}
	c.SetCookie(&http.Cookie{Name: returnCookie, Value: url.QueryEscape(p), Path: "/", MaxAge: 15 * 60,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
}

// takeReturn reads and clears the remembered page: where a login ends
// ("/inbox" when none).
func (s *Server) takeReturn(c echo.Context) string {
	ck, err := c.Cookie(returnCookie)
	if err != nil || ck.Value == "" {
		return "/inbox"
	}
	c.SetCookie(&http.Cookie{Name: returnCookie, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
	p, err := url.QueryUnescape(ck.Value)
	if p = localPath(p); err != nil || p == "" {
		return "/inbox"
	}
	return p
}
