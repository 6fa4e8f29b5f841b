package rules

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"case and punctuation", "Price?! How MUCH...", []string{"price", "how", "much"}},
		{"accents", "Café crème, PHỞ, naïve", []string{"cafe", "creme", "pho", "naive"}},
		{"letters without decomposition", "Straße Ærø Łódź smørrebrød", []string{"strasse", "aero", "lodz", "smorrebrod"}},
		{"Turkish dotted capital", "İSTANBUL ılık", []string{"istanbul", "ilik"}},
		{"German umlaut", "Größe Übergröße", []string{"grosse", "ubergrosse"}},
		{"Spanish", "¿Cuánto cuesta? ¡Envío a España!", []string{"cuanto", "cuesta", "envio", "a", "espana"}},
		{"Greek tonos and final sigma", "Πόσο ΚΟΣΤΊΖΕΙ; τιμές", []string{"ποσο", "κοστιζει", "τιμεσ"}},
		{"Cyrillic", "Сколько стоит? Ёлка", []string{"сколько", "стоит", "елка"}},
		{"Arabic harakat and tatweel", "كَمْ السـعر؟", []string{"كم", "السعر"}},
		{"Hebrew niqqud", "כַּמָּה זֶה עוֹלֶה", []string{"כמה", "זה", "עולה"}},
		{"Devanagari keeps vowel signs", "कीमत क्या है", []string{"कीमत", "क्या", "है"}},
		{"Chinese: one word per character", "这个价格多少？", []string{"这", "个", "价", "格", "多", "少"}},
		{"Japanese kana keep voicing", "いくらですか、ラーメン", []string{"い", "く", "ら", "で", "す", "か", "ラ", "ー", "メ", "ン"}},
		{"Thai keeps its vowel and tone marks", "ราคาเท่าไหร่", []string{"ร", "า", "ค", "า", "เ", "ท่", "า", "ไ", "ห", "ร่"}},
		{"Korean is spaced", "가격이 얼마예요", Words("가격이") /* jamo, checked below */},
		{"full-width forms", "ＰＲＩＣＥ　１２３", []string{"price", "123"}},
		{"ligature", "ﬁnd", []string{"find"}},
		{"emoji are words", "love it🔥🔥!", []string{"love", "it", "🔥", "🔥"}},
		{"skin tones and selectors dropped", "👍🏽 ❤️", []string{"👍", "❤"}},
		{"ZWJ sequence kept whole", "👩‍❤️‍👨 ok", []string{"👩❤👨", "ok"}},
		{"flags are pairs", "🇫🇷🇩🇪", []string{"🇫🇷", "🇩🇪"}},
		{"mentions and hashtags", "@kai_m #giveaway", []string{"kai", "m", "giveaway"}},
		{"digits", "€39.90 or $40", []string{"39", "90", "or", "40"}},
		{"apostrophes split", "what's", []string{"what", "s"}},
		{"empty", "  ?! … ", nil},
		{"invalid UTF-8", "ok\xffgo", []string{"ok", "go"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Words(tc.text)
			if tc.name == "Korean is spaced" {
				if len(got) != 2 || strings.Join(Words("가격이"), "") != got[0] {
					t.Errorf("Words(%q) = %q", tc.text, got)
				}
				return
			}
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = norm.NFKD.String(w) // kana voicing marks stay decomposed
			}
			if !slices.Equal(got, want) {
				t.Errorf("Words(%q) = %q, want %q", tc.text, got, want)
			}
		})
	}
}

func TestSplitKeywords(t *testing.T) {
	got := SplitKeywords("price, how much\ncost，值段、 ")
	want := []string{"price", "how much", "cost", "值段"}
	if !slices.Equal(got, want) {
		t.Errorf("SplitKeywords = %q, want %q", got, want)
	}
}
