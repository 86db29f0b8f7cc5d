package telegram

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
)

func TestSplitLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{name: "fits", in: "a\nb", n: 10, want: []string{"a\nb"}},
		{name: "empty", in: "\n\n", n: 10, want: nil},
		{name: "at line ends", in: "aaaa\nbbbb\ncccc", n: 9, want: []string{"aaaa\nbbbb", "cccc"}},
		{name: "a line too long is cut by characters", in: "яяяяяя\nb", n: 4, want: []string{"яяяя", "яя\nb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitLines(tt.in, tt.n)
			assert.Equal(t, tt.want, got)
			for _, s := range got {
				assert.True(t, utf8.ValidString(s))
				assert.LessOrEqual(t, utf8.RuneCountInString(s), tt.n)
			}
		})
	}
}

func TestDigestParts(t *testing.T) {
	long := strings.Repeat("<b>x</b>\n", 600) // 1,200 characters once parsed
	tests := []struct {
		name   string
		d      justify.Digest
		photos int
		texts  int
		first  string
	}{
		{name: "chart and text", d: justify.Digest{Caption: "c", Text: "t", Chart: []byte{1}}, photos: 1, texts: 1, first: "c"},
		{name: "no chart: text only", d: justify.Digest{Caption: "c", Text: "t"}, texts: 1},
		{name: "a caption too long goes to the text", d: justify.Digest{Caption: long, Text: "t", Chart: []byte{1}}, photos: 1, texts: 2, first: ""},
		{name: "long text is split", d: justify.Digest{Text: strings.Repeat("строка отчёта\n", 700), Chart: []byte{1}}, photos: 1, texts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := digestParts(tt.d)
			photos, texts := 0, 0
			for _, p := range parts {
				if p.photo {
					photos++
					assert.LessOrEqual(t, plainLen(p.text), MaxCaptionLen)
				} else {
					texts++
					assert.LessOrEqual(t, utf8.RuneCountInString(p.text), MaxTextLen)
				}
			}
			assert.Equal(t, tt.photos, photos)
			assert.Equal(t, tt.texts, texts)
			if tt.photos > 0 {
				assert.True(t, parts[0].photo, "the chart goes first")
				assert.Equal(t, tt.first, parts[0].text)
			}
		})
	}
}
