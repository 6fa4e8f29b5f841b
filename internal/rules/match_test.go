package rules

import (
	"testing"

	"github.com/replydesk/replydesk/internal/inbox"
)

func TestMatches_keywords(t *testing.T) {
	for _, tc := range []struct {
		name     string
		keywords []string
		match    Match
		exclude  []string
		text     string
		want     bool
	}{
		{"whole word", []string{"price"}, MatchAny, nil, "What's the price?", true},
		{"not inside a longer word", []string{"price"}, MatchAny, nil, "priceless stuff", false},
		{"not a prefix either", []string{"cost"}, MatchAny, nil, "costume party", false},
		{"case-insensitive", []string{"PRICE"}, MatchAny, nil, "price pls", true},
		{"accent-insensitive, keyword accented", []string{"café"}, MatchAny, nil, "best CAFE in town", true},
		{"accent-insensitive, comment accented", []string{"envio"}, MatchAny, nil, "¿Hacen envío?", true},
		{"phrase", []string{"how much"}, MatchAny, nil, "HOW much is it", true},
		{"phrase across punctuation", []string{"how much"}, MatchAny, nil, "how... much?", true},
		{"phrase words out of order", []string{"how much"}, MatchAny, nil, "much how", false},
		{"phrase at the very end", []string{"how much"}, MatchAny, nil, "tell me how", false},
		{"any: one of several", []string{"price", "cost", "how much"}, MatchAny, nil, "what does it cost", true},
		{"any: none", []string{"price", "cost"}, MatchAny, nil, "love it", false},
		{"all: every one", []string{"blue", "price"}, MatchAll, nil, "price of the blue one?", true},
		{"all: one missing", []string{"blue", "price"}, MatchAll, nil, "price of the red one?", false},
		{"exclusion wins", []string{"price"}, MatchAny, []string{"scam"}, "price? looks like a scam", false},
		{"exclusion absent", []string{"price"}, MatchAny, []string{"scam"}, "price please", true},
		{"exclusion alone", nil, MatchAny, []string{"spam"}, "spam spam", false},
		{"no keywords: everything", nil, MatchAny, nil, "anything at all", true},
		{"emoji keyword", []string{"🔥"}, MatchAny, nil, "so good🔥🔥", true},
		{"emoji skin tone", []string{"👍"}, MatchAny, nil, "👍🏾", true},
		{"emoji absent", []string{"🔥"}, MatchAny, nil, "so good ❤️", false},
		{"emoji in a phrase", []string{"want 🔥"}, MatchAny, nil, "I want 🔥", true},
		{"flag", []string{"🇫🇷"}, MatchAny, nil, "shipping to 🇫🇷?", true},
		{"flag not split across two", []string{"🇸🇫"}, MatchAny, nil, "🇺🇸🇫🇷", false},
		{"Chinese run of characters", []string{"价格"}, MatchAny, nil, "这个价格多少？", true},
		{"Chinese characters apart", []string{"价格"}, MatchAny, nil, "价钱和格式", false},
		{"Japanese", []string{"いくら"}, MatchAny, nil, "これはいくらですか", true},
		{"Japanese voicing matters", []string{"かす"}, MatchAny, nil, "ですか", false},
		{"Thai", []string{"ราคา"}, MatchAny, nil, "ราคาเท่าไหร่ครับ", true},
		{"Arabic without harakat", []string{"السعر"}, MatchAny, nil, "كَمْ السَّعر؟", true},
		{"Russian", []string{"цена"}, MatchAny, nil, "Какая ЦЕНА?", true},
		{"Greek", []string{"τιμή"}, MatchAny, nil, "Ποια η ΤΙΜΗ;", true},
		{"Hindi", []string{"कीमत"}, MatchAny, nil, "इसकी कीमत क्या है", true},
		{"Korean", []string{"가격"}, MatchAny, nil, "가격 알려주세요", true},
		{"Korean word not inside another", []string{"가격"}, MatchAny, nil, "가격이 얼마예요", false},
		{"German ß", []string{"strasse"}, MatchAny, nil, "Welche Straße?", true},
		{"full-width", []string{"price"}, MatchAny, nil, "ＰＲＩＣＥ？", true},
		{"digits", []string{"39"}, MatchAny, nil, "is it €39?", true},
		{"hashtag", []string{"#giveaway"}, MatchAny, nil, "entering the #Giveaway!", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Rule{Keywords: tc.keywords, Match: tc.match, ExcludeKeywords: tc.exclude}
			if got := Matches(r, inbox.Comment{Text: tc.text}); got != tc.want {
				t.Errorf("keywords %q (%s, excluding %q) on %q = %v, want %v", tc.keywords, tc.match, tc.exclude, tc.text, got, tc.want)
			}
		})
	}
}

