package store

// Spot checks: dialogs sent to managers to grade, their verdicts and their trail.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.SpotCheckStore = (*Tx)(nil)

const spotColumns = `id, round_at, requested_by, group_id, conv, place, customer_vk_id, link, started_at, last_at,
	operator_vk_id, operator, manager, manager_tg, created_at, chat_id, tg_msg_id, verdict, verdict_by, verdict_tg,
	verdict_at, comment`

func scanSpotCheck(s scanner) (justify.SpotCheck, error) {
	var sc justify.SpotCheck
	var round, started, last, created, verdictAt int64
	err := s.Scan(&sc.ID, &round, &sc.RequestedBy, &sc.GroupID, &sc.Conv, &sc.Place, &sc.CustomerVKID, &sc.Link, &started,
		&last, &sc.OperatorVKID, &sc.Operator, &sc.Manager, &sc.ManagerTG, &created, &sc.ChatID, &sc.TelegramMessageID,
		&sc.Verdict, &sc.VerdictBy, &sc.VerdictTG, &verdictAt, &sc.Comment)
	sc.RoundAt, sc.StartedAt, sc.LastAt, sc.Created, sc.VerdictAt = fromMS(round), fromMS(started), fromMS(last),
		fromMS(created), fromMS(verdictAt)
	return sc, err
}

// SpotCandidates lists the dialogs started in [from, to) that admin vkID replied to first
// and that were never spot-checked, oldest first.
func (t *Tx) SpotCandidates(vkID int64, from, to time.Time) ([]justify.Dialog, error) {
	return queryAll(t.ctx, t, `SELECT d.id, d.group_id, d.conv, d.place, d.customer_vk_id, d.link, d.started_at, d.last_at
		FROM dialogs d WHERE d.started_at >= ? AND d.started_at < ? AND d.first_touch_by = ?
		AND NOT EXISTS (SELECT 1 FROM spot_checks s WHERE s.conv = d.conv AND s.started_at = d.started_at)
		ORDER BY d.started_at, d.id`, "spot check candidates",
		func(s scanner) (justify.Dialog, error) {
			var d justify.Dialog
			var started, last int64
			err := s.Scan(&d.ID, &d.GroupID, &d.Conv, &d.Place, &d.CustomerVKID, &d.Link, &started, &last)
			d.StartedAt, d.LastAt = fromMS(started), fromMS(last)
			return d, err
		}, ms(from), ms(to), vkID)
}

