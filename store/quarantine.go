package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.QuarantineStore = (*Tx)(nil)

// Quarantine keeps an update that could not be decoded; see justify.QuarantineStore.
func (t *Tx) Quarantine(q *justify.Quarantined) (bool, error) {
	sum := sha256.Sum256(q.Raw)
	n, err := t.affected(`INSERT INTO quarantine (group_id, kind, raw, size, error, received_at, digest)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, digest) DO NOTHING`,
		q.GroupID, q.Kind, q.Raw, q.Size, q.Err, ms(q.At), hex.EncodeToString(sum[:]))
	if err != nil {
		return false, fmt.Errorf("keep quarantined update: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	if err := t.queryRow("SELECT last_insert_rowid()").Scan(&q.ID); err != nil {
		return false, fmt.Errorf("read quarantined update id: %w", err)
	}
	return true, nil
}

// QuarantineFilter selects quarantined updates: of one community (0: all), at most Limit
// (0: all), newest first.
type QuarantineFilter struct {
	GroupID int64
	Limit   int
}

// Quarantined lists the updates kept because they could not be decoded, newest first.
func (db *DB) Quarantined(ctx context.Context, f QuarantineFilter) ([]justify.Quarantined, error) {
	var out []justify.Quarantined
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx.tx, `SELECT id, group_id, kind, raw, size, error, received_at FROM quarantine
			WHERE ? = 0 OR group_id = ? ORDER BY id DESC LIMIT ?`, "quarantined updates",
			func(s scanner) (justify.Quarantined, error) {
				var q justify.Quarantined
				var at int64
				err := s.Scan(&q.ID, &q.GroupID, &q.Kind, &q.Raw, &q.Size, &q.Err, &at)
				q.At = fromMS(at)
				return q, err
			}, f.GroupID, f.GroupID, limitOrAll(f.Limit))
		return err
	})
	return out, err
}

// purgeQuarantine deletes the updates received before cut (Unix ms): they may quote a
// customer, and retention reaches every copy of a customer's words.
func (t *Tx) purgeQuarantine(cut int64) (int, error) {
	n, err := t.affected("DELETE FROM quarantine WHERE received_at < ?", cut)
	if err != nil {
		return 0, fmt.Errorf("delete old quarantined updates: %w", err)
	}
	return n, nil
}

// forgetQuarantined deletes the updates that mention vkID as a number. A malformed update
// cannot be trusted to say who wrote it, so any mention counts: deleting too much of
// what could not be read anyway is the safe side of an erasure request.
func (t *Tx) forgetQuarantined(vkID int64) (int, error) {
	mention := mentionOf(vkID)
	// Quarantined updates are rare and retention bounds them: reading them all is cheap.
	ids, err := queryAll(t.ctx, t.tx, "SELECT id, raw FROM quarantine", "quarantined updates",
		func(s scanner) (int64, error) {
			var id int64
			var raw []byte
			if err := s.Scan(&id, &raw); err != nil {
				return 0, err
			}
			if !mention.Match(raw) {
				return 0, nil
			}
			return id, nil
		})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if id == 0 {
			continue
		}
		if _, err := t.exec("DELETE FROM quarantine WHERE id = ?", id); err != nil {
			return n, fmt.Errorf("delete quarantined update %d: %w", id, err)
		}
		n++
	}
	return n, nil
}

// mentionOf matches raw bytes that mention the id vkID as a whole number.
func mentionOf(vkID int64) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^0-9])` + strconv.FormatInt(vkID, 10) + `([^0-9]|$)`)
}