func TestMatches_conditions(t *testing.T) {
	c := inbox.Comment{AccountID: "A", Surface: inbox.SurfaceReel, MediaID: "M1", Text: "price"}
	for _, tc := range []struct {
		name string
		rule Rule
		want bool
	}{
		{"no conditions", Rule{}, true},
		{"account listed", Rule{Accounts: []string{"B", "A"}}, true},
		{"account not listed", Rule{Accounts: []string{"B"}}, false},
		{"surface listed", Rule{Surfaces: []inbox.Surface{inbox.SurfacePost, inbox.SurfaceReel}}, true},
		{"surface not listed", Rule{Surfaces: []inbox.Surface{inbox.SurfaceLive}}, false},
		{"media listed", Rule{MediaIDs: []string{"M1"}}, true},
		{"media not listed", Rule{MediaIDs: []string{"M2"}}, false},
		{"conditions and keywords", Rule{Accounts: []string{"A"}, Keywords: []string{"price"}}, true},
		{"conditions met, keywords not", Rule{Accounts: []string{"A"}, Keywords: []string{"cost"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Matches(tc.rule, c); got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSet_firstEnabledRuleInOrder(t *testing.T) {
	set := Compile([]Rule{
		{ID: 1, Enabled: false, Keywords: []string{"price"}},
		{ID: 2, Enabled: true, Keywords: []string{"shipping"}},
		{ID: 3, Enabled: true, Keywords: []string{"price"}, ExcludeKeywords: []string{"wholesale"}},
		{ID: 4, Enabled: true, Keywords: []string{"price", "wholesale"}, Match: MatchAll},
		{ID: 5, Enabled: true, Keywords: []string{"price"}},
	})
	if set.Len() != 4 {
		t.Errorf("Len = %d, want 4 (the disabled rule left out)", set.Len())
	}
	for _, tc := range []struct {
		text string
		want int64 // 0: none
	}{
		{"price?", 3},
		{"wholesale price?", 4},
		{"shipping price?", 2},
		{"hello", 0},
	} {
		r, ok := set.First(inbox.Comment{Text: tc.text})
		if got := map[bool]int64{true: r.ID}[ok]; got != tc.want {
			t.Errorf("First(%q) = rule %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestSet_manyKeywordsAcrossWords(t *testing.T) {
	// More than 64 keywords: the hit set spans several words.
	var list []Rule
	for i := range 40 {
		list = append(list, Rule{ID: int64(i + 1), Enabled: true, Keywords: []string{"k" + string(rune('a'+i%26)) + string(rune('a'+i/26)), "common"}, Match: MatchAll})
	}
	set := Compile(list)
	r, ok := set.First(inbox.Comment{Text: "common kn" + "b"}) // rule 40: "k" + n(13) + b(1) → i = 39
	if !ok || r.ID != 40 {
		t.Errorf("First = %d, %v; want rule 40", r.ID, ok)
	}
	if _, ok := set.First(inbox.Comment{Text: "knb"}); ok {
		t.Error("an all-keywords rule matched with one keyword missing")
	}
}

func TestCompile_empty(t *testing.T) {
	if _, ok := Compile(nil).First(inbox.Comment{Text: "anything"}); ok {
		t.Error("an empty set matched")
	}
}
