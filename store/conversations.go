package store

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.ConversationStore = (*Tx)(nil)

const convColumns = `id, key, group_id, conv, place, owner_id, parent_id, item_id, customer_vk_id, side, admin_vk_id,
	automatic, text, ticket_key, class, first_class, hash, at, edited_at, deleted_at, wrote_after`

func scanConvMessage(s scanner) (justify.ConvMessage, error) {
	var m justify.ConvMessage
	var class, first string
	var automatic, wrote int
	var at, edited, deleted int64
	err := s.Scan(&m.ID, &m.Key, &m.GroupID, &m.Conv, &m.Ref.Place, &m.Ref.OwnerID, &m.Ref.ParentID, &m.Ref.ItemID,
		&m.CustomerVKID, &m.Side, &m.AdminVKID, &automatic, &m.Text, &m.TicketKey, &class, &first, &m.Hash,
		&at, &edited, &deleted, &wrote)
	if err != nil {
		return m, err
	}
	m.Ref.GroupID = m.GroupID
	m.Automatic, m.WroteAfter = automatic == 1, wrote == 1
	if m.Side == justify.SideCustomer {
		m.Customer = justify.CustomerClass(class)
	} else {
		m.Reply, m.FirstReply = justify.ReplyClass(class), justify.ReplyClass(first)
	}
	m.At, m.EditedAt, m.DeletedAt = fromMS(at), fromMS(edited), fromMS(deleted)
	return m, nil
}

// PutConvMessage stores m under its key, new or in place of prev.
func (t *Tx) PutConvMessage(m *justify.ConvMessage, prev *justify.ConvMessage) error {
	class := string(m.Reply)
	if m.Side == justify.SideCustomer {
		class = string(m.Customer)
	}
	values := []any{m.GroupID, m.Conv, m.Ref.Place, m.Ref.OwnerID, m.Ref.ParentID, m.Ref.ItemID, m.CustomerVKID, m.Side,
		m.AdminVKID, b2i(m.Automatic), m.Text, m.TicketKey, class, string(m.FirstReply), m.Hash, ms(m.At), ms(m.EditedAt),
		ms(m.DeletedAt)}
	if prev == nil {
		res, err := t.exec(`INSERT INTO conv_messages (group_id, conv, place, owner_id, parent_id, item_id, customer_vk_id,
			side, admin_vk_id, automatic, text, ticket_key, class, first_class, hash, at, edited_at, deleted_at, key,
			received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(values, m.Key, ms(t.now()))...)
		if err != nil {
			return fmt.Errorf("insert conversation message %s: %w", m.Key, err)
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert conversation message %s: %w", m.Key, err)
		}
	} else {
		m.ID = prev.ID
		if _, err := t.exec(`UPDATE conv_messages SET group_id = ?, conv = ?, place = ?, owner_id = ?, parent_id = ?,
			item_id = ?, customer_vk_id = ?, side = ?, admin_vk_id = ?, automatic = ?, text = ?, ticket_key = ?, class = ?,
			first_class = ?, hash = ?, at = ?, edited_at = ?, deleted_at = ? WHERE id = ?`, append(values, m.ID)...); err != nil {
			return fmt.Errorf("update conversation message %s: %w", m.Key, err)
		}
	}
	if m.Hash != 0 && m.Template != "" {
		if _, err := t.exec(`INSERT INTO phrases (group_id, admin_vk_id, hash, text) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, m.GroupID, m.AdminVKID, m.Hash, m.Template); err != nil {
			return fmt.Errorf("keep phrase %d: %w", m.Hash, err)
		}
	}
	// A reply with a template hash is in its hour's roll-up.
	if prev != nil && prev.Hash != 0 {
		if err := t.markHour(prev.GroupID, prev.At); err != nil {
			return err
		}
	}
	if m.Hash != 0 {
		return t.markHour(m.GroupID, m.At)
	}
	return nil
}

// ConvMessage loads a conversation message by key, or returns justify.ErrNotFound.
func (t *Tx) ConvMessage(key string) (justify.ConvMessage, error) {
	m, err := scanConvMessage(t.queryRow("SELECT "+convColumns+" FROM conv_messages WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("conversation message %s: %w", key, justify.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load conversation message %s: %w", key, err)
	}
	return m, nil
}

// ConvMessages lists a conversation's messages dated at or after from, by date.
func (t *Tx) ConvMessages(conv string, from time.Time) ([]justify.ConvMessage, error) {
	return queryAll(t.ctx, t, "SELECT "+convColumns+" FROM conv_messages WHERE conv = ? AND at >= ? ORDER BY at, id",
		"conversation messages", scanConvMessage, conv, ms(from))
}

