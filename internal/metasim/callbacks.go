package metasim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Meta's deauthorize and data-deletion callbacks (meta-platform.md §10):
// a POST with the form field signed_request, signed with the app secret.
// The simulator signs them itself; it shares no code with the app's parser.

// applyGoingLiveDefaults fills the callback URLs from the webhook URL's
// origin and checks the Facebook Login for Business configuration.
func applyGoingLiveDefaults(cfg *Config) error {
	if u, err := url.Parse(cfg.WebhookURL); cfg.WebhookURL != "" && err == nil && u.Scheme != "" && u.Host != "" {
		origin := u.Scheme + "://" + u.Host
		if cfg.DeauthorizeURL == "" {
			cfg.DeauthorizeURL = origin + "/meta/deauthorize"
		}
		if cfg.DataDeletionURL == "" {
			cfg.DataDeletionURL = origin + "/meta/data-deletion"
		}
	}
	for _, v := range []struct{ name, url string }{{"DeauthorizeURL", cfg.DeauthorizeURL}, {"DataDeletionURL", cfg.DataDeletionURL}} {
		if u, err := url.Parse(v.url); v.url != "" && (err != nil || u.Scheme == "" || u.Host == "") {
			return fmt.Errorf("metasim: %s %q is not an absolute URL", v.name, v.url)
		}
	}
	return checkLoginConfig(cfg)
}

// signRequest makes a signed_request as Meta does: the base64url HMAC-SHA256
// of the encoded payload, keyed with the app secret, a dot, and the base64url
// JSON payload. The signature keeps its "=" padding and the payload has none,
// as one implementer reports Meta sends them (unverified); an app has to
// accept both forms.
func signRequest(secret string, payload []byte) string {
	enc := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(enc))
	return base64.URLEncoding.EncodeToString(mac.Sum(nil)) + "." + enc
}

// callbackAnswer is what /control/deauthorize and /control/data-deletion
// answer: where the callback went, what was sent and what the app answered.
type callbackAnswer struct {
	URL           string `json:"url"`
	SignedRequest string `json:"signed_request"`
	Status        int    `json:"status"`
	Body          string `json:"body"`
}

// controlDeauthorize answers POST /control/deauthorize {"user":ID}: the
// user removes the app, as in Facebook's settings. Their tokens (and the
// Page tokens they got) stop working and their grants are forgotten, then
// Meta's deauthorize callback is POSTed to the app.
func (s *Sim) controlDeauthorize(w http.ResponseWriter, r *http.Request) {
	user, ok := s.callbackUser(w, r, s.cfg.DeauthorizeURL, "deauthorize")
	if !ok {
		return
	}
	s.deauthorize(user)
	now := s.now().Unix()
	payload := obj{{"algorithm", "HMAC-SHA256"}, {"issued_at", now}, {"user_id", user}}
	s.sendCallback(w, r, s.cfg.DeauthorizeURL, payload)
}

// controlDataDeletion answers POST /control/data-deletion {"user":ID}: the
// user asks for their data to be deleted. The payload carries expires an
// hour after issued_at, as in Meta's example.
func (s *Sim) controlDataDeletion(w http.ResponseWriter, r *http.Request) {
	user, ok := s.callbackUser(w, r, s.cfg.DataDeletionURL, "data deletion")
	if !ok {
		return
	}
	now := s.now().Unix()
	payload := obj{{"user_id", user}, {"algorithm", "HMAC-SHA256"}, {"issued_at", now}, {"expires", now + 3600}}
	s.sendCallback(w, r, s.cfg.DataDeletionURL, payload)
}

// callbackUser reads {"user":ID} and checks the callback is configured.
func (s *Sim) callbackUser(w http.ResponseWriter, r *http.Request, target, what string) (string, bool) {
	var req struct {
		User string `json:"user"`
	}
	if !decodeControl(w, r, &req) {
		return "", false
	}
	switch {
	case req.User == "":
		writeControlError(w, http.StatusBadRequest, &fieldError{"user", "required"})
		return "", false
	case s.world.userByID[req.User] == nil:
		writeControlError(w, http.StatusBadRequest, &fieldError{"user", fmt.Sprintf("unknown Facebook user %q", req.User)})
		return "", false
	case target == "":
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("no %s callback URL is configured", what))
		return "", false
	}
	return req.User, true
}

// deauthorize revokes every token of the user and forgets their grants,
// pending authorization codes included.
func (s *Sim) deauthorize(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.revoked.Users[userID]++
	delete(s.st.granted, userID)
	delete(s.st.declined, userID)
	for k, code := range s.codes {
		if code.userID == userID {
			delete(s.codes, k)
		}
	}
	s.markDirtyLocked()
}

// sendCallback POSTs the signed payload to the app and answers what it said.
func (s *Sim) sendCallback(w http.ResponseWriter, r *http.Request, target string, payload obj) {
	b, err := marshalPlain(payload)
	if err != nil {
		writeControlError(w, http.StatusInternalServerError, err)
		return
	}
	out := callbackAnswer{URL: target, SignedRequest: signRequest(s.cfg.AppSecret, b)}
	form := url.Values{"signed_request": {out.SignedRequest}}.Encode()
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("callback request: %w", err))
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "facebookexternalua")
	start := time.Now()
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		writeControlError(w, http.StatusBadGateway, fmt.Errorf("callback to %s failed: %w", target, err))
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	s.log.Info("metasim: callback sent", "url", target, "status", resp.StatusCode, "took", time.Since(start))
	out.Status, out.Body = resp.StatusCode, string(body)
	writeJSON(w, http.StatusOK, out)
}
