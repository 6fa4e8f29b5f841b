package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/inbox"
)

// BenchmarkMatch finds the first matching rule among 100 (keywords and
// phrases in several languages, all/any, exclusions, conditions) for each
// of 10,000 comments; `make bench` reports comments per second.
func BenchmarkMatch(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Comments are everyday words with, now and then, words rules look for.
	filler := strings.Fields(`the a is it this that so i you we love amazing beautiful gorgeous wow omg
		nice cool great yes no my your our me to of in on for with at look looks like really very
		hermoso lindo muito bonito magnifique schön красиво 好看 かわいい สวย جميل 😂 🙌 ✨ 💯`)
	topics := strings.Fields(`price cost shipping ship size color available stock restock link dm buy order
		café envío precio cuánto preço quanto prix combien Preis wie viel цена сколько 价格 多少
		いくら 値段 ราคา السعر 🔥 ❤️ 😍 👍🏽 giveaway win follow tag friend wholesale discount code`)
	set := Compile(benchRules(rng, topics))
	comments := make([]inbox.Comment, 10000)
	for i := range comments {
		n := 3 + rng.IntN(25)
		words := make([]string, n)
		for j := range words {
			words[j] = filler[rng.IntN(len(filler))]
		}
		if rng.IntN(4) == 0 { // a quarter ask about something
			words[rng.IntN(n)] = topics[rng.IntN(len(topics))]
		}
		comments[i] = inbox.Comment{AccountID: fmt.Sprint("acct-", rng.IntN(3)), MediaID: fmt.Sprint("m", rng.IntN(50)),
			Surface: inbox.Surfaces[rng.IntN(len(inbox.Surfaces))], Text: strings.Join(words, " ") + "?"}
	}
	b.ResetTimer()
	matched := 0
	for b.Loop() {
		matched = 0
		for _, c := range comments {
			if _, ok := set.First(c); ok {
				matched++
			}
		}
	}
	perSec := float64(len(comments)*b.N) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "comments/s")
	b.ReportMetric(float64(matched)/float64(len(comments))*100, "%matched")
}

// benchRules are 100 enabled rules of 1–5 keywords drawn from vocab, a
// fifth of them needing all keywords, some with exclusions and conditions.
func benchRules(rng *rand.Rand, vocab []string) []Rule {
	list := make([]Rule, 100)
	for i := range list {
		r := Rule{ID: int64(i + 1), Enabled: true, Action: Suggest, TemplateID: 1, Match: MatchAny}
		for range 1 + rng.IntN(5) {
			k := vocab[rng.IntN(len(vocab))]
			if rng.IntN(4) == 0 {
				k += " " + vocab[rng.IntN(len(vocab))] // a phrase
			}
			r.Keywords = append(r.Keywords, k)
		}
		if i%5 == 0 {
			r.Match = MatchAll
		}
		if i%3 == 0 {
			r.ExcludeKeywords = []string{vocab[rng.IntN(len(vocab))]}
		}
		if i%4 == 0 {
			r.Accounts = []string{fmt.Sprint("acct-", rng.IntN(3))}
		}
		if i%7 == 0 {
			r.Surfaces = []inbox.Surface{inbox.SurfaceLive, inbox.SurfaceReel}
		}
		list[i] = r
	}
	return list
}
