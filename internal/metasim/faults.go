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
	faultSendError    = "send_error"
)

// fault is a pending injected failure: the next Remaining matching calls or
// deliveries fail that way. A send_error fault carries the Graph error the
// Send API answers.
type fault struct {
	Kind      string        `json:"kind"`
	Account   string        `json:"account,omitempty"`
	Remaining int           `json:"remaining"`
	Delay     time.Duration `json:"delay_ns,omitempty"`
	Code      int           `json:"code,omitempty"`
	Subcode   int           `json:"subcode,omitempty"`
	Status    int           `json:"status,omitempty"`
	Message   string        `json:"message,omitempty"`
}

// faultRequest is the body of POST /control/faults.
type faultRequest struct {
	Kind    string `json:"kind"`
	Count   *int   `json:"count"`
	Account string `json:"account"`
	Delay   string `json:"delay"`
	Code    *int   `json:"code"`
	Subcode int    `json:"subcode"`
	Status  int    `json:"status"`
	Message string `json:"message"`
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
	if req.Kind != faultSendError && (req.Code != nil || req.Subcode != 0 || req.Status != 0 || req.Message != "") {
		return nil, &fieldError{"code", "code, subcode, status and message belong to send_error faults"}
	}
	switch req.Kind {
	case faultGraph5xx, faultRateLimit, faultTokenRevoked, faultWebhookDrop:
	case faultSendError:
		if err := f.setSendError(req); err != nil {
			return nil, err
		}
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

// setSendError validates a send_error fault's Graph error and fills in the
// status and message Meta would answer for that code (errors.go).
func (f *fault) setSendError(req faultRequest) error {
	switch {
	case req.Code == nil || *req.Code == 0:
		return &fieldError{"code", "required: the Graph error code, such as 613"}
	case req.Subcode < 0:
		return &fieldError{"subcode", "must not be negative"}
	case req.Status != 0 && (req.Status < 400 || req.Status > 599):
		return &fieldError{"status", "must be an HTTP error status (400-599)"}
	}
	spec := sendErrorSpec(*req.Code, req.Subcode, req.Status, req.Message)
	f.Code, f.Subcode, f.Status, f.Message = spec.code, spec.subcode, spec.status, spec.message
	return nil
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
