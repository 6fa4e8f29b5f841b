package meta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Scopes are the permissions Replydesk asks for at login (meta-platform.md
// §6.2 and §10), a fresh slice each call; goth adds "email" itself. Each
// one is asked for only because a feature needs it, so that App Review asks
// less: private replies need no instagram_manage_messages (that permission
// brings Meta's human-escalation requirement), so it is not asked for.
func Scopes() []string {
	return []string{
		"instagram_basic",           // the Instagram account and its media
		"instagram_manage_comments", // comments, their webhooks, and the private reply itself
		"pages_show_list",           // the Pages the person manages (/me/accounts)
		"pages_read_engagement",     // the Instagram comment and media edges, via the Page
		"pages_manage_metadata",     // installing the app on the Page, so webhooks flow
		"pages_messaging",           // POST /{page-id}/messages, the Send API
		"business_management",       // Pages owned through a Business portfolio
	}
}

// Token is an access token Meta issued and how long it lives (0: unknown or
// never expires).
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
}

// ExchangeToken trades a short-lived user token for a long-lived one
// (about 60 days; meta-platform.md §6.5).
func (c *Client) ExchangeToken(ctx context.Context, shortToken string) (Token, error) {
	q := url.Values{
		"grant_type":        {"fb_exchange_token"},
		"client_id":         {c.appID},
		"client_secret":     {c.appSecret},
		"fb_exchange_token": {shortToken},
	}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if _, err := c.get(ctx, "", "/oauth/access_token", q, &body); err != nil {
		return Token{}, fmt.Errorf("meta: exchange token: %w", err)
	}
	if body.AccessToken == "" {
		return Token{}, fmt.Errorf("meta: exchange token: answer has no access_token")
	}
	return Token{AccessToken: body.AccessToken, ExpiresIn: time.Duration(body.ExpiresIn) * time.Second}, nil
}

// Page is a Facebook Page the user has a role on, from /me/accounts.
type Page struct {
	ID          string
	Name        string
	AccessToken string   // the Page token (no expiry when fetched with a long-lived user token)
	Tasks       []string // the user's tasks on the Page
	Instagram   *InstagramAccount
}

// InstagramAccount is the Instagram professional account linked to a Page.
type InstagramAccount struct {
	ID         string
	Username   string
	Name       string
	PictureURL string
}

const accountFields = "id,name,access_token,tasks,instagram_business_account{id,username,name,profile_picture_url}"

// maxPagingPages bounds how many pages of a list are followed.
const maxPagingPages = 50

