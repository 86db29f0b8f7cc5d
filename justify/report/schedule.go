package report

import (
	"fmt"
	"time"
)

// Schedule periods.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Schedule says when an owner gets a digest: every day, or every week on Weekday, at the
// wall-clock time At ("09:00") in Location (UTC when nil).
//
// Across daylight-saving changes the wall clock wins: a digest at 09:00 comes at 09:00
// both sides of a change. A time the clock skips (02:30 on a spring-forward night) comes
// as late as the clock jumped (03:30); a time that happens twice (02:30 on a fall-back
// night) comes at its first occurrence only.
type Schedule struct {
	Every    string // Daily or Weekly
	Weekday  time.Weekday
	At       string // "HH:MM", 24-hour
	Location *time.Location
}

// Validate reports what is wrong with a schedule, naming the field.
func (s Schedule) Validate() error {
	if s.Every != Daily && s.Every != Weekly {
		return fmt.Errorf("every: %q: use %s or %s", s.Every, Daily, Weekly)
	}
	if s.Weekday < time.Sunday || s.Weekday > time.Saturday {
		return fmt.Errorf("weekday: %d is not a day of the week", s.Weekday)
	}
	if _, _, err := s.clock(); err != nil {
		return err
	}
	return nil
}

func (s Schedule) clock() (int, int, error) {
	bad := fmt.Errorf("at: %q: write the time as HH:MM, like 09:00", s.At)
	if len(s.At) != 5 || s.At[2] != ':' {
		return 0, 0, bad
	}
	// Digits only: Sscanf alone would take "+9:00" for 09:00.
	for i, c := range s.At {
		if i != 2 && (c < '0' || c > '9') {
			return 0, 0, bad
		}
	}
	h := int(s.At[0]-'0')*10 + int(s.At[1]-'0')
	m := int(s.At[3]-'0')*10 + int(s.At[4]-'0')
	if h > 23 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

func (s Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// occurrence returns the schedule's instant on a calendar day (y, m, d), and false when the
// schedule does not run that day. d may overflow the month: it is normalized.
func (s Schedule) occurrence(y int, m time.Month, d int) (time.Time, bool) {
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if s.Every == Weekly && day.Weekday() != s.Weekday {
		return time.Time{}, false
	}
	h, min, err := s.clock()
	if err != nil {
		return time.Time{}, false
	}
	return wallClock(day.Year(), day.Month(), day.Day(), h, min, s.loc()), true
}

// wallClock returns the instant when the clock in loc shows the date and time: the first
// of two when the time happens twice, and for a time the clock skips the instant it would
// have been with the offset in force before the jump (02:30 skipped by a one-hour jump
// at 02:00 gives 03:30).
func wallClock(y int, m time.Month, d, h, min int, loc *time.Location) time.Time {
	naive := time.Date(y, m, d, h, min, 0, 0, time.UTC)
	// Transitions are hours apart from each other, so the offsets half a day either side
	// are the only candidates.
	_, before := naive.Add(-12 * time.Hour).In(loc).Zone()
	_, after := naive.Add(12 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		w := t.In(loc)
		if w.Year() == y && w.Month() == m && w.Day() == d && w.Hour() == h && w.Minute() == min {
			if best.IsZero() || t.Before(best) {
				best = t
			}
		}
	}
	if best.IsZero() {
		best = naive.Add(-time.Duration(before) * time.Second)
	}
	return best.In(loc)
}

// Next returns the first scheduled instant strictly after after, in the schedule's location.
// It returns the zero time for an invalid schedule.
func (s Schedule) Next(after time.Time) time.Time {
	if s.Validate() != nil {
		return time.Time{}
	}
	a := after.In(s.loc())
	for i := -1; i <= 8; i++ {
		if t, ok := s.occurrence(a.Year(), a.Month(), a.Day()+i); ok && t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// Prev returns the last scheduled instant at or before at; the zero time for an invalid
// schedule.
func (s Schedule) Prev(at time.Time) time.Time {
	if s.Validate() != nil {
		return time.Time{}
	}
	a := at.In(s.loc())
	for i := 1; i >= -8; i-- {
		if t, ok := s.occurrence(a.Year(), a.Month(), a.Day()+i); ok && !t.After(at) {
			return t
		}
	}
	return time.Time{}
}

// Period returns the period the digest due at or before at covers: to is the last scheduled
// instant at or before at, from the scheduled instant before it (a day or a week earlier on
// the wall clock, so 23 or 25 hours across a daylight-saving change). Consecutive digests'
// periods meet exactly, whenever the digest is actually sent.
func (s Schedule) Period(at time.Time) (from, to time.Time) {
	to = s.Prev(at)
	if to.IsZero() {
		return time.Time{}, time.Time{}
	}
	return s.Prev(to.Add(-time.Nanosecond)), to
}
