package justify_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "valid text is kept", in: "Заказ 123 не пришёл 👨‍👩‍👧", want: "Заказ 123 не пришёл 👨‍👩‍👧"},
		{name: "controls are kept: the record says what was sent", in: "Ива\u202Eн\u200B", want: "Ива\u202Eн\u200B"},
		{name: "a stray byte", in: "a\xffb", want: "a\uFFFDb"},
		{name: "one marker a byte, as Go's JSON decoder", in: "\xff\xfe", want: "\uFFFD\uFFFD"},
		{name: "Windows-1251 read as UTF-8", in: "\xcf\xf0\xe8\xe2\xe5\xf2", want: strings.Repeat("\uFFFD", 6)},
		{name: "a cut sequence at the end", in: "ё\xd1", want: "ё\uFFFD"},
		{name: "an encoded surrogate", in: "\xed\xa0\x80", want: "\uFFFD\uFFFD\uFFFD"},
		{name: "an overlong slash", in: "\xc0\xaf", want: "\uFFFD\uFFFD"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := justify.CleanText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestShowText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "plain Russian", in: "Где мой заказ?\nУже неделя\tжду", want: "Где мой заказ?\nУже неделя\tжду"},
		{name: "invalid bytes", in: "счёт \xff\xfe", want: "счёт \uFFFD\uFFFD"},
		{name: "a name with RLO cannot reverse the line", in: "Мария \u202Eавонави", want: "Мария ⟪U+202E⟫авонави"},
		{name: "embeddings and pop", in: "\u202Aa\u202Bb\u202Cc\u202Dd", want: "⟪U+202A⟫a⟪U+202B⟫b⟪U+202C⟫c⟪U+202D⟫d"},
		{name: "isolates", in: "\u2066a\u2067b\u2068c\u2069", want: "⟪U+2066⟫a⟪U+2067⟫b⟪U+2068⟫c⟪U+2069⟫"},
		{name: "direction marks", in: "a\u200Eb\u200Fc\u061Cd", want: "a⟪U+200E⟫b⟪U+200F⟫c⟪U+061C⟫d"},
		{name: "zero-width space in a name", in: "Иван\u200B Петров", want: "Иван⟪U+200B⟫ Петров"},
		{name: "word joiner and BOM", in: "a\u2060b\uFEFFc", want: "a⟪U+2060⟫b⟪U+FEFF⟫c"},
		{name: "joiners between Latin or Cyrillic letters", in: "Ив\u200Dан Пе\u200Cтров", want: "Ив⟪U+200D⟫ан Пе⟪U+200C⟫тров"},
		{name: "soft hyphen", in: "Ив\u00ADан", want: "Ив⟪U+00AD⟫ан"},
		{name: "Hangul filler as a blank name", in: "\u3164", want: "⟪U+3164⟫"},
		{name: "terminal escape", in: "ok\x1b[2Jgone", want: "ok⟪U+001B⟫[2Jgone"},
		{name: "NUL, DEL and a C1 control", in: "a\x00b\x7fc\u0085d", want: "a⟪U+0000⟫b⟪U+007F⟫c⟪U+0085⟫d"},
		{name: "CRLF and a lone CR", in: "one\r\ntwo\rthree", want: "one\ntwo\nthree"},
		{name: "a noncharacter", in: "a\uFFFFb\uFDD0", want: "a⟪U+FFFF⟫b⟪U+FDD0⟫"},
		// Joiners that draw something survive.
		{name: "family emoji", in: "👨\u200D👩\u200D👧", want: "👨\u200D👩\u200D👧"},
		{name: "rainbow flag: VS16 before the joiner", in: "🏳\uFE0F\u200D🌈", want: "🏳\uFE0F\u200D🌈"},
		{name: "skin tone before the joiner", in: "👩🏽\u200D💻", want: "👩🏽\u200D💻"},
		{name: "gendered emoji", in: "🧔\u200D♂\uFE0F", want: "🧔\u200D♂\uFE0F"},
		{name: "a joiner after an emoji but before a letter", in: "👨\u200Dx", want: "👨⟪U+200D⟫x"},
		{name: "Persian non-joiner", in: "می\u200Cخواهم", want: "می\u200Cخواهم"},
		{name: "Devanagari joiner after virama", in: "क्\u200Dष", want: "क्\u200Dष"},
		{name: "a joiner between two scripts", in: "م\u200Dк", want: "م⟪U+200D⟫к"},
		{name: "flag of Scotland", in: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", want: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{name: "tags without the flag", in: "a\U000E0067b", want: "a⟪U+E0067⟫b"},
		{name: "Arabic number sign is drawn", in: "\u0600١٢", want: "\u0600١٢"},
		{name: "a marker shown again stays", in: "⟪U+202E⟫", want: "⟪U+202E⟫"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := justify.ShowText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, justify.ShowText(got), "showing twice changes nothing")
		})
	}
}

