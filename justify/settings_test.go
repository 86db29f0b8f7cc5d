package justify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/store"
)

// promptsTo counts the prompts waiting in the outbox for a chat.
func promptsTo(t *testing.T, db *store.DB, chat int64) int {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	n := 0
	for _, m := range due {
		if m.ChatID == chat && m.Kind == justify.MsgPrompt {
			n++
		}
	}
	return n
}

func TestConfigureChangesWhoIsAskedAndTheRules(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	ban := func(id string, actor, user int64) justify.Case {
		t.Helper()
		ev := justify.Event{Key: "vk:1:" + id, GroupID: 1, Kind: justify.EventBan, ActorVKID: actor, UserVKID: user, At: t0, Source: justify.SourceLongPoll}
		res, err := svc.Ingest(ctx, []justify.Event{ev}, "", "")
		require.NoError(t, err)
		require.Len(t, res.Opened, 1)
		c, _, err := svc.Case(ctx, res.Opened[0])
		require.NoError(t, err)
		return c
	}

	before := ban("e1", 113, 5)
	assert.Empty(t, before.Operator, "vk113 is nobody the config knows yet")
	assert.Equal(t, justify.StateAwaitingReview, before.State)

	set := svc.Settings()
	set.People = justify.NewDirectory(append(set.People.All(), justify.Person{Name: "Sergey", Role: justify.RoleOperator, VKID: 113, TelegramID: 1003}))
	set.Deadline, set.RemindBefore = 30*time.Minute, 10*time.Minute
	svc.Configure(set)

	after := ban("e2", 113, 6)
	assert.Equal(t, "Sergey", after.Operator, "the next ban is the new operator's")
	assert.Equal(t, justify.StateAwaitingReason, after.State)
	assert.Equal(t, t0.Add(30*time.Minute), after.Deadline, "the new deadline")
	assert.Equal(t, t0.Add(20*time.Minute), after.RemindAt)
	assert.Equal(t, 1, promptsTo(t, db, 1003), "Sergey is asked")

	// The case opened before keeps what it was opened with.
	again, _, err := svc.Case(ctx, before.ID)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*time.Hour), again.Deadline)
}

// TestConfigureWhileRunning swaps the settings while events are ingested from other
// goroutines; run with -race, it shows that a reload needs no pause.
func TestConfigureWhileRunning(t *testing.T) {
	ctx := context.Background()
	svc, _ := testService(t)
	base := svc.Settings()
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 20 {
				ev := justify.Event{Key: fmt.Sprintf("vk:1:w%d-%d", w, i), GroupID: 1, Kind: justify.EventBan,
					ActorVKID: 111, UserVKID: int64(1000*w + i), At: t0, Source: justify.SourceLongPoll}
				if _, err := svc.Ingest(ctx, []justify.Event{ev}, "", ""); err != nil {
					t.Errorf("ingest: %v", err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 50 {
			set := base
			set.Deadline = time.Duration(i+1) * time.Minute
			set.People = justify.NewDirectory(base.People.All())
			svc.Configure(set)
		}
	})
	wg.Wait()
	assert.Equal(t, 50*time.Minute, svc.Settings().Deadline)
}

// settingsFields are the Service's fields that hold the config's values.
var settingsFields = map[string]bool{"People": true, "Communities": true, "Deadline": true, "RemindBefore": true,
	"Wave": true, "AlertWindow": true, "Grouping": true, "AlertsChat": true, "ReversalTimeout": true}

// TestSettingsAreReadThroughTheSnapshot keeps a reload working: a method that read
// s.People instead of its settings snapshot would go on with the people the daemon
// started with, whatever the config says now. Only settings.go reads those fields, once.
func TestSettingsAreReadThroughTheSnapshot(t *testing.T) {
	for _, r := range justifytest.FieldReads(t, "Service", "settings.go") {
		if len(r.Path) == 1 && settingsFields[r.Path[0]] {
			t.Errorf("%s: %s.%s reads the settings the service started with; read %s.settings().%s",
				r.Pos, r.Recv, r.Path[0], r.Recv, r.Path[0])
		}
	}
}
