package main

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func isPhoto(m telegramtest.Msg) bool { return len(m.Photo) > 0 }

// The owner's digest comes at 09:00 on the owner's clock with its chart, covers the day
// before, and is not sent again after a restart.
func TestScheduledDigest(t *testing.T) {
	h := newHarness(t)
	h.edit = func(cfg string) string {
		return strings.Replace(cfg, "{name: Anna, role: owner, telegram_id: 3001}",
			`{name: Anna, role: owner, telegram_id: 3001, digest: {every: daily, at: "09:00", time_zone: Europe/Moscow}}`, 1)
	}
	// 12:00 UTC is 15:00 in Moscow: the digest for the day before is not sent on a first
	// start, the next one comes at 09:00 Moscow time tomorrow.
	h.startTeam()
	approvedBan(t, h)
	assert.Empty(t, h.botMessages(ownerTG, isPhoto), "no digest of a period before the first start")

	h.clock.Add(18*time.Hour + 30*time.Second) // 06:00:30 UTC, 09:00:30 in Moscow
	// One digest per community, each a chart and then the text: Brand support's has the ban.
	require.Eventually(t, func() bool { return len(h.botMessages(ownerTG, isPhoto)) == 2 }, 15*time.Second, 10*time.Millisecond,
		"both communities' charts")
	digest := h.botMessages(ownerTG, isPhoto)[0]
	img, err := png.Decode(bytes.NewReader(digest.Photo))
	require.NoError(t, err, "the chart is a PNG")
	assert.Greater(t, img.Bounds().Dx(), 500)
	assert.Contains(t, digest.Text, "bans 1", "the caption sums the day up")
	text := h.waitMessage(ownerTG, "the digest's text", func(m telegramtest.Msg) bool {
		return !isPhoto(m) && strings.Contains(m.Text, "Brand support") && strings.Contains(m.Text, "Ivan")
	})
	assert.Greater(t, text.ID, digest.ID, "the text follows its chart")

	h.stop()
	h.startTeam()
	time.Sleep(300 * time.Millisecond)
	// One digest per community: Brand support had the ban; Brand shop had nothing but
	// still gets its (empty) figures.
	assert.Len(t, h.botMessages(ownerTG, isPhoto), 2, "each community's digest once, not again after a restart")
}

// approvedBan has Ivan ban a customer, give spam as the reason, and Olga approve it.
func approvedBan(t *testing.T, h *harness) {
	t.Helper()
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	prompt := h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.press(operatorTG, prompt, 0)
	review := h.waitMessage(managerTG, "the review", isReview)
	h.press(managerTG, review, 0)
	h.waitCase(onlyCase(t, h).ID, "approval", func(c justify.Case) bool { return c.Resolution == justify.ResolutionApproved })
}

// A change of a community's admins alerts managers and owners at once.
func TestOfficersChangeAlerts(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	h.vk.ChangeOfficers(group, 100, 777, 0, 3)
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		h.waitMessage(chat, "the officers alert", hasText("777"))
	}
	assert.Empty(t, h.botMessages(operatorTG, hasText("777")), "operators are not told")
}
