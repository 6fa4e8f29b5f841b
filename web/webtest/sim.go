package webtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Sim is a simulated Meta platform's control API, as tests see it.
type Sim struct {
	URL string // the simulator's base URL (Graph API, dialog, /control/...)
}

// WorldData is the simulator's GET /control/world.
type WorldData struct {
	Users    []WorldUser    `json:"users"`
	Pages    []WorldPage    `json:"pages"`
	Accounts []WorldAccount `json:"instagram_accounts"`
	Media    []WorldMedia   `json:"media"`
}

// WorldUser is a seeded Facebook user and their tasks per Page id.
type WorldUser struct {
	ID    string              `json:"id"`
	Name  string              `json:"name"`
	Tasks map[string][]string `json:"tasks"`
}

// WorldPage is a seeded Facebook Page.
type WorldPage struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	InstagramAccountID string `json:"instagram_account_id"`
}

// WorldAccount is a seeded Instagram account.
type WorldAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	PageID   string `json:"page_id"`
}

// WorldMedia is a seeded media object.
type WorldMedia struct {
	ID               string `json:"id"`
	AccountID        string `json:"account_id"`
	MediaProductType string `json:"media_product_type"`
	AdID             string `json:"ad_id,omitempty"`
	AdTitle          string `json:"ad_title,omitempty"`
}

// World decodes the simulator's /control/world.
func (s Sim) World(t testing.TB) WorldData {
	t.Helper()
	var d WorldData
	s.Control(t, http.MethodGet, "/control/world", nil, &d)
	return d
}

// User finds a seeded user by first name ("Ava", "Ben", "Chloé", "Dana", "Eli").
func (d WorldData) User(first string) WorldUser {
	for _, u := range d.Users {
		if strings.HasPrefix(u.Name, first+" ") {
			return u
		}
	}
	panic("webtest: no seeded user named " + first)
}

// Account finds a seeded Instagram account by username.
func (d WorldData) Account(username string) WorldAccount {
	for _, a := range d.Accounts {
		if a.Username == username {
			return a
		}
	}
	panic("webtest: no seeded account " + username)
}

// Comment makes a comment at the simulator (POST /control/comments), which
// delivers its webhook, and returns its id.
func (s Sim) Comment(t testing.TB, in map[string]any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.Control(t, http.MethodPost, "/control/comments", in, &out)
	return out.ID
}

// Control calls the simulator's control API: body (when not nil) is sent
// as JSON and the answer decoded into out (when not nil). A status other
// than 200 fails the test.
func (s Sim) Control(t testing.TB, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("webtest: control %s: %v", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webtest: control %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webtest: control %s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("webtest: control %s %s: decoding %s: %v", method, path, raw, err)
		}
	}
}

// SimComment is the simulator's GET /control/comments/{id}: what Meta
// holds about a comment's moderation and the account's public replies.
type SimComment struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Hidden  bool   `json:"hidden"`
	Deleted bool   `json:"deleted"`
	Replies []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"replies"`
}

// CommentState reads what the simulator holds about comment id.
func (s Sim) CommentState(t testing.TB, id string) SimComment {
	t.Helper()
	var out SimComment
	s.Control(t, http.MethodGet, "/control/comments/"+id, nil, &out)
	return out
}
