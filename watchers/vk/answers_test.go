package vk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// heldSink records into a memSink, but holds group 1's answers until released, and notes
// the order in which answers were recorded.
type heldSink struct {
	*memSink
	entered, release chan struct{}
	order            chan int64
}

func (s *heldSink) IngestPoll(ctx context.Context, a justify.PollAnswer) (justify.IngestResult, error) {
	if len(a.Events) > 0 && a.Events[0].GroupID == testGroup {
		s.entered <- struct{}{}
		<-s.release
	}
	if len(a.Events) > 0 {
		s.order <- a.Events[0].GroupID
	}
	return s.memSink.IngestPoll(ctx, a)
}

// Watchers sharing one answer slot read one answer at a time: the second community's
// answer waits, unread, until the first is recorded, so that a burst reaching every
// community at once is not held in memory all together.
func TestWatchersShareAnswerSlots(t *testing.T) {
	const other = int64(2)
	srv := newVK(t)
	srv.AddGroup(other, "vk1.a.OTHER-COMMUNITY-0123456789")
	slots := NewAnswerSlots(1)
	sink := &heldSink{memSink: newMemSink(), entered: make(chan struct{}), release: make(chan struct{}), order: make(chan int64, 2)}
	sink.setCursor(CursorKey(testGroup), srv.Ts(testGroup))
	sink.setCursor(CursorKey(other), srv.Ts(other))
	startWatcher(t, srv, sink, func(c *WatcherConfig) { c.Answers = slots })
	startWatcher(t, srv, sink, func(c *WatcherConfig) {
		c.GroupID, c.Token, c.Answers = other, "vk1.a.OTHER-COMMUNITY-0123456789", slots
	})

	srv.Ban(testGroup, 111, 222, 1, "spam", 0)
	<-sink.entered // group 1's answer is read and held: the slot is taken
	srv.Ban(other, 111, 333, 1, "spam", 0)
	// The barrier: VK has answered group 2's long poll; its watcher now waits for the
	// slot, and records nothing until group 1's answer is recorded.
	require.Eventually(t, func() bool { return srv.Delivered(other) > 0 }, 5*time.Second, time.Millisecond)
	early := false
	select {
	case <-sink.order:
		early = true
	case <-time.After(100 * time.Millisecond):
		// Without the slots, the answer VK gave is recorded within a millisecond.
	}
	close(sink.release)
	require.False(t, early, "group 2's answer was recorded while the slot was held")
	assert.Equal(t, testGroup, <-sink.order)
	assert.Equal(t, other, <-sink.order, "the second answer is recorded after the first")
	waitEvents(t, sink.memSink, 2)
}
