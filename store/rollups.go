package store

// The hourly roll-up of what reports count (report_hours), per community and hour, packed
// in four blobs: the facts of the dialogs started, of the signs dated, of the replies
// (with a template hash) written and of the tickets first answered in that hour. Every
// write that changes them marks its hour in report_hours_dirty, in the same transaction;
// PackReportHours packs the marked hours again. A report reads the packed hours it covers
// whole, and reads the rest (the partial hours at its ends, and hours marked since they
// were packed) from the tables themselves, in one snapshot: the figures are the same
// either way, only faster.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

const hourMS = int64(time.Hour / time.Millisecond)

func hourOf(t time.Time) int64 {
	v := ms(t)
	return v - ((v%hourMS)+hourMS)%hourMS
}

// markHour marks a community's hour holding t as changed, once per transaction.
func (t *Tx) markHour(groupID int64, at time.Time) error {
	h := [2]int64{groupID, hourOf(at)}
	if t.marked[h] {
		return nil
	}
	if _, err := t.exec("INSERT INTO report_hours_dirty (group_id, hour) VALUES (?, ?) ON CONFLICT DO NOTHING",
		groupID, h[1]); err != nil {
		return fmt.Errorf("mark hour of group %d: %w", groupID, err)
	}
	if t.marked == nil {
		t.marked = map[[2]int64]bool{}
	}
	t.marked[h] = true
	return nil
}

// rawRead is one of the roll-up's raw reads of a span of time: its columns and table, its
// condition on time, and the two indexes it is read through. Every community's rows go
// through the table's index on time; one community's (a changed hour being packed, or a
// report reading it unpacked) through its index on community and time (migration 0020).
// The reads name them: left to itself, SQLite prefers an index that starts with group_id
// and goes on by something else, since an equality outranks a range for it, and read a
// community's whole history for each hour packed; with a million tickets, on every change
// of the current hour. TestRawReadPlans keeps each on its index.
type rawRead struct {
	sel, cond       string
	byTime, byGroup string
}

// query is the read of every community (all) or of one, whose "group_id = ?" comes last,
// with more conditions on time after cond.
func (r rawRead) query(all bool, more string) string {
	if all {
		return r.sel + " INDEXED BY " + r.byTime + " WHERE " + r.cond + more
	}
	return r.sel + " INDEXED BY " + r.byGroup + " WHERE " + r.cond + more + " AND group_id = ?"
}

var (
	rawAnsweredRead = rawRead{
		sel:    "SELECT id, group_id, place, created_at, answered_at, answered_by, deleted_at, status FROM tickets",
		cond:   "answered_at >= ? AND answered_at != 0",
		byTime: "tickets_answered", byGroup: "tickets_group_answered",
	}
	rawDialogsRead = rawRead{
		sel: `SELECT group_id, started_at, first_touch_at, first_touch_by, first_touch_ms,
			first_answer_at, first_answer_by, first_answer_ms, messages, reactions FROM dialogs`,
		cond:   "started_at >= ? AND started_at < ?",
		byTime: "dialogs_started", byGroup: "dialogs_group_started",
	}
	rawSignsRead = rawRead{
		sel:    "SELECT group_id, kind, operator_vk_id, on_shift, secondary, minutes, at FROM signs",
		cond:   "at >= ? AND at < ?",
		byTime: "signs_at", byGroup: "signs_group_at",
	}
	rawRepliesRead = rawRead{
		sel:    "SELECT group_id, admin_vk_id, hash, customer_vk_id, at, wrote_after FROM conv_messages",
		cond:   "at >= ? AND at < ? AND hash != 0",
		byTime: "conv_messages_replies", byGroup: "conv_messages_group_replies",
	}
)

// rawAnswered reads the tickets first answered in [from, to) (to zero: from on), of one
// community or (all) of every community.
func rawAnswered(ctx context.Context, q querier, groupID int64, all bool, from, to time.Time, out *[]justify.AnsweredTicket) error {
	more, args := "", []any{ms(from)}
	if !to.IsZero() {
		more, args = " AND answered_at < ?", append(args, ms(to))
	}
	if !all {
		args = append(args, groupID)
	}
	query := rawAnsweredRead.query(all, more)
	ts, err := queryAll(ctx, q, query, "answered tickets", func(s scanner) (justify.AnsweredTicket, error) {
		var t justify.Ticket
		var created, answered, deleted int64
		err := s.Scan(&t.ID, &t.Ref.GroupID, &t.Ref.Place, &created, &answered, &t.AnsweredBy, &deleted, &t.Status)
		t.CreatedAt, t.AnsweredAt, t.DeletedAt = fromMS(created), fromMS(answered), fromMS(deleted)
		return t.AnsweredFact(), err
	}, args...)
	*out = append(*out, ts...)
	return err
}

