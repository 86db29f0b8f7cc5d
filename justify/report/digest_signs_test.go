package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// worstInput is the fixture day with more of Анна's (101) signs than a digest lists, each
// kind ranked by its own rule, and words that need escaping and clipping.
func worstInput(t *testing.T) Input {
	in := conversationInput(t)
	day := func(s string) time.Time { return utc("2026-11-23T" + s + "Z") }
	add := func(s justify.Sign) {
		s.GroupID, s.OperatorVKID = 1, 101
		s.Key = string(s.Kind) + s.At.String()
		s.Link = "https://vk.com/gim1?sel=" + strings.TrimPrefix(s.Key, string(s.Kind))[:5]
		in.SignExamples = append(in.SignExamples, s)
		in.Facts.Signs = append(in.Facts.Signs, justify.SignFact{GroupID: 1, Kind: s.Kind, OperatorVKID: 101, At: s.At, Primary: true})
	}
	// Bare greetings: waited 30 min, 3 h, still waiting since 16:00 (5 h by the period's
	// end at 21:00), 1 h, and 20 min. The digest lists the fixture's own greeting (still
	// waiting since 06:01), then 16:00 and 03:00.
	for i, g := range []struct {
		at, until string
	}{{"02:00:00", "02:30:00"}, {"03:00:00", "06:00:00"}, {"16:00:00", ""}, {"05:00:00", "06:00:00"}, {"08:00:00", "08:20:00"}} {
		s := justify.Sign{Kind: justify.SignBareGreeting, CustomerVKID: int64(7100 + i), At: day(g.at),
			Excerpt: "Здравствуйте! <script>"}
		if g.until != "" {
			s.Until = day(g.until)
		}
		add(s)
	}
	// One-word replies: those the customer wrote again after first, then the newest.
	for i, w := range []bool{false, true, false, true} {
		add(justify.Sign{Kind: justify.SignOneWord, CustomerVKID: int64(7200 + i), At: day("1" + string(rune('0'+i)) + ":00:00"),
			WroteAfter: w, Excerpt: "да"})
	}
	// Repeat contacts: the soonest return first.
	for i, gap := range []time.Duration{5 * time.Hour, 10 * time.Minute, 2 * time.Hour, time.Hour} {
		at := day("18:00:00").Add(time.Duration(i) * time.Minute)
		add(justify.Sign{Kind: justify.SignRepeatContact, CustomerVKID: int64(7300 + i), At: at, Until: at.Add(-gap),
			Excerpt: strings.Repeat("Опять не работает & ", 40)})
	}
	return in
}

func TestDigestWorstSigns(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	r := Compute(worstInput(t))
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			d, err := Digest(r, lang, msk)
			require.NoError(t, err)
			golden(t, "digest_signs."+lang+".html", d.Text)
			for _, m := range SplitHTML(d.Text, MaxMessageLen) {
				assert.LessOrEqual(t, utf8.RuneCountInString(m), MaxMessageLen)
				assert.True(t, utf8.ValidString(m))
				_, err := telegramtest.ParseHTML(m)
				require.NoError(t, err, "Telegram parses every message")
			}
		})
	}
	d, err := Digest(r, "en", msk)
	require.NoError(t, err)
	anna := section(t, d.Text, "Signs of shirking: Анна")
	order := func(ids ...string) {
		t.Helper()
		last := -1
		for _, id := range ids {
			i := strings.Index(anna, id)
			require.GreaterOrEqual(t, i, 0, id)
			assert.Greater(t, i, last, "%s in its rank", id)
			last = i
		}
	}
	order("id5001", "id7102", "id7101")
	for _, id := range []string{"id7100", "id7103", "id7104"} {
		assert.NotContains(t, anna, id, "only three bare greetings are listed")
	}
	assert.Contains(t, anna, "unanswered for 5h: «Здравствуйте! &lt;script&gt;»", "still waiting at the period's end")
	assert.Contains(t, anna, "waited 3h: ")
	order("id7203", "id7201", "id7202")
	assert.NotContains(t, anna, "id7200")
	order("id7301", "id7303", "id7302")
	assert.Contains(t, anna, "wrote again after 10m")
	assert.Contains(t, anna, "…»", "long words are clipped")
	assert.Contains(t, anna, "bare greetings — 6:", "the kind's count is the period's, not the listed")
	assert.Contains(t, section(t, d.Text, "Signs of shirking: Борис"), "idle — 1h 15m:")
	assert.Contains(t, anna, "Top templates:\n• «спасибо за отзыв» — 5 customers, 6 replies, 1 wrote again")
	assert.Contains(t, d.Text, "Signs of shirking: the community", "what VK does not attribute has its own section")
	assert.NotContains(t, RenderText(r, "en"), "Signs of shirking: Анна", "the CLI keeps its list")
}

// section is the paragraph of text that starts with heading.
func section(t *testing.T, text, heading string) string {
	t.Helper()
	i := strings.Index(text, heading)
	require.GreaterOrEqual(t, i, 0, heading)
	s := text[i:]
	if j := strings.Index(s, "\n\n"); j >= 0 {
		s = s[:j]
	}
	return s
}

