package metasim

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// runTraffic generates comments at Config.TrafficPerMinute (Poisson
// arrivals) on accounts whose Page has the app installed: about half on feed
// posts, a quarter on reels, a tenth on ads, a tenth replies, a few of the
// account's own, occasional bursts, and live comments while a broadcast runs.
func (s *Sim) runTraffic(ctx context.Context) {
	rng := rand.New(rand.NewPCG(uint64(s.cfg.Seed), 0x74726166))
	tick := time.NewTicker(s.tune.trafficTick)
	defer tick.Stop()
	perTick := s.cfg.TrafficPerMinute * s.tune.trafficTick.Minutes()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n := poisson(rng, perTick)
		if rng.Float64() < perTick/25 { // about one burst per 25 comments
			n += 5 + rng.IntN(16)
		}
		for range n {
			s.trafficComment(rng, false)
		}
		for range poisson(rng, perTick/2+0.05*s.tune.trafficTick.Seconds()) {
			s.trafficComment(rng, true)
		}
	}
}

// trafficComment posts one generated comment (a live one when live is set
// and a broadcast runs).
func (s *Sim) trafficComment(rng *rand.Rand, live bool) {
	s.mu.Lock()
	var targets []*igAccount
	for _, a := range s.world.accounts {
		if s.st.installs[a.PageID] != nil && (!live || s.activeBroadcastLocked(a.ID) != nil) {
			targets = append(targets, a)
		}
	}
	if len(targets) == 0 {
		s.mu.Unlock()
		return
	}
	a := targets[rng.IntN(len(targets))]
	req := commentRequest{Account: a.ID, Username: commenterNames[rng.IntN(len(commenterNames))],
		Text: commentTexts[rng.IntN(len(commentTexts))]}
	switch p := rng.IntN(100); {
	case live:
		req.Live = true
	case p < 50:
		feed := s.world.accountMediaOfType(a.ID, "FEED")
		req.Media = feed[rng.IntN(len(feed))].ID
	case p < 75:
		reels := s.world.accountMediaOfType(a.ID, "REELS")
		req.Media = reels[rng.IntN(len(reels))].ID
	case p < 85:
		req.Ad = true
	case p < 95:
		if parent := s.replyTargetLocked(rng, a.ID); parent != nil {
			req.ParentID, req.Text = parent.ID, replyTexts[rng.IntN(len(replyTexts))]
		}
	case p < 97:
		req.Own, req.Text = true, ownTexts[rng.IntN(len(ownTexts))]
		if parent := s.replyTargetLocked(rng, a.ID); parent != nil {
			req.ParentID = parent.ID
		}
	default:
		if story := s.world.firstMedia(a.ID, "STORY"); story != nil {
			req.Media = story.ID
		}
	}
	s.mu.Unlock()
	c, err := s.createComment(req)
	if err != nil {
		s.log.Warn("metasim: traffic comment", "error", err)
		return
	}
	s.notifyComment(c)
}

// replyTargetLocked picks a recent top-level comment of the account to
// reply to.
func (s *Sim) replyTargetLocked(rng *rand.Rand, accountID string) *comment {
	feed := append(s.world.accountMediaOfType(accountID, "FEED"), s.world.accountMediaOfType(accountID, "REELS")...)
	m := feed[rng.IntN(len(feed))]
	list := s.st.byMedia[m.ID]
	for range 5 {
		if len(list) == 0 {
			return nil
		}
		c := list[len(list)-1-rng.IntN(min(len(list), 40))]
		if c.ParentID == "" && !c.Deleted {
			return c
		}
	}
	return nil
}

// accountMediaOfType answers an account's static media of a product type.
func (w *world) accountMediaOfType(accountID, product string) []*media {
	var out []*media
	for _, m := range w.media {
		if m.AccountID == accountID && m.ProductType == product {
			out = append(out, m)
		}
	}
	return out
}

// poisson draws a Poisson-distributed count with mean lambda (Knuth).
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
