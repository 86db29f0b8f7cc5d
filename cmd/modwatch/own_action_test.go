package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// olgaVK is the VK account manager Olga moderates with when the config gives her one.
const olgaVK = 222

// olgaModerates gives Olga a vk_id; alone also takes Pavel out, leaving her the only manager.
func olgaModerates(alone bool) func(string) string {
	return func(cfg string) string {
		cfg = strings.Replace(cfg, "{name: Olga, role: manager, telegram_id: 2001}", fmt.Sprintf("{name: Olga, role: manager, vk_id: %d, telegram_id: 2001}", olgaVK), 1)
		if alone {
			cfg = strings.Replace(cfg, "  - {name: Pavel, role: manager, telegram_id: 2002}\n", "", 1)
		}
		return cfg
	}
}

const ownActionAnswer = "This is your own action: others decide it. Nothing was changed."

// craftButton stores a button for a case (or a batch) bound to chat, as if a message about
// it had reached that person anyway, and returns its callback data.
func (h *harness) craftButton(chat int64, id justify.CaseID, batch justify.BatchID, action string) string {
	h.t.Helper()
	raw := make([]byte, 16)
	_, err := rand.Read(raw)
	require.NoError(h.t, err)
	tok := base64.RawURLEncoding.EncodeToString(raw)
	require.NoError(h.t, h.dm.Store().SaveButtons(context.Background(), []justify.Button{
		{Token: tok, CaseID: id, BatchID: batch, TelegramID: chat, Action: action, Created: h.clock.Now()}}))
	return tok
}

// pressRefused presses data on message m of chat and checks the answer, and that neither
// the message, the case and its trail, nor VK changed.
func (h *harness) pressRefused(chat int64, m telegramtest.Msg, data string, id justify.CaseID) {
	h.t.Helper()
	before, ok := h.tg.Message(chat, m.ID)
	require.True(h.t, ok)
	c := h.waitCase(id, "", func(justify.Case) bool { return true })
	trail := len(decisionsOf(h.t, h, id))
	assert.Equal(h.t, ownActionAnswer, h.answer(h.tg.PressButton(chat, m.ID, data)))
	// Whatever the press wrongly changed was committed before its answer, and settling
	// delivers what it would have queued.
	h.settle()
	after, _ := h.tg.Message(chat, m.ID)
	assert.Equal(h.t, before, after, "the message is left as it was")
	assert.Equal(h.t, c, h.waitCase(id, "", func(justify.Case) bool { return true }), "the case is unchanged")
	assert.Len(h.t, decisionsOf(h.t, h, id), trail, "the audit trail is unchanged")
	assert.Empty(h.t, h.vk.Unbans(), "VK is untouched")
}