func TestSignSeverity(t *testing.T) {
	end := utc("2026-11-23T21:00:00Z")
	at := utc("2026-11-23T12:00:00Z")
	tests := []struct {
		name        string
		worse, than justify.Sign
	}{
		{"a longer wait after a greeting", justify.Sign{Kind: justify.SignBareGreeting, At: at, Until: at.Add(3 * time.Hour)},
			justify.Sign{Kind: justify.SignBareGreeting, At: at, Until: at.Add(time.Hour)}},
		{"a stall still waiting beats one answered", justify.Sign{Kind: justify.SignStall, At: at},
			justify.Sign{Kind: justify.SignStall, At: at, Until: at.Add(8 * time.Hour)}},
		{"a skipped request waiting longer", justify.Sign{Kind: justify.SignSkipped, At: at.Add(-time.Hour), Until: at.Add(time.Hour)},
			justify.Sign{Kind: justify.SignSkipped, At: at, Until: at.Add(time.Hour)}},
		{"the customer waited longer before the close", justify.Sign{Kind: justify.SignClosedWithoutReply, At: at, Until: at.Add(-5 * time.Hour)},
			justify.Sign{Kind: justify.SignClosedWithoutReply, At: at, Until: at.Add(-time.Hour)}},
		{"the sooner return", justify.Sign{Kind: justify.SignRepeatContact, At: at, Until: at.Add(-time.Minute)},
			justify.Sign{Kind: justify.SignRepeatContact, At: at, Until: at.Add(-time.Hour)}},
		{"a one-word reply the customer wrote again after", justify.Sign{Kind: justify.SignOneWord, At: at, WroteAfter: true},
			justify.Sign{Kind: justify.SignOneWord, At: at.Add(time.Hour)}},
		{"then the newer", justify.Sign{Kind: justify.SignOneWord, At: at.Add(time.Hour)}, justify.Sign{Kind: justify.SignOneWord, At: at}},
		{"the longer idle stretch", justify.Sign{Kind: justify.SignIdle, At: at, Minutes: 120}, justify.Sign{Kind: justify.SignIdle, At: at.Add(time.Hour), Minutes: 61}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, justify.Worse(tt.worse, tt.than, end))
			assert.False(t, justify.Worse(tt.than, tt.worse, end))
		})
	}
	uses := justify.WorstTemplateUses([]justify.TemplateUse{{At: at, CustomerVKID: 1}, {At: at.Add(time.Hour), CustomerVKID: 2},
		{At: at.Add(-time.Hour), CustomerVKID: 3, WroteAfter: true}}, 2)
	require.Len(t, uses, 2)
	assert.Equal(t, []int64{3, 2}, []int64{uses[0].CustomerVKID, uses[1].CustomerVKID}, "wrote again first, then the newest")
}

// TestDigestChartShowsRepliesAndShifts checks the chart gets each operator's replies and
// hours on shift, within Telegram's photo limits.
func TestDigestChartShowsRepliesAndShifts(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	in := worstInput(t)
	sh, err := justify.ParseShift([]string{"mon", "tue", "wed", "thu", "fri"}, "09:00", "18:00", msk)
	require.NoError(t, err)
	in.Shifts = map[int64]justify.Schedule{101: {sh}}
	in.Location = msk
	in.Facts.Replies = append(in.Facts.Replies, justify.ReplyFact{GroupID: 1, OperatorVKID: 102, Hash: 9, CustomerVKID: 1,
		At: utc("2026-11-23T10:30:00Z")})
	r := Compute(in)
	assert.Equal(t, 1, r.Replies["Борис"][13], "a reply at 10:30 UTC is 13:00 in Moscow")
	assert.Equal(t, 6, r.Replies["Анна"][18], "the template's six uses at 15:00 UTC")
	want := [24]bool{}
	for h := 9; h < 18; h++ {
		want[h] = true
	}
	assert.Equal(t, want, r.Shifts["Анна"], "Monday 23 November: 09:00-18:00 Moscow")
	d, err := Digest(r, "ru", msk)
	require.NoError(t, err)
	img := decodePNG(t, d.Chart)
	assert.LessOrEqual(t, img.Bounds().Dx()+img.Bounds().Dy(), 10000, "Telegram's photo limit")
	assert.Less(t, len(d.Chart), 10<<20)
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	return img
}

// TestLoadWorst checks that a digest's load lists the worst template uses (the customer
// wrote again) rather than the newest, with the counts in full.
func TestLoadWorst(t *testing.T) {
	f := loadFixture()
	f.dialogs, f.signs, f.uses = fixtureConversations()
	opts := fixtureOptions
	opts.TemplateMinCustomers, opts.Worst = 5, 1
	r, err := Load(context.Background(), f, opts, dayFrom, dayTo)
	require.NoError(t, err)
	shop := r.Communities[0]
	var uses []int64
	for _, s := range shop.Signs {
		if s.Kind == string(justify.SignTemplate) {
			uses = append(uses, s.CustomerVKID)
		}
	}
	assert.Equal(t, []int64{6003}, uses, "the use after which the customer wrote again, not the newest")
	assert.Equal(t, 6, shop.Total.Current.TemplateReplies, "counted in full")
	assert.Equal(t, 2, shop.Total.Current.OneWordReplies)
}
