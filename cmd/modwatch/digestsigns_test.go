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

// TestDigestSignsAndAlertEndToEnd runs the daemon on community messages dated by VK over
// the past day: Ivan answers customers with one word, and a request with words that need
// escaping is left unanswered. Past alerts.signs_per_day (3 here) the managers who cover
// the community are alerted once, the alert growing in place with more signs, also across
// a restart; Pavel, who covers only the other community, is not. Anna's digest of the day
// lists the signs per operator, the words escaped.
func TestDigestSignsAndAlertEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string {
		s = strings.Replace(s, "{name: Pavel, role: manager, telegram_id: 2002}",
			"{name: Pavel, role: manager, telegram_id: 2002, communities: [20]}", 1)
		s = strings.Replace(s, "{name: Anna, role: owner, telegram_id: 3001}",
			`{name: Anna, role: owner, telegram_id: 3001, digest: {every: daily, at: "09:00"}}`, 1)
		return s + "tickets:\n  answer_within: 1h\nalerts:\n  signs_per_day: 3\n"
	}
	h.startTeam()
	sun := func(hh, mm int) time.Time { return time.Date(2026, 11, 22, hh, mm, 0, 0, time.UTC) }
	oneWord := func(i int, word string) {
		c := int64(5200 + i)
		h.vk.MessageAt(group, c, "Можно оплатить картой?", sun(10+i, 0))
		h.vk.MessageReplyAt(group, c, operatorVK, word, sun(10+i, 2))
	}
	isAlert := func(m telegramtest.Msg) bool { return strings.Contains(m.Text, "Many signs of shirking") }

	// Three one-word replies are not yet past the threshold; the unanswered request that
	// follows is the barrier: its sign is the community's, stored after theirs. An alert
	// would be queued in the transaction that stored the third.
	for i, w := range []string{"Да", "Нет", "Не знаю"} {
		oneWord(i, w)
	}
	h.vk.MessageAt(group, 5301, `Где заказ? <script>alert("x")</script> & чек`, sun(9, 0))
	ctx := context.Background()
	require.Eventually(t, func() bool {
		f, err := h.dm.Store().ConversationFacts(ctx, sun(0, 0), h.clock.Now())
		require.NoError(t, err)
		n := 0
		for _, s := range f.Signs {
			if s.Kind == justify.SignSkipped && s.OperatorVKID == 0 {
				n++
			}
		}
		return n == 1
	}, 15*time.Second, 50*time.Millisecond, "the skipped request's sign is stored")
	queued, err := h.dm.Store().DueMessages(ctx, h.clock.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	for _, m := range queued {
		assert.NotContains(t, m.Payload, `"Kind":"`+string(justify.AlertSigns)+`"`, "no alert queued at three signs")
	}
	assert.Empty(t, h.botMessages(managerTG, isAlert), "three signs are not past a threshold of three")

	// The fourth passes it.
	oneWord(3, "ok")
	alert := h.waitMessage(managerTG, "the signs alert", isAlert)
	assert.Contains(t, alert.Text, "Ivan")
	assert.Contains(t, alert.Text, "one-word replies 4")
	assert.Contains(t, alert.Text, "2026-11-22")
	assert.Contains(t, alert.Text, "Brand support")
	h.waitMessage(ownerTG, "the owner's signs alert", isAlert)

	// A fifth updates the same message; so does a sixth after a restart, which sends
	// nothing again of what was sent.
	oneWord(4, "Нет")
	h.waitMessage(managerTG, "the alert updated", func(m telegramtest.Msg) bool {
		return m.ID == alert.ID && strings.Contains(m.Text, "one-word replies 5")
	})
	h.stop()
	h.start()
	oneWord(5, "Да")
	h.waitMessage(managerTG, "the alert updated after a restart", func(m telegramtest.Msg) bool {
		return m.ID == alert.ID && strings.Contains(m.Text, "one-word replies 6")
	})
	assert.Len(t, h.botMessages(managerTG, isAlert), 1, "one alert, edited in place")
	assert.Len(t, h.botMessages(ownerTG, isAlert), 1)
	assert.Empty(t, h.botMessages(manager2TG, isAlert), "Pavel covers only the other community")

	text := h.digestText(t, sun(0, 0))
	ivan := text[strings.Index(text, "Signs of shirking: Ivan"):]
	assert.Contains(t, ivan, "one-word replies — 6:")
	assert.Equal(t, 3, strings.Count(strings.SplitN(ivan, "\n\n", 2)[0], "• "), "the three worst")
	assert.Contains(t, text, `«Где заказ? &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; чек» — id5301`)
	assert.Contains(t, text, `<a href="https://vk.com/gim10?sel=5301">`)
}

// digestText sends Anna's digest of [from, now) and returns its text as the bot sent it.
func (h *harness) digestText(t *testing.T, from time.Time) string {
	t.Helper()
	before := h.botMessages(ownerTG, func(telegramtest.Msg) bool { return true })
	last := 0
	for _, m := range before {
		last = max(last, m.ID)
	}
	require.NoError(t, h.dm.SendDigest(context.Background(), "Anna", from, h.clock.Now()))
	var parts []string
	h.waitMessage(ownerTG, "the digest's text", func(m telegramtest.Msg) bool {
		return m.ID > last && !isPhoto(m) && strings.Contains(m.Text, "Brand support")
	})
	h.settle()
	for _, m := range h.botMessages(ownerTG, func(m telegramtest.Msg) bool { return m.ID > last && !isPhoto(m) }) {
		parts = append(parts, m.HTML)
	}
	return strings.Join(parts, "\n\n")
}
