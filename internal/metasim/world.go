package metasim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// world is the seeded, immutable part of the simulation: users, Pages,
// Instagram accounts, media and a history of comments. The same seed and
// epoch always give the same world.
type world struct {
	seed     int64
	epoch    time.Time // anchor of the history; persisted in state
	users    []*fbUser
	pages    []*fbPage
	accounts []*igAccount
	media    []*media // static media, per account in creation order
	history  []*comment

	userByID    map[string]*fbUser
	pageByID    map[string]*fbPage
	accountByID map[string]*igAccount
	mediaByID   map[string]*media

	commentBase int64 // seed-derived base of comment ids
	mediaBase   int64 // seed-derived base of media ids
}

// fbUser is a Facebook user who can log in through the dialog.
type fbUser struct {
	ID, Name, First, Last, Email string
	Tasks                        map[string][]string // page id → tasks
}

// fbPage is a Facebook Page with a linked Instagram professional account.
type fbPage struct {
	ID, Name, Category, AccountID string
}

// igAccount is an Instagram professional account.
type igAccount struct {
	ID, Username, Name, Bio, PageID string
	Followers                       int
}

// media is an Instagram media object. Live media (product type LIVE) are
// created when a broadcast starts and kept in state, not in the world.
type media struct {
	ID              string    `json:"id"`
	AccountID       string    `json:"account_id"`
	Caption         string    `json:"caption,omitempty"`
	MediaType       string    `json:"media_type"`
	ProductType     string    `json:"media_product_type"`
	Shortcode       string    `json:"shortcode"`
	Created         time.Time `json:"created"`
	AdID            string    `json:"ad_id,omitempty"`
	AdTitle         string    `json:"ad_title,omitempty"`
	OriginalMediaID string    `json:"original_media_id,omitempty"`
	LikeCount       int       `json:"like_count"`
}

// First dynamic ids are counted from here, above every history id.
const dynamicIDStart = 1_000_000

func newWorld(seed int64, epoch time.Time) *world {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d657461))
	w := &world{
		seed: seed, epoch: epoch,
		userByID: map[string]*fbUser{}, pageByID: map[string]*fbPage{},
		accountByID: map[string]*igAccount{}, mediaByID: map[string]*media{},
		commentBase: 1e12 + rng.Int64N(4e12),
		mediaBase:   1e12 + rng.Int64N(4e12),
	}
	for _, ps := range pageSpecs {
		p := &fbPage{ID: fmt.Sprintf("1000%011d", rng.Int64N(1e11)), Name: ps.name, Category: ps.category}
		a := &igAccount{
			ID: fmt.Sprintf("17841%012d", rng.Int64N(1e12)), Username: ps.username,
			Name: ps.name, Bio: ps.bio, PageID: p.ID, Followers: ps.followers,
		}
		p.AccountID = a.ID
		w.pages = append(w.pages, p)
		w.accounts = append(w.accounts, a)
		w.pageByID[p.ID] = p
		w.accountByID[a.ID] = a
	}
	for _, us := range userSpecs {
		u := &fbUser{
			ID: fmt.Sprintf("10%014d", rng.Int64N(1e14)), First: us.first, Last: us.last,
			Name: us.first + " " + us.last, Email: us.email, Tasks: map[string][]string{},
		}
		for i, tasks := range us.tasks {
			u.Tasks[w.pages[i].ID] = tasks
		}
		w.users = append(w.users, u)
		w.userByID[u.ID] = u
	}
	var mediaN int64
	for i, ps := range pageSpecs {
		w.addMedia(rng, w.accounts[i], ps, &mediaN)
	}
	w.seedHistory(rng)
	return w
}

// addMedia creates an account's feed posts, reels, story and ad.
func (w *world) addMedia(rng *rand.Rand, a *igAccount, ps pageSpec, n *int64) {
	mk := func(caption, mediaType, product string, age time.Duration) *media {
		*n++
		m := &media{
			ID: w.mediaID(*n), AccountID: a.ID, Caption: caption, MediaType: mediaType,
			ProductType: product, Shortcode: shortcode(rng), Created: w.epoch.Add(-age).Truncate(time.Second),
			LikeCount: 20 + rng.IntN(4000),
		}
		w.media = append(w.media, m)
		w.mediaByID[m.ID] = m
		return m
	}
	day := 24 * time.Hour
	var firstFeed *media
	for i, c := range ps.feed {
		// The newest post is a day old, the oldest about a month.
		age := time.Duration(len(ps.feed)-i)*5*day - 4*day + time.Duration(rng.IntN(20))*time.Hour
		mt := "IMAGE"
		if i%3 == 1 {
			mt = "CAROUSEL_ALBUM"
		}
		m := mk(c, mt, "FEED", age)
		if firstFeed == nil {
			firstFeed = m
		}
	}
	for i, c := range ps.reels {
		mk(c, "VIDEO", "REELS", time.Duration(len(ps.reels)-i)*4*day+time.Duration(rng.IntN(20))*time.Hour)
	}
	mk(ps.story, "IMAGE", "STORY", 3*time.Hour)
	ad := mk(ps.adCaption, "IMAGE", "AD", 10*day)
	ad.AdID = fmt.Sprintf("1202%014d", rng.Int64N(1e14))
	ad.AdTitle = ps.adTitle
	ad.OriginalMediaID = firstFeed.ID
}

