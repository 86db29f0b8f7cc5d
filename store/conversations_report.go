package store

// The reads of reports about conversations besides the roll-up (rollups.go): the evidence
// of the few signs and template uses a report lists, each through an index, on the read pool.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// SignsBetween lists the signs of [from, to), by time, with their words: the community's
// reply, or the customer's message unless it was forgotten.
func (db *DB) SignsBetween(ctx context.Context, from, to time.Time) ([]justify.Sign, error) {
	ss, err := queryAll(ctx, db.read, signEvidence+" WHERE s.at >= ? AND s.at < ? ORDER BY s.at, s.id", "signs",
		scanSign, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("signs from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return ss, nil
}

// signEvidence reads signs with their words: the community's reply, or the customer's
// message unless it was forgotten.
const signEvidence = `SELECT s.id, s.key, s.group_id, s.kind, s.operator_vk_id, s.on_shift, s.customer_vk_id,
	s.message_key, s.ticket_key, s.link, s.at, s.minutes, s.dialog_id, s.secondary, s.until,
	COALESCE(m.wrote_after, 0), COALESCE(m.text, CASE WHEN t.forgotten = 1 THEN '' ELSE t.text END, '')
	FROM signs s LEFT JOIN conv_messages m ON m.key = s.message_key AND s.message_key != ''
	LEFT JOIN tickets t ON t.key = s.ticket_key AND s.ticket_key != ''`

func scanSign(sc scanner) (justify.Sign, error) {
	var s justify.Sign
	var shift string
	var at, until int64
	var secondary, wrote int
	err := sc.Scan(&s.ID, &s.Key, &s.GroupID, &s.Kind, &s.OperatorVKID, &shift, &s.CustomerVKID, &s.MessageKey,
		&s.TicketKey, &s.Link, &at, &s.Minutes, &s.DialogID, &secondary, &until, &wrote, &s.Excerpt)
	if err != nil {
		return s, err
	}
	s.At, s.Until, s.Secondary, s.WroteAfter = fromMS(at), fromMS(until), secondary == 1, wrote == 1
	s.OnShift, err = parseOnShift(shift)
	return s, err
}

// SignExamples lists, for each key, the newest n signs of [from, to) with their words
// (all of them when n <= 0), through signs_list.
func (db *DB) SignExamples(ctx context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error) {
	var out []justify.Sign
	for _, k := range keys {
		ss, err := queryAll(ctx, db.read, signEvidence+` WHERE s.group_id = ? AND s.kind = ? AND s.operator_vk_id = ?
			AND s.at >= ? AND s.at < ? ORDER BY s.at DESC, s.id DESC LIMIT ?`, "signs", scanSign,
			k.GroupID, k.Kind, k.OperatorVKID, ms(from), ms(to), limitOrAll(n))
		if err != nil {
			return nil, fmt.Errorf("examples of %s signs of %d in group %d: %w", k.Kind, k.OperatorVKID, k.GroupID, err)
		}
		out = append(out, ss...)
	}
	return out, nil
}

// OperatorSigns lists an operator's signs in a community dated in [from, to), with their
// words, through signs_list (one probe per kind).
func (t *Tx) OperatorSigns(groupID, vkID int64, from, to time.Time) ([]justify.Sign, error) {
	where, args := operatorSigns(groupID, vkID, from, to)
	ss, err := queryAll(t.ctx, t, signEvidence+where+" ORDER BY s.at, s.id", "signs", scanSign, args...)
	if err != nil {
		return nil, fmt.Errorf("signs of %d in group %d: %w", vkID, groupID, err)
	}
	return ss, nil
}

// CountOperatorSigns counts an operator's signs in a community dated in [from, to), from
// signs_list alone.
func (t *Tx) CountOperatorSigns(groupID, vkID int64, from, to time.Time) (int, error) {
	where, args := operatorSigns(groupID, vkID, from, to)
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM signs s"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count signs of %d in group %d: %w", vkID, groupID, err)
	}
	return n, nil
}

