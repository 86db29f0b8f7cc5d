package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// countActions counts the entries of a trail with action a.
func countActions(ds []justify.Decision, a justify.Action) int {
	n := 0
	for _, d := range ds {
		if d.Action == a {
			n++
		}
	}
	return n
}

// askedCaseOf waits until an operator's case was asked (its prompt delivered) and returns it.
func askedCaseOf(t *testing.T, h *harness, operator string) justify.Case {
	t.Helper()
	var found justify.Case
	require.Eventually(t, func() bool {
		for _, c := range h.cases() {
			if c.Operator == operator && !c.AskedAt.IsZero() {
				found = c
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond, "%s's case asked", operator)
	return found
}

// A customer's words Telegram will not take: the prompt goes in its short form, with its
// buttons, and the case goes on; so do the managers' reviews. The trail says so.
func TestRefusedPromptIsSentShort(t *testing.T) {
	h := newHarness(t)
	const why = "Bad Request: can't parse entities: unsupported start tag \"casino\""
	h.tg.RefuseText("casino", why)
	h.startTeam()
	h.settle()
	before := h.tg.Calls("sendMessage")

	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "<casino> links", 0)
	prompt := h.waitMessage(operatorTG, "the short prompt", isPrompt)
	c := h.waitCase(onlyCase(t, h).ID, "the prompt's delivery", func(c justify.Case) bool { return !c.AskedAt.IsZero() })
	h.settle()
	promptCost := h.tg.Calls("sendMessage") - before
	assert.Equal(t, 2, promptCost, "the refused prompt and its short form")
	for _, hidden := range []string{"casino", "Maria"} {
		assert.NotContains(t, prompt.HTML, hidden)
	}
	for _, shown := range []string{"Ban in «Brand support»", "Answer by", "id5001", "Case 1 is shown in short"} {
		assert.Contains(t, prompt.Text, shown)
	}
	assert.Equal(t, h.clock.Now().Add(time.Hour), c.Deadline, "the deadline runs from the delivery")

	edits, sends := h.tg.Calls("editMessageText"), h.tg.Calls("sendMessage")
	h.press(operatorTG, prompt, 0) // spam
	review := h.waitMessage(managerTG, "Olga's short review", isReview)
	h.waitMessage(manager2TG, "Pavel's short review", isReview)
	h.settle()
	editCost, reviewCost := h.tg.Calls("editMessageText")-edits, h.tg.Calls("sendMessage")-sends
	assert.Equal(t, 1, editCost, "the prompt went short, so its edit goes short at once")
	assert.Equal(t, 4, reviewCost, "each manager's review: refused, then short")
	assert.Contains(t, review.Text, "Case 1 is shown in short")
	assert.Contains(t, review.Text, "Operator: Ivan")
	h.press(managerTG, review, 0) // keep the ban
	c = h.waitCase(c.ID, "the decision", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionApproved, c.Resolution)

	ds := decisionsOf(t, h, c.ID)
	require.Equal(t, justify.ActionShortForm, ds[1].Action)
	assert.Contains(t, ds[1].Detail, why)
	assert.Contains(t, ds[1].Detail, "prompt to Ivan")
	assert.Equal(t, 3, countActions(ds, justify.ActionShortForm), "the prompt and both managers' reviews")
	t.Logf("a prompt refused once costs %d sendMessage calls (the refusal and the short form); each later edit of it %d editMessageText call; the two reviews %d sendMessage calls",
		promptCost, editCost, reviewCost)
}

// The operator's Telegram id is wrong in the config, so Telegram refuses the prompt and its
// short form: the case goes to the managers at once as "the operator could not be asked",
// never as overdue, and managers and owners hear it at once, naming the person, the case
// and Telegram's reason; a second one edits the same alert.
func TestUndeliverablePromptGoesToManagers(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string { return strings.Replace(s, "telegram_id: 1002", "telegram_id: 1999", 1) }
	h.start()
	h.pressStart(operatorTG, managerTG, manager2TG, ownerTG)
	h.settle()
	before := h.tg.Calls("sendMessage")

	h.vk.Ban(group, operator2VK, customer, 0, "", 0)
	petrs := onlyCase(t, h)
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		a := h.waitMessage(chat, "the alert", hasText("A message did not get through"))
		for _, w := range []string{"Who: Petr", "Message: the question for a reason", "Telegram said: Bad Request: chat not found",
			"Case: /case 1", "Community: Brand support"} {
			assert.Contains(t, a.Text, w)
		}
	}
	review := h.waitMessage(managerTG, "the review", isReview)
	h.waitMessage(manager2TG, "the review", isReview)
	assert.Contains(t, review.Text, "The operator could not be asked")
	assert.NotContains(t, review.Text, "Overdue")
	h.settle()
	cost := h.tg.Calls("sendMessage") - before
	assert.Equal(t, 2+3+2, cost, "two refusals, an alert to each manager and owner, a review to each manager")
	t.Logf("a prompt refused twice costs %d sendMessage calls: 2 refused, 3 alerts (2 managers, 1 owner), 2 reviews the managers would get anyway", cost)

	c := h.waitCase(petrs.ID, "", func(justify.Case) bool { return true })
	assert.Equal(t, justify.StateAwaitingReview, c.State)
	assert.True(t, c.NotAsked)
	assert.True(t, c.AskedAt.IsZero())
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionUndelivered, justify.ActionNotAsked}, actions(decisionsOf(t, h, c.ID)))
	var out, errOut strings.Builder
	require.Equal(t, 0, runCLI(t.Context(), []string{"cases", "show", "1", "--config", h.configPath()}, &out, &errOut), errOut.String())
	for _, w := range []string{"Asked:", "never: the prompt could not be delivered", "undelivered", "the prompt to Petr was not delivered: Bad Request: chat not found", "not_asked"} {
		assert.Contains(t, out.String(), w)
	}

	// Petr's next ban within the hour: the same alert counts it rather than a new one.
	h.vk.Ban(group, operator2VK, 5003, 0, "", 0)
	alert := h.waitMessage(managerTG, "the alert, edited", hasText("A message did not get through"))
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, alert.ID)
		return strings.Contains(m.Text, "Repeated 2 times")
	}, 15*time.Second, 10*time.Millisecond)
	h.settle()
	assert.Len(t, h.botMessages(managerTG, hasText("A message did not get through")), 1)

	// Past the deadline: the barrier is Ivan's case, asked at once, going overdue in the
	// same pass of the deadlines that would take Petr's.
	h.vk.Ban(group, operatorVK, customer2, 0, "", 0)
	h.waitMessage(operatorTG, "Ivan's prompt", isPrompt)
	ivans := askedCaseOf(t, h, "Ivan")
	h.clock.Add(2 * time.Hour)
	h.waitCase(ivans.ID, "Ivan's case overdue", func(c justify.Case) bool { return c.Overdue })
	c = h.waitCase(petrs.ID, "", func(justify.Case) bool { return true })
	assert.False(t, c.Overdue, "an operator who was never asked is not overdue")
	assert.Zero(t, countActions(decisionsOf(t, h, c.ID), justify.ActionOverdue))

}

