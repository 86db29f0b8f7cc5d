package store

import (
	"context"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Pruned counts what PruneDelivered deleted.
type Pruned struct {
	// Messages are outbox rows; Buttons are button tokens; Alerts are alert groups.
	Messages, Buttons, Alerts int
}

// pruneChunk bounds the rows one transaction deletes: the writer is shared with the
// watchers' ingest, which must not wait long behind a first pass over a large database.
const pruneChunk = 500

// PruneDelivered deletes the delivery bookkeeping older than before that nothing will read
// again, a chunk per transaction, and says how much it deleted:
//
//   - outbox messages sent (or given up on) before before, unless their case or batch is
//     still open or closed at or after before, an unsent edit still has to find them, or
//     they are the messages of an alert group seen at or after before (its repeats edit
//     them);
//   - button tokens of cases and batches closed before before (a press on one is then
//     answered as on any unknown button);
//   - alert groups last seen before before (a repeat starts a new group, as after any
//     quiet window).
//
// Unsent messages, the audit trail, cases, events and tickets are never touched. before
// must be older than the alert grouping window: the daemon passes now minus
// telegram.keep_sent, which is at least a day.
func (db *DB) PruneDelivered(ctx context.Context, before time.Time) (Pruned, error) {
	var p Pruned
	cut := ms(before)
	steps := []struct {
		what  string
		n     *int
		query string
		args  []any
	}{
		{"delivered messages", &p.Messages, "DELETE FROM outbox WHERE id IN (" + prunableMessages + ")",
			[]any{cut, justify.StateClosed, cut, justify.BatchClosed, cut, justify.MsgAlert, cut, justify.MsgAlert, pruneChunk}},
		{"buttons of closed cases", &p.Buttons, "DELETE FROM buttons WHERE token IN (" + prunableButtons + ")",
			[]any{cut, justify.StateClosed, cut, justify.BatchClosed, cut, pruneChunk}},
		{"quiet alert groups", &p.Alerts, "DELETE FROM alerts WHERE key IN (SELECT key FROM alerts WHERE last_at < ? LIMIT ?)",
			[]any{cut, pruneChunk}},
	}
	for _, s := range steps {
		for {
			var n int
			err := db.update(ctx, func(tx *Tx) (err error) {
				n, err = tx.affected(s.query, s.args...)
				return err
			})
			if err != nil {
				return p, fmt.Errorf("prune %s older than %s: %w", s.what, before.Format(time.RFC3339), err)
			}
			*s.n += n
			if n < pruneChunk {
				break
			}
		}
	}
	return p, nil
}

// prunableMessages selects up to a chunk of outbox messages PruneDelivered may delete.
// Arguments: cut, closed case state, cut, closed batch state, cut, alert kind, cut, alert
// kind, chunk.
const prunableMessages = `SELECT o.id FROM outbox o
	LEFT JOIN cases c ON c.id = o.case_id
	LEFT JOIN batches b ON b.id = o.batch_id
	WHERE o.created_at < ? AND (o.sent_at != 0 OR o.failed = 1)
	AND (o.case_id = 0 OR (c.state = ? AND c.resolved_at < ?))
	AND (o.batch_id = 0 OR (b.state = ? AND b.resolved_at < ?))
	AND (o.kind != ? OR o.edit_of != 0
		OR NOT EXISTS (SELECT 1 FROM alerts a WHERE a.key = o.alert_key AND a.last_at >= ?)
		OR o.created_at < (SELECT n.created_at FROM outbox n WHERE n.id = (SELECT MAX(m.id) FROM outbox m
			WHERE m.alert_key = o.alert_key AND m.alert_key != '' AND m.edit_of = 0 AND m.kind = ?)))
	AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.edit_of = o.id AND e.sent_at = 0 AND e.failed = 0)
	ORDER BY o.id LIMIT ?`

// prunableButtons selects up to a chunk of buttons PruneDelivered may delete. A batch's
// buttons carry its id and no case. Arguments: cut, closed case state, cut, closed batch
// state, cut, chunk.
const prunableButtons = `SELECT t.token FROM buttons t
	LEFT JOIN cases c ON t.batch_id = 0 AND c.id = t.case_id
	LEFT JOIN batches b ON t.batch_id != 0 AND b.id = t.batch_id
	WHERE t.created_at < ?
	AND ((t.batch_id = 0 AND c.state = ? AND c.resolved_at < ?) OR (t.batch_id != 0 AND b.state = ? AND b.resolved_at < ?))
	LIMIT ?`
