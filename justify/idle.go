package justify

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Idle time: a stretch of at least Conversations.IdleAfter inside an operator's shift with
// no action of theirs (a reply, a ban, a deletion, in any community) while requests of a
// community waited throughout. It is counted per community and UTC day, again whenever
// something that day changed (a wait, an action), and for today and yesterday every few
// minutes, as a stretch still going on grows with time alone.

// IdleDay is a day of a community whose idle time must be counted again; GroupID 0 means
// every community's.
type IdleDay struct {
	GroupID int64
	Day     time.Time // midnight UTC
}

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// noteAction marks the day an operator with shifts acted, in every community: an action
// anywhere ends an idle stretch.
func (s *Service) noteAction(tx Tx, ev Event) error {
	if ev.ActorVKID == 0 || len(s.conversations().Rules.Shifts[ev.ActorVKID]) == 0 {
		return nil
	}
	at := ev.At
	if at.IsZero() {
		at = s.now()
	}
	return tx.MarkIdleDirty(IdleDay{Day: utcDay(at)})
}

// idleChanged marks the days from from to to of a community, where its waits changed.
func (s *Service) idleChanged(tx Tx, groupID int64, from, to time.Time) error {
	if len(s.conversations().Rules.Shifts) == 0 {
		return nil
	}
	for d := utcDay(from); !d.After(to); d = d.AddDate(0, 0, 1) {
		if err := tx.MarkIdleDirty(IdleDay{GroupID: groupID, Day: d}); err != nil {
			return err
		}
	}
	return nil
}

// countIdle counts idle time again for the days marked and, every idleSweepEvery, for
// today and yesterday, each day of each community in a transaction of its own.
func (s *Service) countIdle(ctx context.Context, now time.Time) error {
	if len(s.conversations().Rules.Shifts) == 0 {
		return nil
	}
	var dirty []IdleDay
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		dirty, err = tx.IdleDirty()
		return err
	}); err != nil {
		return fmt.Errorf("list days to count idle time of: %w", err)
	}
	today := utcDay(now)
	if s.conversations().sweepDue(now) {
		dirty = append(dirty, IdleDay{Day: today}, IdleDay{Day: today.AddDate(0, 0, -1)})
	}
	groups := s.groupIDs()
	for _, d := range dirty {
		if d.Day.After(now) {
			d.Day = today // a clock ahead of ours: count what can be counted
		}
		targets := []int64{d.GroupID}
		if d.GroupID == 0 {
			targets = groups
		}
		err := s.Store.Update(ctx, func(tx Tx) error {
			for _, g := range targets {
				if err := s.recountIdle(tx, g, d.Day, now, groups); err != nil {
					return err
				}
			}
			// Marks made while this ran wait for the next tick: writes are serialised,
			// so they come after this transaction.
			return tx.ClearIdleDirty(d)
		})
		if err != nil {
			return fmt.Errorf("count idle time of %s: %w", d.Day.Format(time.DateOnly), err)
		}
	}
	return nil
}

// groupIDs lists the watched communities, sorted.
func (s *Service) groupIDs() []int64 {
	communities := s.settings().Communities
	out := make([]int64, 0, len(communities))
	for id := range communities {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// recountIdle replaces the idle signs of one community that start on day. Stretches are
// found in a window of a day on each side, so that one crossing midnight is whole.
func (s *Service) recountIdle(tx Tx, groupID int64, day, now time.Time, groups []int64) error {
	from, to := day.AddDate(0, 0, -1), day.AddDate(0, 0, 2)
	if to.After(now) {
		to = now
	}
	var signs []Sign
	if from.Before(to) {
		waits, err := tx.WaitsBetween(groupID, from, to)
		if err != nil {
			return fmt.Errorf("read waits of group %d: %w", groupID, err)
		}
		for i := range waits {
			if waits[i].To.IsZero() || waits[i].To.After(to) {
				waits[i].To = to // still waiting
			}
		}
		shifts := s.conversations().Rules.Shifts
		for _, vk := range sortedVK(shifts) {
			actions, err := tx.ActionTimes(vk, groups, from, to)
			if err != nil {
				return fmt.Errorf("read actions of %d: %w", vk, err)
			}
			for _, st := range IdleStretches(shifts[vk].Intervals(from, to), waits, actions, s.conversations().IdleAfter) {
				if st.From.Before(day) || !st.From.Before(day.AddDate(0, 0, 1)) {
					continue
				}
				signs = append(signs, Sign{Kind: SignIdle, GroupID: groupID, OperatorVKID: vk, At: st.From,
					Minutes: int(st.Duration() / time.Minute), Link: fmt.Sprintf("https://vk.com/gim%d", groupID),
					Key: fmt.Sprintf("idle:%d:%d:%d", groupID, vk, st.From.Unix())})
			}
		}
	}
	if err := tx.ReplaceIdle(groupID, day, day.AddDate(0, 0, 1), signs); err != nil {
		return err
	}
	return s.checkSignsPerDay(tx, signs) // signsalert.go
}

// IdleStretches are the stretches of at least least inside shifts while some wait went on
// throughout and no action happened: the working time requests waited through untouched.
func IdleStretches(shifts, waits []Interval, actions []time.Time, least time.Duration) []Interval {
	eligible := intersect(shifts, mergeIntervals(waits))
	acts := append([]time.Time(nil), actions...)
	sort.Slice(acts, func(i, j int) bool { return acts[i].Before(acts[j]) })
	var out []Interval
	keep := func(iv Interval) {
		if iv.Duration() >= least && least > 0 {
			out = append(out, iv)
		}
	}
	for _, iv := range eligible {
		start := iv.From
		for _, a := range acts {
			if a.After(start) && a.Before(iv.To) {
				keep(Interval{From: start, To: a})
				start = a
			}
		}
		keep(Interval{From: start, To: iv.To})
	}
	return out
}

// mergeIntervals sorts intervals and joins those that overlap or touch.
func mergeIntervals(ivs []Interval) []Interval {
	s := append([]Interval(nil), ivs...)
	sort.Slice(s, func(i, j int) bool { return s[i].From.Before(s[j].From) })
	var out []Interval
	for _, iv := range s {
		if !iv.From.Before(iv.To) {
			continue
		}
		if n := len(out); n > 0 && !iv.From.After(out[n-1].To) {
			out[n-1].To = maxTime(out[n-1].To, iv.To)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// intersect is the time both sorted, merged lists cover.
func intersect(a, b []Interval) []Interval {
	var out []Interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := maxTime(a[i].From, b[j].From), a[i].To
		if b[j].To.Before(to) {
			to = b[j].To
		}
		if from.Before(to) {
			out = append(out, Interval{From: from, To: to})
		}
		if a[i].To.Before(b[j].To) {
			i++
		} else {
			j++
		}
	}
	return out
}
