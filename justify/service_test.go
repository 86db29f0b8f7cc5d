package justify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testService is the workflow over a real SQLite store, with a fixed clock.
func testService(t *testing.T) (*justify.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return &justify.Service{
		Store: db,
		People: justify.NewDirectory([]justify.Person{
			{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: 1001},
			{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001},
			{Name: "Anna", Role: justify.RoleOwner, TelegramID: 3001},
		}),
		Communities: map[int64]justify.Community{1: {GroupID: 1, Name: "Brand"}},
		Now:         func() time.Time { return t0 },
		Deadline:    2 * time.Hour,
		Wave:        justify.WaveRule{Count: 3, Within: 10 * time.Minute},
		AlertWindow: time.Hour,
	}, db
}

func longPollBan(id string, user int64, at time.Time) justify.Event {
	return justify.Event{Key: "vk:1:" + id, GroupID: 1, Kind: justify.EventBan, ActorVKID: 111, UserVKID: user, At: at, Source: justify.SourceLongPoll}
}

func listedBan(user int64, at time.Time) justify.Event {
	return justify.Event{Key: fmt.Sprintf("vk:1:reconcile:ban:%d:%d", user, at.Unix()), GroupID: 1, Kind: justify.EventBan,
		ActorVKID: 111, UserVKID: user, At: at, Source: justify.SourceReconcile}
}

// count counts the events of a kind recorded in group 1.
func count(t *testing.T, db *store.DB, kind justify.EventKind) int {
	t.Helper()
	counts, err := db.EventCounts(context.Background())
	require.NoError(t, err)
	return counts[[2]string{"1", string(kind)}]
}

func TestReconcile(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// before runs ahead of the reconciliation, during while the list is fetched (after
		// the mark), after follows it.
		before, during, after []justify.Event
		listed                []justify.Event
		wantBans              int
		wantUnbans            int
		wantOpen              int
	}{
		{
			name:     "a ban made while down is recorded and opens a case",
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Hour))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "the long poll's copy of a reconciled ban is the same ban",
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Hour))},
			after:    []justify.Event{longPollBan("e1", 5, t0)},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "a ban the long poll delivered first is not recorded again",
			before:   []justify.Event{longPollBan("e1", 5, t0.Add(-time.Minute))},
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Minute))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:       "a recorded ban missing from the list becomes an unban and closes the case",
			before:     []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			wantBans:   1,
			wantUnbans: 1,
		},
		{
			name:       "the long poll's copy of a reconciled unban is the same unban",
			before:     []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			after:      []justify.Event{{Key: "vk:1:u2", GroupID: 1, Kind: justify.EventUnban, UserVKID: 5, At: t0, Source: justify.SourceLongPoll}},
			wantBans:   1,
			wantUnbans: 1,
		},
		{
			// The ban's own time is VK's and may be anything: the position decides.
			name:     "a ban recorded while the list was fetched is left alone",
			during:   []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "after an unban, a new ban of the same user is a new ban",
			before:   []justify.Event{listedBan(5, t0.Add(-2*time.Hour)), {Key: "vk:1:u", GroupID: 1, Kind: justify.EventUnban, UserVKID: 5, At: t0.Add(-time.Hour), Source: justify.SourceLongPoll}},
			after:    []justify.Event{longPollBan("e2", 5, t0)},
			listed:   nil,
			wantBans: 2, wantUnbans: 1, wantOpen: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := testService(t)
			if len(tt.before) > 0 {
				_, err := svc.Ingest(ctx, tt.before, "", "")
				require.NoError(t, err)
			}
			mark, err := svc.Mark(ctx)
			require.NoError(t, err)
			if len(tt.during) > 0 {
				_, err := svc.Ingest(ctx, tt.during, "", "")
				require.NoError(t, err)
			}
			_, err = svc.Reconcile(ctx, 1, mark, t0, tt.listed)
			require.NoError(t, err)
			if len(tt.after) > 0 {
				_, err := svc.Ingest(ctx, tt.after, "", "")
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantBans, count(t, db, justify.EventBan), "bans recorded")
			assert.Equal(t, tt.wantUnbans, count(t, db, justify.EventUnban), "unbans recorded")
			open, err := db.CasesIn(ctx, justify.StateAwaitingReason, 0)
			require.NoError(t, err)
			assert.Len(t, open, tt.wantOpen, "open cases")
		})
	}
}

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
