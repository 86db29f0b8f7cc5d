package report

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