// Accounts lists every Page the user has a role on, following paging.next.
func (c *Client) Accounts(ctx context.Context, userToken string) ([]Page, error) {
	limit := c.pageLimit
	if limit == 0 {
		limit = 100
	}
	next := c.endpoint("/me/accounts")
	q := url.Values{"fields": {accountFields}, "limit": {strconv.Itoa(limit)}}
	var out []Page
	for i := 0; next != ""; i++ {
		if i == maxPagingPages {
			return nil, fmt.Errorf("meta: list pages: more than %d pages of results", maxPagingPages)
		}
		var body struct {
			Data []struct {
				ID          string   `json:"id"`
				Name        string   `json:"name"`
				AccessToken string   `json:"access_token"`
				Tasks       []string `json:"tasks"`
				IG          *struct {
					ID         string `json:"id"`
					Username   string `json:"username"`
					Name       string `json:"name"`
					PictureURL string `json:"profile_picture_url"`
				} `json:"instagram_business_account"`
			} `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if _, err := c.call(ctx, http.MethodGet, userToken, next, q, nil, &body); err != nil {
			return nil, fmt.Errorf("meta: list pages: %w", err)
		}
		for _, d := range body.Data {
			p := Page{ID: d.ID, Name: d.Name, AccessToken: d.AccessToken, Tasks: d.Tasks}
			if d.IG != nil && d.IG.ID != "" {
				p.Instagram = &InstagramAccount{ID: d.IG.ID, Username: d.IG.Username, Name: d.IG.Name, PictureURL: d.IG.PictureURL}
			}
			out = append(out, p)
		}
		var err error
		if next, q, err = c.nextPage(body.Paging.Next); err != nil {
			return nil, fmt.Errorf("meta: list pages: %w", err)
		}
	}
	return out, nil
}

// nextPage turns a paging.next link into a URL and query for call. The link
// is re-anchored on the configured Graph base, so a token is never sent to
// another host, and its token and proof are dropped (call adds its own).
func (c *Client) nextPage(raw string) (string, url.Values, error) {
	if raw == "" {
		return "", nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("bad paging link: %w", err)
	}
	base, err := url.Parse(c.base)
	if err != nil {
		return "", nil, fmt.Errorf("bad graph base: %w", err)
	}
	q := u.Query()
	q.Del("access_token")
	q.Del("appsecret_proof")
	u.Scheme, u.Host, u.RawQuery, u.User = base.Scheme, base.Host, "", nil
	return u.String(), q, nil
}

// Permission is one row of /me/permissions.
type Permission struct {
	Name   string
	Status string // "granted", "declined" or "expired"
}

// Permissions lists what the user granted and declined.
func (c *Client) Permissions(ctx context.Context, userToken string) ([]Permission, error) {
	var body struct {
		Data []struct {
			Permission string `json:"permission"`
			Status     string `json:"status"`
		} `json:"data"`
	}
	if _, err := c.get(ctx, userToken, "/me/permissions", nil, &body); err != nil {
		return nil, fmt.Errorf("meta: permissions: %w", err)
	}
	out := make([]Permission, 0, len(body.Data))
	for _, d := range body.Data {
		out = append(out, Permission{Name: d.Permission, Status: d.Status})
	}
	return out, nil
}

// SubscribeApp installs the app on a Page for webhooks
// (POST /{page-id}/subscribed_apps with the Page token; meta-platform.md
// §6.4). Meta needs at least one Page field; "feed" is enough for Instagram.
func (c *Client) SubscribeApp(ctx context.Context, pageToken, pageID string, fields ...string) error {
	if len(fields) == 0 {
		fields = []string{"feed"}
	}
	q := url.Values{"subscribed_fields": {strings.Join(fields, ",")}}
	var body struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, http.MethodPost, pageToken, c.endpoint("/"+url.PathEscape(pageID)+"/subscribed_apps"), q, nil, &body); err != nil {
		return fmt.Errorf("meta: subscribe page %s: %w", pageID, err)
	}
	if !body.Success {
		return fmt.Errorf("meta: subscribe page %s: Meta did not confirm", pageID)
	}
	return nil
}

// UnsubscribeApp removes the app from a Page (DELETE
// /{page-id}/subscribed_apps with the Page token): Meta stops sending the
// Page's and its Instagram account's webhooks.
func (c *Client) UnsubscribeApp(ctx context.Context, pageToken, pageID string) error {
	var body struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, http.MethodDelete, pageToken, c.endpoint("/"+url.PathEscape(pageID)+"/subscribed_apps"), nil, nil, &body); err != nil {
		return fmt.Errorf("meta: unsubscribe page %s: %w", pageID, err)
	}
	if !body.Success {
		return fmt.Errorf("meta: unsubscribe page %s: Meta did not confirm", pageID)
	}
	return nil
}

// SubscribedApp is an app installed on a Page.
type SubscribedApp struct {
	ID     string
	Name   string
	Fields []string
}

// SubscribedApps lists the apps installed on a Page. It needs the Page
// token, so it doubles as a cheap check that the token still works.
func (c *Client) SubscribedApps(ctx context.Context, pageToken, pageID string) ([]SubscribedApp, error) {
	var body struct {
		Data []struct {
			ID     string   `json:"id"`
			Name   string   `json:"name"`
			Fields []string `json:"subscribed_fields"`
		} `json:"data"`
	}
	if _, err := c.get(ctx, pageToken, "/"+url.PathEscape(pageID)+"/subscribed_apps", nil, &body); err != nil {
		return nil, fmt.Errorf("meta: subscribed apps of page %s: %w", pageID, err)
	}
	out := make([]SubscribedApp, 0, len(body.Data))
	for _, d := range body.Data {
		out = append(out, SubscribedApp{ID: d.ID, Name: d.Name, Fields: d.Fields})
	}
	return out, nil
}

// AppSubscribed reports whether this app is installed on the Page.
func (c *Client) AppSubscribed(ctx context.Context, pageToken, pageID string) (bool, error) {
	apps, err := c.SubscribedApps(ctx, pageToken, pageID)
	if err != nil {
		return false, err
	}
	for _, a := range apps {
		if a.ID == c.appID {
			return true, nil
		}
	}
	return false, nil
}
