package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// VK sends no event for a deleted wall post and cannot say who deleted it. A customer's
// post found gone goes to the managers saying just that; it is severe, with an alert, only
// when an admin acted on its author that day (here: a ban, before or after); the digest
// counts vanished posts on a line of their own, as nobody's deletion.
func TestVanishedPostsSayWhoMayHaveDeletedThem(t *testing.T) {
	h := newHarness(t)
	// VK dates bans by the wall clock, and "that day" compares them with the daemon's
	// clock: start it at the wall clock's time.
	h.clock = justifytest.NewClock(time.Now().UTC().Truncate(time.Millisecond))
	h.edit = func(cfg string) string {
		return strings.Replace(cfg, "{name: Anna, role: owner, telegram_id: 3001}",
			`{name: Anna, role: owner, telegram_id: 3001, digest: {every: daily, at: "09:00", time_zone: Europe/Moscow}}`, 1)
	}
	h.startTeam()
	h.vk.Post(group, customer, "Your courier was rude to me")
	banned := h.vk.Post(group, customer2, "Still no refund for order 42")
	own := h.vk.Post(group, customer, "Never mind, found it")
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE place = 'wall_post'") == 3
	}, 15*time.Second, 10*time.Millisecond)
	h.vk.Ban(group, operatorVK, customer2, int(justify.BanAbuse), "", 0)
	h.waitMessage(operatorTG, "the ban's prompt", isPrompt)

	// While modwatch is down, the customers' posts vanish: VK says nothing of who did it.
	h.stop()
	for _, p := range []int64{banned, own} {
		require.True(t, h.vk.RemovePost(group, p))
	}
	h.start() // the post check runs at start

	refund := h.waitMessage(managerTG, "the banned customer's vanished post", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Still no refund")
	})
	plain := h.waitMessage(managerTG, "the other vanished post", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Never mind, found it")
	})
	for _, m := range []telegramtest.Msg{refund, plain} {
		assert.Contains(t, m.Text, "Unknown who deleted it: the author or an admin")
		assert.NotContains(t, m.Text, "Deleted by", "no one is named")
	}
	assert.Contains(t, refund.Text, "An unanswered post vanished on the day an admin banned its author or deleted their comment")
	assert.NotContains(t, plain.Text, "An unanswered post vanished")
	assert.NotContains(t, plain.Text, "Deleted unanswered request")

	alert := h.waitMessage(ownerTG, "the alert about the banned customer's post", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "unanswered request was deleted") && strings.Contains(m.Text, "Still no refund")
	})
	assert.Contains(t, alert.Text, "Unknown who deleted it: the author or an admin")
	h.settle()
	for _, chat := range []int64{ownerTG, managerTG} {
		assert.Empty(t, h.botMessages(chat, func(m telegramtest.Msg) bool {
			return !isReview(m) && strings.Contains(m.Text, "Never mind, found it")
		}), "no alert about a post its author may have deleted")
	}
	vanished := map[int64]justify.Case{}
	for _, c := range h.cases() {
		if c.Kind == justify.EventVanished {
			vanished[c.UserVKID] = c
		}
	}
	require.Len(t, vanished, 2)
	assert.True(t, vanished[customer2].Severe)
	assert.False(t, vanished[customer].Severe)
	assert.Empty(t, vanished[customer].Operator)

	// The digest of the day: vanished posts on their own line, not as anyone's deletion.
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	now := h.clock.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	require.NoError(t, h.dm.SendDigest(context.Background(), "Anna", day, day.AddDate(0, 0, 1)))
	digest := h.waitMessage(ownerTG, "the digest", func(m telegramtest.Msg) bool {
		return !isPhoto(m) && strings.Contains(m.Text, "Brand support") && strings.Contains(m.Text, "Total")
	})
	assert.Contains(t, digest.Text, "Posts vanished (the author or an admin, unknown which) 2")
	assert.Contains(t, digest.Text, "vanished post (deleted by the author or an admin): «Still no refund for order 42»")
	assert.NotContains(t, digest.Text, "Deletions", "a vanished post is no deletion")
	assert.NotContains(t, digest.Text, "Unknown admins", "nor an unknown admin's")

	// The other author is banned later that day: their vanished post becomes severe too.
	h.vk.Ban(group, operator2VK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(ownerTG, "the alert once the author is banned", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "unanswered request was deleted") && strings.Contains(m.Text, "Never mind, found it")
	})
	h.waitMessage(managerTG, "the review, now severe", func(m telegramtest.Msg) bool {
		return m.ID == plain.ID && strings.Contains(m.Text, "An unanswered post vanished")
	})
	c := h.waitCase(vanished[customer].ID, "severe", func(c justify.Case) bool { return c.Severe })
	assert.Equal(t, justify.ActionSevere, actions(decisionsOf(t, h, c.ID))[len(decisionsOf(t, h, c.ID))-1])
}
