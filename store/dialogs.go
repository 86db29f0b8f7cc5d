package store

// Dialogs as last built, with their waits and signs.

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

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
//
// The same query reads the dialogs started after t, which the ReplaceDialogs that follows
// in a rebuild needs: one read of the conversation's dialogs instead of two, for every
// message a burst brings (see dialogsRead).
func (t *Tx) DialogsUpTo(conv string, at time.Time, n int) ([]justify.Dialog, error) {
	type row struct {
		d     justify.Dialog
		fp    string
		upTo  bool
		start int64
	}
	rows, err := queryAll(t.ctx, t, `SELECT * FROM (SELECT id, group_id, started_at, closing_at, closing_by, fingerprint, 1
		FROM dialogs WHERE conv = ? AND started_at <= ? ORDER BY started_at DESC, id DESC LIMIT ?)
		UNION ALL SELECT id, group_id, started_at, closing_at, closing_by, fingerprint, 0 FROM dialogs
		WHERE conv = ? AND started_at > ?`, "dialogs",
		func(s scanner) (row, error) {
			r := row{d: justify.Dialog{Conv: conv}}
			var closing int64
			err := s.Scan(&r.d.ID, &r.d.GroupID, &r.start, &closing, &r.d.ClosingBy, &r.fp, &r.upTo)
			r.d.StartedAt, r.d.ClosingAt = fromMS(r.start), fromMS(closing)
			return r, err
		}, conv, ms(at), limitOrAll(n), conv, ms(at))
	if err != nil {
		return nil, err
	}
	var out []justify.Dialog
	read := &dialogsRead{conv: conv, floor: math.MinInt64}
	for _, r := range rows {
		if r.upTo {
			out = append(out, r.d)
		}
		read.rows = append(read.rows, storedDialog{id: r.d.ID, group: r.d.GroupID, started: r.start, fp: r.fp})
	}
	slices.SortFunc(out, func(a, b justify.Dialog) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(b.ID, a.ID))
	})
	if n > 0 && len(out) == n {
		// Dialogs started at the same moment as the oldest listed may have been left out.
		read.floor = ms(out[n-1].StartedAt)
	}
	t.read = read
	return out, nil
}

// dialogsRead is what DialogsUpTo read of a conversation's dialogs: every dialog started
// after floor. It serves the ReplaceDialogs of the same rebuild, and is forgotten at the
// transaction's next write, so that it is never older than the table.
type dialogsRead struct {
	conv  string
	floor int64
	rows  []storedDialog
}

// storedDialog is what ReplaceDialogs compares of a dialog as stored.
type storedDialog struct {
	id, group, started int64
	fp                 string
}

// storedFrom lists conv's dialogs started at or after from, as DialogsUpTo read them when
// that covers them, else from the table.
func (t *Tx) storedFrom(conv string, from time.Time) ([]storedDialog, error) {
	if r := t.read; r != nil && r.conv == conv && ms(from) > r.floor {
		var out []storedDialog
		for _, d := range r.rows {
			if d.started >= ms(from) {
				out = append(out, d)
			}
		}
		return out, nil
	}
	return queryAll(t.ctx, t, "SELECT id, group_id, started_at, fingerprint FROM dialogs WHERE conv = ? AND started_at >= ?",
		"dialogs", func(s scanner) (storedDialog, error) {
			var d storedDialog
			err := s.Scan(&d.id, &d.group, &d.started, &d.fp)
			return d, err
		}, conv, ms(from))
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
	old, err := t.storedFrom(conv, from)
	if err != nil {
		return fmt.Errorf("read dialogs of %s: %w", conv, err)
	}
	byStart := map[int64][]storedDialog{}
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
		if c := t.convs[m.Key]; c != nil {
			c.WroteAfter = m.WroteAfter
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
			int64(b2i(s.Secondary)), ms(s.Until), int64(len(s.OnShift))} {
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
		s.Link, ms(s.At), s.Minutes, s.DialogID, b2i(s.Secondary), ms(s.Until), s.Key}
	res, err := t.exec(`INSERT INTO signs (group_id, kind, operator_vk_id, on_shift, customer_vk_id, message_key,
		ticket_key, link, at, minutes, dialog_id, secondary, until, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
