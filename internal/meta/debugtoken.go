package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// TokenInfo is what GET /debug_token says about an access token
// (meta-platform.md §6.5, §10).
type TokenInfo struct {
	Valid     bool
	Type      string // USER, PAGE or APP; "" when Meta could not read the token
	AppID     string
	UserID    string
	ProfileID string // the Page a Page token acts for
	Scopes    []string
	IssuedAt  time.Time // zero when not reported
	ExpiresAt time.Time // zero: the token never expires
	// DataAccessExpiresAt ends the 90-day data access; after it the person
	// must log in again even if the token has not expired. Zero when not reported.
	DataAccessExpiresAt time.Time
	// ErrorCode, ErrorSubcode and ErrorMessage say why an invalid token is
	// invalid (190/460: password changed or app removed; 190/463: expired).
	ErrorCode, ErrorSubcode int
	ErrorMessage            string
}

// HasScope reports whether the token carries a permission.
func (t TokenInfo) HasScope(permission string) bool { return slices.Contains(t.Scopes, permission) }

// DebugToken inspects a token with the app token (APP_ID|APP_SECRET), so it
// works for tokens that no longer work themselves. An invalid token is not
// an error: the answer says Valid false and why.
func (c *Client) DebugToken(ctx context.Context, token string) (TokenInfo, error) {
	q := url.Values{"input_token": {token}, "access_token": {c.appID + "|" + c.appSecret}}
	var body struct {
		Data struct {
			IsValid    bool            `json:"is_valid"`
			Type       string          `json:"type"`
			AppID      json.RawMessage `json:"app_id"`
			UserID     json.RawMessage `json:"user_id"`
			ProfileID  json.RawMessage `json:"profile_id"`
			Scopes     []string        `json:"scopes"`
			IssuedAt   int64           `json:"issued_at"`
			ExpiresAt  int64           `json:"expires_at"`
			DataAccess int64           `json:"data_access_expires_at"`
			Error      struct {
				Code    int    `json:"code"`
				Subcode int    `json:"subcode"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"data"`
	}
	if _, err := c.get(ctx, "", "/debug_token", q, &body); err != nil {
		return TokenInfo{}, fmt.Errorf("meta: debug token: %w", err)
	}
	d := body.Data
	return TokenInfo{
		Valid: d.IsValid, Type: d.Type, AppID: idString(d.AppID), UserID: idString(d.UserID),
		ProfileID: idString(d.ProfileID), Scopes: d.Scopes, IssuedAt: unixOrZero(d.IssuedAt),
		ExpiresAt: unixOrZero(d.ExpiresAt), DataAccessExpiresAt: unixOrZero(d.DataAccess),
		ErrorCode: d.Error.Code, ErrorSubcode: d.Error.Subcode, ErrorMessage: d.Error.Message,
	}, nil
}

// AppSubscription is one object of the app-level webhook subscriptions.
type AppSubscription struct {
	Object      string // "instagram", "page", ...
	CallbackURL string
	Active      bool
	Fields      []string
}

// AppSubscriptions lists the app's webhook subscriptions
// (GET /{app-id}/subscriptions with the app token): a setup check finds
// there whether the instagram object has comments and live_comments.
func (c *Client) AppSubscriptions(ctx context.Context) ([]AppSubscription, error) {
	q := url.Values{"access_token": {c.appID + "|" + c.appSecret}}
	var body struct {
		Data []struct {
			Object      string `json:"object"`
			CallbackURL string `json:"callback_url"`
			Active      bool   `json:"active"`
			Fields      []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"data"`
	}
	if _, err := c.get(ctx, "", "/"+url.PathEscape(c.appID)+"/subscriptions", q, &body); err != nil {
		return nil, fmt.Errorf("meta: app subscriptions: %w", err)
	}
	out := make([]AppSubscription, 0, len(body.Data))
	for _, d := range body.Data {
		s := AppSubscription{Object: d.Object, CallbackURL: d.CallbackURL, Active: d.Active}
		for _, f := range d.Fields {
			s.Fields = append(s.Fields, f.Name)
		}
		out = append(out, s)
	}
	return out, nil
}

// idString reads an id Meta sends as a JSON string or number.
func idString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
