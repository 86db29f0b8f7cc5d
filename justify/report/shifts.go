package report

import (
	"time"

	"github.com/modwatch/modwatch/justify"
)

// byName maps VK ids to the names of the people configured with them.
func byName(people []justify.Person) map[int64]string {
	out := map[int64]string{}
	for _, p := range people {
		if p.VKID != 0 {
			out[p.VKID] = p.Name
		}
	}
	return out
}

// shiftHours marks, for each named operator with shifts, the hours of the day in loc they
// are on shift on some day of [from, to) (at most its first week: shifts repeat weekly).
// An hour counts when the shift covers any part of it.
func shiftHours(shifts map[int64]justify.Schedule, names map[int64]string, from, to time.Time, loc *time.Location) map[string][24]bool {
	out := map[string][24]bool{}
	if len(shifts) == 0 || !from.Before(to) {
		return out
	}
	if week := from.AddDate(0, 0, 7); to.After(week) {
		to = week
	}
	for vk, sch := range shifts {
		name, ok := names[vk]
		if !ok || len(sch) == 0 {
			continue
		}
		var hours [24]bool
		f := from.In(loc)
		start := time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), 0, 0, 0, loc)
		for t := start; t.Before(to); t = t.Add(time.Hour) {
			if sch.Overlaps(t, t.Add(time.Hour)) {
				hours[t.In(loc).Hour()] = true
			}
		}
		out[name] = hours
	}
	return out
}
