package justify

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Shift is a person's weekly working hours in a time zone: on each of Days, from From to
// To after local midnight. A To at or before From ends the next day (a night shift), so
// the day is the one the shift starts on.
type Shift struct {
	Days     [7]bool // by time.Weekday
	From, To time.Duration
	Location *time.Location
}

// Schedule is a person's shifts; the team's business hours are the union of its
// operators' schedules.
type Schedule []Shift

// Interval is a stretch of time [From, To).
type Interval struct{ From, To time.Time }

// Duration is the interval's length.
func (i Interval) Duration() time.Duration { return i.To.Sub(i.From) }

var shiftDays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// ParseShift reads a shift as the config writes it: days as mon ... sun (or monday ...
// sunday), from and to as HH:MM. The error names what is wrong.
func ParseShift(days []string, from, to string, loc *time.Location) (Shift, error) {
	s := Shift{Location: loc}
	if loc == nil {
		s.Location = time.UTC
	}
	if len(days) == 0 {
		return s, fmt.Errorf("no days: list them as mon, tue, wed, thu, fri, sat, sun")
	}
	for _, d := range days {
		wd, ok := shiftDays[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return s, fmt.Errorf("%q is not a day: use mon, tue, wed, thu, fri, sat, sun", d)
		}
		s.Days[wd] = true
	}
	var err error
	if s.From, err = clockTime(from); err != nil {
		return s, fmt.Errorf("from: %w", err)
	}
	if s.To, err = clockTime(to); err != nil {
		return s, fmt.Errorf("to: %w", err)
	}
	if s.From == s.To {
		return s, fmt.Errorf("from and to are both %s: a shift needs some length", from)
	}
	return s, nil
}

// clockTime reads "HH:MM" (24:00 allowed as the end of a day) as time after midnight.
func clockTime(v string) (time.Duration, error) {
	var h, m int
	if len(v) != 5 || v[2] != ':' {
		return 0, fmt.Errorf("%q: write the time as HH:MM, like 09:00", v)
	}
	if _, err := fmt.Sscanf(v, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q: write the time as HH:MM, like 09:00", v)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// intervals lists the shift's working stretches that overlap [from, to), unclipped.
func (s Shift) intervals(from, to time.Time) []Interval {
	var out []Interval
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	// A shift starting the day before from may still run; one starting after to cannot.
	day := from.In(loc).AddDate(0, 0, -1)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if !s.Days[day.Weekday()] {
			continue
		}
		start := at(day, s.From)
		endDay := day
		if s.To <= s.From {
			endDay = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		}
		end := at(endDay, s.To)
		if end.After(from) && start.Before(to) {
			out = append(out, Interval{From: start, To: end})
		}
	}
	return out
}

// at is the wall-clock time d after the midnight of day, in day's location, so that a
// shift starts at 09:00 on the day daylight saving changes too.
func at(day time.Time, d time.Duration) time.Time {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
}

// Intervals lists the working time of the schedule within [from, to): merged, sorted and
// clipped to the bounds.
func (sc Schedule) Intervals(from, to time.Time) []Interval {
	if !from.Before(to) {
		return nil
	}
	var all []Interval
	for _, s := range sc {
		all = append(all, s.intervals(from, to)...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].From.Before(all[j].From) })
	var out []Interval
	for _, iv := range all {
		if iv.From.Before(from) {
			iv.From = from
		}
		if iv.To.After(to) {
			iv.To = to
		}
		if !iv.From.Before(iv.To) {
			continue
		}
		if n := len(out); n > 0 && !iv.From.After(out[n-1].To) {
			if iv.To.After(out[n-1].To) {
				out[n-1].To = iv.To
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// On reports whether t falls within a shift.
func (sc Schedule) On(t time.Time) bool { return len(sc.Intervals(t, t.Add(time.Nanosecond))) > 0 }

// Overlaps reports whether any shift overlaps [from, to).
func (sc Schedule) Overlaps(from, to time.Time) bool { return len(sc.Intervals(from, to)) > 0 }

// Within is how much working time lies between from and to: business hours, as help
// desks count them. An empty schedule counts every hour.
func (sc Schedule) Within(from, to time.Time) time.Duration {
	if !from.Before(to) {
		return 0
	}
	if len(sc) == 0 {
		return to.Sub(from)
	}
	var d time.Duration
	for _, iv := range sc.Intervals(from, to) {
		d += iv.Duration()
	}
	return d
}

// Add returns the moment when d of working time has passed since from: a four-hour answer
// deadline for a message written at 20:00 to a team working 09:00-18:00 falls at 13:00 the
// next working day. An empty schedule counts every hour.
func (sc Schedule) Add(from time.Time, d time.Duration) time.Time {
	if len(sc) == 0 || d <= 0 {
		return from.Add(d)
	}
	left := d
	for start := from; ; start = start.Add(7 * 24 * time.Hour) {
		end := start.Add(7 * 24 * time.Hour)
		ivs := sc.Intervals(start, end)
		for _, iv := range ivs {
			if iv.Duration() >= left {
				return iv.From.Add(left)
			}
			left -= iv.Duration()
		}
		if len(ivs) == 0 && start.Sub(from) > 8*24*time.Hour {
			// Every shift has some length and a day, so a week without one cannot happen;
			// this only guards against a loop on a schedule built by hand.
			return from.Add(d)
		}
	}
}
