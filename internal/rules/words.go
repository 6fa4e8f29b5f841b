package rules

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Words splits text into the words a keyword is matched against: case
// folded, accents removed (café, CAFÉ and cafe are one word), compatibility
// forms unified (full-width ｐｒｉｃｅ is price), and punctuation, symbols
// and spaces as separators. Scripts written without spaces between words
// (Chinese, Japanese, Thai, …) give one word per character, so a keyword in
// them matches as a run of characters; each emoji is a word of its own, with
// skin tones and presentation selectors dropped (👍🏽 is 👍), ZWJ sequences
// and flags kept whole.
func Words(text string) []string {
	return appendWords(nil, text)
}

// wordBuf collects the words of one text.
type wordBuf struct {
	out  []string
	cur  []byte
	kind int  // of the word in cur: wordLetters, wordSingle, wordEmoji
	join bool // the emoji in cur continues (after a ZWJ)
	flag bool // cur is half a flag: one regional indicator
}

const (
	wordNone = iota
	wordLetters
	wordSingle // a character of a script without spaces: a word by itself
	wordEmoji
)

func (b *wordBuf) flush() {
	if len(b.cur) > 0 {
		b.out = append(b.out, string(b.cur))
		b.cur = b.cur[:0]
	}
	b.kind, b.join, b.flag = wordNone, false, false
}

func appendWords(out []string, text string) []string {
	b := wordBuf{out: out, cur: make([]byte, 0, 32)}
	var it norm.Iter
	it.InitString(norm.NFKD, text)
	for !it.Done() {
		seg := it.Next() // one starter and the marks that follow it
		r, n := utf8.DecodeRune(seg)
		b.add(r, seg[n:])
	}
	b.flush()
	return b.out
}

// add takes one character (r) and the combining marks decomposed from it.
func (b *wordBuf) add(r rune, marks []byte) {
	switch {
	case r == utf8.RuneError:
		b.flush()
	case ignorable(r):
		// skin tones, variation selectors, keycaps, tags: not part of a word
	case r == '\u200d': // zero-width joiner: glues emoji into one sequence
		b.join = b.kind == wordEmoji
	case unicode.Is(unicode.Regional_Indicator, r): // flags are pairs of them
		if b.flag {
			b.cur = utf8.AppendRune(b.cur, r)
			b.flush()
			return
		}
		b.flush()
		b.cur = utf8.AppendRune(b.cur, r)
		b.kind, b.flag = wordEmoji, true
	case unicode.Is(unicode.So, r):
		if b.kind != wordEmoji || !b.join {
			b.flush()
		}
		b.cur = utf8.AppendRune(b.cur, r)
		b.kind, b.join = wordEmoji, false
	case unicode.In(r, unicode.L, unicode.N):
		single := unspaced(r)
		if single || b.kind != wordLetters {
			b.flush()
		}
		b.appendFolded(r)
		b.appendMarks(r, marks)
		b.kind = wordLetters
		if single {
			b.kind = wordSingle
		}
	case unicode.Is(unicode.M, r):
		// A mark NFKD keeps apart from its letter (Devanagari and Thai vowel
		// signs, say) belongs to the word in progress.
		if b.kind == wordLetters || b.kind == wordSingle {
			b.appendMarks(0, utf8.AppendRune(nil, r))
			b.appendMarks(0, marks)
		}
	default: // spaces, punctuation, other symbols
		b.flush()
	}
}

// appendFolded appends r in lower case, with the letters that do not
// decompose spelled as their plain equivalent.
func (b *wordBuf) appendFolded(r rune) {
	r = unicode.ToLower(r)
	if s, ok := folds[r]; ok {
		b.cur = append(b.cur, s...)
		return
	}
	b.cur = utf8.AppendRune(b.cur, r)
}

// appendMarks appends the combining marks that belong to base, dropping the
// accents of the scripts where they are optional in everyday writing.
func (b *wordBuf) appendMarks(base rune, marks []byte) {
	if len(marks) == 0 || (base != 0 && accentsOptional(base)) {
		return
	}
	for len(marks) > 0 {
		m, n := utf8.DecodeRune(marks)
		marks = marks[n:]
		if base == 0 && (m <= 0x36f || unicode.In(m, unicode.Arabic, unicode.Hebrew)) {
			continue // an accent left over from a Latin, Greek, Cyrillic or Arabic letter
		}
		if !ignorable(m) {
			b.cur = utf8.AppendRune(b.cur, m)
		}
	}
}

// folds spells the letters that have no decomposition.
var folds = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th",
	'ı': "i", 'ſ': "s", 'ħ': "h", 'ŧ': "t", 'ŋ': "n", 'ς': "σ", 'ـ': "",
}

// accentsOptional reports whether marks on r are accents people often leave
// out (Latin, Greek, Cyrillic, Arabic and Hebrew vowel signs), rather than
// part of the letter (Devanagari vowel signs, Thai tone marks, kana voicing).
func accentsOptional(r rune) bool {
	if r < 0x80 {
		return true
	}
	return unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew)
}

// unspaced reports whether r belongs to a script written without spaces
// between words, where a keyword can only be found as a run of characters.
func unspaced(r rune) bool {
	if r < 0x0e00 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
		unicode.Khmer, unicode.Myanmar, unicode.Tibetan, unicode.Yi)
}

// ignorable reports the characters that modify an emoji's look but not its
// meaning: skin tones, variation selectors, the keycap mark and tags.
func ignorable(r rune) bool {
	return (r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xfe00 && r <= 0xfe0f) || r == 0x20e3 ||
		(r >= 0xe0020 && r <= 0xe007f)
}
