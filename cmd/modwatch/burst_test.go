package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// TestBurstBanGetsItsPrompt runs the daemon on one long-poll answer of 600 customers'
// comments with a ban in the middle: the answer is kept in the inbox with its position at
// once, the ban is derived before the comments around it (its own transaction, the first)
// and its prompt reaches the operator, and every comment is derived once.
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
	require.Eventually(t, func() bool {
		empty, err := h.dm.Store().InboxEmpty(ctx)
		return err == nil && empty
	}, 30*time.Second, 10*time.Millisecond, "the inbox derives everything")
	n, err := h.dm.Store().CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, comments, n, "every comment recorded once")
	assert.Len(t, h.cases(), 1)
	logs := h.logs.String()
	assert.Contains(t, logs, `"queued":601`, "the burst came in one answer")
	derived := regexp.MustCompile(`"new":(\d+),[^\n]*"opened":(\d+)[^\n]*"events derived"`).FindAllStringSubmatch(logs, -1)
	require.NotEmpty(t, derived)
	assert.Equal(t, []string{"1", "1"}, derived[0][1:], "the ban is derived first, alone")
	total := 0
	for _, d := range derived {
		k, _ := strconv.Atoi(d[1])
		total += k
	}
	assert.Equal(t, comments+1, total, "every event derived once")
}
