package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// The bot remembers a bounded number of refused strangers: one it forgot is told again,
// one it remembers is not.
func TestStrangersListIsBounded(t *testing.T) {
	h := newHarness(t)
	h.opts.RememberStrangers = 2
	strangers := []int64{strangerTG, strangerTG + 1, strangerTG + 2}
	for _, id := range strangers[1:] {
		h.tg.AddUser(id, "Stranger")
	}
	h.start()
	refusals := func(id int64) int {
		return len(h.botMessages(id, func(m telegramtest.Msg) bool { return strings.Contains(m.Text, "moderation team only") }))
	}
	for _, id := range strangers {
		h.tg.SendText(id, "hello")
		h.waitMessage(id, "the refusal", nil)
	}
	// The first stranger, heard from least recently, was forgotten when the third wrote.
	h.tg.SendText(strangers[0], "hello again")
	require.Eventually(t, func() bool { return refusals(strangers[0]) == 2 }, 15*time.Second, 10*time.Millisecond,
		"a forgotten stranger is told again")
	h.tg.SendText(strangers[2], "hello again")
	h.settle()
	assert.Equal(t, 1, refusals(strangers[2]), "a remembered stranger is not told twice")
}