// TestManagersOwnBanIsDecidedByOthers: manager Olga, who moderates too, bans a customer.
// She is asked why like an operator; the review goes to Pavel only; a button about her
// own case that reached her anyway is refused and changes nothing; Pavel decides; nobody
// hears of an unknown admin; the case, /case and the report name her with her role.
func TestManagersOwnBanIsDecidedByOthers(t *testing.T) {
	h := newHarness(t)
	h.edit = olgaModerates(false)
	h.startTeam()

	h.vk.Ban(group, olgaVK, customer, int(justify.BanSpam), "", 0)
	prompt := h.waitMessage(managerTG, "Olga's prompt", isPrompt)
	assert.Contains(t, prompt.Text, "Your own action as manager: it is decided by Pavel, not by you.")
	c := onlyCase(t, h)
	assert.Equal(t, "Olga", c.Operator)
	assert.Equal(t, justify.RoleManager, c.ActorRole)
	assert.Equal(t, justify.StateAwaitingReason, c.State, "she is asked first, like an operator")

	h.press(managerTG, prompt, 0) // spam
	review := h.waitMessage(manager2TG, "Pavel's review", isReview)
	assert.Contains(t, review.Text, "Acted: Olga (manager)")
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, hasText("For review")), "Olga gets no review of her own ban")
	assert.Empty(t, h.botMessages(ownerTG, hasText("For review")), "nor the owner, while Pavel can decide")
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		assert.Empty(t, h.botMessages(chat, hasText("unknown admin")), "she is no unknown admin")
	}

	for _, action := range []string{"approve", "reverse", "confirm_reverse", "cancel"} {
		t.Run("Olga presses "+action, func(t *testing.T) {
			h.pressRefused(managerTG, prompt, h.craftButton(managerTG, c.ID, 0, action), c.ID)
		})
	}

	h.press(manager2TG, review, 0) // keep the ban
	c = h.waitCase(c.ID, "Pavel's decision", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionApproved, c.Resolution)
	assert.Equal(t, "Pavel", c.ResolvedBy)
	h.waitMessage(managerTG, "her outcome", hasText("Pavel approved the ban"))

	h.tg.SendText(manager2TG, fmt.Sprintf("/case %d", c.ID))
	h.waitMessage(manager2TG, "the case card", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, fmt.Sprintf("Case %d", c.ID)) && strings.Contains(m.Text, "Acted: Olga (manager)")
	})

	h.stop()
	h.clock.Add(time.Minute) // the report's period ends before now
	old := reportClock
	reportClock = h.clock.Now
	t.Cleanup(func() { reportClock = old })
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"report", "--since", "1d", "--format", "text", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	assert.Contains(t, out.String(), "Olga (manager)")
	assert.NotContains(t, out.String(), "Unknown admins")

	out.Reset()
	code = runCLI(context.Background(), []string{"cases", "show", itoa(int64(c.ID)), "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	assert.Contains(t, out.String(), fmt.Sprintf("Olga (manager, vk%d)", olgaVK))
	assert.Contains(t, out.String(), "manager Olga", "the trail says who acted, with the role")
}

// With Olga the only manager, the owner gets the review of her ban and may decide it.
func TestOnlyManagersOwnBanGoesToTheOwner(t *testing.T) {
	h := newHarness(t)
	h.edit = olgaModerates(true)
	h.start()
	h.pressStart(operatorTG, managerTG, ownerTG)

	h.vk.Ban(group, olgaVK, customer, 0, "", 0)
	prompt := h.waitMessage(managerTG, "Olga's prompt", isPrompt)
	assert.Contains(t, prompt.Text, "it is decided by Anna, not by you.")
	h.press(managerTG, prompt, 3) // flood
	review := h.waitMessage(ownerTG, "the owner's review", isReview)
	assert.Contains(t, review.Text, "No manager but the one who acted could decide this, so owners decide it.")
	c := onlyCase(t, h)
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, hasText("For review")), "not to Olga")
	for _, chat := range []int64{managerTG, ownerTG} {
		assert.Empty(t, h.botMessages(chat, hasText("unknown admin")))
	}

	h.pressRefused(managerTG, prompt, h.craftButton(managerTG, c.ID, 0, "approve"), c.ID)

	h.press(ownerTG, review, 1) // lift the ban: asks to confirm
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(ownerTG, review.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(review)[0].Data
	}, 15*time.Second, 10*time.Millisecond, "the owner is asked to confirm")
	h.press(ownerTG, review, 0)
	c = h.waitCase(c.ID, "the owner's reversal", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, "Anna", c.ResolvedBy)
	require.Len(t, h.vk.Unbans(), 1, "the unban reached VK")
}

// A wave of bans by Olga is one batch she justifies; Pavel alone reviews it, and her
// Approve all and One by one change nothing.
func TestManagersOwnWaveIsDecidedByOthers(t *testing.T) {
	const bans = 12
	h := newHarness(t)
	h.edit = olgaModerates(false)
	h.startTeam()

	for i := range bans {
		h.vk.Ban(group, olgaVK, int64(100000+i), int(justify.BanSpam), "", 0)
	}
	require.Eventually(t, func() bool { return countRows(t, h, "SELECT COUNT(*) FROM cases") == bans }, 15*time.Second, 10*time.Millisecond)
	batched := bans - 5 // justify.group_after's default
	prompt := h.waitMessage(managerTG, "Olga's batch prompt", textHas(fmt.Sprintf("%d users banned", batched)))
	assert.Contains(t, prompt.Text, "Your own action as manager")
	h.press(managerTG, prompt, 0) // all: spam
	review := h.waitMessage(manager2TG, "Pavel's batch review", textHas(fmt.Sprintf("For review: %d bans by Olga (manager)", batched)))
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, textHas("For review")), "Olga reviews none of her wave")
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		assert.Empty(t, h.botMessages(chat, hasText("unknown admin")))
	}

	var batch justify.BatchID
	for _, c := range h.cases() {
		batch = max(batch, c.BatchID)
	}
	require.NotZero(t, batch)
	for _, action := range []string{"batch_approve", "batch_one_by_one"} {
		t.Run("Olga presses "+action, func(t *testing.T) {
			before, _, err := h.dm.Service().Batch(context.Background(), batch, 0)
			require.NoError(t, err)
			msg, _ := h.tg.Message(managerTG, prompt.ID)
			q := h.tg.PressButton(managerTG, prompt.ID, h.craftButton(managerTG, 0, batch, action))
			assert.Equal(t, ownActionAnswer, h.answer(q))
			h.settle()
			after, _, err := h.dm.Service().Batch(context.Background(), batch, 0)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the batch is unchanged")
			now, _ := h.tg.Message(managerTG, prompt.ID)
			assert.Equal(t, msg, now, "the message is left as it was")
			assert.Zero(t, countRows(t, h, "SELECT COUNT(*) FROM cases WHERE state = 'closed'"))
		})
	}

	h.press(manager2TG, review, 0) // approve all
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM cases WHERE resolution = 'approved' AND resolved_by = 'Pavel'") == batched
	}, 15*time.Second, 10*time.Millisecond, "Pavel approved the wave")
	h.waitMessage(managerTG, "her batch outcome", textHas("Managers approved all"))
}
