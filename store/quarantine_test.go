package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestQuarantine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	keep := func(q justify.Quarantined) (justify.Quarantined, bool) {
		var isNew bool
		update(t, db, func(tx justify.Tx) error {
			var err error
			isNew, err = tx.Quarantine(&q)
			return err
		})
		return q, isNew
	}
	// Bytes that are not UTF-8 come back as they went in.
	raw := []byte("{\"type\":\"message_new\",\"object\":{\"from_id\":5001,\"text\":\"\xff\"}}")
	first, isNew := keep(justify.Quarantined{GroupID: 10, Kind: "message_new", Raw: raw, Size: 900, Err: "bad", At: t0})
	require.True(t, isNew)
	assert.NotZero(t, first.ID)
	_, isNew = keep(justify.Quarantined{GroupID: 10, Kind: "message_new", Raw: raw, Size: 900, Err: "bad", At: t0.Add(time.Minute)})
	assert.False(t, isNew, "a redelivery is kept once")
	_, isNew = keep(justify.Quarantined{GroupID: 20, Kind: "message_new", Raw: raw, Size: 900, Err: "bad", At: t0})
	assert.True(t, isNew, "the same bytes from another community are another update")
	keep(justify.Quarantined{GroupID: 10, Raw: []byte(`[50012]`), Size: 7, Err: "envelope", At: t0.Add(time.Hour)})

	all, err := db.Quarantined(ctx, QuarantineFilter{})
	require.NoError(t, err)
	require.Len(t, all, 3)
	assert.Equal(t, []byte(`[50012]`), all[0].Raw, "newest first")
	assert.Equal(t, justify.Quarantined{ID: first.ID, GroupID: 10, Kind: "message_new", Raw: raw, Size: 900, Err: "bad", At: t0}, all[2])
	of10, err := db.Quarantined(ctx, QuarantineFilter{GroupID: 10, Limit: 1})
	require.NoError(t, err)
	require.Len(t, of10, 1)
	assert.Equal(t, int64(10), of10[0].GroupID)

	// Erasure deletes what mentions the person, and only that: 50012 is not 5001.
	e, err := db.ForgetPersonDetail(ctx, 5001)
	require.NoError(t, err)
	assert.Equal(t, 2, e.Quarantined)
	left, err := db.Quarantined(ctx, QuarantineFilter{})
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, []byte(`[50012]`), left[0].Raw)

	// Retention deletes what is older than the cut.
	e, err = db.PurgeTextsDetail(ctx, t0.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, e.Quarantined)
	e, err = db.PurgeTextsDetail(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, e.Quarantined)
	left, err = db.Quarantined(ctx, QuarantineFilter{})
	require.NoError(t, err)
	assert.Empty(t, left)
}
