package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// A reversal never blocks other people: while VK holds one unban (a VK that answers after
// 20 s, for as long as the test wants), the manager who pressed is answered at once,
// another manager's press on another case too, and VK's answer is edited into the review
// when it comes.
func TestSlowUnbanBlocksNobody(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	release := h.vk.Hold("groups.unban")
	t.Cleanup(release)

	// Bans by an admin unknown to the config go straight to both managers.
	h.vk.Ban(group, unknownVK, customer, 0, "", 0)
	h.vk.Ban(group, unknownVK, customer2, 0, "", 0)
	of := func(name string, want bool) func(telegramtest.Msg) bool {
		return func(m telegramtest.Msg) bool { return isReview(m) && strings.Contains(m.Text, name) == want }
	}
	olgaFirst := h.waitMessage(managerTG, "Olga's review of the first ban", of("Maria Ivanova", true))
	pavelFirst := h.waitMessage(manager2TG, "Pavel's review of the first ban", of("Maria Ivanova", true))
	pavelSecond := h.waitMessage(manager2TG, "Pavel's review of the second ban", of("Maria Ivanova", false))
	var first, second justify.Case
	require.Eventually(t, func() bool {
		for _, c := range h.cases() {
			switch c.UserVKID {
			case customer:
				first = c
			case customer2:
				second = c
			}
		}
		return first.ID != 0 && second.ID != 0
	}, 15*time.Second, 10*time.Millisecond)

	// Olga lifts the first ban: her confirmation is answered before VK is.
	h.answeredWithin(h.press(managerTG, olgaFirst, 1), time.Second, "Lift ban")
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, olgaFirst.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(olgaFirst)[0].Data
	}, 15*time.Second, 10*time.Millisecond, "confirmation buttons")
	text := h.answeredWithin(h.press(managerTG, olgaFirst, 0), time.Second, "the confirmation")
	assert.Equal(t, "Lifting the ban… The result will appear in the case's message.", text)
	require.Eventually(t, func() bool { return h.vk.Calls("groups.unban") == 1 }, 15*time.Second, 10*time.Millisecond, "the unban reaches VK")

	// While VK holds the unban, Pavel keeps the second ban, and is answered at once.
	text = h.answeredWithin(h.press(manager2TG, pavelSecond, 0), time.Second, "Pavel's Keep ban")
	assert.Equal(t, "The ban stands.", text)
	assert.Equal(t, justify.ResolutionApproved, h.waitCase(second.ID, "the second ban kept", func(c justify.Case) bool { return !c.Open() }).Resolution)

	// Pavel's Lift ban on the first case, pressed on his copy before it changed, is told
	// that the reversal is under way.
	q := h.tg.PressButton(manager2TG, pavelFirst.ID, buttons(pavelFirst)[1].Data)
	assert.Equal(t, "This is already being undone in VK; the result will appear in the case's message.",
		h.answeredWithin(q, time.Second, "Pavel's Lift ban"))

	// The reviews say who is lifting the ban; VK has done nothing yet.
	h.waitEdit(managerTG, olgaFirst.ID, "⏳ Olga is lifting the ban; waiting for VK…")
	h.waitEdit(manager2TG, pavelFirst.ID, "⏳ Olga is lifting the ban")
	assert.Equal(t, justify.StateReversing, h.waitCase(first.ID, "", func(justify.Case) bool { return true }).State)
	assert.Empty(t, h.vk.Unbans(), "VK still holds the unban")
	assert.Len(t, h.vk.Banned(group), 2, "both users are still banned")

	release()
	c := h.waitCase(first.ID, "the reversal", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, "Olga", c.ResolvedBy)
	require.Len(t, h.vk.Unbans(), 1)
	assert.Equal(t, int64(customer), h.vk.Unbans()[0].UserID)
	assert.Len(t, h.vk.Banned(group), 1, "the second ban stands")
	h.waitEdit(managerTG, olgaFirst.ID, "Olga reversed the ban")
	h.waitEdit(manager2TG, pavelFirst.ID, "Olga reversed the ban")
}

// waitEdit waits until message id in chat shows substr.
func (h *harness) waitEdit(chat int64, id int, substr string) telegramtest.Msg {
	h.t.Helper()
	var m telegramtest.Msg
	require.Eventually(h.t, func() bool {
		m, _ = h.tg.Message(chat, id)
		return strings.Contains(m.Text, substr)
	}, 15*time.Second, 10*time.Millisecond, "message %d in chat %d never showed %q", id, chat, substr)
	return m
}
