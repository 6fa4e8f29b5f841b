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
	var b wordBuf
	b.split(text)
	out := make([]string, len(b.ends))
	for i := range b.ends {
		out[i] = string(b.word(i))
	}
	return out
}

// wordBuf splits texts into words, reusing its memory: the words are
// stored back to back in buf, word i ending at ends[i].
type wordBuf struct {
	buf   []byte
	ends  []int
	start int  // of the word in progress
	kind  int  // of the word in progress: wordLetters, wordSingle, wordEmoji
	join  bool // the emoji in progress continues (after a ZWJ)
	flag  bool // the word in progress is half a flag: one regional indicator
	it    norm.Iter
}

const (
	wordNone = iota
	wordLetters
	wordSingle // a character of a script without spaces: a word by itself
	wordEmoji
)

// word is word i of the last text split.
func (b *wordBuf) word(i int) []byte {
	from := 0
	if i > 0 {
		from = b.ends[i-1]
	}
	return b.buf[from:b.ends[i]]
}

func (b *wordBuf) flush() {
	if len(b.buf) > b.start {
		b.ends = append(b.ends, len(b.buf))
		b.start = len(b.buf)
	}
	b.kind, b.join, b.flag = wordNone, false, false
}

// split replaces the words held with those of text.
func (b *wordBuf) split(text string) {
	b.buf, b.ends, b.start = b.buf[:0], b.ends[:0], 0
	b.kind, b.join, b.flag = wordNone, false, false
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf && (i+1 == len(text) || text[i+1] < utf8.RuneSelf) {
			// ASCII not followed by a combining mark: no normalization needed.
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				b.flush()
				i++
				continue
			}
			if b.kind != wordLetters {
				b.flush()
				b.kind = wordLetters
			}
			b.buf = append(b.buf, c)
			i++
			continue
		}
		// One normalization segment: a starter and the marks that follow
		// it. A character NFKD spells as several (ﬁ → f i) comes out as
		// several segments before the input position moves.
		b.it.InitString(norm.NFKD, text[i:])
		for {
			b.addSegment(b.it.Next())
			if b.it.Pos() > 0 || b.it.Done() {
				break
			}
		}
		i += max(b.it.Pos(), 1)
	}
	b.flush()
}

// addSegment adds a normalized segment: starters, each with the marks
// that follow it.
func (b *wordBuf) addSegment(seg []byte) {
	for len(seg) > 0 {
		r, n := utf8.DecodeRune(seg)
		seg = seg[n:]
		m := 0
		for m < len(seg) {
			mr, mn := utf8.DecodeRune(seg[m:])
			if !unicode.In(mr, unicode.Mn, unicode.Me) {
				break
			}
			m += mn
		}
		b.add(r, seg[:m])
		seg = seg[m:]
	}
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
			b.buf = utf8.AppendRune(b.buf, r)
			b.flush()
			return
		}
		b.flush()
		b.buf = utf8.AppendRune(b.buf, r)
		b.kind, b.flag = wordEmoji, true
	case unicode.Is(unicode.So, r):
		if b.kind != wordEmoji || !b.join {
			b.flush()
		}
		b.buf = utf8.AppendRune(b.buf, r)
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
		b.buf = append(b.buf, s...)
		return
	}
	b.buf = utf8.AppendRune(b.buf, r)
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
			b.buf = utf8.AppendRune(b.buf, m)
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
