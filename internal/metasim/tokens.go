package metasim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// tokenKind says what a token stands for.
type tokenKind byte

const (
	tokenShortUser tokenKind = 's' // from the code exchange, about 1.4 h
	tokenLongUser  tokenKind = 'l' // from fb_exchange_token, about 60 days
	tokenPage      tokenKind = 'p' // from /me/accounts, bound to a Page and its user
	tokenApp       tokenKind = 'a' // "APP_ID|APP_SECRET", never minted
)

// Token lifetimes, as Meta answers them in expires_in.
const (
	shortTokenTTL     = 5183 * time.Second
	longTokenTTL      = 5183944 * time.Second
	shortPageTokenTTL = time.Hour
)

// token is the payload of an access token. Tokens are stateless: the payload
// is signed with a key derived from the app secret and the seed, so they stay
// valid across a restart, as Meta's long-lived tokens do.
type token struct {
	kind    tokenKind
	userID  string
	pageID  string
	issued  time.Time
	expires time.Time // zero: never
	genAll  int       // revocations.Global when minted
	genPage int       // revocations.Pages[pageID] when minted
	genUser int       // revocations.Users[userID] when minted (deauthorize)
	scopes  uint64    // bit i = permissions[i]
}

// tokenMinter signs and parses tokens.
type tokenMinter struct {
	key []byte
}

func newTokenMinter(appSecret string, seed int64) tokenMinter {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte("metasim token key " + strconv.FormatInt(seed, 10)))
	return tokenMinter{key: mac.Sum(nil)}
}

const tokenSigLen = 16

var errBadToken = errors.New("metasim: cannot parse access token")

// mint answers the opaque token string for t.
func (m tokenMinter) mint(t token) string {
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	var exp int64
	if !t.expires.IsZero() {
		exp = t.expires.Unix()
	}
	payload := fmt.Sprintf("2|%c|%s|%s|%d|%d|%d|%d|%x|%x|%d",
		t.kind, t.userID, t.pageID, t.issued.Unix(), exp, t.genAll, t.genPage, t.scopes, nonce, t.genUser)
	mac := hmac.New(sha256.New, m.key)
	mac.Write([]byte(payload))
	blob := append([]byte(payload), mac.Sum(nil)[:tokenSigLen]...)
	return "EAA" + base64.RawURLEncoding.EncodeToString(blob)
}

// parse checks a token's signature and decodes it. Validity (expiry,
// revocation) is checked by Sim.checkToken. Version 1 tokens (before
// per-user revocation) still parse, with user generation 0.
func (m tokenMinter) parse(s string) (token, error) {
	var t token
	rest, ok := strings.CutPrefix(s, "EAA")
	if !ok {
		return t, errBadToken
	}
	blob, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(blob) <= tokenSigLen {
		return t, errBadToken
	}
	payload, sig := blob[:len(blob)-tokenSigLen], blob[len(blob)-tokenSigLen:]
	mac := hmac.New(sha256.New, m.key)
	mac.Write(payload)
	if !hmac.Equal(sig, mac.Sum(nil)[:tokenSigLen]) {
		return t, errBadToken
	}
	p := strings.Split(string(payload), "|")
	switch {
	case len(p) == 10 && p[0] == "1":
		p = append(p, "0")
	case len(p) == 11 && p[0] == "2":
	default:
		return t, errBadToken
	}
	if len(p[1]) != 1 {
		return t, errBadToken
	}
	iat, err1 := strconv.ParseInt(p[4], 10, 64)
	exp, err2 := strconv.ParseInt(p[5], 10, 64)
	ga, err3 := strconv.Atoi(p[6])
	gp, err4 := strconv.Atoi(p[7])
	sc, err5 := strconv.ParseUint(p[8], 16, 64)
	gu, err6 := strconv.Atoi(p[10])
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return t, errBadToken
	}
	t = token{kind: tokenKind(p[1][0]), userID: p[2], pageID: p[3], issued: time.Unix(iat, 0),
		genAll: ga, genPage: gp, genUser: gu, scopes: sc}
	if exp != 0 {
		t.expires = time.Unix(exp, 0)
	}
	return t, nil
}

