package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/modwatch/modwatch/cmd/internal/demo"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func isPrompt(m telegramtest.Msg) bool { return len(buttons(m)) == len(justify.Reasons) }

// isAnyPrompt recognises a prompt by its title, whatever state it shows now.
func isAnyPrompt(m telegramtest.Msg) bool { return strings.HasPrefix(m.Text, "🚫") }
func isReview(m telegramtest.Msg) bool    { return len(buttons(m)) == 2 }

func onlyCase(t *testing.T, h *harness) justify.Case {
	t.Helper()
	var cs []justify.Case
	require.Eventually(t, func() bool { cs = h.cases(); return len(cs) == 1 }, 15*time.Second, 10*time.Millisecond)
	return cs[0]
}

func decisionsOf(t *testing.T, h *harness, id justify.CaseID) []justify.Decision {
	t.Helper()
	_, ds, err := h.dm.Service().Case(context.Background(), id)
	require.NoError(t, err)
	return ds
}

func actions(ds []justify.Decision) []justify.Action {
	var out []justify.Action
	for _, d := range ds {
		out = append(out, d.Action)
	}
	return out
}

// The whole core story: ban → prompt → reason → review → reverse → unban in VK.
func TestBanJustifyReverse(t *testing.T) {
	h := newHarness(t)
	h.startTeam()

	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "casino links", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Unix())
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	assert.Contains(t, prompt.Text, "Maria Ivanova")
	assert.Contains(t, prompt.HTML, "https://vk.com/id5001")
	assert.Contains(t, prompt.Text, "Brand support")
	assert.Contains(t, prompt.Text, "casino links")

	c := onlyCase(t, h)
	assert.Equal(t, "Ivan", c.Operator)
	assert.Equal(t, justify.StateAwaitingReason, c.State)
	// A review queued with the prompt would be delivered by now, with or without buttons.
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, hasText("For review")), "managers wait for the reason")

	h.press(operatorTG, prompt, 0) // spam
	h.waitCase(c.ID, "the reason", func(c justify.Case) bool { return c.Reason == justify.ReasonSpam })
	review := h.waitMessage(managerTG, "Olga's review", isReview)
	review2 := h.waitMessage(manager2TG, "Pavel's review", isReview)
	assert.Contains(t, review.Text, "Ivan")
	// The edit and the reviews leave in one round, each chat at its own pace.
	require.Eventually(t, func() bool {
		edited, _ := h.tg.Message(operatorTG, prompt.ID)
		return len(buttons(edited)) == 1
	}, 15*time.Second, 10*time.Millisecond, "the prompt now shows what was recorded, with Add explanation")

	h.press(managerTG, review, 1) // reverse: asks for confirmation first
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(review)[0].Data
	}, 15*time.Second, 10*time.Millisecond, "confirmation buttons")
	assert.Empty(t, h.vk.Unbans(), "nothing happens before the confirmation")
	h.press(managerTG, review, 0) // yes, unban

	c = h.waitCase(c.ID, "the reversal", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, "Olga", c.ResolvedBy)
	require.Len(t, h.vk.Unbans(), 1)
	assert.Equal(t, int64(customer), h.vk.Unbans()[0].UserID)
	assert.Empty(t, h.vk.Banned(group), "the user is really unbanned")

	// Pavel's copy loses its buttons; Ivan hears the outcome.
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(manager2TG, review2.ID)
		return len(buttons(m)) == 0 && m.Edited > 0
	}, 15*time.Second, 10*time.Millisecond)
	h.waitMessage(operatorTG, "the outcome", func(m telegramtest.Msg) bool { return m.ID != prompt.ID && strings.Contains(m.Text, "Olga") })

	ds := decisionsOf(t, h, c.ID)
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionJustified, justify.ActionReverseStarted, justify.ActionReversed}, actions(ds)[:4])
	assert.Equal(t, "Olga", ds[3].Actor)
	assert.Equal(t, int64(managerTG), ds[2].TelegramID)
	assert.Equal(t, int64(operatorTG), ds[1].TelegramID)

	// VK reports the unban modwatch made; the closed case stays as it is. The event is
	// recorded in the same transaction as any change it makes to the case.
	require.Eventually(t, func() bool { return countRows(t, h, "SELECT COUNT(*) FROM events WHERE kind = 'unban'") == 1 }, 15*time.Second, 10*time.Millisecond)
	assert.Equal(t, justify.ResolutionReversed, h.waitCase(c.ID, "", func(justify.Case) bool { return true }).Resolution)
}