func TestEventCleanTexts(t *testing.T) {
	tk := &justify.Ticket{AuthorName: "Ма\xffрия", Text: "заказ\xfe", Subject: "\xff", Attachments: []string{"photo", "d\xffoc"}}
	ev := justify.Event{UserName: "\xffИван", ActorName: "a\xff", Comment: "спам\xff", Ticket: tk}
	ev.CleanTexts()
	assert.Equal(t, "\uFFFDИван", ev.UserName)
	assert.Equal(t, "a\uFFFD", ev.ActorName)
	assert.Equal(t, "спам\uFFFD", ev.Comment)
	assert.Equal(t, "Ма\uFFFDрия", ev.Ticket.AuthorName)
	assert.Equal(t, "заказ\uFFFD", ev.Ticket.Text)
	assert.Equal(t, "\uFFFD", ev.Ticket.Subject)
	assert.Equal(t, []string{"photo", "d\uFFFDoc"}, ev.Ticket.Attachments)
	assert.Equal(t, "заказ\xfe", tk.Text, "the caller's ticket is not changed")
	assert.Equal(t, "d\xffoc", tk.Attachments[1])
}

// bidiControls are the characters that change the direction of the text around them.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// FuzzShowText: whatever goes in, what comes out is valid UTF-8 with no bidirectional
// control, no zero-width space, word joiner or BOM, no control but tab and newline, and
// shows the same when shown again. CleanText's output is valid UTF-8 and leaves valid
// text as it is.
func FuzzShowText(f *testing.F) {
	for _, s := range []string{"", "Иван", "\u202Eabc", "a\xffb", "👨\u200D👩\u200D👧", "می\u200Cخواهم",
		"🏴\U000E0067\U000E0062\U000E007F", "\r\n\x1b[0m", "\uFEFF\u2060\u200B", "\xed\xa0\x80", "⟪U+202E⟫"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		clean := justify.CleanText(in)
		if !utf8.ValidString(clean) {
			t.Fatalf("CleanText(%q) = %q: not UTF-8", in, clean)
		}
		if utf8.ValidString(in) && clean != in {
			t.Fatalf("CleanText changed valid text %q to %q", in, clean)
		}
		out := justify.ShowText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("ShowText(%q) = %q: not UTF-8", in, out)
		}
		for _, r := range out {
			switch {
			case isBidiControl(r):
				t.Fatalf("ShowText(%q) = %q keeps bidi control %U", in, out, r)
			case r == 0x200B || r == 0x2060 || r == 0xFEFF || r == 0x00AD:
				t.Fatalf("ShowText(%q) = %q keeps invisible %U", in, out, r)
			case unicode.IsControl(r) && r != '\n' && r != '\t':
				t.Fatalf("ShowText(%q) = %q keeps control %U", in, out, r)
			}
		}
		if again := justify.ShowText(out); again != out {
			t.Fatalf("ShowText is not stable: %q, then %q", out, again)
		}
	})
}

// BenchmarkShowText shows a long comment with one override in it, the costliest case
// rendering meets: every prompt and review passes its texts through ShowText.
func BenchmarkShowText(b *testing.B) {
	s := strings.Repeat("Где мой заказ? Уже неделя жду ответа. ", 80) + "\u202E" + "👨\u200D👩\u200D👧"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		justify.ShowText(s)
	}
}
