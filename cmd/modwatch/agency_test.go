package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// owner2TG is Boris, Brand shop's owner, in the agency's config.
const owner2TG = 3002

// agencyScopes makes the e2e team an agency's: Brand support (group 10) is Ivan's, Olga's
// and Anna's; Brand shop (group 20) Petr's, Pavel's and Boris's. Each owner gets digests.
func agencyScopes(cfg string) string {
	for from, to := range map[string]string{
		"{name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}": "{name: Ivan, role: operator, vk_id: 111, telegram_id: 1001, communities: [10]}",
		"{name: Petr, role: operator, vk_id: 112, telegram_id: 1002}": "{name: Petr, role: operator, vk_id: 112, telegram_id: 1002, communities: [20]}",
		"{name: Olga, role: manager, telegram_id: 2001}":              "{name: Olga, role: manager, telegram_id: 2001, communities: [10]}",
		"{name: Pavel, role: manager, telegram_id: 2002}":             "{name: Pavel, role: manager, telegram_id: 2002, communities: [20]}",
		"{name: Anna, role: owner, telegram_id: 3001}": `{name: Anna, role: owner, telegram_id: 3001, communities: [10], digest: {every: daily, at: "09:00", time_zone: Europe/Moscow}}
  - {name: Boris, role: owner, telegram_id: 3002, communities: [20], digest: {every: daily, at: "09:01", time_zone: Europe/Moscow}}`,
	} {
		if !strings.Contains(cfg, from) {
			panic("the e2e config changed: " + from)
		}
		cfg = strings.Replace(cfg, from, to, 1)
	}
	return cfg
}

// An agency serves two brands with one modwatch: each brand's operator, manager and owner
// receive only their brand's prompts, reviews, alerts and digests, see only its cases in
// /pending, /case and /stats, and a press on the other brand's case is refused and changes
// nothing.
func TestAgencyKeepsBrandsApart(t *testing.T) {
	h := newHarness(t)
	h.edit = agencyScopes
	h.tg.AddUser(owner2TG, "Boris")
	h.startTeam()
	h.pressStart(owner2TG)

	// Brand support: Ivan bans, Olga reviews.
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.press(operatorTG, h.waitMessage(operatorTG, "Ivan's prompt", isPrompt), 0)
	h.waitMessage(managerTG, "Olga's review", isReview)
	support := onlyCase(t, h)
	// Brand shop: Petr bans, Pavel reviews; an admin nobody knows bans too.
	h.vk.SetName(customer2, "Gleb", "Orlov")
	h.vk.Ban(group2, operator2VK, customer2, int(justify.BanSpam), "", 0)
	h.press(operator2TG, h.waitMessage(operator2TG, "Petr's prompt", isPrompt), 0)
	h.waitMessage(manager2TG, "Pavel's review", func(m telegramtest.Msg) bool { return isReview(m) && strings.Contains(m.Text, "Petr") })
	h.vk.SetName(5003, "Semyon", "Lapin")
	h.vk.Ban(group2, unknownVK, 5003, int(justify.BanSpam), "", 0)
	for _, chat := range []int64{manager2TG, owner2TG} {
		h.waitMessage(chat, "the unknown admin alert", hasText("An unknown admin is acting"))
	}

	// Pavel, Brand shop's manager, tries Brand support's case: a button that reached him
	// anyway, /case and /pending.
	for _, action := range []string{"approve", "reverse", "confirm_reverse"} {
		c := h.waitCase(support.ID, "", func(justify.Case) bool { return true })
		trail := len(decisionsOf(t, h, support.ID))
		data := h.craftButton(manager2TG, support.ID, 0, action)
		last, _ := h.tg.LastMessage(manager2TG)
		assert.Equal(t, "This community is not among yours: you cannot act on it. Nothing was changed.",
			h.answer(h.tg.PressButton(manager2TG, last.ID, data)), action)
		h.settle()
		assert.Equal(t, c, h.waitCase(support.ID, "", func(justify.Case) bool { return true }), "the case is unchanged")
		assert.Len(t, decisionsOf(t, h, support.ID), trail, "the audit trail is unchanged")
	}
	assert.Empty(t, h.vk.Unbans(), "VK is untouched")
	h.tg.SendText(manager2TG, fmt.Sprintf("/case %d", support.ID))
	h.waitMessage(manager2TG, "the refused /case", hasText("This case is another community's, not one of yours."))
	h.tg.SendText(manager2TG, "/pending")
	pending := h.waitMessage(manager2TG, "Pavel's /pending", hasText("Waiting for a manager"))
	assert.Contains(t, pending.Text, "Brand shop")
	assert.NotContains(t, pending.Text, "Brand support")
	h.tg.SendText(managerTG, "/stats")
	stats := h.waitMessage(managerTG, "Olga's /stats", hasText("Brand support"))
	assert.NotContains(t, stats.Text, "Brand shop")

	// Digests: each owner gets their brand's, at their time; Boris's, a minute after
	// Anna's, is the barrier: the job's run that sent it had long sent all of hers.
	h.clock.Add(18*time.Hour + 30*time.Second) // 09:00:30 in Moscow
	h.waitPhotos(ownerTG, "Anna's digest", "activity-2026-11-23.png", 1)
	h.clock.Add(time.Minute)
	h.waitPhotos(owner2TG, "Boris's digest", "activity-2026-11-23.png", 1)
	h.settle()
	assert.Len(t, h.botMessages(ownerTG, isPhoto), 1, "one digest: Brand support's")
	assert.Len(t, h.botMessages(owner2TG, isPhoto), 1, "one digest: Brand shop's")

	// Nobody has heard a word of the other brand, nor of its people (a digest names
	// operators with nothing to count too, but only in their own brand's).
	for _, other := range []struct {
		words []string
		chats []int64
	}{
		{words: []string{"Brand shop", "Petr", "Pavel", "Boris"}, chats: []int64{operatorTG, managerTG, ownerTG}},
		{words: []string{"Brand support", "Ivan", "Olga", "Anna"}, chats: []int64{operator2TG, manager2TG, owner2TG}},
	} {
		for _, chat := range other.chats {
			for _, w := range other.words {
				assert.Empty(t, h.botMessages(chat, hasText(w)), "chat %d heard of %s", chat, w)
			}
		}
	}

	// The report for Boris shows his brand only.
	h.stop()
	old := reportClock
	reportClock = h.clock.Now
	t.Cleanup(func() { reportClock = old })
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"report", "--since", "2d", "--for", "Boris", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	assert.Contains(t, out.String(), "Brand shop")
	assert.NotContains(t, out.String(), "Brand support")
	assert.NotContains(t, out.String(), "Ivan")
	code = runCLI(context.Background(), []string{"report", "--for", "Boris", "--community", "10", "--config", h.configPath()}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "community 10 is not among Boris's communities")
}
