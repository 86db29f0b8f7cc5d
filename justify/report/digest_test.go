package report

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report/chart"
)

func TestDigest(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	// The report's times are in UTC, as a loader may leave them; the digest shows Moscow.
	r := Compute(fixtureInput(t))
	require.Equal(t, time.UTC, r.From.Location())
	tests := []struct {
		name, lang, caption string
	}{
		{name: "Russian", lang: "ru", caption: "Модерация за 23.11.2026 (MSK): баны 5 (+4), удаления 2 (+2), отменено 2 (+2), без причины 1 (+1), удалены неотвеченные 2 (+2)"},
		{name: "English", lang: "en", caption: "Moderation for 2026-11-23 (MSK): bans 5 (+4), deletions 2 (+2), reversed 2 (+2), no reason 1 (+1), unanswered deleted 2 (+2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Digest(r, tt.lang, msk)
			require.NoError(t, err)
			assert.Equal(t, tt.caption, d.Caption)
			shown := r
			shown.From, shown.To = r.From.In(msk), r.To.In(msk)
			// The report's HTML, with the signs of shirking as the digest shows them (none here).
			assert.Equal(t, render(shown, tt.lang, format{html: true, worst: true}), d.Text)
			assert.Equal(t, RenderHTML(shown, tt.lang), d.Text)
			assert.Equal(t, "activity-2026-11-23.png", d.ChartName)
			img, err := png.Decode(bytes.NewReader(d.Chart))
			require.NoError(t, err)
			assert.Equal(t, chart.Width, img.Bounds().Dx())
			// The digest survives the outbox.
			back, err := justify.ParseDigest(d.Payload())
			require.NoError(t, err)
			assert.Equal(t, d, back)
		})
	}
}

func TestDigestEmpty(t *testing.T) {
	d, err := Digest(Compute(Input{From: dayFrom, To: dayTo}), "ru", nil)
	require.NoError(t, err)
	assert.Equal(t, "activity-2026-11-22.png", d.ChartName, "UTC when no location")
	assert.Equal(t, "Модерация за 22.11.2026 21:00 – 23.11.2026 21:00 (UTC): баны 0, удаления 0", d.Caption)
	_, err = png.Decode(bytes.NewReader(d.Chart))
	require.NoError(t, err)
}
