package report

import (
	"testing"
	"time"
	_ "time/tzdata" // the schedules' zones must resolve on a machine without tzdata

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// daily and weekly keep the table's rows to what differs between them.
func daily(at string) Schedule { return Schedule{Every: Daily, At: at} }

func weekly(day time.Weekday, at string) Schedule {
	return Schedule{Every: Weekly, Weekday: day, At: at}
}

func TestScheduleNextPrev(t *testing.T) {
	tests := []struct {
		name     string
		sched    Schedule
		zone     string
		at       string
		next     string
		prev     string
		from, to string // Period(at)
	}{
		{
			name: "daily in Moscow, before the time", sched: daily("09:00"), zone: "Europe/Moscow",
			at: "2026-11-23T05:00:00Z", next: "2026-11-23T06:00:00Z", prev: "2026-11-22T06:00:00Z",
			from: "2026-11-21T06:00:00Z", to: "2026-11-22T06:00:00Z",
		},
		{
			name: "daily in Moscow, exactly at the time", sched: daily("09:00"), zone: "Europe/Moscow",
			at: "2026-11-23T06:00:00Z", next: "2026-11-24T06:00:00Z", prev: "2026-11-23T06:00:00Z",
			from: "2026-11-22T06:00:00Z", to: "2026-11-23T06:00:00Z",
		},
		{
			name: "daily in Vladivostok, already the next day there", sched: daily("09:00"), zone: "Asia/Vladivostok",
			at: "2026-11-23T00:00:00Z", next: "2026-11-23T23:00:00Z", prev: "2026-11-22T23:00:00Z",
			from: "2026-11-21T23:00:00Z", to: "2026-11-22T23:00:00Z",
		},
		{
			name: "daily at midnight in Vladivostok", sched: daily("00:00"), zone: "Asia/Vladivostok",
			at: "2026-11-23T13:59:00Z", next: "2026-11-23T14:00:00Z", prev: "2026-11-22T14:00:00Z",
			from: "2026-11-21T14:00:00Z", to: "2026-11-22T14:00:00Z",
		},
		{
			name: "weekly Monday in New York, before the time", sched: weekly(time.Monday, "09:00"), zone: "America/New_York",
			at: "2026-11-23T13:00:00Z", next: "2026-11-23T14:00:00Z", prev: "2026-11-16T14:00:00Z",
			from: "2026-11-09T14:00:00Z", to: "2026-11-16T14:00:00Z",
		},
		{
			name: "weekly Monday in New York, after the time", sched: weekly(time.Monday, "09:00"), zone: "America/New_York",
			at: "2026-11-25T00:00:00Z", next: "2026-11-30T14:00:00Z", prev: "2026-11-23T14:00:00Z",
			from: "2026-11-16T14:00:00Z", to: "2026-11-23T14:00:00Z",
		},
		{
			name: "weekly Sunday in Moscow from Saturday", sched: weekly(time.Sunday, "23:30"), zone: "Europe/Moscow",
			at: "2026-11-28T12:00:00Z", next: "2026-11-29T20:30:00Z", prev: "2026-11-22T20:30:00Z",
			from: "2026-11-15T20:30:00Z", to: "2026-11-22T20:30:00Z",
		},
		{
			name: "UTC when no location", sched: daily("09:00"),
			at: "2026-11-23T08:59:59Z", next: "2026-11-23T09:00:00Z", prev: "2026-11-22T09:00:00Z",
			from: "2026-11-21T09:00:00Z", to: "2026-11-22T09:00:00Z",
		},
		// New York springs forward on 2026-03-08 and falls back on 2026-11-01.
		{
			name: "daily in New York, spring forward: a 23-hour day", sched: daily("09:00"), zone: "America/New_York",
			at: "2026-03-08T13:30:00Z", next: "2026-03-09T13:00:00Z", prev: "2026-03-08T13:00:00Z",
			from: "2026-03-07T14:00:00Z", to: "2026-03-08T13:00:00Z",
		},
		{
			name: "daily in New York, fall back: a 25-hour day", sched: daily("09:00"), zone: "America/New_York",
			at: "2026-11-01T14:00:00Z", next: "2026-11-02T14:00:00Z", prev: "2026-11-01T14:00:00Z",
			from: "2026-10-31T13:00:00Z", to: "2026-11-01T14:00:00Z",
		},
		{
			name: "weekly in New York across spring forward", sched: weekly(time.Sunday, "09:00"), zone: "America/New_York",
			at: "2026-03-08T12:00:00Z", next: "2026-03-08T13:00:00Z", prev: "2026-03-01T14:00:00Z",
			from: "2026-02-22T14:00:00Z", to: "2026-03-01T14:00:00Z",
		},
		{
			name: "weekly in New York, the week of spring forward is 167 hours", sched: weekly(time.Sunday, "09:00"), zone: "America/New_York",
			at: "2026-03-08T13:00:00Z", next: "2026-03-15T13:00:00Z", prev: "2026-03-08T13:00:00Z",
			from: "2026-03-01T14:00:00Z", to: "2026-03-08T13:00:00Z",
		},
		// Berlin springs forward at 02:00 on 2026-03-29 and falls back at 03:00 on 2026-10-25.
		{
			name: "daily in Berlin, a skipped time comes an hour late", sched: daily("02:30"), zone: "Europe/Berlin",
			at: "2026-03-28T12:00:00Z", next: "2026-03-29T01:30:00Z", prev: "2026-03-28T01:30:00Z",
			from: "2026-03-27T01:30:00Z", to: "2026-03-28T01:30:00Z",
		},
		{
			name: "daily in Berlin, after the skipped time", sched: daily("02:30"), zone: "Europe/Berlin",
			at: "2026-03-29T01:30:00Z", next: "2026-03-30T00:30:00Z", prev: "2026-03-29T01:30:00Z",
			from: "2026-03-28T01:30:00Z", to: "2026-03-29T01:30:00Z",
		},
		{
			name: "daily in Berlin, a repeated time comes once, at its first occurrence", sched: daily("02:30"), zone: "Europe/Berlin",
			at: "2026-10-25T00:30:00Z", next: "2026-10-26T01:30:00Z", prev: "2026-10-25T00:30:00Z",
			from: "2026-10-24T00:30:00Z", to: "2026-10-25T00:30:00Z",
		},
		{
			name: "daily in Berlin, between the two 02:30s", sched: daily("02:30"), zone: "Europe/Berlin",
			at: "2026-10-25T01:00:00Z", next: "2026-10-26T01:30:00Z", prev: "2026-10-25T00:30:00Z",
			from: "2026-10-24T00:30:00Z", to: "2026-10-25T00:30:00Z",
		},
		{
			name: "daily in Berlin, fall back at 09:00: a 25-hour day", sched: daily("09:00"), zone: "Europe/Berlin",
			at: "2026-10-25T08:00:00Z", next: "2026-10-26T08:00:00Z", prev: "2026-10-25T08:00:00Z",
			from: "2026-10-24T07:00:00Z", to: "2026-10-25T08:00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.sched
			if tt.zone != "" {
				s.Location = mustLoad(t, tt.zone)
			}
			require.NoError(t, s.Validate())
			at := utc(tt.at)
			next := s.Next(at)
			assert.Equal(t, utc(tt.next), next.UTC(), "next")
			assert.Equal(t, s.loc(), next.Location(), "next is in the schedule's zone")
			assert.Equal(t, utc(tt.prev), s.Prev(at).UTC(), "prev")
			from, to := s.Period(at)
			assert.Equal(t, utc(tt.from), from.UTC(), "period from")
			assert.Equal(t, utc(tt.to), to.UTC(), "period to")
		})
	}
}

