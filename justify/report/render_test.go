package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./justify/report -update to create it")
	assert.Equal(t, string(want), got)
}

// goldenReport is the fixture day shown in Moscow, with names and words that need
// escaping in HTML.
func goldenReport(t *testing.T) Report {
	in := conversationInput(t)
	in.From, in.To = in.From.In(in.Location), in.To.In(in.Location)
	in.Communities[0].Name = "Shop <Дом & Сад>"
	return Compute(in)
}

// smallReport is one community with one operator and one case: the smallest report with
// a figure in each group.
func smallReport(t *testing.T) Report {
	ny := mustLoad(t, "America/New_York")
	from := time.Date(2026, 11, 16, 9, 0, 0, 0, ny)
	c := resolved(justified(caseAt(1, 5, justify.EventBan, "Ann", 101, "2026-11-17T15:00:00Z"), "2026-11-17T18:30:00Z"), justify.ResolutionReversed)
	return Compute(Input{From: from, To: from.AddDate(0, 0, 7), SLA: 90 * time.Minute, Location: ny,
		People:      []justify.Person{{Name: "Ann", Role: justify.RoleOperator, VKID: 101}},
		Communities: []justify.Community{{GroupID: 5, Name: "Store"}},
		Cases:       []justify.Case{c},
		Tickets:     []justify.Ticket{answered(ticket(1, 5, "2026-11-18T10:00:00Z"), "2026-11-18T12:15:00Z", 101)},
	})
}

func TestRenderGolden(t *testing.T) {
	reports := []struct {
		name   string
		report func(*testing.T) Report
	}{
		{name: "day", report: goldenReport},
		{name: "small", report: smallReport},
		{name: "empty", report: func(*testing.T) Report {
			return Compute(Input{From: dayFrom, To: dayTo})
		}},
	}
	for _, rr := range reports {
		r := rr.report(t)
		for _, l := range []string{"ru", "en"} {
			t.Run(rr.name+" "+l, func(t *testing.T) {
				golden(t, rr.name+"."+l+".txt", RenderText(r, l))
				golden(t, rr.name+"."+l+".html", RenderHTML(r, l))
			})
		}
		t.Run(rr.name+" csv", func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteCSV(&b, r))
			golden(t, rr.name+".csv", b.String())
		})
		t.Run(rr.name+" json", func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteJSON(&b, r))
			golden(t, rr.name+".json", b.String())
		})
	}
}

func TestRenderLanguages(t *testing.T) {
	r := smallReport(t)
	tests := []struct {
		name, lang, same string
	}{
		{name: "default is Russian", lang: "", same: "ru"},
		{name: "unknown is Russian", lang: "de", same: "ru"},
		{name: "English with a region", lang: "en-US", same: "en"},
		{name: "English in capitals", lang: "EN", same: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, RenderText(r, tt.same), RenderText(r, tt.lang))
			assert.Equal(t, RenderHTML(r, tt.same), RenderHTML(r, tt.lang))
			assert.Equal(t, Caption(r, tt.same), Caption(r, tt.lang))
		})
	}
	assert.NotEqual(t, RenderText(r, "ru"), RenderText(r, "en"))
}

func TestRenderHTMLEscapes(t *testing.T) {
	h := RenderHTML(goldenReport(t), "ru")
	assert.Contains(t, h, "<b>Shop &lt;Дом &amp; Сад&gt;</b>")
	assert.Contains(t, h, "«Верните деньги &lt;срочно&gt; &amp; быстро»")
	assert.NotContains(t, h, "<срочно>")
	// Only the tags the renderer writes remain.
	stripped := h
	for _, tag := range []string{"<b>", "</b>", "</a>"} {
		stripped = strings.ReplaceAll(stripped, tag, "")
	}
	for strings.Contains(stripped, `<a href="`) {
		i := strings.Index(stripped, `<a href="`)
		j := strings.Index(stripped[i:], `">`)
		require.Positive(t, j)
		stripped = stripped[:i] + stripped[i+j+2:]
	}
	assert.NotContains(t, stripped, "<")
	assert.NotContains(t, stripped, ">")
}