// ThreadConv finds the customer who last wrote in a comment thread at or before at.
func (t *Tx) ThreadConv(ref justify.Ref, at time.Time) (string, int64, error) {
	var conv string
	var customer int64
	err := t.queryRow(`SELECT conv, customer_vk_id FROM conv_messages WHERE group_id = ? AND place = ? AND owner_id = ?
		AND parent_id = ? AND at <= ? AND place != 'message' AND side = 'customer' ORDER BY at DESC, id DESC LIMIT 1`,
		ref.GroupID, ref.Place, ref.OwnerID, ref.ParentID, ms(at)).Scan(&conv, &customer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("thread %s: %w", ref.Key(), justify.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("find the customer of thread %s: %w", ref.Key(), err)
	}
	return conv, customer, nil
}

// CustomerName returns the newest name known of a customer in a group, "" when none.
func (t *Tx) CustomerName(groupID, vkID int64) (string, error) {
	var name string
	err := t.queryRow(`SELECT author_name FROM tickets WHERE author_vk_id = ? AND group_id = ? AND author_name != ''
		ORDER BY created_at DESC LIMIT 1`, vkID, groupID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the name of %d: %w", vkID, err)
	}
	return name, nil
}

const dialogColumns = `id, group_id, conv, place, customer_vk_id, start_key, link, started_at, last_at, messages,
	request_at, first_touch_at, first_touch_by, first_touch_ms, first_answer_at, first_answer_by, first_answer_ms,
	closing_at, closing_by, reactions, waiting_since, closed, check_at`

func scanDialog(s scanner) (justify.Dialog, error) {
	var d justify.Dialog
	var started, last, request, touchAt, touchMS, answerAt, answerMS, closingAt, waiting, check int64
	var reactions string
	var closed int
	err := s.Scan(&d.ID, &d.GroupID, &d.Conv, &d.Place, &d.CustomerVKID, &d.StartKey, &d.Link, &started, &last,
		&d.Messages, &request, &touchAt, &d.FirstTouchBy, &touchMS, &answerAt, &d.FirstAnswerBy, &answerMS, &closingAt,
		&d.ClosingBy, &reactions, &waiting, &closed, &check)
	if err != nil {
		return d, err
	}
	d.StartedAt, d.LastAt, d.RequestAt = fromMS(started), fromMS(last), fromMS(request)
	d.FirstTouchAt, d.FirstAnswerAt, d.ClosingAt = fromMS(touchAt), fromMS(answerAt), fromMS(closingAt)
	d.FirstTouch, d.FirstAnswer = time.Duration(touchMS)*time.Millisecond, time.Duration(answerMS)*time.Millisecond
	d.WaitingSince, d.CheckAt, d.Closed = fromMS(waiting), fromMS(check), closed == 1
	d.Reactions, err = decodeReactions(reactions)
	return d, err
}

// encodeReactions writes reactions as "by:ms,by:ms": a report reads a period's dialogs
// through one index, so a dialog's reactions ride in one column of it.
func encodeReactions(rs []justify.Reaction) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.FormatInt(r.By, 10) + ":" + strconv.FormatInt(r.Wait.Milliseconds(), 10)
	}
	return strings.Join(parts, ",")
}

func decodeReactions(s string) ([]justify.Reaction, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]justify.Reaction, 0, len(parts))
	for _, p := range parts {
		by, wait, ok := strings.Cut(p, ":")
		b, err1 := strconv.ParseInt(by, 10, 64)
		w, err2 := strconv.ParseInt(wait, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("read reactions %q", s)
		}
		out = append(out, justify.Reaction{By: b, Wait: time.Duration(w) * time.Millisecond})
	}
	return out, nil
}

// DialogsUpTo lists a conversation's dialogs started at or before t, newest first, with
// what a rebuild needs of them: ID, GroupID, Conv, StartedAt, ClosingAt and ClosingBy.
func (t *Tx) DialogsUpTo(conv string, at time.Time, n int) ([]justify.Dialog, error) {
	return queryAll(t.ctx, t, `SELECT id, group_id, started_at, closing_at, closing_by FROM dialogs
		WHERE conv = ? AND started_at <= ? ORDER BY started_at DESC, id DESC LIMIT ?`, "dialogs",
		func(s scanner) (justify.Dialog, error) {
			d := justify.Dialog{Conv: conv}
			var started, closing int64
			err := s.Scan(&d.ID, &d.GroupID, &started, &closing, &d.ClosingBy)
			d.StartedAt, d.ClosingAt = fromMS(started), fromMS(closing)
			return d, err
		}, conv, ms(at), limitOrAll(n))
}

