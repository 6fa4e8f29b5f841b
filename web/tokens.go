package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
	"github.com/replydesk/replydesk/views"
)

// settingsTabs are the tabs of the settings pages; admins also see webhooks.
func settingsTabs(u *identity.User, active string) []views.SettingsTabVM {
	tabs := []views.SettingsTabVM{{Key: "tokens", Label: "API tokens", URL: "/settings/tokens"}}
	if u.IsAdmin() {
		tabs = append(tabs, views.SettingsTabVM{Key: "webhooks", Label: "Outbound webhooks", URL: "/settings/webhooks"})
	}
	for i := range tabs {
		tabs[i].Active = tabs[i].Key == active
	}
	return tabs
}

// tokensPage is GET /settings/tokens: the user's API tokens.
func (s *Server) tokensPage(c echo.Context) error {
	return s.renderTokens(c, http.StatusOK, nil, "", "")
}

// createToken is POST /settings/tokens: the new token is shown on the page
// this once (no redirect: it must not travel in a URL or a cookie).
func (s *Server) createToken(c echo.Context) error {
	name := c.FormValue("name")
	t, value, err := s.deps.Tokens.CreateAPIToken(c.Request().Context(), userOf(c).ID, name)
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Unprocessable {
		return s.renderTokens(c, http.StatusUnprocessableEntity, nil, name, ae.Message)
	}
	if err != nil {
		return err
	}
	return s.renderTokens(c, http.StatusOK, &views.NewTokenVM{Name: t.Name, Value: value}, "", "")
}

// revokeToken is POST /settings/tokens/:id/delete.
func (s *Server) revokeToken(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Tokens.RevokeAPIToken(c.Request().Context(), userOf(c).ID, id); err != nil {
		return err
	}
	s.setFlash(c, "token_revoked")
	return redirect(c, "/settings/tokens")
}

func (s *Server) renderTokens(c echo.Context, status int, created *views.NewTokenVM, name, problem string) error {
	u := userOf(c)
	list, err := s.deps.Tokens.APITokens(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	vm := views.TokensVM{Layout: s.layout(c, "API tokens"), Tabs: settingsTabs(u, "tokens"), NewToken: created,
		Name: name, Error: problem, APIBase: s.opt.BaseURL + "/api/v1"}
	now := s.now()
	for _, t := range list {
		id := strconv.FormatInt(t.ID, 10)
		vm.Tokens = append(vm.Tokens, views.TokenRowVM{ID: id, Name: t.Name, Hint: "…" + t.Hint,
			Created: ago(t.CreatedAt, now), LastUsed: ago(t.LastUsedAt, now), DeleteURL: "/settings/tokens/" + id + "/delete"})
	}
	return render(c, status, views.TokensPage(vm))
}

// apiToken is a personal API token in the JSON API; Token is only in the
// answer that creates it.
type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Token      string     `json:"token,omitempty"`
	Hint       string     `json:"hint"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toAPIToken(t identity.APIToken) apiToken {
	out := apiToken{ID: t.ID, Name: t.Name, Hint: t.Hint, CreatedAt: t.CreatedAt.UTC()}
	if !t.LastUsedAt.IsZero() {
		at := t.LastUsedAt.UTC()
		out.LastUsedAt = &at
	}
	return out
}

// apiCreateToken is POST /api/v1/tokens {"name":…} → 201 {"id","name","token"}.
func (s *Server) apiCreateToken(c echo.Context) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, value, err := s.deps.Tokens.CreateAPIToken(c.Request().Context(), userOf(c).ID, in.Name)
	if err != nil {
		return err
	}
	out := toAPIToken(t)
	out.Token = value
	return c.JSON(http.StatusCreated, out)
}

// apiListTokens is GET /api/v1/tokens: the caller's tokens (never their values).
func (s *Server) apiListTokens(c echo.Context) error {
	list, err := s.deps.Tokens.APITokens(c.Request().Context(), userOf(c).ID)
	if err != nil {
		return err
	}
	data := make([]apiToken, len(list))
	for i, t := range list {
		data[i] = toAPIToken(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"data": data})
}

// apiRevokeToken is DELETE /api/v1/tokens/:id → 204.
func (s *Server) apiRevokeToken(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Tokens.RevokeAPIToken(c.Request().Context(), userOf(c).ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// idParam reads a numeric :id; anything else is a 404.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "not_found", "That item does not exist.")
	}
	return id, nil
}