// rawFacts reads the facts of [from, to) from the tables themselves, of one community or
// (all) of every community.
func rawFacts(ctx context.Context, q querier, groupID int64, all bool, from, to time.Time, f *justify.ConversationFacts) error {
	args := []any{ms(from), ms(to)}
	if !all {
		args = append(args, groupID)
	}
	ds, err := queryAll(ctx, q, rawDialogsRead.query(all, ""), "dialogs", func(s scanner) (justify.DialogStat, error) {
		var d justify.DialogStat
		var started, touchAt, touchMS, answerAt, answerMS int64
		var reactions string
		err := s.Scan(&d.GroupID, &started, &touchAt, &d.FirstTouchBy, &touchMS, &answerAt, &d.FirstAnswerBy, &answerMS,
			&d.Messages, &reactions)
		if err != nil {
			return d, err
		}
		d.StartedAt, d.Touched, d.Answered = fromMS(started), touchAt != 0, answerAt != 0
		d.FirstTouch, d.FirstAnswer = time.Duration(touchMS)*time.Millisecond, time.Duration(answerMS)*time.Millisecond
		d.Reactions, err = decodeReactions(reactions)
		return d, err
	}, args...)
	if err != nil {
		return err
	}
	f.Dialogs = append(f.Dialogs, ds...)
	ss, err := queryAll(ctx, q, rawSignsRead.query(all, ""), "signs", func(s scanner) (justify.SignFact, error) {
		var f justify.SignFact
		var shift string
		var secondary int
		var at int64
		if err := s.Scan(&f.GroupID, &f.Kind, &f.OperatorVKID, &shift, &secondary, &f.Minutes, &at); err != nil {
			return f, err
		}
		f.Primary, f.At = secondary == 0, fromMS(at)
		var err error
		f.OnShift, err = parseOnShift(shift)
		return f, err
	}, args...)
	if err != nil {
		return err
	}
	f.Signs = append(f.Signs, ss...)
	rs, err := queryAll(ctx, q, rawRepliesRead.query(all, ""), "replies", func(s scanner) (justify.ReplyFact, error) {
		var r justify.ReplyFact
		var at int64
		var wrote int
		err := s.Scan(&r.GroupID, &r.OperatorVKID, &r.Hash, &r.CustomerVKID, &at, &wrote)
		r.At, r.WroteAfter = fromMS(at), wrote == 1
		return r, err
	}, args...)
	f.Replies = append(f.Replies, rs...)
	return err
}

func parseOnShift(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var out []int64
	for _, p := range strings.Split(s, ",") {
		vk, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read operators on shift %q: %w", s, err)
		}
		out = append(out, vk)
	}
	return out, nil
}