// DueDialogs lists dialogs with a check due at or before now, soonest first.
func (t *Tx) DueDialogs(now time.Time, limit int) ([]justify.Dialog, error) {
	return queryAll(t.ctx, t, "SELECT "+dialogColumns+` FROM dialogs WHERE check_at != 0 AND check_at <= ?
		ORDER BY check_at, id LIMIT ?`, "due dialogs", scanDialog, ms(now), limitOrAll(limit))
}

// ReplaceDialogs replaces the dialogs of conv started at or after from, with their waits
// and signs, and saves the WroteAfter of the messages in wrote. A dialog built again the
// same (its fingerprint) is left as it is: a message appended to a conversation rewrites
// only the dialog it belongs to.
func (t *Tx) ReplaceDialogs(conv string, from time.Time, ds []justify.Dialog, wrote []justify.ConvMessage) error {
	type stored struct {
		id, group, started int64
		fp                 string
	}
	old, err := queryAll(t.ctx, t, "SELECT id, group_id, started_at, fingerprint FROM dialogs WHERE conv = ? AND started_at >= ?",
		"dialogs", func(s scanner) (stored, error) {
			var d stored
			err := s.Scan(&d.id, &d.group, &d.started, &d.fp)
			return d, err
		}, conv, ms(from))
	if err != nil {
		return fmt.Errorf("read dialogs of %s: %w", conv, err)
	}
	byStart := map[int64][]stored{}
	for _, d := range old {
		byStart[d.started] = append(byStart[d.started], d)
	}
	for i := range ds {
		d := &ds[i]
		fp := fingerprint(*d)
		start := ms(d.StartedAt)
		if same := byStart[start]; len(same) > 0 {
			o := same[0]
			byStart[start] = same[1:]
			if o.fp == fp {
				d.ID = o.id
				continue
			}
			if err := t.deleteDialog(o.id, o.group, o.started); err != nil {
				return err
			}
		}
		if err := t.insertDialog(d, fp); err != nil {
			return err
		}
	}
	for _, left := range byStart {
		for _, o := range left {
			if err := t.deleteDialog(o.id, o.group, o.started); err != nil {
				return err
			}
		}
	}
	for _, m := range wrote {
		if _, err := t.exec("UPDATE conv_messages SET wrote_after = ? WHERE key = ?", b2i(m.WroteAfter), m.Key); err != nil {
			return fmt.Errorf("mark reply %s: %w", m.Key, err)
		}
		if m.Hash != 0 {
			if err := t.markHour(m.GroupID, m.At); err != nil {
				return err
			}
		}
	}
	return nil
}

// fingerprint digests everything a dialog was built into, its signs included.
func fingerprint(d justify.Dialog) string {
	p := packer{}
	p.str(d.Conv)
	p.str(string(d.Place))
	p.str(d.StartKey)
	p.str(d.Link)
	for _, v := range []int64{d.GroupID, d.CustomerVKID, ms(d.StartedAt), ms(d.LastAt), int64(d.Messages), ms(d.RequestAt),
		ms(d.FirstTouchAt), d.FirstTouchBy, int64(d.FirstTouch), ms(d.FirstAnswerAt), d.FirstAnswerBy, int64(d.FirstAnswer),
		ms(d.ClosingAt), d.ClosingBy, ms(d.WaitingSince), int64(b2i(d.Closed)), ms(d.CheckAt),
		int64(len(d.Reactions)), int64(len(d.Waits)), int64(len(d.Signs))} {
		p.int(v)
	}
	for _, r := range d.Reactions {
		p.int(r.By)
		p.int(int64(r.Wait))
	}
	for _, w := range d.Waits {
		p.int(ms(w.From))
		p.int(ms(w.To))
	}
	for _, s := range d.Signs {
		for _, v := range []string{s.Key, string(s.Kind), s.MessageKey, s.TicketKey, s.Link} {
			p.str(v)
		}
		for _, v := range []int64{s.GroupID, s.OperatorVKID, s.CustomerVKID, ms(s.At), int64(s.Minutes),
			int64(b2i(s.Secondary)), int64(len(s.OnShift))} {
			p.int(v)
		}
		for _, vk := range s.OnShift {
			p.int(vk)
		}
	}
	h := fnv.New128a()
	_, _ = h.Write(p)
	return hex.EncodeToString(h.Sum(nil))
}

