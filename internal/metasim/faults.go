package metasim

import (
	"fmt"
	"time"
)

// Fault kinds of POST /control/faults.
const (
	faultGraph5xx     = "graph_5xx"
	faultGraphSlow    = "graph_slow"
	faultRateLimit    = "rate_limit"
	faultTokenRevoked = "token_revoked"
	faultWebhookDrop  = "webhook_drop"
)

// fault is a pending injected failure: the next Remaining matching calls or
// deliveries fail that way.
type fault struct {
	Kind      string        `json:"kind"`
	Account   string        `json:"account,omitempty"`
	Remaining int           `json:"remaining"`
	Delay     time.Duration `json:"delay_ns,omitempty"`
}

// faultRequest is the body of POST /control/faults.
type faultRequest struct {
	Kind    string `json:"kind"`
	Count   *int   `json:"count"`
	Account string `json:"account"`
	Delay   string `json:"delay"`
}

// addFault validates and records a fault. token_revoked takes effect at once
// and stays: every token issued so far for that account's Page (or every
// token, without an account) becomes invalid.
func (s *Sim) addFault(req faultRequest) (*fault, error) {
	f := &fault{Kind: req.Kind, Account: req.Account, Remaining: 1}
	if req.Count != nil {
		if *req.Count < 1 {
			return nil, &fieldError{"count", "must be at least 1"}
		}
		f.Remaining = *req.Count
	}
	switch req.Kind {
	case faultGraph5xx, faultRateLimit, faultTokenRevoked, faultWebhookDrop:
	case faultGraphSlow:
		f.Delay = s.tune.slowDelay
		if req.Delay != "" {
			d, err := parseDuration(req.Delay)
			if err != nil || d < 0 || d > 10*time.Minute {
				return nil, &fieldError{"delay", "must be a duration between 0 and 10m"}
			}
			f.Delay = d
		}
	case "":
		return nil, &fieldError{"kind", "required"}
	default:
		return nil, &fieldError{"kind", fmt.Sprintf("unknown fault %q", req.Kind)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var acct *igAccount
	if f.Account != "" {
		if acct = s.world.accountByID[f.Account]; acct == nil {
			return nil, &fieldError{"account", fmt.Sprintf("unknown Instagram account %q", f.Account)}
		}
	}
	if f.Kind == faultTokenRevoked {
		if acct != nil {
			s.st.revoked.Pages[acct.PageID]++
		} else {
			s.st.revoked.Global++
		}
		s.markDirtyLocked()
		f.Remaining = 0
		return f, nil
	}
	s.faults = append(s.faults, f)
	return f, nil
}

// takeFaultLocked consumes one pending fault of kind matching any of the
// accounts (a fault without an account matches everything).
func (s *Sim) takeFaultLocked(kind string, accounts []string) *fault {
	for i, f := range s.faults {
		if f.Kind != kind || !f.matches(accounts) {
			continue
		}
		f.Remaining--
		if f.Remaining <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

func (s *Sim) takeFault(kind string, accounts []string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.takeFaultLocked(kind, accounts)
}

func (f *fault) matches(accounts []string) bool {
	if f.Account == "" {
		return true
	}
	for _, a := range accounts {
		if a == f.Account {
			return true
		}
	}
	return false
}
