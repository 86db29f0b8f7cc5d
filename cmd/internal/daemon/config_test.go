package daemon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify/report"
)

// TestDigestScheduleAgreesWithReport checks that configs, which cannot import the report
// package, accepts exactly the digests the report's own schedule accepts: a digest that
// passes `config check` never stops the daemon's start.
func TestDigestScheduleAgreesWithReport(t *testing.T) {
	tests := []struct {
		name string
		d    configs.DigestConfig
		want report.Schedule
		bad  string // the key named, or empty when valid
	}{
		{name: "defaults", d: configs.DefaultDigest(),
			want: report.Schedule{Every: report.Daily, Weekday: time.Monday, At: "09:00", Location: time.UTC}},
		{name: "weekly", d: configs.DigestConfig{Every: "weekly", Weekday: "Friday", At: "23:59", TimeZone: "Europe/Moscow"},
			want: report.Schedule{Every: report.Weekly, Weekday: time.Friday, At: "23:59", Location: moscow(t)}},
		{name: "midnight", d: configs.DigestConfig{Every: "daily", Weekday: "sunday", At: "00:00"},
			want: report.Schedule{Every: report.Daily, Weekday: time.Sunday, At: "00:00", Location: time.UTC}},
		{name: "monthly", d: configs.DigestConfig{Every: "monthly", Weekday: "monday", At: "09:00"}, bad: "every"},
		{name: "hour 24", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "24:00"}, bad: "at"},
		{name: "minute 60", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "09:60"}, bad: "at"},
		{name: "one-digit hour", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "9:00"}, bad: "at"},
		{name: "sign", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "+9:00"}, bad: "at"},
		{name: "seconds", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "09:00:00"}, bad: "at"},
		{name: "weekday", d: configs.DigestConfig{Every: "weekly", Weekday: "funday", At: "09:00"}, bad: "weekday"},
		{name: "time zone", d: configs.DigestConfig{Every: "daily", Weekday: "monday", At: "09:00", TimeZone: "Mars/Base"}, bad: "time_zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digestSchedule("people[0].digest", tt.d)
			if tt.bad == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.bad+":")
			_, err = tt.d.Timing()
			assert.Error(t, err, "configs refuses it too, so config check names it")
			// And the report refuses what configs refuses on the clock and the period.
			if tt.bad == "at" || tt.bad == "every" {
				assert.Error(t, report.Schedule{Every: tt.d.Every, At: tt.d.At}.Validate())
			}
		})
	}
}

func moscow(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}