// deleteDialog removes a dialog with its waits and signs, marking the hours they were in.
func (t *Tx) deleteDialog(id, group, started int64) error {
	hours, err := queryAll(t.ctx, t, "SELECT at FROM signs WHERE dialog_id = ? AND dialog_id != 0", "signs",
		func(s scanner) (int64, error) {
			var at int64
			err := s.Scan(&at)
			return at, err
		}, id)
	if err != nil {
		return fmt.Errorf("read signs of dialog %d: %w", id, err)
	}
	for _, at := range append(hours, started) {
		if err := t.markHour(group, fromMS(at)); err != nil {
			return err
		}
	}
	for _, q := range []string{
		"DELETE FROM signs WHERE dialog_id = ? AND dialog_id != 0",
		"DELETE FROM dialog_waits WHERE dialog_id = ?",
		"DELETE FROM dialogs WHERE id = ?",
	} {
		if _, err := t.exec(q, id); err != nil {
			return fmt.Errorf("remove dialog %d: %w", id, err)
		}
	}
	return nil
}

func (t *Tx) insertDialog(d *justify.Dialog, fp string) error {
	res, err := t.exec(`INSERT INTO dialogs (group_id, conv, place, customer_vk_id, start_key, link, started_at, last_at,
		messages, request_at, first_touch_at, first_touch_by, first_touch_ms, first_answer_at, first_answer_by,
		first_answer_ms, closing_at, closing_by, reactions, waiting_since, closed, check_at, fingerprint)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.GroupID, d.Conv, d.Place, d.CustomerVKID, d.StartKey, d.Link, ms(d.StartedAt), ms(d.LastAt), d.Messages,
		ms(d.RequestAt), ms(d.FirstTouchAt), d.FirstTouchBy, d.FirstTouch.Milliseconds(), ms(d.FirstAnswerAt),
		d.FirstAnswerBy, d.FirstAnswer.Milliseconds(), ms(d.ClosingAt), d.ClosingBy, encodeReactions(d.Reactions),
		ms(d.WaitingSince), b2i(d.Closed), ms(d.CheckAt), fp)
	if err != nil {
		return fmt.Errorf("insert dialog of %s: %w", d.Conv, err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert dialog of %s: %w", d.Conv, err)
	}
	if err := t.markHour(d.GroupID, d.StartedAt); err != nil {
		return err
	}
	for _, w := range d.Waits {
		if _, err := t.exec("INSERT INTO dialog_waits (dialog_id, group_id, from_at, to_at) VALUES (?, ?, ?, ?)",
			d.ID, d.GroupID, ms(w.From), ms(w.To)); err != nil {
			return fmt.Errorf("insert wait of dialog %d: %w", d.ID, err)
		}
	}
	for i := range d.Signs {
		d.Signs[i].DialogID = d.ID
		if err := t.insertSign(&d.Signs[i]); err != nil {
			return err
		}
	}
	return nil
}

// insertSign stores a sign; one with the same key replaces it (the same evidence found
// again in a rebuilt dialog).
func (t *Tx) insertSign(s *justify.Sign) error {
	shift := make([]string, len(s.OnShift))
	for i, vk := range s.OnShift {
		shift[i] = strconv.FormatInt(vk, 10)
	}
	values := []any{s.GroupID, s.Kind, s.OperatorVKID, strings.Join(shift, ","), s.CustomerVKID, s.MessageKey, s.TicketKey,
		s.Link, ms(s.At), s.Minutes, s.DialogID, b2i(s.Secondary), s.Key}
	res, err := t.exec(`INSERT INTO signs (group_id, kind, operator_vk_id, on_shift, customer_vk_id, message_key,
		ticket_key, link, at, minutes, dialog_id, secondary, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, values...)
	if err != nil {
		return fmt.Errorf("insert sign %s: %w", s.Key, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// The same evidence found again elsewhere (a dialog boundary moved): the old row's
		// hour changes too.
		var oldAt, oldGroup int64
		if err := t.queryRow("SELECT at, group_id FROM signs WHERE key = ?", s.Key).Scan(&oldAt, &oldGroup); err != nil {
			return fmt.Errorf("find sign %s: %w", s.Key, err)
		}
		if err := t.markHour(oldGroup, fromMS(oldAt)); err != nil {
			return err
		}
		if res, err = t.exec(`UPDATE signs SET group_id = ?, kind = ?, operator_vk_id = ?, on_shift = ?, customer_vk_id = ?,
			message_key = ?, ticket_key = ?, link = ?, at = ?, minutes = ?, dialog_id = ?, secondary = ? WHERE key = ?`,
			values...); err != nil {
			return fmt.Errorf("update sign %s: %w", s.Key, err)
		}
	}
	if err := t.markHour(s.GroupID, s.At); err != nil {
		return err
	}
	if id, err := res.LastInsertId(); err == nil {
		s.ID = id
	}
	return nil
}

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
func (t *Tx) MarkIdleDirty(d justify.IdleDay) error {
	if _, err := t.exec("INSERT INTO idle_days (group_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
		d.GroupID, ms(d.Day)); err != nil {
		return fmt.Errorf("mark idle day: %w", err)
	}
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
