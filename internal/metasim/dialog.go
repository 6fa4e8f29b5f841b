package metasim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// dialogUser is one user row on the login dialog.
type dialogUser struct {
	ID, Name, Pages, Link string
}

// dialogView is the login dialog's view model.
type dialogView struct {
	Users    []dialogUser
	Scopes   []string
	Hidden   []hiddenParam
	AppID    string
	Redirect string
	Error    string
	Business bool // Facebook Login for Business: the whole set or nothing
}

type hiddenParam struct{ Name, Value string }

// dialog answers the OAuth dialog (www.facebook.com/dialog/oauth): a page
// to pick a seeded user, or with sim_user an immediate consent and a 302 to
// redirect_uri with code and state.
func (s *Sim) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.cfg.AppID:
		s.dialogError(w, "Invalid App ID: the client_id parameter is not this app's ID.")
		return
	case q.Get("redirect_uri") == "":
		s.dialogError(w, "The redirect_uri parameter is required.")
		return
	case err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "":
		s.dialogError(w, "URL blocked: the redirect_uri is not an absolute http(s) URL.")
		return
	case q.Get("response_type") != "" && q.Get("response_type") != "code":
		s.dialogError(w, "Unsupported response_type: only code is simulated.")
		return
	}
	asked, business, errMsg := s.dialogScopes(q) // loginconfig.go
	if errMsg != "" {
		s.dialogError(w, errMsg)
		return
	}
	back := redirect.Query()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	if q.Get("sim_cancel") != "" {
		back.Set("error", "access_denied")
		back.Set("error_code", "200")
		back.Set("error_description", "Permissions error")
		back.Set("error_reason", "user_denied")
		redirect.RawQuery = back.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
		return
	}
	userID := q.Get("sim_user")
	if userID == "" {
		s.dialogPage(w, r, asked, business)
		return
	}
	if s.world.userByID[userID] == nil {
		s.dialogError(w, fmt.Sprintf("Unknown simulated user %q.", userID))
		return
	}
	declined, rerequest := decline(q, asked), q.Get("auth_type") == "rerequest"
	if business { // all or nothing: the whole configuration is granted
		declined, rerequest = nil, true
	}
	s.mu.Lock()
	scopes := s.consentLocked(userID, asked, declined, rerequest)
	code := randomHex(24)
	s.codes[code] = &authCode{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		userID: userID, scopes: scopes, created: s.clock.now()}
	s.mu.Unlock()
	back.Set("code", code)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// decline answers the permissions refused: sim_decline (comma-separated or
// repeated), or, from the dialog's checkboxes, every asked one not allowed.
// With config_id (Login for Business) nothing can be declined.
func decline(q url.Values, asked []string) []string {
	var out []string
	for _, v := range q["sim_decline"] {
		out = append(out, splitList(v)...)
	}
	if q.Get("sim_choose") != "" {
		allowed := q["sim_allow"]
		for _, p := range asked {
			if !slices.Contains(allowed, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *Sim) dialogPage(w http.ResponseWriter, r *http.Request, asked []string, business bool) {
	v := dialogView{Scopes: asked, AppID: s.cfg.AppID, Redirect: r.URL.Query().Get("redirect_uri"), Business: business}
	for name, vals := range r.URL.Query() {
		if strings.HasPrefix(name, "sim_") {
			continue
		}
		for _, val := range vals {
			v.Hidden = append(v.Hidden, hiddenParam{name, val})
		}
	}
	slices.SortFunc(v.Hidden, func(a, b hiddenParam) int { return strings.Compare(a.Name, b.Name) })
	for _, u := range s.world.users {
		var pages []string
		for _, p := range s.world.pages {
			if ts := u.Tasks[p.ID]; len(ts) > 0 {
				pages = append(pages, p.Name+" ("+strings.Join(ts, ", ")+")")
			}
		}
		q := r.URL.Query()
		q.Set("sim_user", u.ID)
		v.Users = append(v.Users, dialogUser{ID: u.ID, Name: u.Name, Pages: strings.Join(pages, "; "), Link: "?" + q.Encode()})
	}
	s.renderHTML(w, http.StatusOK, "dialog.html", v)
}

func (s *Sim) dialogError(w http.ResponseWriter, msg string) {
	s.renderHTML(w, http.StatusBadRequest, "dialog.html", dialogView{Error: msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
