package justify

import (
	"sort"
	"time"
)

// Which signs are the worst, for the digest's three examples of each kind and for the
// example an alert quotes. A support lead reads the worst first: they are the ones to
// raise with the operator. Per kind:
//   - bare greeting, stall, skipped: the customer left waiting longest (from the greeting,
//     the holding reply or the request to the answer, or to the end of the period while
//     none came);
//   - closed without reply: the customer who had waited longest when the conversation was
//     closed;
//   - repeat contact: the soonest return after the closing reply (the answer solved least);
//   - one-word reply and template: those after which the customer wrote again (the reply
//     did not do), then the most recent;
//   - idle: the longest stretch.
//
// Ties go to the most recent.

// SignSeverity ranks a sign among those of its kind: the greater, the worse. end stands
// for "now" for waits that have not ended (the end of a report's period).
func SignSeverity(s Sign, end time.Time) int64 {
	waited := func(from, to time.Time) int64 {
		if to.IsZero() || to.After(end) {
			to = end
		}
		if to.Before(from) {
			return 0
		}
		return int64(to.Sub(from) / time.Second)
	}
	switch s.Kind {
	case SignBareGreeting, SignStall, SignSkipped:
		return waited(s.At, s.Until)
	case SignClosedWithoutReply:
		if s.Until.IsZero() {
			return 0
		}
		return waited(s.Until, s.At)
	case SignRepeatContact:
		if s.Until.IsZero() {
			return -1 << 62 // the closing reply is unknown: rank it last
		}
		return -waited(s.Until, s.At)
	case SignOneWord, SignTemplate:
		if s.WroteAfter {
			return 1
		}
		return 0
	case SignIdle:
		return int64(s.Minutes)
	}
	return 0
}

// Worse reports whether a ranks before b (SignSeverity, then the more recent).
func Worse(a, b Sign, end time.Time) bool {
	if sa, sb := SignSeverity(a, end), SignSeverity(b, end); sa != sb {
		return sa > sb
	}
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.ID > b.ID
}

// WorstSigns sorts signs worst first (Worse) and keeps the first n (all when n <= 0).
// Signs of different kinds are not comparable: callers rank one kind at a time.
func WorstSigns(ss []Sign, end time.Time, n int) []Sign {
	out := append([]Sign(nil), ss...)
	sort.SliceStable(out, func(i, j int) bool { return Worse(out[i], out[j], end) })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// WorstTemplateUses sorts a template's uses worst first, as template signs rank: those
// after which the customer wrote again, then the most recent; it keeps the first n (all
// when n <= 0).
func WorstTemplateUses(us []TemplateUse, n int) []TemplateUse {
	out := append([]TemplateUse(nil), us...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].WroteAfter != out[j].WroteAfter {
			return out[i].WroteAfter
		}
		return out[i].At.After(out[j].At)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
