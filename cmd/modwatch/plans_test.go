package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// TestPromptsKeepTheirPlans runs the daemon through rounds of customers' comments and a
// ban in each, each ban's prompt showing the customer's tickets (read for the community
// and for the help desk), and counts the statements SQLite plans again once the first
// rounds have prepared them. Statements whose bindings expire their plans (store's
// stmtKey), or prepared afresh for each of the sender's looks at the outbox, are planned
// again several times a prompt; a statement that keeps its plan is planned again at most
// once on each reader, on its first run there, whenever in the rounds that comes.
func TestPromptsKeepTheirPlans(t *testing.T) {
	h := newHarness(t)
	// Every ban gets a prompt of its own, however many in a row, and no wave alert.
	h.edit = func(cfg string) string {
		return strings.Replace(cfg, "justify:\n", "alerts: {wave_count: 0}\njustify:\n  group_after: 0\n", 1)
	}
	h.startTeam()
	round := func(r int) {
		t.Helper()
		banned := int64(6000 + r)
		for i := range 6 {
			author := int64(7000 + r*6 + i)
			if i == 3 {
				author = banned
			}
			h.vk.Comment(group, vktest.WallComment, -group, int64(1+i%3), author, fmt.Sprintf("Где мой заказ %d-%d?", r, i))
		}
		h.vk.Ban(group, operatorVK, banned, int(justify.BanSpam), "links", 0)
		h.waitMessage(operatorTG, fmt.Sprintf("prompt %d", r), func(m telegramtest.Msg) bool {
			return isPrompt(m) && strings.Contains(m.HTML, fmt.Sprintf("https://vk.com/id%d", banned))
		})
		h.settle()
	}
	// The first rounds prepare the statements on the writer and on each reader.
	const warm, rounds = 4, 16
	for r := range warm {
		round(r)
	}
	replans := h.dm.Store().Replans()
	for r := warm; r < warm+rounds; r++ {
		round(r)
	}
	replans = h.dm.Store().Replans() - replans
	t.Logf("%d statements planned again over %d prompts", replans, rounds)
	// Were they planned again on every run, a prompt would replan several statements; the
	// first runs on each of the four readers are a few dozen at most, whatever the number
	// of prompts.
	assert.Less(t, replans, int64(2*rounds), "statements planned again over %d prompts", rounds)
}
