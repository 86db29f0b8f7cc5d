package store

// What counting idle time and closed conversations keeps: VK's unanswered lists, the days
// to count again, waits and actions.

import (
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// UnansweredOf returns a community's list of unanswered conversations as last kept.
func (t *Tx) UnansweredOf(groupID int64) ([]justify.UnansweredConv, error) {
	return queryAll(t.ctx, t, "SELECT peer_id, message_id, at FROM unanswered WHERE group_id = ? ORDER BY peer_id",
		"unanswered conversations", func(s scanner) (justify.UnansweredConv, error) {
			var u justify.UnansweredConv
			var at int64
			err := s.Scan(&u.PeerID, &u.MessageID, &at)
			u.At = fromMS(at)
			return u, err
		}, groupID)
}

// SaveUnanswered replaces a community's list of unanswered conversations.
func (t *Tx) SaveUnanswered(groupID int64, list []justify.UnansweredConv) error {
	if _, err := t.exec("DELETE FROM unanswered WHERE group_id = ?", groupID); err != nil {
		return fmt.Errorf("clear unanswered conversations of %d: %w", groupID, err)
	}
	for _, u := range list {
		if _, err := t.exec(`INSERT INTO unanswered (group_id, peer_id, message_id, at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET message_id = excluded.message_id, at = excluded.at`,
			groupID, u.PeerID, u.MessageID, ms(u.At)); err != nil {
			return fmt.Errorf("keep unanswered conversation %d of %d: %w", u.PeerID, groupID, err)
		}
	}
	return nil
}

// MarkIdleDirty marks a day whose idle time must be counted again.
//
// Once per transaction: every action of an operator on shift marks its day, and a burst's
// hundreds of answers would each write the same row again.
func (t *Tx) MarkIdleDirty(d justify.IdleDay) error {
	k := [2]int64{d.GroupID, ms(d.Day)}
	if t.idleMarked[k] {
		return nil
	}
	if _, err := t.exec("INSERT INTO idle_days (group_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
		d.GroupID, k[1]); err != nil {
		return fmt.Errorf("mark idle day: %w", err)
	}
	if t.idleMarked == nil {
		t.idleMarked = map[[2]int64]bool{}
	}
	t.idleMarked[k] = true
	return nil
}

// IdleDirty lists the days marked, oldest first.
func (t *Tx) IdleDirty() ([]justify.IdleDay, error) {
	return queryAll(t.ctx, t, "SELECT group_id, day FROM idle_days ORDER BY day, group_id", "idle days",
		func(s scanner) (justify.IdleDay, error) {
			var d justify.IdleDay
			var day int64
			err := s.Scan(&d.GroupID, &day)
			d.Day = fromMS(day)
			return d, err
		})
}

// ClearIdleDirty removes a day's mark.
func (t *Tx) ClearIdleDirty(d justify.IdleDay) error {
	if _, err := t.exec("DELETE FROM idle_days WHERE group_id = ? AND day = ?", d.GroupID, ms(d.Day)); err != nil {
		return fmt.Errorf("clear idle day: %w", err)
	}
	delete(t.idleMarked, [2]int64{d.GroupID, ms(d.Day)})
	return nil
}

// WaitsBetween lists a community's waits overlapping [from, to); those still going on
// have a zero To.
func (t *Tx) WaitsBetween(groupID int64, from, to time.Time) ([]justify.Interval, error) {
	scan := func(s scanner) (justify.Interval, error) {
		var f, e int64
		err := s.Scan(&f, &e)
		return justify.Interval{From: fromMS(f), To: fromMS(e)}, err
	}
	closed, err := queryAll(t.ctx, t, `SELECT from_at, to_at FROM dialog_waits WHERE group_id = ? AND to_at > ?
		AND from_at < ?`, "waits", scan, groupID, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	open, err := queryAll(t.ctx, t, `SELECT waiting_since, 0 FROM dialogs WHERE group_id = ? AND waiting_since != 0
		AND waiting_since < ?`, "open waits", scan, groupID, ms(to))
	return append(closed, open...), err
}

// ActionTimes lists when an admin replied, banned, unbanned, deleted or restored in [from, to).
func (t *Tx) ActionTimes(vkID int64, groupIDs []int64, from, to time.Time) ([]time.Time, error) {
	scan := func(s scanner) (time.Time, error) {
		var at int64
		err := s.Scan(&at)
		return fromMS(at), err
	}
	out, err := queryAll(t.ctx, t, `SELECT at FROM conv_messages WHERE admin_vk_id = ? AND admin_vk_id != 0
		AND at >= ? AND at < ?`, "replies", scan, vkID, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	for _, g := range groupIDs {
		acts, err := queryAll(t.ctx, t, `SELECT at FROM events WHERE group_id = ? AND actor_vk_id = ?
			AND kind IN ('ban', 'unban', 'delete', 'restore') AND at >= ? AND at < ?`, "actions", scan,
			g, vkID, ms(from), ms(to))
		if err != nil {
			return nil, err
		}
		out = append(out, acts...)
	}
	return out, nil
}

// ReplaceIdle replaces a community's idle signs that start in [from, to).
func (t *Tx) ReplaceIdle(groupID int64, from, to time.Time, signs []justify.Sign) error {
	const where = "FROM signs WHERE group_id = ? AND kind = ? AND at >= ? AND at < ?"
	old, err := queryAll(t.ctx, t, "SELECT at "+where, "idle signs", func(s scanner) (int64, error) {
		var at int64
		err := s.Scan(&at)
		return at, err
	}, groupID, justify.SignIdle, ms(from), ms(to))
	if err != nil {
		return fmt.Errorf("read idle time of %d: %w", groupID, err)
	}
	for _, at := range old {
		if err := t.markHour(groupID, fromMS(at)); err != nil {
			return err
		}
	}
	if _, err := t.exec("DELETE "+where, groupID, justify.SignIdle, ms(from), ms(to)); err != nil {
		return fmt.Errorf("remove idle time of %d: %w", groupID, err)
	}
	for i := range signs {
		if err := t.insertSign(&signs[i]); err != nil {
			return err
		}
	}
	return nil
}
