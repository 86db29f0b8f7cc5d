package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.BatchStore = (*Tx)(nil)

// selectBatches reads batches with their members' figures, which no column keeps: they are
// counted from the members when the batch is loaded, so they cannot drift. One join reads
// each member once for all the figures; a clause after it must end in GROUP BY b.id.
const selectBatches = `SELECT b.id, b.group_id, b.kind, b.operator, b.actor_vk_id, b.state, b.opened_at, b.deadline,
	b.remind_at, b.reminded, b.overdue, b.shown, b.reason, b.reason_text, b.justified_at, b.resolved_by,
	b.resolved_at, b.split, b.asked_at, b.not_asked, b.version, b.actor_role,
	COUNT(c.id),
	COUNT(CASE WHEN c.state = 'awaiting_reason' THEN 1 END),
	COUNT(CASE WHEN c.state = 'awaiting_review' THEN 1 END),
	COUNT(CASE WHEN c.resolution = 'approved' THEN 1 END),
	COALESCE(MIN(c.acted_at), 0),
	COALESCE(MAX(c.acted_at), 0)
	FROM batches b LEFT JOIN cases c ON c.batch_id = b.id `

func scanBatch(s scanner) (justify.Batch, error) {
	var b justify.Batch
	var opened, deadline, remind, justified, resolved, asked, first, last int64
	var reminded, overdue, split, notAsked int
	err := s.Scan(&b.ID, &b.GroupID, &b.Kind, &b.Operator, &b.ActorVKID, &b.State, &opened, &deadline,
		&remind, &reminded, &overdue, &b.Shown, &b.Reason, &b.ReasonText, &justified, &b.ResolvedBy,
		&resolved, &split, &asked, &notAsked, &b.Version, &b.ActorRole,
		&b.Members, &b.AwaitingReason, &b.AwaitingReview, &b.Approved, &first, &last)
	if err != nil {
		return b, err
	}
	b.OpenedAt, b.Deadline, b.RemindAt = fromMS(opened), fromMS(deadline), fromMS(remind)
	b.JustifiedAt, b.ResolvedAt, b.FirstActed, b.LastActed = fromMS(justified), fromMS(resolved), fromMS(first), fromMS(last)
	b.Reminded, b.Overdue, b.Split, b.NotAsked = reminded == 1, overdue == 1, split == 1, notAsked == 1
	b.AskedAt = fromMS(asked)
	return b, nil
}

// CreateBatch stores a new batch, setting its ID and Version (1).
func (t *Tx) CreateBatch(b *justify.Batch) error {
	res, err := t.exec(`INSERT INTO batches (group_id, kind, operator, actor_role, actor_vk_id, state, opened_at, deadline,
		remind_at, reminded, overdue, shown, reason, reason_text, justified_at, resolved_by, resolved_at, split,
		asked_at, not_asked, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		b.GroupID, b.Kind, b.Operator, b.ActorRole, b.ActorVKID, b.State, ms(b.OpenedAt), ms(b.Deadline), ms(b.RemindAt),
		b2i(b.Reminded), b2i(b.Overdue), b.Shown, b.Reason, b.ReasonText, ms(b.JustifiedAt), b.ResolvedBy,
		ms(b.ResolvedAt), b2i(b.Split), ms(b.AskedAt), b2i(b.NotAsked))
	if err != nil {
		return fmt.Errorf("insert batch of %s by %s: %w", b.Kind, b.Operator, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert batch of %s by %s: %w", b.Kind, b.Operator, err)
	}
	b.ID, b.Version = justify.BatchID(id), 1
	return nil
}

// SaveBatch writes b if nobody saved it since it was loaded, and bumps b.Version; a stale
// copy writes nothing and returns an error wrapping justify.ErrConflict.
func (t *Tx) SaveBatch(b *justify.Batch) error {
	res, err := t.exec(`UPDATE batches SET state = ?, deadline = ?, remind_at = ?, reminded = ?, overdue = ?, shown = ?,
		reason = ?, reason_text = ?, justified_at = ?, resolved_by = ?, resolved_at = ?, split = ?, asked_at = ?,
		not_asked = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		b.State, ms(b.Deadline), ms(b.RemindAt), b2i(b.Reminded), b2i(b.Overdue), b.Shown, b.Reason, b.ReasonText,
		ms(b.JustifiedAt), b.ResolvedBy, ms(b.ResolvedAt), b2i(b.Split), ms(b.AskedAt), b2i(b.NotAsked), b.ID, b.Version)
	if err != nil {
		return fmt.Errorf("save batch %d: %w", b.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("save batch %d: %w", b.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("save batch %d at version %d: %w", b.ID, b.Version, justify.ErrConflict)
	}
	b.Version++
	return nil
}

// Batch loads a batch with its member counts, or returns an error wrapping justify.ErrNotFound.
func (t *Tx) Batch(id justify.BatchID) (justify.Batch, error) {
	b, err := scanBatch(t.queryRow(selectBatches+"WHERE b.id = ? GROUP BY b.id", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("batch %d: %w", id, justify.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("load batch %d: %w", id, err)
	}
	return b, nil
}

// OpenBatchFor returns the newest open batch of an operator's actions of kind in a group,
// or an error wrapping justify.ErrNotFound. It is asked once per case of a wave, so it
// leaves the member figures out: counting them each time would make a wave quadratic.
func (t *Tx) OpenBatchFor(groupID int64, operator string, kind justify.EventKind) (justify.Batch, error) {
	var b justify.Batch
	var deadline, remind, asked int64
	err := t.queryRow(`SELECT id, group_id, kind, operator, actor_role, actor_vk_id, state, deadline, remind_at, asked_at, version
		FROM batches WHERE group_id = ? AND operator = ? AND kind = ? AND state = ? ORDER BY id DESC LIMIT 1`,
		groupID, operator, kind, justify.BatchOpen).Scan(&b.ID, &b.GroupID, &b.Kind, &b.Operator, &b.ActorRole, &b.ActorVKID, &b.State,
		&deadline, &remind, &asked, &b.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("open %s batch of %s in group %d: %w", kind, operator, groupID, justify.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("find open %s batch of %s in group %d: %w", kind, operator, groupID, err)
	}
	b.Deadline, b.RemindAt, b.AskedAt = fromMS(deadline), fromMS(remind), fromMS(asked)
	return b, nil
}

// BatchesInState lists the batches in a state, oldest first, with member counts.
func (t *Tx) BatchesInState(st justify.BatchState) ([]justify.Batch, error) {
	return queryAll(t.ctx, t, selectBatches+"WHERE b.state = ? GROUP BY b.id ORDER BY b.id", "batches", scanBatch, st)
}

// BatchCases lists a batch's cases by ID, at most limit of them (all when limit <= 0).
func (t *Tx) BatchCases(id justify.BatchID, limit int) ([]justify.Case, error) {
	return queryCases(t.ctx, t, "WHERE batch_id = ? ORDER BY id LIMIT ?", id, limitOrAll(limit))
}

// BatchMessages lists a batch's original (not edit) messages of a kind, oldest first.
func (t *Tx) BatchMessages(id justify.BatchID, kind justify.MessageKind) ([]justify.Message, error) {
	return queryMessages(t.ctx, t, "WHERE batch_id = ? AND kind = ? AND edit_of = 0 ORDER BY id", id, kind)
}
