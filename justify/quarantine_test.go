package justify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// An undecodable update is kept in the transaction that moves the position past it, once
// however often VK delivers it, and raises one alert per community and kind whose repeats
// edit it.
func TestIngestPollQuarantines(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	bad := func(kind, raw string) justify.Quarantined {
		return justify.Quarantined{GroupID: 1, Kind: kind, Raw: []byte(raw), Size: len(raw), Err: "malformed vk update: no user_id", At: t0}
	}
	tests := []struct {
		name string
		poll justify.PollAnswer
		// want is the Quarantined count of the result; alerts the originals sent to
		// managers and owners after this step; edits the edits of them.
		want, alerts, edits int
	}{
		{name: "a ban with a bad user id", want: 1, alerts: 2, poll: justify.PollAnswer{
			Events:      []justify.Event{longPollBan("good", 501, t0)},
			Quarantined: []justify.Quarantined{bad("user_block", `{"type":"user_block","event_id":"b1"}`)},
			CursorKey:   "vk:1:ts", Cursor: "11"}},
		{name: "the same update again is kept once and alerts nobody", want: 0, alerts: 2, poll: justify.PollAnswer{
			Quarantined: []justify.Quarantined{bad("user_block", `{"type":"user_block","event_id":"b1"}`)},
			CursorKey:   "vk:1:ts", Cursor: "12"}},
		{name: "another bad ban edits the alert", want: 1, alerts: 2, edits: 2, poll: justify.PollAnswer{
			Quarantined: []justify.Quarantined{bad("user_block", `{"type":"user_block","event_id":"b2"}`)},
			CursorKey:   "vk:1:ts", Cursor: "13"}},
		{name: "another kind has its own alert", want: 1, alerts: 4, edits: 2, poll: justify.PollAnswer{
			Quarantined: []justify.Quarantined{bad("", `[1, 2]`)},
			CursorKey:   "vk:1:ts", Cursor: "14"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := svc.IngestPoll(ctx, tt.poll)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Quarantined)
			cur, err := svc.Cursor(ctx, "vk:1:ts")
			require.NoError(t, err)
			assert.Equal(t, tt.poll.Cursor, cur)

			due, err := db.DueMessages(ctx, t0.Add(24*time.Hour), 0)
			require.NoError(t, err)
			alerts, edits := 0, 0
			for _, m := range due {
				if m.Kind != justify.MsgAlert {
					continue
				}
				a, err := justify.ParseAlert(m.Payload)
				require.NoError(t, err)
				require.Equal(t, justify.AlertQuarantined, a.Kind)
				assert.Contains(t, a.Detail, "no user_id")
				if m.EditOf != 0 {
					edits++
				} else {
					alerts++
				}
			}
			assert.Equal(t, tt.alerts, alerts, "originals: one per manager and owner per kind")
			assert.Equal(t, tt.edits, edits)
		})
	}
	kept, err := db.Quarantined(ctx, store.QuarantineFilter{})
	require.NoError(t, err)
	require.Len(t, kept, 3)
	assert.Equal(t, "", kept[0].Kind, "newest first")
	assert.Equal(t, `{"type":"user_block","event_id":"b1"}`, string(kept[2].Raw))
	assert.Equal(t, 1, count(t, db, justify.EventBan), "the good event of the batch is recorded")
}

// A failing transaction keeps neither the update nor the position: the watcher offers
// the batch again.
func TestIngestPollIsOneTransaction(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	q := justify.Quarantined{GroupID: 1, Kind: "user_block", Raw: []byte(`{}`), Size: 2, Err: "x", At: t0}
	boom := errors.New("boom")
	failing := &justify.Service{Store: failStore{db: db, err: boom}, People: svc.People, Now: svc.Now}
	_, err := failing.IngestPoll(ctx, justify.PollAnswer{Quarantined: []justify.Quarantined{q}, CursorKey: "vk:1:ts", Cursor: "9"})
	require.ErrorIs(t, err, boom)
	kept, err := db.Quarantined(ctx, store.QuarantineFilter{})
	require.NoError(t, err)
	assert.Empty(t, kept)
	cur, err := svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Empty(t, cur)
}

// failStore runs every update and then fails it, so that nothing is committed.
type failStore struct {
	db  *store.DB
	err error
}

func (s failStore) Update(ctx context.Context, fn func(justify.Tx) error) error {
	return s.db.Update(ctx, func(tx justify.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.err
	})
}

func (s failStore) View(ctx context.Context, fn func(justify.Tx) error) error {
	return s.db.View(ctx, fn)
}