// PackReportHours packs again up to limit hours changed since they were packed, a batch
// of them a transaction, and returns how many it packed. The daemon runs it every few
// seconds; what is not packed yet is still counted, only read more slowly.
func (db *DB) PackReportHours(ctx context.Context, limit int) (int, error) {
	const batch = 100
	done := 0
	for done < limit {
		n := 0
		err := db.update(ctx, func(tx *Tx) error {
			type hour struct{ group, hour int64 }
			hours, err := queryAll(ctx, tx, "SELECT group_id, hour FROM report_hours_dirty LIMIT ?", "changed hours",
				func(s scanner) (hour, error) {
					var h hour
					err := s.Scan(&h.group, &h.hour)
					return h, err
				}, min(batch, limit-done))
			if err != nil {
				return err
			}
			for _, h := range hours {
				var f justify.ConversationFacts
				from, to := fromMS(h.hour), fromMS(h.hour+hourMS)
				if err := rawFacts(ctx, tx, h.group, false, from, to, &f); err != nil {
					return fmt.Errorf("read hour %d of group %d: %w", h.hour, h.group, err)
				}
				var answered []justify.AnsweredTicket
				if err := rawAnswered(ctx, tx, h.group, false, from, to, &answered); err != nil {
					return fmt.Errorf("read hour %d of group %d: %w", h.hour, h.group, err)
				}
				if len(f.Dialogs)+len(f.Signs)+len(f.Replies)+len(answered) == 0 {
					_, err = tx.exec("DELETE FROM report_hours WHERE group_id = ? AND hour = ?", h.group, h.hour)
				} else {
					_, err = tx.exec(`INSERT INTO report_hours (group_id, hour, dialogs, signs, replies, answered)
						VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, hour) DO UPDATE SET dialogs = excluded.dialogs,
						signs = excluded.signs, replies = excluded.replies, answered = excluded.answered`,
						h.group, h.hour, []byte(packDialogs(h.hour, f.Dialogs)), []byte(packSigns(h.hour, f.Signs)),
						[]byte(packReplies(h.hour, f.Replies)), []byte(packAnswered(h.hour, answered)))
				}
				if err != nil {
					return fmt.Errorf("pack hour %d of group %d: %w", h.hour, h.group, err)
				}
				if _, err := tx.exec("DELETE FROM report_hours_dirty WHERE group_id = ? AND hour = ?", h.group, h.hour); err != nil {
					return fmt.Errorf("clear hour %d of group %d: %w", h.hour, h.group, err)
				}
			}
			n = len(hours)
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("pack conversation hours: %w", err)
		}
		done += n
		if n < min(batch, limit-done+n) {
			break
		}
	}
	return done, nil
}

// ConversationFacts reads the facts of dialogs started, signs dated and replies written in
// [from, to), from the roll-up where it covers whole hours packed since their last change,
// and from the tables for the rest, in one snapshot.
func (db *DB) ConversationFacts(ctx context.Context, from, to time.Time) (justify.ConversationFacts, error) {
	var f justify.ConversationFacts
	err := db.readHours(ctx, from, to, "dialogs, signs, replies",
		func(group, hour int64, blobs [][]byte) error {
			var err error
			if f.Dialogs, err = unpackDialogs(group, hour, blobs[0], f.Dialogs); err != nil {
				return err
			}
			if f.Signs, err = unpackSigns(group, hour, blobs[1], f.Signs); err != nil {
				return err
			}
			f.Replies, err = unpackReplies(group, hour, blobs[2], f.Replies)
			return err
		},
		func(q querier, group int64, all bool, from, to time.Time) error {
			return rawFacts(ctx, q, group, all, from, to, &f)
		})
	return f, wrapFacts(err, from, to)
}

// AnsweredTickets lists the tickets first answered at or after since, with what figures
// need of them: every answer of a month is counted, none is shown.
func (db *DB) AnsweredTickets(ctx context.Context, since time.Time) ([]justify.AnsweredTicket, error) {
	var out []justify.AnsweredTicket
	// Up to the hour after the store's clock, then whatever lies beyond, answered "in the
	// future" by a clock that runs ahead.
	until := fromMS(hourOf(db.now()) + hourMS)
	err := db.readHours(ctx, since, until, "answered",
		func(group, hour int64, blobs [][]byte) error {
			var err error
			out, err = unpackAnswered(group, hour, blobs[0], out)
			return err
		},
		func(q querier, group int64, all bool, from, to time.Time) error {
			return rawAnswered(ctx, q, group, all, from, to, &out)
		})
	if err != nil {
		return nil, fmt.Errorf("tickets answered since %s: %w", since.Format(time.RFC3339), err)
	}
	var late []justify.AnsweredTicket
	if err := rawAnswered(ctx, db.read, 0, true, maxTime(until, since), time.Time{}, &late); err != nil {
		return nil, fmt.Errorf("tickets answered since %s: %w", since.Format(time.RFC3339), err)
	}
	return append(out, late...), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// readHours reads [from, to) in one snapshot: the packed blobs (columns) of the whole
// hours not changed since they were packed go to unpack, the rest to raw: the ends for
// every community (all), changed hours for theirs.
func (db *DB) readHours(ctx context.Context, from, to time.Time, columns string,
	unpack func(group, hour int64, blobs [][]byte) error, raw func(q querier, group int64, all bool, from, to time.Time) error) error {
	if !from.Before(to) {
		return nil
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	first, last := hourOf(from), hourOf(to) // the whole hours are [first, last)
	if first < ms(from) {
		first += hourMS
	}
	if first >= last {
		return raw(tx, 0, true, from, to)
	}
	if err := raw(tx, 0, true, from, fromMS(first)); err != nil {
		return err
	}
	if err := raw(tx, 0, true, fromMS(last), to); err != nil {
		return err
	}
	type hour struct{ group, hour int64 }
	dirty := map[hour]bool{}
	err = countRows(ctx, tx, "SELECT group_id, hour FROM report_hours_dirty WHERE hour >= ? AND hour < ?",
		func(rows *sql.Rows) error {
			var h hour
			if err := rows.Scan(&h.group, &h.hour); err != nil {
				return err
			}
			dirty[h] = true
			return nil
		}, first, last)
	if err != nil {
		return err
	}
	n := len(strings.Split(columns, ","))
	err = countRows(ctx, tx, "SELECT group_id, hour, "+columns+" FROM report_hours WHERE hour >= ? AND hour < ?",
		func(rows *sql.Rows) error {
			var h hour
			blobs := make([][]byte, n)
			dest := []any{&h.group, &h.hour}
			for i := range blobs {
				dest = append(dest, &blobs[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if dirty[h] {
				return nil
			}
			return unpack(h.group, h.hour, blobs)
		}, first, last)
	if err != nil {
		return err
	}
	hours := make([]hour, 0, len(dirty))
	for h := range dirty {
		hours = append(hours, h)
	}
	sort.Slice(hours, func(i, j int) bool {
		return hours[i].hour < hours[j].hour || hours[i].hour == hours[j].hour && hours[i].group < hours[j].group
	})
	for _, h := range hours {
		if err := raw(tx, h.group, false, fromMS(h.hour), fromMS(h.hour+hourMS)); err != nil {
			return err
		}
	}
	return nil
}

func wrapFacts(err error, from, to time.Time) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("conversation facts from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
}
