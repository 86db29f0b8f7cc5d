package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk"
)

// While modwatch is down, an operator bans a customer, lifts the ban and bans her again.
// At the next start reconciliation reads the ban list before the long poll replays the
// three events: the replay is history. One case, still open, one prompt, nobody told
// that she was unbanned, and all three events in the record.
func TestDowntimeReplayAfterReconciliationIsHistory(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.stop()

	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.vk.Unban(group, operatorVK, customer, false)
	last := h.vk.Ban(group, operatorVK, customer, int(justify.BanAbuse), "insults", 0)
	// The long poll waits until the test lets it go, so reconciliation runs first.
	release := h.vk.Hold("a_check")
	t.Cleanup(release)
	h.start()

	prompt := h.waitMessage(operatorTG, "Ivan's prompt for the reconciled ban", isPrompt)
	assert.Contains(t, prompt.Text, "Maria Ivanova")
	c := onlyCase(t, h)
	assert.Equal(t, justify.SourceReconcile, c.Source)
	assert.Equal(t, "insults", c.VKComment, "the ban in force is the second one")
	assert.Zero(t, countRows(t, h, "SELECT COUNT(*) FROM events WHERE source = 'longpoll'"), "the long poll has not replayed yet")

	release()
	// The barrier: the last replayed event is recorded, in the one transaction that would
	// also have queued whatever acting on the replay sends.
	var evs []justify.Event
	require.Eventually(t, func() bool {
		var err error
		evs, err = h.dm.Store().BanEvents(context.Background(), group, customer)
		return err == nil && len(evs) > 0 && evs[len(evs)-1].Key == vk.EventKey(group, last)
	}, 15*time.Second, 10*time.Millisecond, "the replay is recorded")
	h.settle()

	assert.Len(t, evs, 4, "the reconciled ban and the three replayed events")
	assert.Equal(t, justify.SourceReconcile, evs[0].Source)
	var kinds []justify.EventKind
	for _, ev := range evs[1:] {
		assert.True(t, ev.History, "replayed %s is history", ev.Kind)
		assert.Equal(t, justify.SourceLongPoll, ev.Source)
		kinds = append(kinds, ev.Kind)
	}
	assert.Equal(t, []justify.EventKind{justify.EventBan, justify.EventUnban, justify.EventBan}, kinds)
	c = onlyCase(t, h)
	assert.Equal(t, justify.StateAwaitingReason, c.State, "the case stays open: she is still banned")
	assert.Len(t, h.botMessages(operatorTG, isAnyPrompt), 1, "one prompt")
	for _, chat := range []int64{operatorTG, managerTG, manager2TG, ownerTG} {
		assert.Empty(t, h.botMessages(chat, func(m telegramtest.Msg) bool {
			return strings.Contains(m.Text, "lifted") || strings.Contains(m.Text, "unbanned")
		}), "nobody is told she was unbanned (chat %d)", chat)
	}
	assert.Len(t, h.vk.Banned(group), 1)
}