// operatorSigns is the condition of one operator's signs in a community and a span, every
// kind named so that signs_list is probed once per kind.
func operatorSigns(groupID, vkID int64, from, to time.Time) (string, []any) {
	kinds := make([]string, len(justify.SignKinds))
	args := []any{groupID}
	for i, k := range justify.SignKinds {
		kinds[i] = "?"
		args = append(args, string(k))
	}
	args = append(args, vkID, ms(from), ms(to))
	return ` WHERE s.group_id = ? AND s.kind IN (` + strings.Join(kinds, ", ") + `) AND s.operator_vk_id = ? AND s.at >= ? AND s.at < ?`, args
}

// WorstSigns lists, for each key, the n worst signs of [from, to) (justify.SignSeverity,
// with to standing for now) with their words (all of them, worst first, when n <= 0).
// What ranks them is read for every sign of the key through signs_list; the words only for
// the n kept.
func (db *DB) WorstSigns(ctx context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error) {
	var out []justify.Sign
	for _, k := range keys {
		all, err := queryAll(ctx, db.read, `SELECT s.id, s.at, s.until, s.minutes, COALESCE(m.wrote_after, 0) FROM signs s
			LEFT JOIN conv_messages m ON m.key = s.message_key AND s.message_key != ''
			WHERE s.group_id = ? AND s.kind = ? AND s.operator_vk_id = ? AND s.at >= ? AND s.at < ?`, "signs",
			func(sc scanner) (justify.Sign, error) {
				s := justify.Sign{Kind: k.Kind}
				var at, until int64
				var wrote int
				err := sc.Scan(&s.ID, &at, &until, &s.Minutes, &wrote)
				s.At, s.Until, s.WroteAfter = fromMS(at), fromMS(until), wrote == 1
				return s, err
			}, k.GroupID, k.Kind, k.OperatorVKID, ms(from), ms(to))
		if err != nil {
			return nil, fmt.Errorf("rank %s signs of %d in group %d: %w", k.Kind, k.OperatorVKID, k.GroupID, err)
		}
		for _, w := range justify.WorstSigns(all, to, n) {
			s, err := scanSign(db.read.QueryRowContext(ctx, signEvidence+" WHERE s.id = ?", w.ID))
			if err != nil {
				return nil, fmt.Errorf("read sign %d: %w", w.ID, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// TemplateExamples lists, for each phrase, its newest n uses in [from, to) (all of them
// when n <= 0) with their words and the phrase's normalised text, through conv_messages_hash.
func (db *DB) TemplateExamples(ctx context.Context, from, to time.Time, phrases []justify.Phrase, n int) ([]justify.TemplateUse, error) {
	var out []justify.TemplateUse
	for _, p := range phrases {
		var text string
		err := db.read.QueryRowContext(ctx, "SELECT text FROM phrases WHERE group_id = ? AND admin_vk_id = ? AND hash = ?",
			p.GroupID, p.OperatorVKID, p.Hash).Scan(&text)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read phrase %d: %w", p.Hash, err)
		}
		uses, err := queryAll(ctx, db.read, `SELECT customer_vk_id, at, wrote_after, key, text, place, owner_id, parent_id,
			item_id FROM conv_messages WHERE group_id = ? AND hash = ? AND admin_vk_id = ? AND at >= ? AND at < ?
			AND hash != 0 ORDER BY at DESC, id DESC LIMIT ?`, "template uses", func(s scanner) (justify.TemplateUse, error) {
			u := justify.TemplateUse{GroupID: p.GroupID, OperatorVKID: p.OperatorVKID, Hash: p.Hash, Template: text}
			var at int64
			var wrote int
			ref := justify.Ref{GroupID: p.GroupID}
			err := s.Scan(&u.CustomerVKID, &at, &wrote, &u.MessageKey, &u.Text, &ref.Place, &ref.OwnerID, &ref.ParentID,
				&ref.ItemID)
			u.At, u.WroteAfter, u.Link = fromMS(at), wrote == 1, ref.Link()
			return u, err
		}, p.GroupID, p.Hash, p.OperatorVKID, ms(from), ms(to), limitOrAll(n))
		if err != nil {
			return nil, fmt.Errorf("list uses of phrase %d: %w", p.Hash, err)
		}
		out = append(out, uses...)
	}
	return out, nil
}
