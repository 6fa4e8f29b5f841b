package web

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/views"
)

// metaDeauthorize is POST /meta/deauthorize: Meta says a person removed the
// app (a signed_request; a bad one is a 400 and changes nothing).
func (s *Server) metaDeauthorize(c echo.Context) error {
	if err := s.deps.Meta.Deauthorize(c.Request().Context(), c.FormValue("signed_request")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
}

// metaDataDeletion is POST /meta/data-deletion: Meta passes on a person's
// request to delete their data. Meta shows them the answer's URL and code.
func (s *Server) metaDataDeletion(c echo.Context) error {
	e, err := s.deps.Meta.DeleteData(c.Request().Context(), c.FormValue("signed_request"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}{s.opt.BaseURL + "/meta/deletion/" + e.Code, e.Code})
}

var deletionCode = regexp.MustCompile(`^[0-9a-f]{20}$`)

// deletionPage is GET /meta/deletion/:code: what a data-deletion request
// deleted, for whoever holds the code (it names nobody).
func (s *Server) deletionPage(c echo.Context) error {
	code := c.Param("code")
	if !deletionCode.MatchString(code) {
		return apperr.New(apperr.NotFound, "not_found", "There is no data-deletion request with this confirmation code. Check the link Facebook gave you.")
	}
	e, err := s.deps.Meta.Erasure(c.Request().Context(), code)
	if err != nil {
		return err
	}
	vm := views.DeletionVM{Layout: s.layout(c, "Data deletion"), Code: e.Code, Found: e.UserFound,
		Requested: e.RequestedAt.UTC().Format("2 January 2006, 15:04 UTC"), Completed: e.CompletedAt.UTC().Format("2 January 2006, 15:04 UTC"),
		Deleted: erasureLines(e)}
	return render(c, http.StatusOK, views.DeletionPage(vm))
}

// erasureLines says what a data deletion removed, a line each.
func erasureLines(e identity.Erasure) []string {
	if !e.UserFound {
		return nil
	}
	lines := []string{"Your Replydesk user record: your name, e-mail address and picture.", "Your Facebook access token."}
	add := func(n int, line string) {
		if n > 0 {
			lines = append(lines, line)
		}
	}
	add(e.Sessions, counted(e.Sessions, "logged-in browser session", "logged-in browser sessions")+".")
	add(e.APITokens, counted(e.APITokens, "personal API token", "personal API tokens")+".")
	add(e.Access, "Your access to "+counted(e.Access, "Instagram account", "Instagram accounts")+".")
	add(e.Accounts, "The Facebook Page access obtained through your login, for "+
		counted(e.Accounts, "account (someone else must reconnect it).", "accounts (someone else must reconnect them)."))
	add(e.Replies, "Your name on "+counted(e.Replies, "private reply", "private replies")+".")
	add(e.Templates, "Your name on "+counted(e.Templates, "reply template", "reply templates")+".")
	return lines
}

// counted is "1 thing" or "3 things".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
