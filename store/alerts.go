package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.AlertStore = (*Tx)(nil)

// NoteAlert records an alert under its key; see justify.AlertStore. The group's count is
// how often the key was noted, or the alert's own count when that is larger (a wave counts
// itself).
func (t *Tx) NoteAlert(a justify.Alert, window time.Duration) (justify.AlertGroup, bool, error) {
	g := justify.AlertGroup{Key: a.Key}
	var first, last int64
	err := t.queryRow("SELECT first_at, last_at, count FROM alerts WHERE key = ?", a.Key).
		Scan(&first, &last, &g.Count)
	isFirst := errors.Is(err, sql.ErrNoRows) || a.At.Sub(fromMS(last)) > window
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return g, false, fmt.Errorf("load alert %s: %w", a.Key, err)
	}
	if isFirst {
		g.FirstAt, g.Count = a.At, 1
	} else {
		g.FirstAt = fromMS(first)
		g.Count++
	}
	g.LastAt = a.At
	g.Count = max(g.Count, a.Count)
	a.Count = g.Count
	g.Alert = a
	_, err = t.exec(`INSERT INTO alerts (key, first_at, last_at, count, alert) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET first_at = excluded.first_at, last_at = excluded.last_at,
		count = excluded.count, alert = excluded.alert`, a.Key, ms(g.FirstAt), ms(g.LastAt), g.Count, a.Payload())
	if err != nil {
		return g, false, fmt.Errorf("save alert %s: %w", a.Key, err)
	}
	return g, isFirst, nil
}

// AlertMessages lists the original messages of an alert key's newest group.
func (t *Tx) AlertMessages(key string) ([]justify.Message, error) {
	// The newest original is of the newest group; a key never alerted has none. "alert_key
	// != ''" lets SQLite use the partial index outbox_alert: it cannot see that from the
	// bound key alone.
	var id int64
	err := t.queryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox WHERE alert_key = ? AND alert_key != '' AND edit_of = 0
		AND kind = ?`, key, justify.MsgAlert).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("find messages of alert %s: %w", key, err)
	}
	if id == 0 {
		return nil, nil
	}
	// Every original of the newest group was enqueued in the same transaction, so they
	// share that transaction's created_at.
	return queryMessages(t.ctx, t, `WHERE alert_key = ? AND alert_key != '' AND edit_of = 0 AND kind = ?
		AND created_at = (SELECT created_at FROM outbox WHERE id = ?) ORDER BY id`, key, justify.MsgAlert, id)
}