// "Other" needs a text, given as a reply; a second press of an old button changes nothing.
func TestOtherReasonNeedsText(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	c := onlyCase(t, h)

	h.press(operatorTG, prompt, 4) // other
	ask := h.waitMessage(operatorTG, "the request for a text", func(m telegramtest.Msg) bool { return m.ForceReply })
	assert.Equal(t, justify.StateAwaitingReason, h.waitCase(c.ID, "", func(justify.Case) bool { return true }).State)

	h.tg.Reply(operatorTG, ask.ID, "threatened <other> customers & staff")
	c = h.waitCase(c.ID, "the reason", func(c justify.Case) bool { return c.Justified() })
	assert.Equal(t, justify.ReasonOther, c.Reason)
	assert.Equal(t, "threatened <other> customers & staff", c.ReasonText)
	review := h.waitMessage(managerTG, "the review", isReview)
	assert.Contains(t, review.Text, "threatened <other> customers & staff", "operator text is shown literally")

	// The old reason button of the prompt (replaced since) is stale.
	q := h.tg.PressButton(operatorTG, prompt.ID, buttons(prompt)[0].Data)
	assert.NotEmpty(t, h.answer(q))
	assert.Equal(t, justify.ReasonOther, h.waitCase(c.ID, "", func(justify.Case) bool { return true }).Reason)
}

// A ban by an admin unknown to the config goes straight to the managers; only managers decide.
func TestUnknownAdminGoesToManagers(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, unknownVK, customer, 0, "", 0)
	review := h.waitMessage(managerTG, "the review", isReview)
	assert.Contains(t, review.HTML, "vk999")
	h.waitMessage(manager2TG, "Pavel's review", isReview)
	c := onlyCase(t, h)
	assert.True(t, c.UnknownAdmin())
	h.settle()
	assert.Len(t, h.botMessages(operatorTG, nil), 1, "no operator is asked: Ivan has only his greeting")

	// Ivan presses Olga's button: refused, nothing changes.
	q := h.tg.PressButton(operatorTG, review.ID, buttons(review)[0].Data)
	assert.NotEmpty(t, h.answer(q))
	// A forged button.
	q = h.tg.PressButton(managerTG, review.ID, "approve:1")
	assert.NotEmpty(t, h.answer(q))
	cur := h.waitCase(c.ID, "", func(justify.Case) bool { return true })
	assert.True(t, cur.Open())

	h.press(manager2TG, h.waitMessage(manager2TG, "", isReview), 0) // approve
	c = h.waitCase(c.ID, "approval", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionApproved, c.Resolution)
	assert.Equal(t, "Pavel", c.ResolvedBy)

	// Olga's second click on her now stale copy changes nothing.
	q = h.tg.PressButton(managerTG, review.ID, buttons(review)[0].Data)
	assert.NotEmpty(t, h.answer(q))
	assert.Len(t, decisionsOf(t, h, c.ID), 2)
}

// Without an admin user token the manager is told what to undo by hand; VK's
// user_unblock then closes the case.
func TestReverseWithoutUserToken(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group2, operatorVK, customer, 0, "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.press(operatorTG, prompt, 3) // flood
	review := h.waitMessage(managerTG, "the review", isReview)
	h.press(managerTG, review, 1)
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(review)[0].Data
	}, 15*time.Second, 10*time.Millisecond)
	h.press(managerTG, review, 0)

	undo := h.waitMessage(managerTG, "the instructions", func(m telegramtest.Msg) bool { return strings.Contains(m.HTML, "vk.com/club20") })
	assert.Contains(t, undo.HTML, "https://vk.com/id5001")
	c := onlyCase(t, h)
	c = h.waitCase(c.ID, "undo pending", func(c justify.Case) bool { return c.State == justify.StateUndoPending })
	assert.Contains(t, c.UndoNote, "token")
	assert.Equal(t, justify.UndoNoToken, c.UndoProblem)
	assert.Contains(t, undo.Text, "no token that VK accepts for this is configured", "the reason in the manager's language")
	assert.Empty(t, h.vk.Unbans())

	h.vk.Unban(group2, 100, customer, false)
	c = h.waitCase(c.ID, "VK's confirmation", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversedByHand, c.Resolution)
	assert.Equal(t, "Olga", c.ResolvedBy)
}

