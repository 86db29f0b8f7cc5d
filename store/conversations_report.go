package store

// The reads of reports about conversations: a period's dialogs, signs and template uses,
// each through an index, on the read pool.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// DialogsBetween lists the dialogs started in [from, to) with the fields figures need:
// group, start, first touch, first answer, messages and reactions. They are read from
// dialogs_started alone, which holds those columns.
func (db *DB) DialogsBetween(ctx context.Context, from, to time.Time) ([]justify.Dialog, error) {
	ds, err := queryAll(ctx, db.read, `SELECT started_at, group_id, first_touch_by, first_touch_ms, first_touch_at,
		first_answer_by, first_answer_ms, first_answer_at, messages, reactions FROM dialogs INDEXED BY dialogs_started
		WHERE started_at >= ? AND started_at < ?`, "dialogs", func(s scanner) (justify.Dialog, error) {
		var d justify.Dialog
		var started, touchMS, touchAt, answerMS, answerAt int64
		var reactions string
		err := s.Scan(&started, &d.GroupID, &d.FirstTouchBy, &touchMS, &touchAt, &d.FirstAnswerBy, &answerMS, &answerAt,
			&d.Messages, &reactions)
		if err != nil {
			return d, err
		}
		d.StartedAt, d.FirstTouchAt, d.FirstAnswerAt = fromMS(started), fromMS(touchAt), fromMS(answerAt)
		d.FirstTouch, d.FirstAnswer = time.Duration(touchMS)*time.Millisecond, time.Duration(answerMS)*time.Millisecond
		d.Reactions, err = decodeReactions(reactions)
		return d, err
	}, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("dialogs from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return ds, nil
}

// SignsBetween lists the signs of [from, to), by time, with their words: the community's
// reply, or the customer's message unless it was forgotten.
func (db *DB) SignsBetween(ctx context.Context, from, to time.Time) ([]justify.Sign, error) {
	ss, err := queryAll(ctx, db.read, `SELECT s.id, s.key, s.group_id, s.kind, s.operator_vk_id, s.on_shift,
		s.customer_vk_id, s.message_key, s.ticket_key, s.link, s.at, s.minutes, s.dialog_id,
		COALESCE(m.text, CASE WHEN t.forgotten = 1 THEN '' ELSE t.text END, '')
		FROM signs s LEFT JOIN conv_messages m ON m.key = s.message_key AND s.message_key != ''
		LEFT JOIN tickets t ON t.key = s.ticket_key AND s.ticket_key != ''
		WHERE s.at >= ? AND s.at < ? ORDER BY s.at, s.id`, "signs", func(sc scanner) (justify.Sign, error) {
		var s justify.Sign
		var shift string
		var at int64
		err := sc.Scan(&s.ID, &s.Key, &s.GroupID, &s.Kind, &s.OperatorVKID, &shift, &s.CustomerVKID, &s.MessageKey,
			&s.TicketKey, &s.Link, &at, &s.Minutes, &s.DialogID, &s.Excerpt)
		if err != nil {
			return s, err
		}
		s.At = fromMS(at)
		if shift != "" {
			for _, p := range strings.Split(shift, ",") {
				vk, err := strconv.ParseInt(p, 10, 64)
				if err != nil {
					return s, fmt.Errorf("read operators on shift %q: %w", shift, err)
				}
				s.OnShift = append(s.OnShift, vk)
			}
		}
		return s, nil
	}, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("signs from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return ss, nil
}

// TemplateUses lists, for every reply text some admin sent to at least minCustomers
// customers and used since from, its uses in [from, to). Texts sent to fewer customers
// ever cannot be templates in any period, so only the few common ones are read.
func (db *DB) TemplateUses(ctx context.Context, from, to time.Time, minCustomers int) ([]justify.TemplateUse, error) {
	type phrase struct {
		group, admin, hash int64
		text               string
	}
	candidates, err := queryAll(ctx, db.read, `SELECT group_id, admin_vk_id, hash, text FROM phrases
		WHERE customers >= ? AND last_at >= ?`, "phrases", func(s scanner) (phrase, error) {
		var p phrase
		err := s.Scan(&p.group, &p.admin, &p.hash, &p.text)
		return p, err
	}, minCustomers, ms(from))
	if err != nil {
		return nil, fmt.Errorf("list common phrases: %w", err)
	}
	var out []justify.TemplateUse
	for _, p := range candidates {
		uses, err := queryAll(ctx, db.read, `SELECT customer_vk_id, at, wrote_after, key, text, place, owner_id, parent_id,
			item_id FROM conv_messages WHERE group_id = ? AND hash = ? AND admin_vk_id = ? AND at >= ? AND at < ?
			AND hash != 0 AND side = 'community' AND automatic = 0`, "template uses",
			func(s scanner) (justify.TemplateUse, error) {
				u := justify.TemplateUse{GroupID: p.group, OperatorVKID: p.admin, Hash: p.hash, Template: p.text}
				var at int64
				var wrote int
				ref := justify.Ref{GroupID: p.group}
				err := s.Scan(&u.CustomerVKID, &at, &wrote, &u.MessageKey, &u.Text, &ref.Place, &ref.OwnerID,
					&ref.ParentID, &ref.ItemID)
				u.At, u.WroteAfter, u.Link = fromMS(at), wrote == 1, ref.Link()
				return u, err
			}, p.group, p.hash, p.admin, ms(from), ms(to))
		if err != nil {
			return nil, fmt.Errorf("list uses of phrase %d: %w", p.hash, err)
		}
		out = append(out, uses...)
	}
	return out, nil
}
