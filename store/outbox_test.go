package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func enqueue(t *testing.T, db *DB, ms ...justify.Message) []int64 {
	t.Helper()
	var ids []int64
	update(t, db, func(tx justify.Tx) error {
		for _, m := range ms {
			id, err := tx.Enqueue(m)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids
}

func dueIDs(t *testing.T, db *DB, now time.Time, limit int) []int64 {
	t.Helper()
	due, err := db.DueMessages(context.Background(), now, limit)
	require.NoError(t, err)
	var ids []int64
	for _, m := range due {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestEnqueueAndMessagesOf(t *testing.T) {
	db := openTest(t)
	var ids []int64
	full := justify.Message{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, Created: t0, NextAttempt: t0}
	update(t, db, func(tx justify.Tx) error {
		for _, m := range []justify.Message{
			full,
			{CaseID: 1, ChatID: 7, Kind: justify.MsgReminder, Created: t0},       // another kind
			{CaseID: 2, ChatID: 7, Kind: justify.MsgPrompt, Created: t0},         // another case
			{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, EditOf: 1},           // an edit
			{CaseID: 1, ChatID: 8, Kind: justify.MsgPrompt, Created: t0, ID: 99}, // a second original; ID ignored
		} {
			id, err := tx.Enqueue(m)
			require.NoError(t, err)
			ids = append(ids, id)
		}
		return nil
	})
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, ids)

	tests := []struct {
		name string
		id   justify.CaseID
		kind justify.MessageKind
		want []int64
	}{
		{"originals only, oldest first", 1, justify.MsgPrompt, []int64{1, 5}},
		{"by kind", 1, justify.MsgReminder, []int64{2}},
		{"by case", 2, justify.MsgPrompt, []int64{3}},
		{"none", 1, justify.MsgReview, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.MessagesOf(tt.id, tt.kind)
				require.NoError(t, err)
				var gotIDs []int64
				for _, m := range got {
					gotIDs = append(gotIDs, m.ID)
				}
				assert.Equal(t, tt.want, gotIDs)
				return nil
			})
		})
	}
	t.Run("every field is kept", func(t *testing.T) {
		got, err := db.Message(context.Background(), 1)
		require.NoError(t, err)
		want := full
		want.ID = 1
		assert.Equal(t, want, got)
	})
}

// TestOutboxLifecycle follows one message from the outbox to Telegram, with a retry.
func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ids := enqueue(t, db, justify.Message{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, Created: t0})
	id := ids[0]

	assert.Equal(t, []int64{id}, dueIDs(t, db, t0, 10), "a new message is due at once")

	require.NoError(t, db.MarkRetry(ctx, id, "429 too many requests", t0.Add(time.Minute)))
	assert.Empty(t, dueIDs(t, db, t0, 10), "not due before its next attempt")
	assert.Empty(t, dueIDs(t, db, t0.Add(time.Minute-time.Millisecond), 10))
	assert.Equal(t, []int64{id}, dueIDs(t, db, t0.Add(time.Minute), 10), "due at its next attempt")

	require.NoError(t, db.MarkRetry(ctx, id, "timeout", t0.Add(2*time.Minute)))
	m, err := db.Message(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Attempts)
	assert.Equal(t, "timeout", m.LastError)
	assert.Equal(t, t0.Add(2*time.Minute), m.NextAttempt)

	require.NoError(t, db.MarkSent(ctx, id, 555, t0.Add(3*time.Minute)))
	assert.Empty(t, dueIDs(t, db, t0.Add(time.Hour), 10), "a sent message is never due again")
	m, err = db.Message(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, justify.Message{
		ID: id, CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, Created: t0,
		SentAt: t0.Add(3 * time.Minute), TelegramMessageID: 555, Attempts: 2,
		NextAttempt: t0.Add(2 * time.Minute), LastError: "timeout",
	}, m)
}

func TestMarkFailed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ids := enqueue(t, db, justify.Message{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt})
	require.NoError(t, db.MarkFailed(ctx, ids[0], "403 bot was blocked by the user"))
	assert.Empty(t, dueIDs(t, db, t0.Add(24*time.Hour), 10), "a failed message is never due again")
	m, err := db.Message(ctx, ids[0])
	require.NoError(t, err)
	assert.True(t, m.Failed)
	assert.Equal(t, 1, m.Attempts)
	assert.Equal(t, "403 bot was blocked by the user", m.LastError)
}

// A message Telegram took only in its short form says so, with the refusal, so that its
// edits go short at once.
func TestMarkSentShort(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ids := enqueue(t, db, justify.Message{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt})
	require.NoError(t, db.MarkSentShort(ctx, ids[0], 556, t0, "Bad Request: can't parse entities"))
	assert.Empty(t, dueIDs(t, db, t0.Add(24*time.Hour), 10))
	m, err := db.Message(ctx, ids[0])
	require.NoError(t, err)
	assert.True(t, m.Short)
	assert.Equal(t, 556, m.TelegramMessageID)
	assert.Equal(t, "Bad Request: can't parse entities", m.LastError)
	assert.Zero(t, m.Attempts, "taken at the first attempt, in short")
}

func TestDueMessages(t *testing.T) {
	db := openTest(t)
	enqueue(t, db,
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt},                                 // 1: due
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt, NextAttempt: t0.Add(time.Hour)}, // 2: later
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt, NextAttempt: t0},                // 3: due
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt, SentAt: t0},                     // 4: sent
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt, Failed: true},                   // 5: failed
		justify.Message{ChatID: 1, Kind: justify.MsgPrompt, EditOf: 1},                      // 6: an edit is due too
	)
	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []int64
	}{
		{"oldest first", t0, 10, []int64{1, 3, 6}},
		{"limited", t0, 2, []int64{1, 3}},
		{"no limit", t0, 0, []int64{1, 3, 6}},
		{"later", t0.Add(time.Hour), 10, []int64{1, 2, 3, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, dueIDs(t, db, tt.now, tt.limit))
		})
	}
}

// The sender pages past chats it must hold back: their messages are left out, and the
// order of the rest is kept.
func TestDueMessagesExceptChats(t *testing.T) {
	db := openTest(t)
	enqueue(t, db,
		justify.Message{ChatID: 1, Kind: justify.MsgReview},                                            // 1
		justify.Message{ChatID: 2, Kind: justify.MsgAlert, Payload: justify.Alert{Key: "k"}.Payload()}, // 2
		justify.Message{ChatID: 1, Kind: justify.MsgReview},                                            // 3
		justify.Message{ChatID: 3, Kind: justify.MsgPrompt},                                            // 4
	)
	ids := func(except ...int64) []int64 {
		due, err := db.DueMessages(context.Background(), t0, 10, except...)
		require.NoError(t, err)
		var out []int64
		for _, m := range due {
			out = append(out, m.ID)
		}
		return out
	}
	assert.Equal(t, []int64{1, 2, 3, 4}, ids())
	assert.Equal(t, []int64{2, 4}, ids(1))
	assert.Equal(t, []int64{4}, ids(1, 2))
	assert.Empty(t, ids(1, 2, 3))
}

func TestOutboxUnknownMessage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"Message", func() error { _, err := db.Message(ctx, 42); return err }},
		{"MarkSent", func() error { return db.MarkSent(ctx, 42, 1, t0) }},
		{"MarkSentShort", func() error { return db.MarkSentShort(ctx, 42, 1, t0, "x") }},
		{"MarkRetry", func() error { return db.MarkRetry(ctx, 42, "x", t0) }},
		{"MarkFailed", func() error { return db.MarkFailed(ctx, 42, "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.call(), justify.ErrNotFound)
		})
	}
}
