package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func textHas(s string) func(telegramtest.Msg) bool {
	return func(m telegramtest.Msg) bool { return strings.Contains(m.Text, s) }
}

// A thousand bans by one operator within a minute: a handful of prompts, one batch the
// operator justifies with one press, one batch review per manager, and Telegram never
// answers 429.
func TestBanWaveIsOneBatch(t *testing.T) {
	const bans, groupAfter = 1000, 5
	h := newHarness(t)
	h.tg.SetRateLimits(true)
	h.start()
	require.Equal(t, justify.GroupRule{After: groupAfter, Within: 2 * time.Minute}, h.dm.Service().Settings().Grouping, "the defaults of justify.group_after and group_within")
	h.pressStart(operatorTG, managerTG, manager2TG, ownerTG)

	for i := range bans {
		h.vk.Ban(group, operatorVK, int64(100000+i), int(justify.BanSpam), "", 0)
	}
	require.Eventually(t, func() bool { return countRows(t, h, "SELECT COUNT(*) FROM cases") == bans },
		2*time.Minute, 20*time.Millisecond, "a case for every ban")
	batched := bans - groupAfter
	assert.Equal(t, batched, countRows(t, h, "SELECT COUNT(*) FROM cases WHERE batch_id != 0"))
	assert.Equal(t, 1, countRows(t, h, "SELECT COUNT(DISTINCT batch_id) FROM cases WHERE batch_id != 0"), "one batch")

	title := fmt.Sprintf("%d users banned in «Brand support»", batched)
	prompt := h.waitMessage(operatorTG, "the batch prompt showing the whole wave", textHas(title))
	assert.Contains(t, prompt.Text, "more")
	assert.Len(t, buttons(prompt), len(justify.Reasons)+1, "a reason for all, and one by one")
	assert.Len(t, h.botMessages(operatorTG, isPrompt), groupAfter, "the first ones are asked one by one")
	assert.Len(t, h.botMessages(operatorTG, textHas("users banned")), 1, "one batch prompt")
	assert.LessOrEqual(t, len(h.botMessages(operatorTG, nil)), 1+groupAfter+1, "greeting, prompts and the batch prompt: nothing else")

	q := h.press(operatorTG, prompt, 0) // all as spam
	assert.Contains(t, h.answer(q), fmt.Sprint(batched))
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM cases WHERE reason = 'spam' AND state = 'awaiting_review'") == batched
	}, 15*time.Second, 20*time.Millisecond, "every batched case justified")
	assert.Equal(t, batched, countRows(t, h, "SELECT COUNT(*) FROM decisions WHERE action = 'justified'"), "a decision per case")
	assert.Equal(t, groupAfter, countRows(t, h, "SELECT COUNT(*) FROM cases WHERE state = 'awaiting_reason'"), "the prompted ones wait for their own reason")

	reviewTitle := fmt.Sprintf("For review: %d bans by Ivan", batched)
	review := h.waitMessage(managerTG, "Olga's batch review", textHas(reviewTitle))
	review2 := h.waitMessage(manager2TG, "Pavel's batch review", textHas(reviewTitle))
	assert.Contains(t, review.Text, "Spam")
	for _, m := range []int64{managerTG, manager2TG} {
		assert.Len(t, h.botMessages(m, textHas("For review")), 1, "one review per manager, not one per case")
	}

	q = h.press(managerTG, review, 0) // approve all
	assert.Contains(t, h.answer(q), fmt.Sprint(batched))
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM cases WHERE resolution = 'approved' AND resolved_by = 'Olga'") == batched
	}, 15*time.Second, 20*time.Millisecond, "every batched case approved")
	assert.Equal(t, batched, countRows(t, h, "SELECT COUNT(*) FROM decisions WHERE action = 'approved'"))
	h.waitMessage(operatorTG, "one outcome for the batch", textHas("Managers approved all"))
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(manager2TG, review2.ID)
		return len(buttons(m)) == 0 && strings.Contains(m.Text, "Approved")
	}, 15*time.Second, 20*time.Millisecond, "Pavel's copy shows the decision, without buttons")

	assert.Zero(t, h.tg.RateLimited(), "Telegram never had to refuse a message")
	assert.LessOrEqual(t, h.tg.Calls("sendMessage"), 30, "a handful of messages for a thousand bans")
	assert.LessOrEqual(t, len(h.botMessages(operatorTG, nil)), 1+groupAfter+2, "plus one outcome")
}

func TestWaveConfigKeys(t *testing.T) {
	env := envOf(map[string]string{"VK": "v", "TG": "t"})
	tests := []struct {
		name       string
		yaml       string
		wantRule   justify.GroupRule
		wantLimits telegram.Limits
		wantErr    string
	}{
		{name: "defaults", wantRule: justify.GroupRule{After: 5, Within: 2 * time.Minute}, wantLimits: telegram.TelegramLimits},
		{name: "set", yaml: "justify: {group_after: 50, group_within: 1m}\n",
			wantRule: justify.GroupRule{After: 50, Within: time.Minute}, wantLimits: telegram.TelegramLimits},
		{name: "grouping off", yaml: "justify: {group_after: 0}\n",
			wantRule: justify.GroupRule{After: 0, Within: 2 * time.Minute}, wantLimits: telegram.TelegramLimits},
		{name: "unpaced test server", yaml: "pace: false\n", wantRule: justify.GroupRule{After: 5, Within: 2 * time.Minute}},
		{name: "negative", yaml: "justify: {group_after: -1}\n", wantErr: "justify.group_after: -1"},
		{name: "negative window", yaml: "justify: {group_within: -1m}\n", wantErr: "justify.group_within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := minimal
			switch {
			case strings.HasPrefix(tt.yaml, "pace"):
				doc = strings.Replace(doc, "  token_env: TG\n", "  token_env: TG\n  "+tt.yaml, 1)
			default:
				doc += tt.yaml
			}
			cfg, _, err := configs.Parse([]byte(doc), env)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantRule, cfg.GroupRule())
			assert.Equal(t, tt.wantLimits, daemon.TelegramLimits(cfg.Telegram))
		})
	}
}
