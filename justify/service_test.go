package justify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

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

// deliverPrompts tells the service, as the sender does, that every prompt waiting in the
// outbox reached its operator at at: deadlines run from then.
func deliverPrompts(t *testing.T, svc *justify.Service, db *store.DB, at time.Time) {
	t.Helper()
	ctx := context.Background()
	due, err := db.DueMessages(ctx, at.Add(100*time.Hour), 0)
	require.NoError(t, err)
	for _, m := range due {
		if m.EditOf != 0 || (m.Kind != justify.MsgPrompt && m.Kind != justify.MsgBatchPrompt) {
			continue
		}
		require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: m, To: "Ivan", At: at}))
		require.NoError(t, db.MarkSent(ctx, m.ID, int(m.ID), at))
	}
}
