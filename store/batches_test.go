package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestBatches(t *testing.T) {
	db := openTest(t)
	b := justify.Batch{GroupID: 100, Kind: justify.EventBan, Operator: "Мария", ActorRole: justify.RoleManager, ActorVKID: 5, State: justify.BatchOpen,
		OpenedAt: t0, AskedAt: t0.Add(time.Minute), Deadline: t0.Add(2 * time.Hour), RemindAt: t0.Add(time.Hour), Shown: 1}
	update(t, db, func(tx justify.Tx) error {
		require.NoError(t, tx.CreateBatch(&b))
		for i := range 4 {
			c := justify.Case{GroupID: 100, Kind: justify.EventBan, State: justify.StateAwaitingReason, BatchID: b.ID,
				UserVKID: int64(10 + i), ActedAt: t0.Add(time.Duration(i) * 10 * time.Second)}
			if i == 3 {
				c.State, c.Resolution = justify.StateClosed, justify.ResolutionApproved
			}
			require.NoError(t, tx.CreateCase(&c))
		}
		return tx.CreateCase(&justify.Case{GroupID: 100, Kind: justify.EventBan, State: justify.StateAwaitingReason})
	})
	assert.Equal(t, justify.BatchID(1), b.ID)

	view(t, db, func(tx justify.Tx) error {
		got, err := tx.Batch(b.ID)
		require.NoError(t, err)
		assert.Equal(t, 4, got.Members)
		assert.Equal(t, 3, got.AwaitingReason)
		assert.Equal(t, 1, got.Approved)
		assert.Equal(t, 30*time.Second, got.Span())
		assert.Equal(t, b.Deadline, got.Deadline)
		assert.Equal(t, b.AskedAt, got.AskedAt)
		assert.Equal(t, "Мария", got.Operator)
		assert.Equal(t, justify.RoleManager, got.ActorRole)

		open, err := tx.OpenBatchFor(100, "Мария", justify.EventBan)
		require.NoError(t, err)
		assert.Equal(t, b.ID, open.ID)
		assert.Equal(t, justify.RoleManager, open.ActorRole, "a wave's later cases join with the role")
		assert.Equal(t, b.AskedAt, open.AskedAt, "a case joining the batch learns whether it was asked")
		_, err = tx.OpenBatchFor(100, "Мария", justify.EventDelete)
		assert.ErrorIs(t, err, justify.ErrNotFound)

		cs, err := tx.BatchCases(b.ID, 2)
		require.NoError(t, err)
		require.Len(t, cs, 2)
		assert.Equal(t, justify.CaseID(1), cs[0].ID)
		list, err := tx.BatchesInState(justify.BatchOpen)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, 4, list[0].Members)
		return nil
	})

	update(t, db, func(tx justify.Tx) error {
		got, err := tx.Batch(b.ID)
		require.NoError(t, err)
		stale := got
		got.State, got.Reason, got.ReasonText, got.Split = justify.BatchReview, justify.ReasonOther, "боты", true
		got.NotAsked, got.AskedAt = true, t0.Add(time.Hour)
		require.NoError(t, tx.SaveBatch(&got))
		assert.ErrorIs(t, tx.SaveBatch(&stale), justify.ErrConflict, "a stale copy is refused")
		_, err = tx.Batch(99)
		assert.ErrorIs(t, err, justify.ErrNotFound)
		return nil
	})
	view(t, db, func(tx justify.Tx) error {
		got, err := tx.Batch(b.ID)
		require.NoError(t, err)
		assert.Equal(t, justify.BatchReview, got.State)
		assert.Equal(t, "боты", got.ReasonText)
		assert.True(t, got.Split)
		assert.True(t, got.NotAsked)
		assert.Equal(t, t0.Add(time.Hour), got.AskedAt)
		_, err = tx.OpenBatchFor(100, "Мария", justify.EventBan)
		assert.ErrorIs(t, err, justify.ErrNotFound, "a batch under review takes no more cases")
		return nil
	})
}

// A newer edit of a message replaces the unsent edits of it that were never tried; sent
// ones, ones being retried and other messages' edits stay.
func TestEnqueueEditSupersedes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var orig, tried int64
	update(t, db, func(tx justify.Tx) error {
		var err error
		orig, err = tx.Enqueue(justify.Message{BatchID: 3, ChatID: 7, Kind: justify.MsgBatchPrompt, Created: t0})
		require.NoError(t, err)
		_, err = tx.Enqueue(justify.Message{ChatID: 7, Kind: justify.MsgPrompt, EditOf: 99, Created: t0})
		require.NoError(t, err)
		tried, err = tx.Enqueue(justify.Message{BatchID: 3, ChatID: 7, Kind: justify.MsgBatchPrompt, EditOf: orig, Created: t0})
		return err
	})
	require.NoError(t, db.MarkRetry(ctx, tried, "timeout", t0))
	for i := range 5 {
		update(t, db, func(tx justify.Tx) error {
			_, err := tx.Enqueue(justify.Message{BatchID: 3, ChatID: 7, Kind: justify.MsgBatchPrompt, EditOf: orig, Created: t0,
				Payload: fmt.Sprint(i)})
			return err
		})
	}
	due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	var edits []justify.Message
	for _, m := range due {
		if m.EditOf == orig {
			edits = append(edits, m)
		}
	}
	require.Len(t, edits, 2, "the one being retried and the newest")
	assert.Equal(t, tried, edits[0].ID)
	assert.Equal(t, "4", edits[1].Payload)
	assert.Equal(t, justify.BatchID(3), edits[1].BatchID)
	assert.Len(t, due, 4)
	view(t, db, func(tx justify.Tx) error {
		shown, err := tx.BatchMessages(3, justify.MsgBatchPrompt)
		require.NoError(t, err)
		require.Len(t, shown, 1)
		assert.Equal(t, orig, shown[0].ID)
		return nil
	})
}

func TestPendingInputOfABatch(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx justify.Tx) error {
		return tx.SetPendingInput(justify.PendingInput{TelegramID: 7, BatchID: 4, Reason: justify.ReasonOther, Created: t0})
	})
	view(t, db, func(tx justify.Tx) error {
		in, err := tx.PendingInput(7)
		require.NoError(t, err)
		assert.Equal(t, justify.BatchID(4), in.BatchID)
		return nil
	})
	require.NoError(t, db.SaveButtons(context.Background(), []justify.Button{{Token: "t", BatchID: 4, TelegramID: 7, Action: "batch_reason", Created: t0}}))
	b, err := db.Button(context.Background(), "t")
	require.NoError(t, err)
	assert.Equal(t, justify.BatchID(4), b.BatchID)
}
