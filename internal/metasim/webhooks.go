package metasim

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// Meta's webhook shapes for the Instagram object (meta-platform.md §2).
type hookPayload struct {
	Object string      `json:"object"`
	Entry  []hookEntry `json:"entry"`
}

type hookEntry struct {
	ID      string       `json:"id"`
	Time    int64        `json:"time"`
	Changes []hookChange `json:"changes"`
}

type hookChange struct {
	Field string    `json:"field"`
	Value hookValue `json:"value"`
}

type hookValue struct {
	ID       string    `json:"id"`
	Text     string    `json:"text,omitempty"`
	ParentID string    `json:"parent_id,omitempty"`
	From     hookFrom  `json:"from"`
	Media    hookMedia `json:"media"`
}

type hookFrom struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	SelfIGScopedID string `json:"self_ig_scoped_id,omitempty"`
}

type hookMedia struct {
	ID               string `json:"id"`
	MediaProductType string `json:"media_product_type"`
	AdID             string `json:"ad_id,omitempty"`
	AdTitle          string `json:"ad_title,omitempty"`
	OriginalMediaID  string `json:"original_media_id,omitempty"`
}

// event is one comment notification waiting to be delivered.
type event struct {
	accountID, pageID string
	change            hookChange
	queued            time.Time // real time, for gathering batches
}

// changeForLocked builds a comment's webhook change: live_comments for Live,
// comments otherwise; ads carry ad_id and ad_title with product type FEED;
// from.self_ig_scoped_id is set on the account's own comments only.
func (s *Sim) changeForLocked(c *comment) hookChange {
	m, _ := s.mediaLocked(c.MediaID)
	v := hookValue{
		ID: c.ID, Text: c.Text, ParentID: c.ParentID,
		From:  hookFrom{ID: c.FromID, Username: c.Username},
		Media: hookMedia{ID: m.ID, MediaProductType: m.ProductType},
	}
	field := "comments"
	if c.Live {
		field = "live_comments"
	}
	if c.own() { // only the account's own comments carry it (meta-platform.md §10)
		v.From.SelfIGScopedID = c.FromID
	}
	if m.AdID != "" {
		v.Media.MediaProductType = "FEED"
		v.Media.AdID, v.Media.AdTitle, v.Media.OriginalMediaID = m.AdID, m.AdTitle, m.OriginalMediaID
	}
	return hookChange{Field: field, Value: v}
}

// notifyComment queues a comment's webhook, as Meta does: only to a
// configured callback, only once the account's Page has the app installed,
// unless a webhook_drop fault loses it; ad comments are sometimes sent twice.
func (s *Sim) notifyComment(c *comment) {
	if s.cfg.WebhookURL == "" {
		return
	}
	s.mu.Lock()
	acct := s.world.accountByID[c.AccountID]
	ev := event{accountID: acct.ID, pageID: acct.PageID, change: s.changeForLocked(c), queued: time.Now()}
	installed := s.st.installs[acct.PageID] != nil
	dropped := installed && s.takeFaultLocked(faultWebhookDrop, []string{acct.ID}) != nil
	s.mu.Unlock()
	if !installed || dropped {
		rec := deliveryRecord{At: s.now(), Outcome: "skipped", Error: "the app is not installed on the account's Page",
			Comments: []string{c.ID}, Accounts: []string{acct.ID}}
		if dropped {
			rec.Outcome, rec.Error = "dropped", "webhook_drop fault"
		}
		s.hooks.record(rec)
		return
	}
	s.pushEvent(ev)
	if ev.change.Value.Media.AdID == "" {
		return
	}
	twice, later, delay := s.hooks.duplicateAd(s.tune.adDuplicate)
	switch {
	case twice && later:
		time.AfterFunc(delay, func() { s.pushEvent(ev) })
	case twice:
		s.pushEvent(ev)
	}
}

// duplicateAd decides whether an ad comment is delivered twice, and whether
// the copy follows later in another POST.
func (d *deliverer) duplicateAd(chance float64) (twice, later bool, delay time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rng.Float64() >= chance {
		return false, false, 0
	}
	return true, d.rng.IntN(2) == 0, time.Duration(200+d.rng.IntN(1300)) * time.Millisecond
}

// buildBody groups events into entries (usually one per account, sometimes
// split) stamped with the send time in unix seconds, and encodes them in
// Meta's escaped form. It answers the body and its number of entries.
func buildBody(events []event, sentAt time.Time, rng *rand.Rand) ([]byte, int, error) {
	p := hookPayload{Object: "instagram"}
	for _, ev := range events {
		i := len(p.Entry) - 1
		for ; i >= 0; i-- {
			if p.Entry[i].ID == ev.accountID {
				break
			}
		}
		if i < 0 || rng.IntN(5) == 0 {
			p.Entry = append(p.Entry, hookEntry{ID: ev.accountID, Time: sentAt.Unix()})
			i = len(p.Entry) - 1
		}
		p.Entry[i].Changes = append(p.Entry[i].Changes, ev.change)
	}
	b, err := metaJSON(p)
	return b, len(p.Entry), err
}

// signatures answers the X-Hub-Signature-256 and X-Hub-Signature values over
// the exact body bytes.
func signatures(secret string, body []byte) (sha256Sig, sha1Sig string) {
	m256 := hmac.New(sha256.New, []byte(secret))
	m256.Write(body)
	m1 := hmac.New(sha1.New, []byte(secret))
	m1.Write(body)
	return "sha256=" + hex.EncodeToString(m256.Sum(nil)), "sha1=" + hex.EncodeToString(m1.Sum(nil))
}
