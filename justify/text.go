package justify

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Outside text (what customers, VK and help desks write) is handled in two steps:
//
//   - CleanText at every entry, before it is stored: the text becomes valid UTF-8 and is
//     otherwise kept exactly as written, controls and all, so the record says what the
//     customer sent (a name built to spoof another is itself evidence).
//   - ShowText at every place it is shown (Telegram, digests, the CLI): invisible and
//     direction-changing characters are made visible instead of acting.

// CleanText returns s as valid UTF-8: every byte that is not part of a valid UTF-8
// sequence becomes U+FFFD, the replacement character, one for each byte (as Go's JSON
// decoder does, so a VK text decoded there and cleaned again is unchanged). Everything
// else is kept. Telegram refuses a whole message over one invalid byte, and SQLite would
// keep such bytes for every later message about that customer.
func CleanText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ShowText returns outside text as it may be shown to a person: valid UTF-8 (CleanText),
// line breaks as "\n", and every character that is invisible or acts on the text around
// it replaced by a visible marker naming it, like "⟪U+202E⟫":
//
//   - bidirectional controls: the embeddings and overrides U+202A–U+202E, the isolates
//     U+2066–U+2069 and the marks U+200E, U+200F, U+061C. An override in a name reverses
//     the rest of the line it is shown in, so that "banned by Ivan" can read as something
//     else;
//   - zero-width and other invisible format characters (U+200B–U+200D, U+2060, U+FEFF,
//     the soft hyphen, ...) and blank letters (Hangul fillers): they let two names look
//     identical while being different people, or hide words from the reader;
//   - control characters other than tab and newline (a terminal acts on ESC sequences),
//     and Unicode noncharacters, which Telegram may refuse.
//
// Markers rather than removal: the manager judging a case should see what the customer
// wrote, and a name that hides an override is worth seeing as such; removing the
// character would show a name that looks exactly like another one, which is the disguise.
//
// Joiners that do visible work are kept as they are: U+200D between two emoji (the family
// 👨‍👩‍👧, 🏳️‍🌈), U+200C and U+200D between two letters of a script that needs them
// (Arabic, Persian, the Indic scripts), and tag characters after the black flag (the flags
// of Scotland or Wales). In those scripts a joiner can still leave two names alike;
// every name shown also links to the person's VK profile by id.
//
// ShowText of its own output returns it unchanged.
func ShowText(s string) string {
	s = CleanText(s)
	if !needsShowing(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	var prev rune = -1
	inFlag := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		next, _ := utf8.DecodeRuneInString(s[i:])
		if i >= len(s) {
			next = -1
		}
		switch {
		case r == '\r':
			// A lone CR moves a terminal's cursor back over the line; CRLF is a newline.
			if next != '\n' {
				b.WriteByte('\n')
			}
		case r == zwj && (isEmojiPart(prev) && isEmoji(next) || sameJoiningScript(prev, next)):
			b.WriteRune(r)
		case r == zwnj && sameJoiningScript(prev, next):
			b.WriteRune(r)
		case isTag(r) && (prev == blackFlag || inFlag):
			b.WriteRune(r)
		case hidden(r):
			fmt.Fprintf(&b, "⟪U+%04X⟫", r)
		default:
			b.WriteRune(r)
		}
		inFlag = isTag(r) && (prev == blackFlag || inFlag)
		prev = r
	}
	return b.String()
}

const (
	zwnj      = '\u200C'
	zwj       = '\u200D'
	blackFlag = '\U0001F3F4'
)

// needsShowing reports whether ShowText would change s, so that plain text is not copied.
func needsShowing(s string) bool {
	for _, r := range s {
		if r == '\r' || hidden(r) {
			return true
		}
	}
	return false
}

