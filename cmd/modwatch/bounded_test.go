package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk"
)

// rowsOf counts a case's rows in a table that has a case_id column.
func rowsOf(t *testing.T, h *harness, table string, id justify.CaseID) int {
	t.Helper()
	return countRows(t, h, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE case_id = %d", table, id))
}

// A closed case's buttons stop working at once and say how it ended; past
// telegram.keep_sent its buttons and delivered messages are deleted, while an open case
// keeps everything it needs and the audit trail stays whole.
func TestDeliveredMessagesArePruned(t *testing.T) {
	h := newHarness(t)
	h.startTeam()

	// Case 1: justified, and approved by Olga; Pavel's copy of the review is now stale.
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	first := h.waitMessage(operatorTG, "the first prompt", isPrompt)
	h.press(operatorTG, first, 0)
	olgas := h.waitMessage(managerTG, "Olga's review", isReview)
	pavels := h.waitMessage(manager2TG, "Pavel's review", isReview)
	h.press(managerTG, olgas, 0)
	decided := h.waitCase(onlyCase(t, h).ID, "the approval", func(c justify.Case) bool { return !c.Open() })

	// Case 2: justified, waiting for the managers.
	h.vk.Ban(group, operatorVK, customer2, int(justify.BanFlood), "", 0)
	h.press(operatorTG, h.waitMessage(operatorTG, "the second prompt", func(m telegramtest.Msg) bool {
		return isPrompt(m) && m.ID != first.ID
	}), 3)
	open := h.waitMessage(managerTG, "the open case's review", func(m telegramtest.Msg) bool {
		return isReview(m) && m.ID != olgas.ID
	})
	var openCase justify.Case
	for _, c := range h.cases() {
		if c.Open() {
			openCase = c
		}
	}
	require.NotZero(t, openCase.ID)

	stale := buttons(pavels)[0].Data
	q := h.tg.PressButton(manager2TG, pavels.ID, stale)
	assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`^Case %d is closed: Olga approved the ban \(.+\)\. This button no longer works\.$`, decided.ID)),
		h.answer(q), "a closed case's button says how the case ended")
	h.settle()
	assert.Equal(t, justify.ResolutionApproved, h.waitCase(decided.ID, "", func(justify.Case) bool { return true }).Resolution)

	trail := len(decisionsOf(t, h, decided.ID))
	openButtons, openMessages := rowsOf(t, h, "buttons", openCase.ID), rowsOf(t, h, "outbox", openCase.ID)
	require.NotZero(t, rowsOf(t, h, "buttons", decided.ID))
	require.NotZero(t, rowsOf(t, h, "outbox", decided.ID))
	require.NotZero(t, openButtons)

	// A day short of keep_sent (90 days by default) nothing is deleted; past it, the closed
	// case's bookkeeping goes. The retention job runs at every start.
	h.stop()
	h.clock.Add(89 * 24 * time.Hour)
	h.start()
	h.stop()
	assert.NotZero(t, rowsOf(t, h, "buttons", decided.ID), "kept within keep_sent")
	h.clock.Add(2 * 24 * time.Hour)
	h.start()
	require.Eventually(t, func() bool {
		return rowsOf(t, h, "buttons", decided.ID) == 0 && rowsOf(t, h, "outbox", decided.ID) == 0
	}, 15*time.Second, 10*time.Millisecond, "the closed case's buttons and messages are deleted")
	assert.Contains(t, h.logs.String(), "deleted delivered messages and closed cases' buttons")
	assert.Equal(t, openButtons, rowsOf(t, h, "buttons", openCase.ID), "the open case keeps its buttons")
	assert.Equal(t, openMessages, rowsOf(t, h, "outbox", openCase.ID), "and its messages")
	assert.Len(t, decisionsOf(t, h, decided.ID), trail, "the audit trail stays whole")

	// The open case's buttons still work; the deleted ones are refused like any unknown one.
	h.press(managerTG, open, 0)
	h.waitCase(openCase.ID, "the open case approved after the pruning", func(c justify.Case) bool {
		return c.Resolution == justify.ResolutionApproved
	})
	assert.Equal(t, "This button is no longer valid.", h.answer(h.tg.PressButton(manager2TG, pavels.ID, stale)))
}

// A VK answer larger than modwatch reads is a clear error in the log, not a crash or a
// truncated read: the call is retried and the daemon goes on.
func TestOversizedVKAnswer(t *testing.T) {
	h := newHarness(t)
	h.vk.OversizeNext("groups.getBanned", vk.MaxAnswer+1)
	h.startTeam()
	require.Eventually(t, func() bool { return strings.Contains(h.logs.String(), "VK answer too large: more than 32 MiB") },
		15*time.Second, 10*time.Millisecond, "the oversized answer is named in the log")
	require.Eventually(t, func() bool { return strings.Contains(h.logs.String(), "reconcile bans recovered") },
		15*time.Second, 10*time.Millisecond, "the next ban list is read")
	assert.NotContains(t, h.logs.String(), "unexpected end of JSON input")

	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(operatorTG, "a prompt: the daemon goes on", isPrompt)
}

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
