package metasim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// controlAddFault answers POST /control/faults.
func (s *Sim) controlAddFault(w http.ResponseWriter, r *http.Request) {
	var req faultRequest
	if !decodeControl(w, r, &req) {
		return
	}
	f, err := s.addFault(req)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// controlFaults answers GET /control/faults: the faults still pending.
func (s *Sim) controlFaults(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]fault{"faults": out})
}

// controlClearFaults answers DELETE /control/faults: pending faults are
// forgotten (token revocations stay).
func (s *Sim) controlClearFaults(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// controlClock answers POST /control/clock {"advance":"48h"} and GET.
func (s *Sim) controlClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req struct {
			Advance string `json:"advance"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		d, err := parseDuration(req.Advance)
		if err != nil || d < 0 {
			writeControlError(w, http.StatusBadRequest, &fieldError{"advance", "must be a non-negative duration such as 48h or 7d"})
			return
		}
		s.clock.advance(d)
		s.mu.Lock()
		s.markDirtyLocked()
		s.mu.Unlock()
	}
	now := s.now()
	writeJSON(w, http.StatusOK, map[string]string{"now": now.UTC().Format(time.RFC3339Nano), "offset": s.clock.getOffset().String()})
}

// controlSubscribe answers POST /control/subscribe: Meta's verification
// handshake against the webhook URL, as when a callback URL is saved.
func (s *Sim) controlSubscribe(w http.ResponseWriter, r *http.Request) {
	if s.cfg.WebhookURL == "" {
		writeControlError(w, http.StatusBadRequest, errors.New("no webhook URL is configured"))
		return
	}
	u, err := url.Parse(s.cfg.WebhookURL)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("webhook URL: %w", err))
		return
	}
	challenge := strconv.Itoa(1_000_000_000 + s.hooks.intn(1_000_000_000))
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.challenge", challenge)
	q.Set("hub.verify_token", s.cfg.VerifyToken)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	req.Header.Set("User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		writeControlError(w, http.StatusBadGateway, fmt.Errorf("webhook handshake failed: %w", err))
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != challenge {
		writeControlError(w, http.StatusBadGateway, fmt.Errorf(
			"webhook handshake failed: the app answered HTTP %d with body %q, want 200 with %q",
			resp.StatusCode, string(body), challenge))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// controlDeliveries answers GET /control/deliveries?limit=N: recent delivery
// attempts, newest first.
func (s *Sim) controlDeliveries(w http.ResponseWriter, r *http.Request) {
	n := recordsKept
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
		n = v
	}
	s.hooks.mu.Lock()
	pending, retrying := len(s.hooks.pending), len(s.hooks.retries)
	s.hooks.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"pending": pending, "retrying": retrying, "deliveries": s.hooks.recent(n),
	})
}

func (s *Sim) controlNotFound(w http.ResponseWriter, r *http.Request) {
	writeControlError(w, http.StatusNotFound, fmt.Errorf("no control route %s %s", r.Method, r.URL.Path))
}
