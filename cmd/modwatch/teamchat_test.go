package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// teamChatID is the team's supergroup in the end-to-end tests.
const teamChatID int64 = -1001500

// inTeamChat sends reviews and alerts to chat; Pavel works for Brand shop only.
func inTeamChat(chat int64) func(string) string {
	return func(cfg string) string {
		cfg = strings.Replace(cfg, "  poll_timeout: 1s\n", "  poll_timeout: 1s\n  review_chat: "+itoa(chat)+"\n  alerts_chat: "+itoa(chat)+"\n", 1)
		return strings.Replace(cfg, "{name: Pavel, role: manager, telegram_id: 2002}", "{name: Pavel, role: manager, telegram_id: 2002, communities: [20]}", 1)
	}
}

// pressInChat presses a button of message m of a group chat as user from and returns the
// answer.
func (h *harness) pressInChat(chat, from int64, m telegramtest.Msg, label string) string {
	h.t.Helper()
	cur, ok := h.tg.Message(chat, m.ID)
	require.True(h.t, ok)
	for _, b := range buttons(cur) {
		if b.Text == label {
			return h.answer(h.tg.PressGroupButton(chat, from, m.ID, b.Data))
		}
	}
	h.t.Fatalf("message %d has no button %q: %v", m.ID, label, buttons(cur))
	return ""
}

// justifiedBan has Ivan ban user, whose VK name is name, in Brand support and give spam
// as the reason, and returns the case.
func (h *harness) justifiedBan(user int64, name string) justify.Case {
	h.t.Helper()
	first, last, _ := strings.Cut(name, " ")
	h.vk.SetName(user, first, last)
	h.vk.Ban(group, operatorVK, user, int(justify.BanSpam), "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", func(m telegramtest.Msg) bool { return isPrompt(m) && strings.Contains(m.Text, name) })
	h.press(operatorTG, prompt, 0)
	var c justify.Case
	require.Eventually(h.t, func() bool {
		for _, x := range h.cases() {
			if x.UserVKID == user && x.State == justify.StateAwaitingReview {
				c = x
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond, "the case of %d before managers", user)
	return c
}

// The review goes to the team chat as one message. An operator's press there is refused,
// and so are the actor's, a stranger's and another brand's manager's, changing nothing;
// a manager of the brand confirms a reversal privately, VK unbans, and the chat's review
// names who decided.
func TestReviewChat(t *testing.T) {
	h := newHarness(t)
	h.edit = inTeamChat(teamChatID)
	h.tg.AddSupergroup(teamChatID, "Moderation team", false)
	h.startTeam()
	c := h.justifiedBan(6001, "Gleb Orlov")
	review := h.waitMessage(teamChatID, "the review in the team chat", hasText("Gleb Orlov"))
	h.settle()
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		assert.Empty(t, h.botMessages(chat, hasText("For review")), "no private review: the chat has it")
	}

	trail := len(decisionsOf(t, h, c.ID))
	refusals := []struct {
		who   int64
		label string
		want  string
	}{
		{who: operator2TG, label: "Keep ban", want: "This case is decided by its community's managers, not by you. Nothing was changed."},
		{who: operator2TG, label: "Lift ban", want: "This case is decided by its community's managers, not by you. Nothing was changed."},
		{who: operatorTG, label: "Keep ban", want: ownActionAnswer},
		{who: manager2TG, label: "Lift ban", want: "This community is not among yours: you cannot act on it. Nothing was changed."},
		{who: strangerTG, label: "Keep ban", want: "Only the team's managers decide here. Nothing was changed."},
	}
	for _, r := range refusals {
		assert.Equal(t, r.want, h.pressInChat(teamChatID, r.who, review, r.label))
	}
	h.settle()
	after, _ := h.tg.Message(teamChatID, review.ID)
	assert.Equal(t, review, after, "the review is left as it was")
	assert.Len(t, decisionsOf(t, h, c.ID), trail, "the audit trail is unchanged")
	assert.Equal(t, justify.StateAwaitingReview, h.waitCase(c.ID, "", func(justify.Case) bool { return true }).State)
	assert.Empty(t, h.vk.Unbans(), "VK is untouched")

	assert.Equal(t, "Confirm in your private chat with the bot.", h.pressInChat(teamChatID, managerTG, review, "Lift ban"))
	confirm := h.waitMessage(managerTG, "the private confirmation", hasText("Lift the ban of Gleb Orlov"))
	h.press(managerTG, confirm, 0)
	c = h.waitCase(c.ID, "the reversal", func(c justify.Case) bool { return c.Resolution == justify.ResolutionReversed })
	assert.Equal(t, "Olga", c.ResolvedBy)
	require.Len(t, h.vk.Unbans(), 1, "the unban reached VK")
	assert.Equal(t, int64(6001), h.vk.Unbans()[0].UserID)
	h.waitMessage(teamChatID, "the review naming who decided", func(m telegramtest.Msg) bool {
		return m.ID == review.ID && strings.Contains(m.Text, "Olga") && len(m.Buttons) == 0
	})
}

// A group upgraded to a supergroup: the bot learns it from the refused review, follows
// the group to its new id, sends the review there, and remembers the move after a
// restart.
func TestReviewChatUpgradedToSupergroup(t *testing.T) {
	const basic int64 = -4500
	h := newHarness(t)
	h.edit = inTeamChat(basic)
	h.tg.AddGroup(basic, "Moderation team")
	h.startTeam()
	first := h.justifiedBan(6001, "Gleb Orlov")
	old := h.waitMessage(basic, "the first review", hasText("Gleb Orlov"))
	super := h.tg.MigrateToSupergroup(basic, managerTG, false)

	h.justifiedBan(6002, "Lev Popov")
	review := h.waitMessage(super, "the review in the supergroup", hasText("Lev Popov"))
	h.pressInChat(super, managerTG, review, "Keep ban")
	// The old group's review still takes presses; its new state shows in the supergroup.
	h.pressInChat(basic, managerTG, old, "Keep ban")
	h.waitCase(first.ID, "the first approval", func(c justify.Case) bool { return c.Resolution == justify.ResolutionApproved })
	h.waitMessage(super, "the first review shown anew", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "Gleb Orlov") && strings.Contains(m.Text, "Olga approved")
	})

	h.stop()
	h.startTeam()
	h.justifiedBan(6003, "Yan Zotov")
	h.waitMessage(super, "a review after the restart", hasText("Yan Zotov"))
	h.settle()
	for _, m := range h.outbox() {
		assert.False(t, m.Failed, "message %d (%s) failed: %s", m.ID, m.Kind, m.LastError)
		if m.CaseID != 0 && m.Kind == justify.MsgReview {
			assert.Equal(t, super, m.ChatID, "every review now points to the supergroup")
		}
	}
	assert.Len(t, h.botMessages(basic, nil), 1, "nothing more went to the old group")
}

