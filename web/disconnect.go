package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/auth"
	"github.com/replydesk/replydesk/views"
)

// disconnectPage is GET /accounts/:id/disconnect (admins): what
// disconnecting does, and whether to keep the comments.
func (s *Server) disconnectPage(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.deps.Accounts.Account(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if a.Disconnected() {
		return apperr.New(apperr.Conflict, "already_disconnected", "@"+a.Username+" is already disconnected.")
	}
	n, err := s.deps.Accounts.CommentCount(ctx, a.ID)
	if err != nil {
		return err
	}
	vm := views.DisconnectVM{Layout: s.layout(c, "Disconnect @"+a.Username), AccountID: a.ID, Username: a.Username,
		PageName: a.PageName, Comments: counted(n, "comment", "comments"), ActionURL: "/accounts/" + a.ID + "/disconnect",
		BackURL: "/accounts"}
	vm.Layout.Nav = "accounts"
	return render(c, http.StatusOK, views.DisconnectPage(vm))
}

// disconnectAccount is POST /accounts/:id/disconnect (admins), the form of
// the confirmation page; purge=true also deletes the comments.
func (s *Server) disconnectAccount(c echo.Context) error {
	purge := c.FormValue("purge") == "true"
	d, err := s.deps.Admin.DisconnectAccount(c.Request().Context(), *userOf(c), c.Param("id"), purge)
	if err != nil {
		return err
	}
	switch {
	case !d.Unsubscribed:
		s.setFlash(c, "disconnected_hooks_on")
	case purge:
		s.setFlash(c, "disconnected_purged")
	default:
		s.setFlash(c, "disconnected")
	}
	return redirect(c, "/accounts")
}

// reconnectAccount is POST /accounts/:id/reconnect (admins): the account
// may connect again, and the admin goes to Facebook Login, which connects
// it when their Page role allows.
func (s *Server) reconnectAccount(c echo.Context) error {
	if err := s.deps.Admin.ReconnectAccount(c.Request().Context(), *userOf(c), c.Param("id")); err != nil {
		return err
	}
	return redirect(c, "/auth/facebook")
}

// apiDisconnect is POST /api/v1/accounts/:id/disconnect {"purge":bool}
// (admins; the body may be empty).
func (s *Server) apiDisconnect(c echo.Context) error {
	var in struct {
		Purge bool `json:"purge"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	d, err := s.deps.Admin.DisconnectAccount(c.Request().Context(), *userOf(c), c.Param("id"), in.Purge)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIDisconnection(d))
}

type apiDisconnection struct {
	AccountID          string `json:"account_id"`
	Unsubscribed       bool   `json:"unsubscribed"`
	UnsubscribeProblem string `json:"unsubscribe_problem,omitempty"`
	RepliesStopped     int    `json:"replies_stopped"`
	CommentsPurged     int    `json:"comments_purged"`
}

func toAPIDisconnection(d auth.Disconnection) apiDisconnection {
	return apiDisconnection{AccountID: d.Account.ID, Unsubscribed: d.Unsubscribed, UnsubscribeProblem: d.UnsubscribeProblem,
		RepliesStopped: d.RepliesStopped, CommentsPurged: d.Purged}
}
