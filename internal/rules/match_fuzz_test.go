package rules

import (
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/inbox"
)

// FuzzMatch feeds arbitrary comment text and keywords through splitting,
// validation and matching: nothing panics, no word is empty, a text always
// matches itself as a keyword (and never when it is also excluded).
func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"How much is the blue one?", "how much"},
		{"Café crème 🔥🔥", "CAFE"},
		{"这个价格多少？", "价格"},
		{"👩‍❤️‍👨 🇫🇷🇩🇪 👍🏽", "🇩🇪"},
		{"ราคาเท่าไหร่", "ราคา"},
		{"كَمْ السـعر؟", "السعر"},
		{"\xff\xfe", "\x00"},
		{"a\u0301\u0301\u0301", "a"},
		{"\u0300\u0903", "\u200d"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, text, keyword string) {
		// Instagram caps a comment at 2,200 characters and Validate a keyword
		// at 100: longer inputs only slow the fuzzer down (a phrase is
		// compared word by word at each place it could start).
		if len(text) > 9000 || len(keyword) > 400 {
			return
		}
		words := Words(text)
		for _, w := range words {
			if w == "" {
				t.Fatalf("Words(%q) has an empty word: %q", text, words)
			}
		}
		c := inbox.Comment{Text: text}
		Matches(Rule{Keywords: []string{keyword}, ExcludeKeywords: strings.Split(keyword, " ")}, c)
		Matches(Rule{Keywords: strings.Fields(keyword), Match: MatchAll}, c)
		Validate(Input{Name: keyword, Action: Send, TemplateID: 1, Keywords: SplitKeywords(keyword), ExcludeKeywords: []string{text}})
		if len(words) == 0 {
			return
		}
		if !Matches(Rule{Keywords: []string{text}}, c) {
			t.Fatalf("%q does not match itself (words %q)", text, words)
		}
		if Matches(Rule{Keywords: []string{keyword}, ExcludeKeywords: []string{text}}, c) {
			t.Fatalf("%q matched although it is excluded", text)
		}
	})
}
