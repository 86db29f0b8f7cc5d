package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestForbiddenActionsChangeNothing attempts, through the real daemon, every action a
// person may not take: each gets an answer, and neither the case, its audit trail nor VK
// changes.
func TestForbiddenActionsChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.pressStart(strangerTG)

	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	// The prompt's delivery starts the deadline: the case is saved once more after it.
	c := h.waitCase(onlyCase(t, h).ID, "the prompt's delivery", func(c justify.Case) bool { return !c.AskedAt.IsZero() })

	// Until Ivan justifies, the prompt's buttons are the only ones; afterwards the review's.
	reason := buttons(prompt)[0].Data
	type attempt struct {
		name string
		from int64
		data func() string
	}
	before := func() (justify.Case, int) {
		got := h.waitCase(c.ID, "", func(justify.Case) bool { return true })
		return got, len(decisionsOf(t, h, c.ID))
	}
	try := func(t *testing.T, a attempt) {
		t.Helper()
		wantCase, wantTrail := before()
		q := h.tg.PressButton(a.from, prompt.ID, a.data())
		assert.NotEmpty(t, h.answer(q), "every press is answered")
		// Whatever the press wrongly changed was committed before its answer; settling
		// also delivers what that change would have queued, then nothing may have moved.
		h.settle()
		gotCase, gotTrail := before()
		assert.Equal(t, wantCase, gotCase, "the case is unchanged")
		assert.Equal(t, wantTrail, gotTrail, "the audit trail is unchanged")
		assert.Empty(t, h.vk.Unbans(), "VK is untouched")
	}
	for _, a := range []attempt{
		{"a manager presses the operator's reason", managerTG, func() string { return reason }},
		{"another operator presses it", operator2TG, func() string { return reason }},
		{"the owner presses it", ownerTG, func() string { return reason }},
		{"a stranger presses it", strangerTG, func() string { return reason }},
		{"forged data", operatorTG, func() string { return "approve:1" }},
		{"too long data", operatorTG, func() string { return string(make([]byte, 65)) }},
		{"empty data", operatorTG, func() string { return "" }},
	} {
		t.Run(a.name, func(t *testing.T) { try(t, a) })
	}

	h.press(operatorTG, prompt, 0)
	h.waitCase(c.ID, "the reason", func(c justify.Case) bool { return c.State == justify.StateAwaitingReview })
	review := h.waitMessage(managerTG, "the review", isReview)
	approve, reverse := buttons(review)[0].Data, buttons(review)[1].Data
	for _, a := range []attempt{
		{"the operator approves their own case", operatorTG, func() string { return approve }},
		{"the operator reverses it", operatorTG, func() string { return reverse }},
		{"another manager uses Olga's button", manager2TG, func() string { return reverse }},
		{"the owner reverses", ownerTG, func() string { return reverse }},
		{"a stranger approves", strangerTG, func() string { return approve }},
		{"the operator's old reason button again", operatorTG, func() string { return reason }},
	} {
		t.Run(a.name, func(t *testing.T) { try(t, a) })
	}

	// Olga approves; her Reverse button, pressed after, is stale.
	h.press(managerTG, review, 0)
	h.waitCase(c.ID, "approval", func(c justify.Case) bool { return c.Resolution == justify.ResolutionApproved })
	t.Run("a stale button after the decision", func(t *testing.T) {
		try(t, attempt{"stale", managerTG, func() string { return reverse }})
	})

	// Messages from a group chat and from strangers reveal nothing. Answers are sent while
	// an update is handled, so once both are handled any answer would be there.
	n := len(h.tg.Messages(-100))
	h.tg.SendGroupText(-100, managerTG, "/pending")
	h.tg.SendText(strangerTG, "/case 1")
	h.settle()
	for _, m := range h.botMessages(strangerTG, nil) {
		assert.NotContains(t, m.Text, "Maria", "a stranger learns nothing about cases")
	}
	require.Len(t, h.tg.Messages(-100), n, "group chats get no answer")
}