// newToken fills in the current revocation generations; call with s.mu held.
func (s *Sim) newTokenLocked(kind tokenKind, userID, pageID string, ttl time.Duration, scopes uint64) string {
	now := s.clock.now()
	t := token{kind: kind, userID: userID, pageID: pageID, issued: now, scopes: scopes,
		genAll: s.st.revoked.Global, genPage: s.st.revoked.Pages[pageID], genUser: s.st.revoked.Users[userID]}
	if ttl > 0 {
		t.expires = now.Add(ttl)
	}
	return s.minter.mint(t)
}

// checkToken validates a raw token; on failure it answers the table error and
// its message arguments.
func (s *Sim) checkToken(raw string) (token, *apiError) {
	if raw == "" {
		return token{}, apiErr(errTokenMissing)
	}
	if id, secret, ok := strings.Cut(raw, "|"); ok {
		if id == s.cfg.AppID && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AppSecret)) == 1 {
			return token{kind: tokenApp}, nil
		}
		return token{}, apiErr(errTokenInvalid)
	}
	t, err := s.minter.parse(raw)
	if err != nil {
		return t, apiErr(errTokenInvalid)
	}
	s.mu.Lock()
	revoked := t.genAll < s.st.revoked.Global || (t.kind == tokenPage && t.genPage < s.st.revoked.Pages[t.pageID]) ||
		t.genUser < s.st.revoked.Users[t.userID]
	s.mu.Unlock()
	if revoked {
		return t, apiErr(errTokenRevoked)
	}
	if now := s.clock.now(); !t.expires.IsZero() && !now.Before(t.expires) {
		const layout = "Monday, 02-Jan-06 15:04:05 MST"
		return t, apiErr(errTokenExpired, t.expires.UTC().Format(layout), now.UTC().Format(layout))
	}
	if t.kind != tokenApp && s.world.userByID[t.userID] == nil {
		return t, apiErr(errTokenInvalid)
	}
	return t, nil
}

// rawToken finds the access token of a request: the Authorization header
// (Bearer or OAuth) or the access_token parameter.
func rawToken(r *http.Request, params url.Values) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, v, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth") {
			return strings.TrimSpace(v)
		}
	}
	return params.Get("access_token")
}

// appsecretProof answers hex(HMAC-SHA256(key=app secret, msg=token)).
func appsecretProof(secret, tok string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(tok))
	return hex.EncodeToString(mac.Sum(nil))
}

// authenticate validates the request's token and, when sent, its
// appsecret_proof.
func (s *Sim) authenticate(r *http.Request, params url.Values) (token, *apiError) {
	raw := rawToken(r, params)
	t, aerr := s.checkToken(raw)
	if aerr != nil {
		return t, aerr
	}
	if proof, sent := params["appsecret_proof"]; sent && t.kind != tokenApp {
		want := appsecretProof(s.cfg.AppSecret, raw)
		if len(proof) == 0 || !hmac.Equal([]byte(strings.ToLower(proof[0])), []byte(want)) {
			return t, apiErr(errBadProof)
		}
	}
	return t, nil
}

// userTasks answers the token user's tasks on a Page.
func (s *Sim) userTasks(t token, pageID string) []string {
	u := s.world.userByID[t.userID]
	if u == nil {
		return nil
	}
	return u.Tasks[pageID]
}

// canReadPage reports whether a token may read a Page's objects: the Page's
// own token, or a user token of someone with a task on the Page.
func (s *Sim) canReadPage(t token, pageID string) bool {
	switch t.kind {
	case tokenPage:
		return t.pageID == pageID
	case tokenShortUser, tokenLongUser:
		return len(s.userTasks(t, pageID)) > 0
	}
	return false
}
