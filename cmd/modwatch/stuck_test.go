package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// unknownBanLifted has an admin unknown to the config ban the customer, which goes straight
// to the managers, and Olga lift the ban. It returns the case, Olga's review and the
// answer to her confirmation.
func unknownBanLifted(t *testing.T, h *harness) (justify.Case, telegramtest.Msg, string) {
	t.Helper()
	h.vk.Ban(group, unknownVK, customer, 0, "", 0)
	review := h.waitMessage(managerTG, "Olga's review", isReview)
	c := onlyCase(t, h)
	h.answer(h.press(managerTG, review, 1)) // Lift ban: asks for confirmation
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(review)[0].Data
	}, 15*time.Second, 10*time.Millisecond, "confirmation buttons")
	return c, review, h.answer(h.press(managerTG, review, 0))
}

// undoByHand recognises the message telling a manager what to undo by hand.
func undoByHand(m telegramtest.Msg) bool {
	return strings.HasPrefix(m.Text, "↩️ Lift the ban by hand")
}

// A reversal VK never answers does not stay reversing: after justify.reversal_timeout the
// sweep looks at VK's ban list, finds the user still banned and hands the case back to the
// manager, who is told why and can try again. VK's late answer still closes the case.
func TestStuckReversalIsHandedBack(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	release := h.vk.Hold("groups.unban") // VK holds the unban for as long as the test wants
	t.Cleanup(release)

	c, review, answer := unknownBanLifted(t, h)
	assert.Equal(t, "Lifting the ban… The result will appear in the case's message.", answer, "the press is answered at once")
	require.Eventually(t, func() bool { return h.vk.Calls("groups.unban") == 1 }, 15*time.Second, 10*time.Millisecond, "the unban reaches VK")
	pressed := h.clock.Now()

	// Just short of the timeout nothing moves; then the sweep settles it.
	timeout := configs.Defaults().Justify.ReversalTimeout
	h.clock.Add(timeout - time.Second)
	h.settle()
	assert.Equal(t, justify.StateReversing, h.waitCase(c.ID, "", func(justify.Case) bool { return true }).State)
	h.clock.Add(time.Second)
	c = h.waitCase(c.ID, "the sweep", func(c justify.Case) bool { return c.State != justify.StateReversing })
	assert.Equal(t, justify.StateUndoPending, c.State)
	assert.Equal(t, justify.UndoStuck, c.UndoProblem)

	told := h.waitMessage(managerTG, "the undo-by-hand message", undoByHand)
	assert.Contains(t, told.Text, "VK did not answer for several minutes: check VK, then try again")
	edited := h.waitEdit(managerTG, review.ID, "Olga decided to lift the ban, but modwatch could not do it: VK did not answer")
	require.Len(t, buttons(edited), 1, "Olga can try again")
	assert.Equal(t, "Try unban again", buttons(edited)[0].Text)
	ds := decisionsOf(t, h, c.ID)
	last := ds[len(ds)-1]
	assert.Equal(t, justify.ActionUndoRequested, last.Action)
	assert.Equal(t, "VK did not answer within 5m0s; VK shows it still in place", last.Detail)
	waited := last.At.Sub(pressed)
	assert.Equal(t, timeout, waited)
	t.Logf("a reversal VK never answered waited %s before the sweep handed it back "+
		"(justify.reversal_timeout %s, swept every justify.check_every)", waited, timeout)
	assert.Len(t, h.vk.Banned(group), 1, "VK never unbanned")

	// VK answers at last: the unban went through, and the case closes as Olga's reversal.
	release()
	c = h.waitCase(c.ID, "the late answer", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, "Olga", c.ResolvedBy)
	assert.Empty(t, h.vk.Banned(group))
}

// VK answers an unban with a body labelled gzip that is not gzip, which makes vksdk
// panic. The panic is an error like any other; VK's ban list says whether the unban went
// through, and the case is settled by it.
func TestUnreadableUnbanAnswerIsSettledByVK(t *testing.T) {
	tests := []struct {
		name     string
		carryOut bool // VK lifted the ban before garbling its answer
		state    justify.State
		// details are what the trail may say: VK's own report of the unban may come
		// before the look-up at its ban list.
		details []string
	}{
		{name: "VK lifted the ban: reversed", carryOut: true, state: justify.StateClosed,
			details: []string{"VK's answer was lost; VK shows it undone", "undone through VK API; VK confirmed"}},
		{name: "VK did not: back to the manager", state: justify.StateUndoPending,
			details: []string{"unban user 5001 in community 10: VK's answer could not be read, so whether it was done is unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.startTeam()
			h.vk.GarbleNext("groups.unban", tt.carryOut)

			c, _, _ := unknownBanLifted(t, h)
			c = h.waitCase(c.ID, "the outcome", func(c justify.Case) bool { return c.State == tt.state })
			ds := decisionsOf(t, h, c.ID)
			assert.Contains(t, tt.details, ds[len(ds)-1].Detail)
			if tt.state == justify.StateUndoPending {
				assert.Equal(t, justify.UndoFailed, c.UndoProblem)
				told := h.waitMessage(managerTG, "the undo-by-hand message", undoByHand)
				assert.Contains(t, told.Text, "modwatch failed while asking VK: check VK, then try again")
			} else {
				assert.Equal(t, justify.ResolutionReversed, c.Resolution)
				h.waitMessage(managerTG, "the outcome", hasText("Olga reversed the ban"))
			}

			// The daemon goes on: the next ban is prompted as usual, and nothing restarted.
			h.vk.Ban(group, operatorVK, customer2, 0, "", 0)
			h.waitMessage(operatorTG, "the next prompt", isPrompt)
			assert.NotContains(t, h.logs.String(), "panic")
		})
	}
}
