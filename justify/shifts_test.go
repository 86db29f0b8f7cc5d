package justify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func mustShift(t *testing.T, days []string, from, to string, loc *time.Location) justify.Shift {
	t.Helper()
	s, err := justify.ParseShift(days, from, to, loc)
	require.NoError(t, err)
	return s
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri"}

func TestParseShiftRefuses(t *testing.T) {
	tests := []struct {
		name           string
		days           []string
		from, to, want string
	}{
		{name: "no days", from: "09:00", to: "18:00", want: "no days"},
		{name: "bad day", days: []string{"mon", "funday"}, from: "09:00", to: "18:00", want: `"funday" is not a day`},
		{name: "bad from", days: weekdays, from: "9:00", to: "18:00", want: "from:"},
		{name: "bad to", days: weekdays, from: "09:00", to: "25:00", want: "to:"},
		{name: "no length", days: weekdays, from: "09:00", to: "09:00", want: "some length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := justify.ParseShift(tt.days, tt.from, tt.to, time.UTC)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	s, err := justify.ParseShift([]string{"Monday", "sun"}, "00:00", "24:00", nil)
	require.NoError(t, err, "full day names and 24:00 are accepted")
	assert.Equal(t, 24*time.Hour, justify.Schedule{s}.Within(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)))
}

func TestScheduleArithmetic(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	office := justify.Schedule{mustShift(t, weekdays, "09:00", "18:00", msk)}
	night := justify.Schedule{mustShift(t, []string{"fri"}, "22:00", "06:00", time.UTC)}
	// 2026-11-23 is a Monday; Moscow is UTC+3.
	mon := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, msk) }

	t.Run("on shift", func(t *testing.T) {
		assert.True(t, office.On(mon(9, 0)))
		assert.True(t, office.On(mon(17, 59)))
		assert.False(t, office.On(mon(18, 0)), "the end is not part of the shift")
		assert.False(t, office.On(mon(8, 59)))
		assert.False(t, office.On(time.Date(2026, 11, 28, 12, 0, 0, 0, msk)), "Saturday")
		assert.True(t, night.On(time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)), "Friday's night shift runs into Saturday")
		assert.False(t, night.On(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)), "Friday early morning belongs to Thursday's night, which there is none")
	})
	t.Run("within", func(t *testing.T) {
		assert.Equal(t, 9*time.Hour, office.Within(mon(0, 0), mon(23, 0)))
		assert.Equal(t, 30*time.Minute, office.Within(mon(17, 30), mon(20, 0)))
		assert.Equal(t, 2*time.Hour, office.Within(mon(17, 0), time.Date(2026, 11, 24, 10, 0, 0, 0, msk)), "an hour each day")
		assert.Equal(t, 3*time.Hour, justify.Schedule(nil).Within(mon(17, 0), mon(20, 0)), "no schedule: every hour counts")
		assert.Zero(t, office.Within(mon(20, 0), mon(17, 0)))
	})
	t.Run("add", func(t *testing.T) {
		assert.Equal(t, mon(13, 0), office.Add(mon(9, 0), 4*time.Hour))
		assert.Equal(t, time.Date(2026, 11, 24, 13, 0, 0, 0, msk), office.Add(mon(20, 0), 4*time.Hour), "after hours: 13:00 the next working day")
		assert.Equal(t, time.Date(2026, 11, 30, 10, 0, 0, 0, msk), office.Add(time.Date(2026, 11, 27, 17, 0, 0, 0, msk), 2*time.Hour), "over the weekend")
		assert.Equal(t, mon(22, 0), justify.Schedule(nil).Add(mon(20, 0), 2*time.Hour))
	})
	t.Run("intervals merge overlapping shifts", func(t *testing.T) {
		team := justify.Schedule{mustShift(t, weekdays, "09:00", "14:00", msk), mustShift(t, weekdays, "13:00", "18:00", msk)}
		ivs := team.Intervals(mon(0, 0), mon(23, 59))
		require.Len(t, ivs, 1)
		assert.Equal(t, mon(9, 0), ivs[0].From)
		assert.Equal(t, mon(18, 0), ivs[0].To)
	})
	t.Run("daylight saving keeps the wall clock", func(t *testing.T) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		s := justify.Schedule{mustShift(t, []string{"sun", "mon"}, "09:00", "18:00", berlin)}
		// 2026-03-29 is the Sunday clocks go forward in Berlin.
		ivs := s.Intervals(time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), time.Date(2026, 3, 31, 0, 0, 0, 0, berlin))
		require.Len(t, ivs, 2)
		assert.Equal(t, 9, ivs[0].From.In(berlin).Hour())
		assert.Equal(t, 9, ivs[1].From.In(berlin).Hour())
	})
}
