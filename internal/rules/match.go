package rules

import (
	"slices"
	"sync"

	"github.com/replydesk/replydesk/internal/inbox"
)

// Set is a list of rules compiled for matching many comments: every
// keyword of every rule is indexed by its first word, so a comment's text
// is split into words once and each word is looked up once, however many
// rules there are. A Set is safe for concurrent use.
type Set struct {
	rules []compiled
	index map[string][]phrase // first word → the phrases starting with it
	nkw   int                 // keywords and excluded keywords, numbered across rules
	pool  sync.Pool           // of *scratch
}

// scratch is one match's memory, reused.
type scratch struct {
	words wordBuf
	hits  []uint64 // keyword n found: bit n
}

type compiled struct {
	Rule
	kwFrom, kwTo    int // the numbers of its keywords
	exFrom, exTo    int // and of its excluded keywords
	surfaces        []inbox.Surface
	accounts, media []string
}

// phrase is one keyword, as words, and its number.
type phrase struct {
	words []string
	n     int
}

// Compile prepares rules, in their order, for matching. Disabled rules
// are left out.
func Compile(list []Rule) *Set {
	s := &Set{index: map[string][]phrase{}}
	for _, r := range list {
		if !r.Enabled {
			continue
		}
		c := compiled{Rule: r, surfaces: r.Surfaces, accounts: r.Accounts, media: r.MediaIDs}
		c.kwFrom = s.nkw
		s.add(r.Keywords)
		c.kwTo, c.exFrom = s.nkw, s.nkw
		s.add(r.ExcludeKeywords)
		c.exTo = s.nkw
		s.rules = append(s.rules, c)
	}
	n := (s.nkw + 63) / 64
	s.pool.New = func() any { return &scratch{hits: make([]uint64, n)} }
	return s
}

func (s *Set) add(keywords []string) {
	for _, k := range keywords {
		words := Words(k)
		if len(words) > 0 {
			s.index[words[0]] = append(s.index[words[0]], phrase{words: words, n: s.nkw})
		}
		s.nkw++ // a keyword with no words keeps its number and never matches
	}
}

// Len is the number of enabled rules in the set.
func (s *Set) Len() int { return len(s.rules) }

// First is the first rule in the set that matches c.
func (s *Set) First(c inbox.Comment) (Rule, bool) {
	if len(s.rules) == 0 {
		return Rule{}, false
	}
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	s.findKeywords(sc, c.Text)
	for i := range s.rules {
		if s.rules[i].matches(c, sc.hits) {
			return s.rules[i].Rule, true
		}
	}
	return Rule{}, false
}

// Matches reports whether rule r (enabled or not) matches c on its own,
// whatever the rules before it: what a rule test lists.
func Matches(r Rule, c inbox.Comment) bool {
	r.Enabled = true
	_, ok := Compile([]Rule{r}).First(c)
	return ok
}

// findKeywords marks in sc.hits the keywords found in text.
func (s *Set) findKeywords(sc *scratch, text string) {
	clear(sc.hits)
	if len(s.index) == 0 {
		return
	}
	sc.words.split(text)
	n := len(sc.words.ends)
	for i := range n {
		for _, p := range s.index[string(sc.words.word(i))] {
			if len(p.words) > n-i || !sc.phraseAt(i, p.words) {
				continue
			}
			sc.hits[p.n/64] |= 1 << (p.n % 64)
		}
	}
}

// phraseAt reports whether the words from i on start with phrase.
func (sc *scratch) phraseAt(i int, phrase []string) bool {
	for j := 1; j < len(phrase); j++ {
		if string(sc.words.word(i+j)) != phrase[j] {
			return false
		}
	}
	return true
}

func has(hits []uint64, n int) bool { return hits[n/64]&(1<<(n%64)) != 0 }

// matches applies the rule's conditions, exclusions and keywords.
func (r *compiled) matches(c inbox.Comment, hits []uint64) bool {
	if (len(r.accounts) > 0 && !slices.Contains(r.accounts, c.AccountID)) ||
		(len(r.surfaces) > 0 && !slices.Contains(r.surfaces, c.Surface)) ||
		(len(r.media) > 0 && !slices.Contains(r.media, c.MediaID)) {
		return false
	}
	for n := r.exFrom; n < r.exTo; n++ {
		if has(hits, n) {
			return false
		}
	}
	if r.kwFrom == r.kwTo {
		return true // no keywords: every comment that meets the conditions
	}
	all := r.Match == MatchAll
	for n := r.kwFrom; n < r.kwTo; n++ {
		if has(hits, n) != all {
			return !all // any: one found; all: one missing
		}
	}
	return all
}
