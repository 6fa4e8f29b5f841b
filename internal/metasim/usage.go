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

// Business-use-case types of X-Business-Use-Case-Usage.
const (
	bucInstagram = "instagram" // Instagram nodes and the Send API, keyed by the Instagram account
	bucPages     = "pages"     // Page nodes, keyed by the Page
)

// setUsageHeaders writes the usage header that goes with the call's token,
// as Meta does (meta-platform.md §5, §10): calls with a Page token count
// against the business use case (type instagram keyed by the Instagram
// account for Instagram nodes and the Send API, type pages keyed by the Page
// otherwise); every other call counts against the app (X-App-Usage). The two
// headers are never sent together.
func (s *Sim) setUsageHeaders(w http.ResponseWriter, parts []string, raw string) {
	t, err := s.minter.parse(raw)
	page := s.world.pageByID[t.pageID]
	if err != nil || t.kind != tokenPage || page == nil {
		w.Header().Set("X-App-Usage", `{"call_count":1,"total_cputime":1,"total_time":1}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	node := parts[0]
	account, onPage := s.accountOfNodeLocked(node), s.world.pageByID[node] != nil
	instagram := (account != "" && !onPage) || (onPage && len(parts) == 2 && parts[1] == "messages")
	if account == "" {
		account = page.AccountID
	}
	pct, regain := s.usageLocked(account, s.clock.now())
	if instagram {
		writeUsageHeader(w, account, bucInstagram, pct, regain)
		return
	}
	if !onPage {
		node = page.ID // /me and the like: the token's Page
	}
	writeUsageHeader(w, node, bucPages, pct, regain)
}

// writeUsageHeader writes Meta's business-use-case usage header for one
// object: percentages, and estimated_time_to_regain_access in minutes.
func writeUsageHeader(w http.ResponseWriter, objectID, typ string, pct, regainMinutes int) {
	w.Header().Set("X-Business-Use-Case-Usage", fmt.Sprintf(
		`{"%s":[{"type":"%s","call_count":%d,"total_cputime":%d,"total_time":%d,"estimated_time_to_regain_access":%d}]}`,
		objectID, typ, pct, pct/2, pct/2, regainMinutes))
}