// The bot removed from the team chat: the review shown there goes to the brand's
// managers privately, the managers of the brands using the chat hear of it once, later
// reviews are private, and a private reversal reaches VK.
func TestReviewChatLostFallsBackToPrivate(t *testing.T) {
	h := newHarness(t)
	h.edit = inTeamChat(teamChatID)
	h.tg.AddSupergroup(teamChatID, "Moderation team", false)
	h.startTeam()
	open := h.justifiedBan(6001, "Gleb Orlov")
	h.waitMessage(teamChatID, "the review in the team chat", hasText("Gleb Orlov"))
	h.tg.RemoveBot(teamChatID, ownerTG)

	review := h.waitMessage(managerTG, "the private review of the open case", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Gleb Orlov")
	})
	h.waitMessage(managerTG, "the alert", hasText("The bot cannot write to the team chat"))
	later := h.justifiedBan(6002, "Lev Popov")
	h.waitMessage(managerTG, "the private review of a later case", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Lev Popov")
	})
	h.settle()
	assert.Len(t, h.botMessages(managerTG, hasText("The bot cannot write to the team chat")), 1, "told once")
	// Pavel's brand uses the chat too: he hears that it is lost, but nothing of Brand
	// support's cases.
	assert.Len(t, h.botMessages(manager2TG, hasText("The bot cannot write to the team chat")), 1)
	assert.Empty(t, h.botMessages(manager2TG, hasText("For review")))
	assert.Len(t, h.tg.Messages(teamChatID), 1, "nothing more goes to the chat")

	h.press(managerTG, review, 1) // Lift ban
	h.press(managerTG, h.waitMessage(managerTG, "the confirmation", func(m telegramtest.Msg) bool {
		return m.ID == review.ID && len(buttons(m)) == 2 && buttons(m)[0].Text == "Yes, unban"
	}), 0)
	h.waitCase(open.ID, "the reversal", func(c justify.Case) bool { return c.Resolution == justify.ResolutionReversed })
	require.Len(t, h.vk.Unbans(), 1)
	assert.Equal(t, int64(6001), h.vk.Unbans()[0].UserID)
	assert.Equal(t, justify.StateAwaitingReview, h.waitCase(later.ID, "", func(justify.Case) bool { return true }).State)
}

// outbox lists every message of the outbox.
func (h *harness) outbox() []justify.Message {
	h.t.Helper()
	var out []justify.Message
	for id := int64(1); ; id++ {
		m, err := h.dm.Store().Message(context.Background(), id)
		if err != nil {
			return out
		}
		out = append(out, m)
	}
}