// seedHistory creates past comments over the last ~8 days (some older than
// the 7-day window). They are readable through the Graph API but are never
// delivered as webhooks.
func (w *world) seedHistory(rng *rand.Rand) {
	var n int64
	spread := 8 * 24 * time.Hour
	firstFeedDone := map[string]bool{}
	for _, m := range w.media {
		var count int
		switch m.ProductType {
		case "FEED":
			count = 4 + rng.IntN(22)
			if !firstFeedDone[m.AccountID] {
				count = 120 // enough for several pages of 50
				firstFeedDone[m.AccountID] = true
			}
		case "REELS":
			count = 10 + rng.IntN(30)
		case "STORY":
			count = 3
		default:
			continue
		}
		from := w.epoch.Add(-spread)
		if m.Created.After(from) {
			from = m.Created
		}
		window := w.epoch.Sub(from) - time.Minute
		for range count {
			n++
			name := commenterNames[rng.IntN(len(commenterNames))]
			c := &comment{
				ID: w.commentID(n), AccountID: m.AccountID, MediaID: m.ID,
				Text: commentTexts[rng.IntN(len(commentTexts))], Username: name,
				FromID: w.igsid(name), Created: from.Add(time.Duration(rng.Int64N(int64(window)))).Truncate(time.Second),
				history: true,
			}
			w.history = append(w.history, c)
			if rng.IntN(100) >= 15 {
				continue
			}
			for range 1 + rng.IntN(2) {
				n++
				r := &comment{
					ID: w.commentID(n), AccountID: m.AccountID, MediaID: m.ID, ParentID: c.ID,
					Created: c.Created.Add(time.Duration(1+rng.IntN(360)) * time.Minute), history: true,
				}
				if r.Created.After(w.epoch) {
					r.Created = w.epoch.Add(-time.Second)
				}
				if rng.IntN(5) == 0 {
					a := w.accountByID[m.AccountID]
					r.Username, r.FromID, r.Text = a.Username, a.ID, ownTexts[rng.IntN(len(ownTexts))]
				} else {
					other := commenterNames[rng.IntN(len(commenterNames))]
					r.Username, r.FromID, r.Text = other, w.igsid(other), replyTexts[rng.IntN(len(replyTexts))]
				}
				w.history = append(w.history, r)
			}
		}
	}
}

func (w *world) commentID(n int64) string { return fmt.Sprintf("1790%013d", w.commentBase+n) }
func (w *world) mediaID(n int64) string   { return fmt.Sprintf("1789%013d", w.mediaBase+n) }

// igsid answers the Instagram-scoped id of a username: 16 digits, stable for
// a seed, so a commenter keeps one id across comments and restarts.
func (w *world) igsid(username string) string {
	mac := hmac.New(sha256.New, []byte("metasim igsid "+strconv.FormatInt(w.seed, 10)))
	mac.Write([]byte(username))
	v := binary.BigEndian.Uint64(mac.Sum(nil)[:8])
	return strconv.FormatUint(1e15+v%9e15, 10)
}

// accountMedia answers an account's static media.
func (w *world) accountMedia(accountID string) []*media {
	var out []*media
	for _, m := range w.media {
		if m.AccountID == accountID {
			out = append(out, m)
		}
	}
	return out
}

// firstMedia answers the account's newest static media of a product type.
func (w *world) firstMedia(accountID, product string) *media {
	var best *media
	for _, m := range w.media {
		if m.AccountID == accountID && m.ProductType == product && (best == nil || m.Created.After(best.Created)) {
			best = m
		}
	}
	return best
}

func shortcode(rng *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	b := make([]byte, 11)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// hasTask reports whether tasks hold any of want.
func hasTask(tasks []string, want ...string) bool {
	for _, t := range tasks {
		for _, w := range want {
			if t == w {
				return true
			}
		}
	}
	return false
}

// Task sets that allow an action, in both spellings Meta uses.
var (
	messagingTasks = []string{"MESSAGING", "PROFILE_PLUS_MESSAGING", "PROFILE_PLUS_FULL_CONTROL"}
	moderateTasks  = []string{"MODERATE", "MANAGE", "CREATE_CONTENT", "PROFILE_PLUS_MODERATE",
		"PROFILE_PLUS_FULL_CONTROL", "PROFILE_PLUS_MANAGE", "PROFILE_PLUS_CREATE_CONTENT"}
)