// Digests sent one after another, however late, cover time without a gap or an overlap,
// and each comes at the configured time on the wall clock, across both changes of a year.
func TestSchedulePeriodsMeet(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Europe/Moscow", "Asia/Vladivostok"} {
		for _, s := range []Schedule{
			{Every: Daily, At: "09:00"},
			{Every: Daily, At: "02:30"},
			{Every: Weekly, Weekday: time.Sunday, At: "02:30"},
			{Every: Weekly, Weekday: time.Wednesday, At: "18:45"},
		} {
			s.Location = mustLoad(t, zone)
			t.Run(zone+" "+s.Every+" "+s.At, func(t *testing.T) {
				at := s.Next(utc("2026-01-01T00:00:00Z"))
				require.False(t, at.IsZero())
				lastTo, _ := s.Period(at) // the instant before the first
				n := 0
				for at.Before(utc("2027-01-01T00:00:00Z")) {
					wall := at.In(s.Location)
					if wall.Format("15:04") != s.At {
						// Only a skipped time may differ, and only by the jump.
						assert.Equal(t, "03:30", wall.Format("15:04"), "at %s", at)
					}
					if s.Every == Weekly {
						assert.Equal(t, s.Weekday, wall.Weekday(), "at %s", at)
					}
					next := s.Next(at)
					// A late digest covers the same period as a timely one.
					late := next.Add(-time.Minute)
					from, to := s.Period(late)
					require.Equal(t, at, to, "period to at %s", late)
					require.Equal(t, lastTo, from, "periods meet at %s", late)
					lastTo = to
					at = next
					n++
				}
				if s.Every == Daily {
					assert.Equal(t, 365, n)
				} else {
					assert.Equal(t, 52, n)
				}
			})
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name  string
		sched Schedule
		err   string
	}{
		{name: "daily", sched: Schedule{Every: Daily, At: "09:00"}},
		{name: "weekly", sched: Schedule{Every: Weekly, Weekday: time.Saturday, At: "23:59"}},
		{name: "bad period", sched: Schedule{Every: "monthly", At: "09:00"}, err: `every: "monthly"`},
		{name: "bad weekday", sched: Schedule{Every: Weekly, Weekday: 7, At: "09:00"}, err: "weekday: 7"},
		{name: "no time", sched: Schedule{Every: Daily}, err: `at: ""`},
		{name: "one-digit hour", sched: Schedule{Every: Daily, At: "9:00"}, err: `at: "9:00"`},
		{name: "hour 24", sched: Schedule{Every: Daily, At: "24:00"}, err: `at: "24:00"`},
		{name: "minute 60", sched: Schedule{Every: Daily, At: "09:60"}, err: `at: "09:60"`},
		{name: "sign", sched: Schedule{Every: Daily, At: "+9:00"}, err: `at: "+9:00"`},
		{name: "letters", sched: Schedule{Every: Daily, At: "ab:cd"}, err: `at: "ab:cd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sched.Validate()
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, tt.sched.Next(dayFrom).IsZero(), "an invalid schedule never fires")
			assert.True(t, tt.sched.Prev(dayFrom).IsZero())
			from, to := tt.sched.Period(dayFrom)
			assert.True(t, from.IsZero() && to.IsZero())
		})
	}
}
