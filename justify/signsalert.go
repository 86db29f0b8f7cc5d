package justify

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// An operator piling up signs of shirking in one day is worth telling managers at once,
// not at the next digest. The check runs in the transaction that stores the signs (a
// rebuilt dialog, a recount of idle time), and what was alerted is recorded there too, in
// a cursor per operator, community and day: a restart neither loses an alert nor sends
// one twice, and a dialog rebuilt with the same signs alerts nothing.

// signsAlertDays is how far back a day may be for its signs to alert: today and
// yesterday. Older days come from a backfill of history, which is a digest's matter.
const signsAlertDays = 1

// operatorDay is one operator's signs of one day in one community.
type operatorDay struct {
	groupID, vk int64
	day         string // YYYY-MM-DD in the operator's zone
	from, to    time.Time
}

// operatorZone is where an operator's days begin: the time zone of their first shift,
// else the team's.
func (s *Service) operatorZone(vk int64) *time.Location {
	set := s.settings()
	if c := set.Conversations; c != nil {
		if sch := c.Rules.Shifts[vk]; len(sch) > 0 && sch[0].Location != nil {
			return sch[0].Location
		}
	}
	if set.Location != nil {
		return set.Location
	}
	return time.UTC
}

// checkSignsPerDay alerts managers about each operator whose signs, on a day some of the
// given signs fall in, now pass alerts.signs_per_day and are more than last alerted.
func (s *Service) checkSignsPerDay(tx Tx, signs []Sign) error {
	limit := s.settings().SignsPerDay
	if limit <= 0 || len(signs) == 0 {
		return nil
	}
	now := s.now()
	seen := map[operatorDay]bool{}
	var days []operatorDay
	for _, sg := range signs {
		if sg.OperatorVKID == 0 {
			continue // the community's: VK does not say who
		}
		loc := s.operatorZone(sg.OperatorVKID)
		t := sg.At.In(loc)
		from := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		today := now.In(loc)
		if from.Before(time.Date(today.Year(), today.Month(), today.Day()-signsAlertDays, 0, 0, 0, 0, loc)) {
			continue
		}
		d := operatorDay{groupID: sg.GroupID, vk: sg.OperatorVKID, day: from.Format(time.DateOnly), from: from,
			to: from.AddDate(0, 0, 1)}
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	for _, d := range days {
		if err := s.alertSignsOf(tx, d, limit); err != nil {
			return err
		}
	}
	return nil
}

// alertSignsOf alerts about one operator's day when its signs pass limit and grew since
// the last alert about it.
func (s *Service) alertSignsOf(tx Tx, d operatorDay, limit int) error {
	// Counted first, through the index alone: most rebuilds end here.
	n, err := tx.CountOperatorSigns(d.groupID, d.vk, d.from, d.to)
	if err != nil {
		return fmt.Errorf("count signs of %d on %s: %w", d.vk, d.day, err)
	}
	if n <= limit {
		return nil
	}
	cursor := fmt.Sprintf("signs_alert:%d:%d:%s", d.groupID, d.vk, d.day)
	last, err := tx.Cursor(cursor)
	if err != nil {
		return err
	}
	if alerted, _ := strconv.Atoi(last); alerted >= n {
		return nil
	}
	ss, err := tx.OperatorSigns(d.groupID, d.vk, d.from, d.to)
	if err != nil {
		return fmt.Errorf("read signs of %d on %s: %w", d.vk, d.day, err)
	}
	if err := tx.SaveCursor(cursor, strconv.Itoa(len(ss))); err != nil {
		return err
	}
	a := Alert{Kind: AlertSigns, GroupID: d.groupID, Key: fmt.Sprintf("signs:%d:%d:%s", d.groupID, d.vk, d.day),
		Subject: fmt.Sprintf("vk%d", d.vk), ActorVKID: d.vk, Day: d.day, Signs: map[SignKind]int{}, At: s.now()}
	if p, ok := s.settings().People.ByVK(d.vk); ok {
		a.Subject = p.Name
	}
	byKind := map[SignKind][]Sign{}
	for _, sg := range ss {
		a.Signs[sg.Kind]++
		byKind[sg.Kind] = append(byKind[sg.Kind], sg)
	}
	end := d.to
	if now := s.now(); now.Before(end) {
		end = now
	}
	worst := worstOfDay(byKind, end)
	a.WorstKind, a.Detail, a.Link = worst.Kind, worst.Excerpt, worst.Link
	return s.alert(tx, a)
}

// worstOfDay picks the example an alert quotes: the worst of the kind the operator has
// most of (ties in SignKinds order), as the digest ranks it.
func worstOfDay(byKind map[SignKind][]Sign, end time.Time) Sign {
	kinds := append([]SignKind(nil), SignKinds...)
	sort.SliceStable(kinds, func(i, j int) bool { return len(byKind[kinds[i]]) > len(byKind[kinds[j]]) })
	for _, k := range kinds {
		if ws := WorstSigns(byKind[k], end, 1); len(ws) > 0 {
			return ws[0]
		}
	}
	return Sign{}
}