// A prompt held up (Telegram asked to wait ten minutes) gives the operator the whole time
// from its delivery, reminder included.
func TestDeadlineRunsFromTheDelivery(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.settle()
	h.tg.FailNext("sendMessage", 429, "Too Many Requests: retry after 600", 600)
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	ivans := onlyCase(t, h)
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND attempts = 1") == 1
	}, 15*time.Second, 10*time.Millisecond, "the prompt is held up")

	// Petr's case, asked at once, is the barrier: its reminder comes when Ivan's would if
	// the time ran from the opening.
	h.vk.Ban(group, operator2VK, customer2, 0, "", 0)
	h.waitMessage(operator2TG, "Petr's prompt", isPrompt)
	petrs := askedCaseOf(t, h, "Petr")

	h.clock.Add(50 * time.Minute) // past the reminder counted from the opening
	delivered := h.clock.Now()
	h.waitMessage(operatorTG, "Ivan's prompt, at last", isPrompt)
	c := h.waitCase(ivans.ID, "Ivan asked", func(c justify.Case) bool { return !c.AskedAt.IsZero() })
	assert.Equal(t, delivered, c.AskedAt)
	assert.Equal(t, delivered.Add(time.Hour), c.Deadline)
	assert.Equal(t, delivered.Add(45*time.Minute), c.RemindAt)
	h.waitCase(petrs.ID, "Petr reminded", func(c justify.Case) bool { return c.Reminded })
	assert.False(t, h.waitCase(ivans.ID, "", func(justify.Case) bool { return true }).Reminded, "Ivan was asked just now")

	h.clock.Add(45 * time.Minute)
	h.waitCase(ivans.ID, "Ivan reminded", func(c justify.Case) bool { return c.Reminded })
	h.waitCase(petrs.ID, "Petr overdue", func(c justify.Case) bool { return c.Overdue })
	assert.False(t, h.waitCase(ivans.ID, "", func(justify.Case) bool { return true }).Overdue)
	h.clock.Add(15 * time.Minute)
	h.waitCase(ivans.ID, "Ivan overdue", func(c justify.Case) bool { return c.Overdue })
}
