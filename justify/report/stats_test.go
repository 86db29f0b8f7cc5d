package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// /stats shows today from midnight in the team's zone, with the figures Load gives.
func TestTodayStats(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	now := utc("2026-11-23T10:00:00Z") // 13:00 in Moscow
	tests := []struct {
		name     string
		location *time.Location
		from     time.Time
		title    string
	}{
		{name: "the team's zone", location: msk, from: dayFrom, title: "Модерация за 23.11.2026 00:00 – 23.11.2026 13:00 (MSK)"},
		{name: "UTC when none", from: utc("2026-11-23T00:00:00Z"), title: "Модерация за 23.11.2026 00:00 – 23.11.2026 10:00 (UTC)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := loadFixture()
			s := TodayStats{Reader: f, Options: fixtureOptions, Location: tt.location, Now: func() time.Time { return now }}
			got, err := s.Today(context.Background(), "ru", nil)
			require.NoError(t, err)

			require.Len(t, f.casesAsked, 1)
			assert.True(t, f.casesAsked[0][1].Equal(now), "until now")
			assert.True(t, f.casesAsked[0][0].Equal(tt.from.Add(-now.Sub(tt.from))), "and the time as long before midnight")
			assert.Contains(t, got, tt.title)

			loc := tt.location
			if loc == nil {
				loc = time.UTC
			}
			want, err := Load(context.Background(), loadFixture(), fixtureOptions, tt.from.In(loc), now.In(loc))
			require.NoError(t, err)
			assert.Equal(t, RenderHTML(want, "ru"), got, "the figures of Load, rendered for Telegram")
		})
	}
}

// A busy day's /stats is one message: when the examples would not fit, every community's
// figures are kept and the lists left out, saying so.
func TestTodayStatsKeepsEveryCommunitysFiguresInOneMessage(t *testing.T) {
	now := utc("2026-11-23T20:00:00Z")
	f := &fakeReader{}
	long := strings.Repeat("Где мой заказ? Жду уже неделю, никто не отвечает. ", 5)
	for g := int64(1); g <= 3; g += 2 {
		for i := range 12 {
			for _, kind := range []justify.SignKind{justify.SignSkipped, justify.SignOneWord, justify.SignStall} {
				at := utc("2026-11-23T08:00:00Z").Add(time.Duration(i) * time.Minute)
				f.signs = append(f.signs, justify.Sign{GroupID: g, Kind: kind, OperatorVKID: 101, CustomerVKID: int64(5000 + i),
					At: at, Key: fmt.Sprintf("%s:%d:%d", kind, g, i), Excerpt: long, Link: "https://vk.com/gim1?sel=5000"})
			}
		}
	}
	full, err := Load(context.Background(), f, Options{People: fixturePeople, Communities: fixtureOptions.Communities},
		utc("2026-11-23T00:00:00Z"), now)
	require.NoError(t, err)
	require.Greater(t, utf8.RuneCountInString(RenderHTML(full, "en")), MaxMessageLen, "the lists do not fit")

	s := TodayStats{Reader: f, Options: Options{People: fixturePeople, Communities: fixtureOptions.Communities},
		Now: func() time.Time { return now }}
	got, err := s.Today(context.Background(), "en", nil)
	require.NoError(t, err)
	assert.LessOrEqual(t, utf8.RuneCountInString(got), MaxMessageLen)
	for _, want := range []string{"<b>Shop</b>", "<b>Quiet</b>", "Signs of shirking: stalls 12 (+12) · one-word replies 12 (+12) · skipped requests 12 (+12)",
		"The lists and examples do not fit one message: the digest and modwatch report have them."} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, 4, strings.Count(got, "Signs of shirking: stalls 12"), "both communities' totals and Анна's rows")
	assert.NotContains(t, got, "Где мой заказ", "no examples")
}
