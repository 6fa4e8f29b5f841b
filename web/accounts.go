package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/views"
)

// accountsPage lists the accounts the user may reply on, with their health.
func (s *Server) accountsPage(c echo.Context) error {
	accts, err := s.userAccounts(c)
	if err != nil {
		return err
	}
	return s.renderAccounts(c, accts, false)
}

// accountPage shows one account; another user's account is a 404, decided
// by the store query itself.
func (s *Server) accountPage(c echo.Context) error {
	a, err := s.deps.Accounts.AccountForUser(c.Request().Context(), userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderAccounts(c, []account.Account{a}, true)
}

func (s *Server) renderAccounts(c echo.Context, accts []account.Account, single bool) error {
	ctx := c.Request().Context()
	people, err := s.peopleByAccount(c)
	if err != nil {
		return err
	}
	admin := userOf(c).IsAdmin()
	vm := views.AccountsVM{Layout: s.layout(c, "Accounts"), Single: single, Budget: s.opt.ReplyBudget, IsAdmin: admin, CSRF: csrfOf(c)}
	vm.Layout.Nav = "accounts"
	now := s.now()
	for _, a := range accts {
		used, err := s.deps.Accounts.CallsLastHour(ctx, a.ID)
		if err != nil {
			return err
		}
		card := toAccountCard(a, people[a.ID], used, s.opt.ReplyBudget, now)
		if card.AutoAssign, err = s.autoAssignVM(c, a); err != nil {
			return err
		}
		if a.Held() {
			queued, err := s.deps.Accounts.QueuedReplies(ctx, a.ID)
			if err != nil {
				return err
			}
			card.Hold = holdVM(a, queued, admin, now)
		}
		if admin {
			card.DisconnectURL = "/accounts/" + a.ID + "/disconnect"
		}
		vm.Cards = append(vm.Cards, card)
	}
	if single && len(accts) == 1 {
		n, err := s.nudgeSettingVM(c, accts[0])
		if err != nil {
			return err
		}
		vm.Nudge = &n
	}
	if admin {
		vm.Webhook = &views.WebhookSetupVM{CallbackURL: s.opt.BaseURL + "/webhooks/instagram", VerifyToken: s.opt.VerifyToken}
		vm.SetupProblems = s.setupProblems()
		if !single {
			if vm.Unattended, err = s.unattended(c); err != nil {
				return err
			}
		}
	}
	return render(c, http.StatusOK, views.AccountsPage(vm))
}

// unattended lists, for admins, the accounts nobody can answer.
func (s *Server) unattended(c echo.Context) ([]views.UnattendedVM, error) {
	list, err := s.deps.Accounts.UnattendedAccounts(c.Request().Context())
	if err != nil {
		return nil, err
	}
	out := make([]views.UnattendedVM, 0, len(list))
	for _, a := range list {
		u := views.UnattendedVM{ID: a.ID, Username: a.Username, PageName: a.PageName,
			Why: "Nobody who has logged in has the Messages task on its Facebook Page. Someone who has it should log in with Facebook."}
		switch {
		case a.Disconnected():
			u.Why = "Disconnected by an admin " + ago(a.DisconnectedAt, s.now()) + ". Connect it again, then log in with Facebook as someone with the Messages task on its Page."
			u.ReconnectURL = "/accounts/" + a.ID + "/reconnect"
		case a.NeedsReconnect():
			u.Why = a.TokenError
		}
		out = append(out, u)
	}
	return out, nil
}

// peopleByAccount maps each account to the names of those who can reply on it.
func (s *Server) peopleByAccount(c echo.Context) (map[string][]string, error) {
	list, err := s.deps.Accounts.AccessList(c.Request().Context())
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, a := range list {
		if a.CanReply {
			out[a.AccountID] = append(out[a.AccountID], a.UserName)
		}
	}
	return out, nil
}

func toAccountCard(a account.Account, people []string, used, budget int, now time.Time) views.AccountCardVM {
	card := views.AccountCardVM{
		ID: a.ID, Username: a.Username, Name: a.Name, PictureURL: a.PictureURL, PageName: a.PageName,
		Initials: strings.ToUpper(a.Username[:min(2, len(a.Username))]), URL: "/accounts/" + a.ID,
		Healthy: a.Healthy(), Reconnect: a.NeedsReconnect(), People: people,
		RepliesUsed: used, RepliesBudget: budget, RepliesText: strconv.Itoa(used) + " / " + strconv.Itoa(budget),
		ResumedText: resumedWords(a, now),
	}
	if !a.CheckedAt.IsZero() {
		card.CheckedAt = "Checked " + ago(a.CheckedAt, now)
	}
	switch {
	case a.NeedsReconnect() || (!a.Subscribed && len(a.MissingPermissions) == 0):
		card.ActionLabel, card.ActionURL = "Reconnect with Facebook", "/auth/facebook"
	case len(a.MissingPermissions) > 0:
		card.ActionLabel, card.ActionURL = "Grant permissions again", "/auth/facebook?rerequest=1"
	}
	token := views.CheckVM{Key: "token", Label: "Facebook access", OK: !a.NeedsReconnect(), Detail: "Working"}
	if a.NeedsReconnect() {
		token.Detail = a.TokenError
	}
	perms := views.CheckVM{Key: "permissions", Label: "Permissions", OK: len(a.MissingPermissions) == 0, Detail: "All granted"}
	if !perms.OK {
		perms.Detail = "Not granted: " + strings.Join(a.MissingPermissions, ", ")
	}
	hooks := views.CheckVM{Key: "webhooks", Label: "Webhooks", OK: a.Subscribed, Detail: "Subscribed"}
	if !a.Subscribed {
		hooks.Detail = a.SubscriptionError
		if hooks.Detail == "" {
			hooks.Detail = "Not subscribed yet"
		}
	}
	last := views.CheckVM{Key: "last_event", Label: "Last comment", OK: true, Detail: ago(a.LastWebhookAt, now)}
	if a.LastWebhookAt.IsZero() {
		last.OK, last.Idle = false, true
	}
	card.Checks = []views.CheckVM{token, perms, hooks, last}
	return card
}

// apiAccount is an account in the JSON API.
type apiAccount struct {
	ID                string     `json:"id"`
	Username          string     `json:"username"`
	Name              string     `json:"name"`
	PictureURL        string     `json:"picture_url"`
	PageID            string     `json:"page_id"`
	PageName          string     `json:"page_name"`
	TokenState        string     `json:"token_state"`
	TokenError        string     `json:"token_error"`
	Subscribed        bool       `json:"subscribed"`
	SubscriptionError string     `json:"subscription_error"`
	LastWebhookAt     *time.Time `json:"last_webhook_at"`
	CheckedAt         *time.Time `json:"checked_at"` // the last check of its token and subscription
	Hold              *apiHold   `json:"hold"`       // null while replies go out
}

func toAPIAccount(a account.Account) apiAccount {
	out := apiAccount{ID: a.ID, Username: a.Username, Name: a.Name, PictureURL: a.PictureURL, PageID: a.PageID,
		PageName: a.PageName, TokenState: a.TokenState, TokenError: a.TokenError, Subscribed: a.Subscribed,
		SubscriptionError: a.SubscriptionError, Hold: toAPIHold(a)}
	if !a.LastWebhookAt.IsZero() {
		t := a.LastWebhookAt
		out.LastWebhookAt = &t
	}
	if !a.CheckedAt.IsZero() {
		t := a.CheckedAt
		out.CheckedAt = &t
	}
	return out
}

// apiAccounts answers {"data":[Account...]}: the accounts the user may reply on.
func (s *Server) apiAccounts(c echo.Context) error {
	accts, err := s.userAccounts(c)
	if err != nil {
		return err
	}
	data := make([]apiAccount, len(accts))
	for i, a := range accts {
		data[i] = toAPIAccount(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"data": data})
}

// apiAccount answers one account the user may reply on, 404 otherwise.
func (s *Server) apiAccount(c echo.Context) error {
	a, err := s.deps.Accounts.AccountForUser(c.Request().Context(), userOf(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIAccount(a))
}
