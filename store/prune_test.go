package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// What PruneDelivered deletes and what it must keep, each message and button named by what
// it is; the cut is t0.
func TestPruneDelivered(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	old, recent := t0.Add(-30*24*time.Hour), t0.Add(time.Hour)
	sent := func(m justify.Message) justify.Message {
		m.SentAt, m.TelegramMessageID = m.Created.Add(time.Second), 5
		return m
	}
	failed := func(m justify.Message) justify.Message { m.Failed, m.LastError = true, "Forbidden"; return m }

	kept, gone := map[string]int64{}, map[string]int64{}
	keptB, goneB := []string{}, []string{}
	var decided justify.CaseID
	update(t, db, func(tx justify.Tx) error {
		newCase := func(state justify.State, resolved time.Time) justify.CaseID {
			c := justify.Case{GroupID: 1, Kind: justify.EventBan, State: state, OpenedAt: old, ResolvedAt: resolved}
			require.NoError(t, tx.CreateCase(&c))
			return c.ID
		}
		newBatch := func(state justify.BatchState, resolved time.Time) justify.BatchID {
			b := justify.Batch{GroupID: 1, Kind: justify.EventBan, Operator: "Ivan", State: state, OpenedAt: old, ResolvedAt: resolved}
			require.NoError(t, tx.CreateBatch(&b))
			return b.ID
		}
		put := func(into map[string]int64, name string, m justify.Message) int64 {
			id, err := tx.Enqueue(m)
			require.NoError(t, err)
			into[name] = id
			return id
		}
		button := func(into *[]string, token string, c justify.CaseID, b justify.BatchID) {
			*into = append(*into, token)
			require.NoError(t, db.saveButton(tx, justify.Button{Token: token, CaseID: c, BatchID: b, TelegramID: 7, Action: "approve", Created: old}))
		}

		decided = newCase(justify.StateClosed, old)
		require.NoError(t, tx.AddDecision(justify.Decision{CaseID: decided, Action: justify.ActionApproved, Actor: "Olga", At: old}))
		review := put(gone, "a decided case's review", sent(justify.Message{CaseID: decided, ChatID: 7, Kind: justify.MsgReview, Created: old}))
		put(gone, "its edit", sent(justify.Message{CaseID: decided, ChatID: 7, Kind: justify.MsgReview, EditOf: review, Created: old}))
		put(gone, "its outcome, given up on", failed(justify.Message{CaseID: decided, ChatID: 8, Kind: justify.MsgOutcome, Created: old}))
		button(&goneB, "decided", decided, 0)

		open := newCase(justify.StateAwaitingReview, time.Time{})
		put(kept, "an open case's review", sent(justify.Message{CaseID: open, ChatID: 7, Kind: justify.MsgReview, Created: old}))
		button(&keptB, "open", open, 0)

		late := newCase(justify.StateClosed, recent)
		put(kept, "the review of a case closed after the cut", sent(justify.Message{CaseID: late, ChatID: 7, Kind: justify.MsgReview, Created: old}))
		button(&keptB, "closed late", late, 0)

		waiting := newCase(justify.StateClosed, old)
		prompt := put(kept, "a prompt an unsent edit still needs", sent(justify.Message{CaseID: waiting, ChatID: 7, Kind: justify.MsgPrompt, Created: old}))
		put(kept, "the unsent edit", justify.Message{CaseID: waiting, ChatID: 7, Kind: justify.MsgPrompt, EditOf: prompt, Created: old})
		put(kept, "an unsent outcome", justify.Message{CaseID: waiting, ChatID: 8, Kind: justify.MsgOutcome, Created: old})

		closedBatch, openBatch := newBatch(justify.BatchClosed, old), newBatch(justify.BatchOpen, time.Time{})
		put(gone, "a closed batch's prompt", sent(justify.Message{BatchID: closedBatch, ChatID: 7, Kind: justify.MsgBatchPrompt, Created: old}))
		button(&goneB, "closed batch", 0, closedBatch)
		put(kept, "an open batch's prompt", sent(justify.Message{BatchID: openBatch, ChatID: 7, Kind: justify.MsgBatchPrompt, Created: old}))
		button(&keptB, "open batch", 0, openBatch)

		// Alerts: "quiet" was last seen long ago; "live" repeats still edit its newest group.
		alert := func(key string, at time.Time) justify.Message {
			a := justify.Alert{Kind: justify.AlertToken, Key: key, At: at}
			_, _, err := tx.NoteAlert(a, time.Hour)
			require.NoError(t, err)
			return justify.Message{ChatID: 7, Kind: justify.MsgAlert, Created: at, Payload: a.Payload()}
		}
		put(gone, "a quiet alert", sent(alert("quiet", old)))
		put(gone, "an older group of a live alert", sent(alert("live", old.Add(-48*time.Hour))))
		live := put(kept, "the live group's alert", sent(alert("live", old)))
		put(gone, "an old edit of it", sent(justify.Message{ChatID: 7, Kind: justify.MsgAlert, EditOf: live, Created: old,
			Payload: justify.Alert{Kind: justify.AlertToken, Key: "live", Count: 2}.Payload()}))
		alert("live", recent) // a repeat after the cut: the group is live

		put(gone, "a digest sent long ago", sent(justify.Message{ChatID: 9, Kind: justify.MsgDigest, Created: old, Payload: "{}"}))
		put(kept, "a digest sent lately", sent(justify.Message{ChatID: 9, Kind: justify.MsgDigest, Created: recent, Payload: "{}"}))
		return nil
	})

	p, err := db.PruneDelivered(ctx, t0)
	require.NoError(t, err)
	assert.Equal(t, Pruned{Messages: len(gone), Buttons: len(goneB), Alerts: 1}, p)
	for name, id := range kept {
		_, err := db.Message(ctx, id)
		assert.NoError(t, err, "kept: %s", name)
	}
	for name, id := range gone {
		_, err := db.Message(ctx, id)
		assert.ErrorIs(t, err, justify.ErrNotFound, "deleted: %s", name)
	}
	for _, tok := range keptB {
		_, err := db.Button(ctx, tok)
		assert.NoError(t, err, "kept: the button of %s", tok)
	}
	for _, tok := range goneB {
		_, err := db.Button(ctx, tok)
		assert.ErrorIs(t, err, justify.ErrNotFound, "deleted: the button of %s", tok)
	}
	trail, err := db.Decisions(ctx, decided)
	require.NoError(t, err)
	assert.Len(t, trail, 1, "the audit trail stays")
	assert.Equal(t, 4, count(t, db, "cases"), "cases stay")

	again, err := db.PruneDelivered(ctx, t0)
	require.NoError(t, err)
	assert.Equal(t, Pruned{}, again, "a second pass finds nothing")
}

// A large backlog is deleted a chunk per transaction, all of it.
func TestPruneDeliveredInChunks(t *testing.T) {
	db := openTest(t)
	old := t0.Add(-30 * 24 * time.Hour)
	n := 2*pruneChunk + 7
	update(t, db, func(tx justify.Tx) error {
		for range n {
			if _, err := tx.Enqueue(justify.Message{ChatID: 9, Kind: justify.MsgDigest, Created: old, SentAt: old, Payload: "{}"}); err != nil {
				return err
			}
		}
		return nil
	})
	p, err := db.PruneDelivered(context.Background(), t0)
	require.NoError(t, err)
	assert.Equal(t, n, p.Messages)
	assert.Zero(t, count(t, db, "outbox"))
}

// saveButton stores a button inside a test's transaction.
func (db *DB) saveButton(tx justify.Tx, b justify.Button) error {
	_, err := tx.(*Tx).exec(`INSERT INTO buttons (token, case_id, batch_id, telegram_id, action, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, b.Token, b.CaseID, b.BatchID, b.TelegramID, b.Action, b.Reason, ms(b.Created))
	return err
}