// Customers' names and words reach owners through the digest and terminals through the
// CLI: both show invisible and direction-changing characters instead of obeying them.
func TestRenderShowsControls(t *testing.T) {
	r := smallReport(t)
	c := &r.Communities[0]
	c.DeletedRequests = append(c.DeletedRequests, DeletedRequest{CaseID: 9, Operator: "Ann", Author: "\u202EВася",
		Excerpt: "где \xff заказ\x1b[2J", At: r.From.Add(time.Hour)})
	c.SLABreaches = append(c.SLABreaches, Breach{Author: "Ив\u200Bан", Excerpt: "жду\u2066", Waiting: 3 * time.Hour})
	for _, tt := range []struct {
		name, out string
	}{
		{name: "text", out: RenderText(r, "ru")},
		{name: "html", out: RenderHTML(r, "ru")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, utf8.ValidString(tt.out))
			assert.Contains(t, tt.out, "«где \uFFFD заказ⟪U+001B⟫[2J» — ⟪U+202E⟫Вася")
			assert.Contains(t, tt.out, "Ив⟪U+200B⟫ан")
			assert.Contains(t, tt.out, "жду⟪U+2066⟫")
			assert.NotContains(t, tt.out, "\u202E")
			assert.NotContains(t, tt.out, "\x1b")
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d      time.Duration
		ru, en string
	}{
		{0, "0 мин", "0m"},
		{20 * time.Second, "<1 мин", "<1m"},
		{45 * time.Minute, "45 мин", "45m"},
		{2*time.Hour + 15*time.Minute, "2 ч 15 мин", "2h 15m"},
		{2 * time.Hour, "2 ч", "2h"},
		{time.Hour + 22*time.Minute + 30*time.Second, "1 ч 23 мин", "1h 23m"},
		{-(22*time.Minute + 30*time.Second), "-23 мин", "-23m"},
		{27*time.Hour + 40*time.Minute, "1 д 4 ч", "1d 4h"},
		{48 * time.Hour, "2 д", "2d"},
	}
	for _, tt := range tests {
		t.Run(tt.en, func(t *testing.T) {
			assert.Equal(t, tt.ru, HumanDuration(tt.d, "ru"))
			assert.Equal(t, tt.en, HumanDuration(tt.d, "en"))
		})
	}
}

func TestPeriodLabel(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	vvo := mustLoad(t, "Asia/Vladivostok")
	tests := []struct {
		name     string
		from, to time.Time
		ru, en   string
	}{
		{name: "a day", from: time.Date(2026, 11, 23, 0, 0, 0, 0, msk), to: time.Date(2026, 11, 24, 0, 0, 0, 0, msk),
			ru: "23.11.2026 (MSK)", en: "2026-11-23 (MSK)"},
		{name: "a week", from: time.Date(2026, 11, 16, 0, 0, 0, 0, msk), to: time.Date(2026, 11, 23, 0, 0, 0, 0, msk),
			ru: "16.11.2026 – 22.11.2026 (MSK)", en: "2026-11-16 – 2026-11-22 (MSK)"},
		{name: "from 09:00, a zone with no abbreviation", from: time.Date(2026, 11, 22, 9, 0, 0, 0, vvo), to: time.Date(2026, 11, 23, 9, 0, 0, 0, vvo),
			ru: "22.11.2026 09:00 – 23.11.2026 09:00 (UTC+10)", en: "2026-11-22 09:00 – 2026-11-23 09:00 (UTC+10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{From: tt.from, To: tt.to}
			assert.Equal(t, tt.ru, PeriodLabel(r, "ru"))
			assert.Equal(t, tt.en, PeriodLabel(r, "en"))
		})
	}
}

