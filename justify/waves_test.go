package justify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// Alerts of one key within the window are one message per recipient, edited as they repeat.
func TestWaveAlertIsGrouped(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	var evs []justify.Event
	for i := range 6 {
		evs = append(evs, longPollBan(fmt.Sprintf("e%d", i), int64(100+i), t0.Add(time.Duration(i)*time.Minute)))
	}
	for _, ev := range evs {
		_, err := svc.Ingest(ctx, []justify.Event{ev}, "", "")
		require.NoError(t, err)
	}
	due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	originals, edits := map[int64]int{}, 0
	var last justify.Alert
	for _, m := range due {
		if m.Kind != justify.MsgAlert {
			continue
		}
		if m.EditOf == 0 {
			originals[m.ChatID]++
		} else {
			edits++
		}
		last, err = justify.ParseAlert(m.Payload)
		require.NoError(t, err)
	}
	assert.Equal(t, map[int64]int{2001: 1, 3001: 1}, originals, "one wave alert per manager and owner")
	assert.Equal(t, 2, edits, "the 4th, 5th and 6th ban edit both messages: one unsent edit each, the latest")
	assert.Equal(t, justify.AlertWave, last.Kind)
	assert.Equal(t, 6, last.Count)
	assert.Equal(t, "Ivan", last.Subject)
}