// A reminder before the deadline, then the managers get the case as overdue; a late
// reason is still recorded, marked late.
func TestDeadlineReminderAndEscalation(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)
	c := onlyCase(t, h)

	h.clock.Add(46 * time.Minute)
	h.waitCase(c.ID, "the reminder", func(c justify.Case) bool { return c.Reminded })
	require.Eventually(t, func() bool { return len(h.botMessages(operatorTG, nil)) == 3 }, 15*time.Second, 10*time.Millisecond, "greeting, prompt, reminder")
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, isReview))

	h.clock.Add(15 * time.Minute)
	h.waitCase(c.ID, "escalation", func(c justify.Case) bool { return c.Overdue })
	review := h.waitMessage(managerTG, "the overdue review", isReview)
	assert.Contains(t, strings.ToLower(review.Text), "deadline")

	prompt := h.botMessages(operatorTG, isPrompt)[0]
	h.press(operatorTG, prompt, 1)
	c = h.waitCase(c.ID, "the late reason", func(c justify.Case) bool { return c.Justified() })
	assert.True(t, c.JustifiedLate())
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		return m.Edited > 0 && strings.Contains(m.Text, "Ivan")
	}, 15*time.Second, 10*time.Millisecond, "the managers' copy shows the late reason")
	h.settle()
	assert.Len(t, h.botMessages(managerTG, isReview), 1, "no second review for a late reason")
}

// An unban done directly in VK closes the open case.
func TestUnbanInVKClosesCase(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)
	c := onlyCase(t, h)
	h.vk.Unban(group, operatorVK, customer, false)
	c = h.waitCase(c.ID, "the close", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversedInVK, c.Resolution)
}

// A restart in the middle of the flow: nothing is lost, nothing is sent twice, buttons
// sent before the restart still work.
func TestRestartMidFlow(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.stop()

	// Made while modwatch was down.
	h.vk.Ban(group, operator2VK, customer2, 0, "", 0)
	h.vk.Duplicate(group)

	h.startTeam()
	h.waitMessage(operator2TG, "Petr's prompt from the downtime", isPrompt)
	h.press(operatorTG, prompt, 0)
	h.waitMessage(managerTG, "the review", isReview)

	require.Eventually(t, func() bool { return len(h.cases()) == 2 }, 15*time.Second, 10*time.Millisecond)
	h.stop()
	h.startTeam()
	h.vk.Ban(group, operatorVK, 5003, 0, "", 0)
	require.Eventually(t, func() bool { return len(h.botMessages(operatorTG, isAnyPrompt)) == 2 }, 15*time.Second, 10*time.Millisecond)
	h.settle()

	assert.Len(t, h.cases(), 3)
	assert.Len(t, h.botMessages(operator2TG, isAnyPrompt), 1, "no duplicate prompt")
	assert.Len(t, h.botMessages(managerTG, isReview), 1, "no duplicate review")
	// A replay that reconciliation counted first is kept as history, never acted on.
	assert.Equal(t, 3, countRows(t, h, "SELECT COUNT(*) FROM events WHERE kind = 'ban' AND history = 0"), "each ban acted on once")
}

// Strangers and group chats learn nothing.
func TestStrangersAreRefused(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.tg.SendText(strangerTG, "/start")
	refusal := h.waitMessage(strangerTG, "the refusal", nil)
	assert.NotContains(t, refusal.Text, "Ivan")
	h.tg.SendGroupText(-100500, managerTG, "/pending")
	h.tg.SendText(managerTG, "/start")
	h.waitMessage(managerTG, "the greeting", nil)
	assert.Empty(t, h.tg.Messages(-100500))
}

func TestDatabaseFileIsPrivate(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.stop()
	info, err := os.Stat(filepath.Join(h.dir, "modwatch.db"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func countRows(t *testing.T, h *harness, query string) int {
	t.Helper()
	return countRowsAt(t, filepath.Join(h.dir, "modwatch.db"), query)
}

func countRowsAt(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(query).Scan(&n))
	return n
}

// TestDemo runs the demo in both languages (at once: each waits mostly on Telegram's pace)
// and checks what the owner's digest and the report show of the conversation story.
func TestDemo(t *testing.T) {
	for _, tt := range demoLanguages {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			var out, errOut justifytest.SyncBuffer
			code := runCLI(t.Context(), []string{"demo", "--lang", tt.lang, "--dir", t.TempDir()}, &out, &errOut)
			require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
			assert.Contains(t, out.String(), "the end")
			assert.NotContains(t, out.String()+errOut.String(), demo.BotToken)
			checkDemoConversations(t, out.String(), tt)
		})
	}
}
