package metasim

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

// Meta's private-reply limits per Instagram account (meta-platform.md §5).
const (
	hourlyReplyBudget    = 750 // posts, reels, ads, stories: per rolling hour
	liveRepliesPerSecond = 100 // Live comments: per second
)

// replyLoadLocked counts an account's accepted replies: non-live ones in the
// rolling hour (with the oldest of them) and live ones in the last second.
// Replies are recorded in time order, so the scan stops an hour back.
func (s *Sim) replyLoadLocked(accountID string, now time.Time) (hour int, oldest time.Time, second int) {
	hourAgo, secondAgo := now.Add(-time.Hour), now.Add(-time.Second)
	for i := len(s.st.replies) - 1; i >= 0; i-- {
		r := s.st.replies[i]
		if !r.At.After(hourAgo) {
			break
		}
		if r.AccountID != accountID {
			continue
		}
		if r.Live {
			if r.At.After(secondAgo) {
				second++
			}
			continue
		}
		hour++
		oldest = r.At
	}
	return hour, oldest, second
}

// usageLocked answers the hourly budget used, in percent, and the minutes
// until the account may send again (0 when it is not throttled).
func (s *Sim) usageLocked(accountID string, now time.Time) (pct, regainMinutes int) {
	hour, oldest, _ := s.replyLoadLocked(accountID, now)
	pct = min(100, hour*100/hourlyReplyBudget)
	if hour >= hourlyReplyBudget {
		regainMinutes = minutesUntil(oldest.Add(time.Hour).Sub(now))
	}
	return pct, regainMinutes
}

func minutesUntil(d time.Duration) int {
	return max(1, int(math.Ceil(d.Minutes())))
}

// setUsageHeader writes X-Business-Use-Case-Usage for the account's Page.
func (s *Sim) setUsageHeader(w http.ResponseWriter, accountID string) {
	a := s.world.accountByID[accountID]
	if a == nil {
		return
	}
	s.mu.Lock()
	pct, regain := s.usageLocked(accountID, s.clock.now())
	s.mu.Unlock()
	writeUsageHeader(w, a.PageID, pct, regain)
}

// writeUsageHeader writes Meta's usage header: percentages per business
// object, and estimated_time_to_regain_access in minutes.
func writeUsageHeader(w http.ResponseWriter, pageID string, pct, regainMinutes int) {
	w.Header().Set("X-Business-Use-Case-Usage", fmt.Sprintf(
		`{"%s":[{"type":"pages","call_count":%d,"total_cputime":%d,"total_time":%d,"estimated_time_to_regain_access":%d}]}`,
		pageID, pct, pct/2, pct/2, regainMinutes))
}
