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
// and for the help desk), and counts what SQLite compiles once the first rounds have
// prepared the statements. Statements planned again on every run (store's stmtKey), or
// prepared afresh for each of the sender's looks at the outbox, compile several a prompt.
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
	const warm, rounds = 4, 8
	for r := range warm {
		round(r)
	}
	prepared := h.dm.Store().Compiles()
	for r := warm; r < warm+rounds; r++ {
		round(r)
	}
	compiled := h.dm.Store().Compiles() - prepared
	t.Logf("%d statements compiled over %d prompts", compiled, rounds)
	assert.Less(t, compiled, int64(rounds), "fewer statements compiled than prompts sent")
}
