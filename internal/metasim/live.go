package metasim

import (
	"fmt"
	"time"
)

// broadcast is an Instagram Live broadcast and its live media.
type broadcast struct {
	MediaID   string    `json:"media_id"`
	AccountID string    `json:"account_id"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended"` // zero while live
}

// live reports whether the broadcast is still running.
func (b *broadcast) live() bool { return b.Ended.IsZero() }

// media answers the broadcast's live media object.
func (b *broadcast) media() *media {
	return &media{
		ID: b.MediaID, AccountID: b.AccountID, MediaType: "BROADCAST", ProductType: "LIVE",
		Created: b.Started, Shortcode: "live" + b.MediaID[len(b.MediaID)-7:],
	}
}

// activeBroadcastLocked answers the account's running broadcast, or nil.
func (s *Sim) activeBroadcastLocked(accountID string) *broadcast {
	for _, b := range s.st.broadcasts {
		if b.AccountID == accountID && b.live() {
			return b
		}
	}
	return nil
}

// startLiveLocked starts a broadcast unless one runs; started reports
// whether a new one began.
func (s *Sim) startLiveLocked(accountID string, now time.Time) (b *broadcast, started bool) {
	if b := s.activeBroadcastLocked(accountID); b != nil {
		return b, false
	}
	s.st.counters.Media++
	b = &broadcast{MediaID: s.world.mediaID(dynamicIDStart + s.st.counters.Media), AccountID: accountID, Started: now}
	s.st.addBroadcast(b)
	s.markDirtyLocked()
	return b, true
}

// startLive starts a broadcast for an account (or answers the running one).
func (s *Sim) startLive(accountID string) (*broadcast, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.world.accountByID[accountID] == nil {
		return nil, &fieldError{"account", fmt.Sprintf("unknown Instagram account %q", accountID)}
	}
	b, _ := s.startLiveLocked(accountID, s.clock.now())
	return b, nil
}

// endLive ends the account's running broadcast.
func (s *Sim) endLive(accountID string) (*broadcast, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.world.accountByID[accountID] == nil {
		return nil, &fieldError{"account", fmt.Sprintf("unknown Instagram account %q", accountID)}
	}
	b := s.activeBroadcastLocked(accountID)
	if b == nil {
		return nil, &fieldError{"account", "no broadcast is running"}
	}
	b.Ended = s.clock.now()
	s.markDirtyLocked()
	return b, nil
}