// hidden reports whether r is invisible or acts on its neighbours when shown: controls
// (but tab and newline), format characters (but the few that are visible signs),
// noncharacters and the blank letters.
func hidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case (r >= 0x20 && r < 0x7F) || (r >= 0x0400 && r <= 0x052F):
		// Printable ASCII and Cyrillic, most of what customers write, hold none.
		return false
	case unicode.Is(unicode.Cc, r):
		return true
	case unicode.Is(unicode.Cf, r):
		return !unicode.Is(visibleFormat, r)
	case unicode.Is(unicode.Noncharacter_Code_Point, r):
		return true
	}
	return unicode.Is(blankLetters, r)
}

// visibleFormat are the format characters that are drawn: the Arabic, Syriac and Kaithi
// signs written before a number, which the reader sees as such.
var visibleFormat = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x0600, Hi: 0x0605, Stride: 1},
		{Lo: 0x06DD, Hi: 0x06DD, Stride: 1},
		{Lo: 0x070F, Hi: 0x070F, Stride: 1},
		{Lo: 0x0890, Hi: 0x0891, Stride: 1},
		{Lo: 0x08E2, Hi: 0x08E2, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x110BD, Hi: 0x110BD, Stride: 1},
		{Lo: 0x110CD, Hi: 0x110CD, Stride: 1},
	},
}

// blankLetters are letters and marks that draw nothing (Hangul fillers, the combining
// grapheme joiner, Khmer's inherent vowels): the usual way to make a name that looks
// empty or like another.
var blankLetters = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x034F, Hi: 0x034F, Stride: 1},
		{Lo: 0x115F, Hi: 0x1160, Stride: 1},
		{Lo: 0x17B4, Hi: 0x17B5, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xFFA0, Hi: 0xFFA0, Stride: 1},
	},
}

// joiningScripts are the scripts in which U+200C and U+200D change how letters are drawn.
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian,
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya,
	unicode.Tamil, unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala,
}

// sameJoiningScript reports whether a and b are letters or marks of one joining script.
func sameJoiningScript(a, b rune) bool {
	if a < 0 || b < 0 || !unicode.In(a, unicode.L, unicode.M) || !unicode.In(b, unicode.L, unicode.M) {
		return false
	}
	for _, sc := range joiningScripts {
		if unicode.Is(sc, a) {
			return unicode.Is(sc, b)
		}
	}
	return false
}

// isEmoji reports whether r can start or continue an emoji ZWJ sequence: pictographs and
// the signs joined to them (♀, ⚕, ❤) are symbols, category So.
func isEmoji(r rune) bool { return r >= 0 && unicode.Is(unicode.So, r) }

// isEmojiPart reports whether r can stand before the joiner of an emoji sequence: an
// emoji, the emoji presentation selector U+FE0F or a skin tone.
func isEmojiPart(r rune) bool {
	return isEmoji(r) || r == '\uFE0F' || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// isTag reports whether r is a tag character, which spells a subdivision flag after 🏴.
func isTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }

// CleanTexts makes every outside text of the event valid UTF-8 (CleanText): the names,
// VK's ban comment and the ticket's texts. The ticket is copied, not changed in place.
// Adapters call it on every event they build from what VK sends.
func (e *Event) CleanTexts() {
	e.UserName, e.ActorName, e.Comment = CleanText(e.UserName), CleanText(e.ActorName), CleanText(e.Comment)
	if e.Ticket != nil {
		t := *e.Ticket
		t.CleanTexts()
		e.Ticket = &t
	}
}

// CleanTexts makes every text of the ticket valid UTF-8 (CleanText), keeping the rest.
func (t *Ticket) CleanTexts() {
	for _, p := range []*string{&t.AuthorName, &t.Text, &t.Link, &t.ExternalID, &t.Subject, &t.Status} {
		*p = CleanText(*p)
	}
	if len(t.Attachments) > 0 {
		kinds := make([]string, len(t.Attachments))
		for i, k := range t.Attachments {
			kinds[i] = CleanText(k)
		}
		t.Attachments = kinds
	}
}
