package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// TestBurstBanGetsItsPrompt runs the daemon on one long-poll answer of 600 customers'
// comments with a ban in the middle: the ban's prompt reaches the operator (the ban is
// recorded before the comments around it: TestCasesFirstThenTheRest), every comment is
// recorded once, and the saved position is VK's newest.
func TestBurstBanGetsItsPrompt(t *testing.T) {
	h := newHarness(t)
	h.startTeam()

	// Hold the long polls, so that the whole burst is in one answer: once both
	// communities' watchers have made a new call, each is waiting in a held one.
	release := h.vk.Hold("a_check")
	defer release()
	calls := h.vk.Calls("a_check")
	require.Eventually(t, func() bool { return h.vk.Calls("a_check") >= calls+2 }, 15*time.Second, time.Millisecond)
	const comments = 600
	for i := range comments {
		h.vk.Comment(group, vktest.WallComment, -group, int64(1+i%30), int64(7000+i%200), fmt.Sprintf("Где мой заказ %d?", i))
		if i == comments/2 {
			h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "casino links", 0)
		}
	}
	release()

	prompt := h.waitMessage(operatorTG, "the ban's prompt", isPrompt)
	assert.Contains(t, prompt.HTML, "https://vk.com/id5001")
	ctx := context.Background()
	require.Eventually(t, func() bool {
		pos, err := h.dm.Service().Cursor(ctx, vk.CursorKey(group))
		return err == nil && pos == h.vk.Ts(group)
	}, 30*time.Second, 10*time.Millisecond, "the position reaches VK's newest")
	n, err := h.dm.Store().CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, comments, n, "every comment recorded once")
	assert.Len(t, h.cases(), 1)
	assert.Contains(t, h.logs.String(), `"new":601`, "the burst came in one answer")
}
