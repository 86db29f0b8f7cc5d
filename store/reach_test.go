package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

const (
	neverStarted = "Forbidden: bot can't initiate conversation with a user"
	blocked      = "Forbidden: bot was blocked by the user"
)

func TestReach(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	msg := func(chat int64, at time.Duration) justify.Message {
		return justify.Message{ChatID: chat, Kind: justify.MsgAlert, Created: t0.Add(at), Payload: "{}"}
	}
	ids := enqueue(t, db,
		msg(1, 0),                         // reached
		msg(2, 0),                         // refused: never pressed Start
		msg(3, 0), msg(3, 10*time.Second), // reached, then blocked the bot
		msg(4, 0), msg(4, 10*time.Second), // refused, then reached: unblocked
		msg(5, 0),                      // failed for another reason
		msg(6, 0), msg(6, time.Minute), // refused, pressed Start, the retry reached them
	)
	require.NoError(t, db.MarkSent(ctx, ids[0], 1, t0.Add(time.Second)))
	require.NoError(t, db.MarkFailed(ctx, ids[1], neverStarted))
	require.NoError(t, db.MarkSent(ctx, ids[2], 2, t0.Add(time.Second)))
	require.NoError(t, db.MarkFailed(ctx, ids[3], blocked))
	require.NoError(t, db.MarkFailed(ctx, ids[4], blocked))
	require.NoError(t, db.MarkSent(ctx, ids[5], 3, t0.Add(time.Minute)))
	require.NoError(t, db.MarkFailed(ctx, ids[6], "Bad Request: can't parse entities"))
	require.NoError(t, db.MarkFailed(ctx, ids[7], neverStarted))
	n, err := db.RetryUnreachable(ctx, 6)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, db.MarkSent(ctx, ids[7], 4, t0.Add(2*time.Minute)))

	// Pressing Start is recorded apart: the greeting does not go through the outbox.
	update(t, db, func(tx justify.Tx) error {
		for _, kv := range [][2]string{
			{justify.StartedCursor(1), t0.Format(time.RFC3339)},
			{justify.StartedCursor(7), t0.Add(time.Hour).Format(time.RFC3339)},
			{justify.StartedCursor(8), "not a time"},
			{"telegram:offset", "42"},
		} {
			if err := tx.SaveCursor(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.Reach(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[int64]justify.Reach{
		1: {ChatID: 1, LastSent: t0.Add(time.Second), Started: t0.Truncate(time.Second)},
		7: {ChatID: 7, Started: t0.Add(time.Hour).Truncate(time.Second)},
		2: {ChatID: 2, Refused: neverStarted, RefusedAt: t0},
		3: {ChatID: 3, LastSent: t0.Add(time.Second), Refused: blocked, RefusedAt: t0.Add(10 * time.Second)},
		4: {ChatID: 4, LastSent: t0.Add(time.Minute)},
		6: {ChatID: 6, LastSent: t0.Add(2 * time.Minute)},
	}, got)
}
