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
	// Pavel's digest a minute after Anna's is the barrier of the restart below: the run of
	// the digest job that sends his has also looked at hers.
	h.edit = func(cfg string) string {
		cfg = strings.Replace(cfg, "{name: Anna, role: owner, telegram_id: 3001}",
			`{name: Anna, role: owner, telegram_id: 3001, digest: {every: daily, at: "09:00", time_zone: Europe/Moscow}}`, 1)
		return strings.Replace(cfg, "{name: Pavel, role: manager, telegram_id: 2002}",
			`{name: Pavel, role: manager, telegram_id: 2002, digest: {every: daily, at: "09:01", time_zone: Europe/Moscow}}`, 1)
	}
	// 12:00 UTC is 15:00 in Moscow: the digest for the day before is not sent on a first
	// start, the next one comes at 09:00 Moscow time tomorrow.
	h.startTeam()
	approvedBan(t, h)

	h.clock.Add(18*time.Hour + 30*time.Second) // 06:00:30 UTC, 09:00:30 in Moscow
	// One digest per community, each a chart and then the text: Brand support's has the ban.
	// They are sent only if the first start marked the day before as done, and so after
	// anything that start queued: the chat keeps the outbox's order.
	h.waitPhotos(ownerTG, "both communities' charts", "activity-2026-11-23.png", 2)
	assert.Equal(t, []string{"activity-2026-11-23.png", "activity-2026-11-23.png"}, photoNames(h, ownerTG),
		"no digest of a period before the first start")
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
	h.clock.Add(time.Minute) // 09:01:30 in Moscow: Pavel's is due, Anna's was sent
	h.startTeam()
	h.waitPhotos(manager2TG, "Pavel's digests", "activity-2026-11-23.png", 2)
	// The job's run that sent Pavel's may still be at Anna's; the next day's digests come
	// from a later run, and reach her after anything that run queued.
	h.clock.Add(24 * time.Hour)
	h.waitPhotos(ownerTG, "the next day's digests", "activity-2026-11-24.png", 2)
	// One digest per community: Brand support had the ban; Brand shop had nothing but
	// still gets its (empty) figures.
	assert.Equal(t, []string{"activity-2026-11-23.png", "activity-2026-11-23.png", "activity-2026-11-24.png", "activity-2026-11-24.png"},
		photoNames(h, ownerTG), "each community's digest once, not again after a restart")
}

// photoNames lists the file names of the charts the bot sent to chat, oldest first.
func photoNames(h *harness, chat int64) []string {
	var out []string
	for _, m := range h.botMessages(chat, isPhoto) {
		out = append(out, m.PhotoName)
	}
	return out
}

// waitPhotos waits until the bot has sent chat n charts named name.
func (h *harness) waitPhotos(chat int64, what, name string, n int) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		return len(h.botMessages(chat, func(m telegramtest.Msg) bool { return isPhoto(m) && m.PhotoName == name })) >= n
	}, 15*time.Second, 10*time.Millisecond, "waiting for %s", what)
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
	// A later event of the same community brings Ivan a prompt, which his chat receives
	// after anything the change had queued for him.
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(operatorTG, "the prompt of a later ban", isPrompt)
	assert.Empty(t, h.botMessages(operatorTG, hasText("777")), "operators are not told")
}
