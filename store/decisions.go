package store

import (
	"context"
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.DecisionStore = (*Tx)(nil)

// AddDecision appends d to its case's audit trail; d.ID is ignored. The case must exist.
func (t *Tx) AddDecision(d justify.Decision) error {
	_, err := t.exec("INSERT INTO decisions (case_id, action, actor, telegram_id, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
		d.CaseID, d.Action, d.Actor, d.TelegramID, ms(d.At), d.Detail)
	if err != nil {
		return fmt.Errorf("add %s decision to case %d: %w", d.Action, d.CaseID, err)
	}
	return nil
}

// Decisions lists a case's audit trail in the order it was written.
func (t *Tx) Decisions(id justify.CaseID) ([]justify.Decision, error) {
	ds, err := queryDecisions(t.ctx, t, "WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("decisions of case %d: %w", id, err)
	}
	return ds, nil
}

// queryDecisions lists the decisions a WHERE/ORDER clause selects.
func queryDecisions(ctx context.Context, q querier, clause string, args ...any) ([]justify.Decision, error) {
	return queryAll(ctx, q, "SELECT id, case_id, action, actor, telegram_id, at, detail FROM decisions "+clause,
		"decisions", scanDecision, args...)
}

func scanDecision(s scanner) (justify.Decision, error) {
	var d justify.Decision
	var at int64
	err := s.Scan(&d.ID, &d.CaseID, &d.Action, &d.Actor, &d.TelegramID, &at, &d.Detail)
	d.At = fromMS(at)
	return d, err
}

// Decisions lists one case's audit trail in the order it was written.
func (db *DB) Decisions(ctx context.Context, id justify.CaseID) ([]justify.Decision, error) {
	var ds []justify.Decision
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		ds, err = tx.Decisions(id)
		return err
	})
	return ds, err
}