// CreateSpotCheck stores a new spot check and sets its ID; a dialog spot-checked before
// is an error wrapping justify.ErrConflict.
func (t *Tx) CreateSpotCheck(sc *justify.SpotCheck) error {
	res, err := t.exec(`INSERT INTO spot_checks (round_at, requested_by, group_id, conv, place, customer_vk_id, link,
		started_at, last_at, operator_vk_id, operator, manager, manager_tg, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conv, started_at) DO NOTHING`,
		ms(sc.RoundAt), sc.RequestedBy, sc.GroupID, sc.Conv, sc.Place, sc.CustomerVKID, sc.Link, ms(sc.StartedAt),
		ms(sc.LastAt), sc.OperatorVKID, sc.Operator, sc.Manager, sc.ManagerTG, ms(sc.Created))
	if err != nil {
		return fmt.Errorf("insert spot check of %s: %w", sc.Conv, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("spot check of %s at %s: %w", sc.Conv, sc.StartedAt.Format(time.RFC3339), justify.ErrConflict)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("spot check id: %w", err)
	}
	sc.ID = justify.SpotCheckID(id)
	return nil
}

// SpotCheck loads a spot check, or returns an error wrapping justify.ErrNotFound.
func (t *Tx) SpotCheck(id justify.SpotCheckID) (justify.SpotCheck, error) {
	sc, err := scanSpotCheck(t.queryRow("SELECT "+spotColumns+" FROM spot_checks WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fmt.Errorf("spot check %d: %w", id, justify.ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("load spot check %d: %w", id, err)
	}
	return sc, nil
}

// SaveSpotCheck writes a spot check's manager, delivery and verdict.
func (t *Tx) SaveSpotCheck(sc justify.SpotCheck) error {
	n, err := t.affected(`UPDATE spot_checks SET manager = ?, manager_tg = ?, chat_id = ?, tg_msg_id = ?, verdict = ?,
		verdict_by = ?, verdict_tg = ?, verdict_at = ?, comment = ? WHERE id = ?`,
		sc.Manager, sc.ManagerTG, sc.ChatID, sc.TelegramMessageID, sc.Verdict, sc.VerdictBy, sc.VerdictTG,
		ms(sc.VerdictAt), sc.Comment, sc.ID)
	if err != nil {
		return fmt.Errorf("save spot check %d: %w", sc.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("save spot check %d: %w", sc.ID, justify.ErrNotFound)
	}
	return nil
}

// SpotCheckAt finds the spot check shown as message msgID of chat.
func (t *Tx) SpotCheckAt(chat int64, msgID int) (justify.SpotCheck, error) {
	sc, err := scanSpotCheck(t.queryRow("SELECT "+spotColumns+" FROM spot_checks WHERE chat_id = ? AND tg_msg_id = ?",
		chat, msgID))
	if errors.Is(err, sql.ErrNoRows) || msgID == 0 {
		return sc, fmt.Errorf("spot check of message %d in %d: %w", msgID, chat, justify.ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("find spot check of message %d in %d: %w", msgID, chat, err)
	}
	return sc, nil
}

// AddSpotCheckEntry appends to a spot check's trail.
func (t *Tx) AddSpotCheckEntry(e justify.SpotCheckEntry) error {
	if _, err := t.exec(`INSERT INTO spot_check_trail (spot_check_id, action, actor, telegram_id, at, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, e.SpotCheckID, e.Action, e.Actor, e.TelegramID, ms(e.At), e.Detail); err != nil {
		return fmt.Errorf("add %s to spot check %d: %w", e.Action, e.SpotCheckID, err)
	}
	return nil
}

func scanSpotEntry(s scanner) (justify.SpotCheckEntry, error) {
	var e justify.SpotCheckEntry
	var at int64
	err := s.Scan(&e.ID, &e.SpotCheckID, &e.Action, &e.Actor, &e.TelegramID, &at, &e.Detail)
	e.At = fromMS(at)
	return e, err
}

// SpotCheckTrail lists a spot check's trail in the order it was written.
func (t *Tx) SpotCheckTrail(id justify.SpotCheckID) ([]justify.SpotCheckEntry, error) {
	return queryAll(t.ctx, t, `SELECT id, spot_check_id, action, actor, telegram_id, at, detail FROM spot_check_trail
		WHERE spot_check_id = ? ORDER BY id`, "spot check trail", scanSpotEntry, id)
}

// SpotChecksGraded lists the spot checks whose verdict was given in [from, to), oldest
// verdict first: what reports count as qa_good and qa_bad.
func (db *DB) SpotChecksGraded(ctx context.Context, from, to time.Time) ([]justify.SpotCheck, error) {
	return queryAll(ctx, db.read, "SELECT "+spotColumns+` FROM spot_checks WHERE verdict != '' AND verdict_at >= ?
		AND verdict_at < ? ORDER BY verdict_at, id`, "graded spot checks", scanSpotCheck, ms(from), ms(to))
}

// SpotChecksSent lists the spot checks sent at or after since, newest first, at most limit
// (all when limit <= 0), each with its trail: `modwatch qa list`.
func (db *DB) SpotChecksSent(ctx context.Context, since time.Time, limit int) ([]justify.SpotCheck, map[justify.SpotCheckID][]justify.SpotCheckEntry, error) {
	scs, err := queryAll(ctx, db.read, "SELECT "+spotColumns+` FROM spot_checks WHERE created_at >= ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, "spot checks", scanSpotCheck, ms(since), limitOrAll(limit))
	if err != nil {
		return nil, nil, err
	}
	trails := map[justify.SpotCheckID][]justify.SpotCheckEntry{}
	ids := make([]justify.SpotCheckID, len(scs))
	for i, sc := range scs {
		ids[i] = sc.ID
	}
	err = inChunks(ids, func(ph string, args []any) error {
		es, err := queryAll(ctx, db.read, `SELECT id, spot_check_id, action, actor, telegram_id, at, detail
			FROM spot_check_trail WHERE spot_check_id IN (`+ph+`) ORDER BY id`, "spot check trails", scanSpotEntry, args...)
		for _, e := range es {
			trails[e.SpotCheckID] = append(trails[e.SpotCheckID], e)
		}
		return err
	})
	return scs, trails, err
}

// PruneSpotCheckButtons deletes the Good and Bad buttons of spot checks sent before
// before: like a closed case's, they are kept telegram.keep_sent and no longer. It returns
// how many it deleted.
func (db *DB) PruneSpotCheckButtons(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := db.update(ctx, func(t *Tx) (err error) {
		n, err = t.affected(`DELETE FROM buttons WHERE spot_check_id != 0 AND created_at < ?`, ms(before))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete spot check buttons older than %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