func TestCaption(t *testing.T) {
	r := goldenReport(t)
	assert.Equal(t, "Модерация за 23.11.2026 (MSK): баны 5 (+4), удаления 2 (+2), отменено 2 (+2), без причины 1 (+1), удалены неотвеченные 2 (+2)", Caption(r, "ru"))
	assert.Equal(t, "Moderation for 2026-11-23 (MSK): bans 5 (+4), deletions 2 (+2), reversed 2 (+2), no reason 1 (+1), unanswered deleted 2 (+2)", Caption(r, "en"))
}

// A community with many deleted requests and breaches still goes out in messages
// Telegram accepts, cut at blank lines.
func TestRenderHTMLLimits(t *testing.T) {
	in := fixtureInput(t)
	long := strings.Repeat("очень длинный текст ", 50)
	for i := int64(0); i < 40; i++ {
		ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 10, ItemID: 1000 + i}
		c := severe(caseAt(100+i, 1, justify.EventDelete, "Борис", 102, "2026-11-23T15:00:00Z"), ref)
		in.Cases = append(in.Cases, c)
		tk := ticket(1000+i, 1, "2026-11-23T01:00:00Z")
		tk.Text = long
		in.Tickets = append(in.Tickets, tk)
	}
	r := Compute(in)
	h := RenderHTML(r, "ru")
	msgs := SplitHTML(h, MaxMessageLen)
	require.Greater(t, len(msgs), 1)
	assert.Equal(t, strings.TrimRight(h, "\n"), strings.Join(msgs, "\n\n"), "nothing lost or added")
	for _, m := range msgs {
		assert.LessOrEqual(t, utf8.RuneCountInString(m), MaxMessageLen)
		assert.Equal(t, strings.Count(m, "<b>"), strings.Count(m, "</b>"), "no tag cut")
		assert.Equal(t, strings.Count(m, "<a "), strings.Count(m, "</a>"), "no link cut")
	}
	assert.Contains(t, h, "• и ещё 32")
	assert.Contains(t, RenderText(r, "ru"), long[:100], "the CLI lists everything")
}

func TestSplitHTML(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{name: "fits", text: "a\n\nb\n", limit: 10, want: []string{"a\n\nb"}},
		{name: "packs paragraphs", text: "aaa\n\nbbb\n\nccc", limit: 8, want: []string{"aaa\n\nbbb", "ccc"}},
		{name: "cuts a long paragraph at lines", text: "aaa\nbbb\nccc", limit: 7, want: []string{"aaa\nbbb", "ccc"}},
		{name: "counts runes", text: "ааа\n\nббб", limit: 8, want: []string{"ааа\n\nббб"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SplitHTML(tt.text, tt.limit))
		})
	}
}

func TestWriteCSVShape(t *testing.T) {
	var b bytes.Buffer
	r := goldenReport(t)
	require.NoError(t, WriteCSV(&b, r))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	// A header, then per community its total and one row per operator.
	want := 1
	for _, c := range r.Communities {
		want += 1 + len(c.Operators)
	}
	require.Len(t, rows, want)
	assert.Len(t, rows[0], 6+2*len(csvFigures))
	for _, row := range rows {
		assert.Len(t, row, len(rows[0]))
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	r := goldenReport(t)
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, r))
	var back Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, r.Activity, back.Activity)
	require.Len(t, back.Communities, len(r.Communities))
	assert.Equal(t, r.Communities[0].Total.Current.Bans, back.Communities[0].Total.Current.Bans)
	assert.Equal(t, int64(4950), back.Communities[0].Total.Current.MedianFirstResponseSeconds)
	assert.True(t, r.From.Equal(back.From))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWritersReportErrors(t *testing.T) {
	r := goldenReport(t)
	assert.ErrorIs(t, WriteCSV(failingWriter{}, r), os.ErrClosed)
	assert.ErrorIs(t, WriteJSON(failingWriter{}, r), os.ErrClosed)
}
