package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// TestSpotChecksEndToEnd runs the daemon with daily spot checks of one dialog per
// operator: Ivan and Petr each answer a customer in community messages; a day later (the
// fake clock) the round sends Ivan's dialog to Olga and Petr's to Pavel, who never pressed
// Start, so Petr's goes to Olga too; Olga grades Ivan's dialog Bad with a comment by
// reply. The JSON report then counts qa_bad 1 for Ivan, and `qa list` shows who graded,
// when and from which account, and that Pavel's copy was passed on.
func TestSpotChecksEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string { return s + "qa:\n  every: 24h\n  sample: 1\n" }
	h.start()
	h.pressStart(operatorTG, operator2TG, managerTG, ownerTG) // not Pavel
	ctx := context.Background()
	db := h.dm.Store()
	require.Eventually(t, func() bool {
		var v string
		_ = db.View(ctx, func(tx justify.Tx) (err error) {
			v, err = tx.Cursor(justify.SpotCheckCursor)
			return err
		})
		return v != ""
	}, 15*time.Second, 10*time.Millisecond, "the schedule of spot checks starts with the daemon")

	t0 := h.clock.Now()
	h.vk.MessageAt(group, customer, "Где мой заказ? <жду> уже неделю & больше", t0.Add(10*time.Minute))
	h.vk.MessageReplyAt(group, customer, operatorVK, "Здравствуйте!", t0.Add(11*time.Minute))
	h.vk.MessageAt(group, customer2, "Можно оплатить картой?", t0.Add(20*time.Minute))
	h.vk.MessageReplyAt(group, customer2, operator2VK, "Да, можно картой при получении", t0.Add(22*time.Minute))
	require.Eventually(t, func() bool {
		n := 0
		_ = db.View(ctx, func(tx justify.Tx) error {
			for _, vk := range []int64{operatorVK, operator2VK} {
				ds, err := tx.SpotCandidates(vk, t0, t0.Add(24*time.Hour))
				if err != nil {
					return err
				}
				n += len(ds)
			}
			return nil
		})
		return n == 2
	}, 15*time.Second, 20*time.Millisecond, "both dialogs are built")

	h.clock.Add(24 * time.Hour)
	isSpot := func(m telegramtest.Msg) bool { return strings.Contains(m.Text, "Spot check of a dialog") }
	require.Eventually(t, func() bool { return len(h.botMessages(managerTG, isSpot)) == 2 }, 15*time.Second, 10*time.Millisecond,
		"Olga gets Ivan's dialog, and Petr's that Pavel could not be sent")
	ivans := h.waitMessage(managerTG, "Ivan's dialog", func(m telegramtest.Msg) bool {
		return isSpot(m) && strings.Contains(m.Text, "Operator: Ivan")
	})
	assert.Contains(t, ivans.Text, "Где мой заказ? <жду> уже неделю & больше", "the customer's words, escaped")
	assert.Contains(t, ivans.Text, "Здравствуйте!")
	assert.Contains(t, ivans.HTML, `href="https://vk.com/gim10?sel=5001"`)
	h.waitMessage(managerTG, "the alert that Pavel cannot be reached", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "Pavel")
	})

	assert.Contains(t, h.answer(h.press(managerTG, ivans, 1)), "Recorded: Bad")
	gradedAt := h.clock.Now()
	h.tg.Reply(managerTG, ivans.ID, "Only greeted, never answered")
	h.waitMessage(managerTG, "the comment recorded", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "comment on the spot check is recorded")
	})
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, ivans.ID)
		return strings.Contains(m.Text, "Bad — Olga") && strings.Contains(m.Text, "Comment: Only greeted, never answered")
	}, 15*time.Second, 10*time.Millisecond, "the message shows the verdict and the comment")

	old := reportClock
	reportClock = func() time.Time { return h.clock.Now().Add(time.Second) }
	defer func() { reportClock = old }()
	var out, errOut bytes.Buffer
	code := runCLI(ctx, []string{"report", "--since", "1d", "--format", "json", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	var r report.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	support := r.Communities[0]
	require.Equal(t, int64(group), support.GroupID)
	rows := map[string]report.Figures{}
	for _, o := range support.Operators {
		rows[o.Operator] = o.Figures
	}
	assert.Equal(t, 1, rows["Ivan"].Current.QABad, "Ivan's qa_bad")
	assert.Equal(t, 0, rows["Ivan"].Current.QAGood)
	assert.Equal(t, 1, rows["Ivan"].Change.QABad)
	assert.Equal(t, 0, rows["Petr"].Current.QABad+rows["Petr"].Current.QAGood, "Petr's dialog is not graded yet")
	assert.Equal(t, 1, support.Total.Current.QABad)
	require.Len(t, support.SpotChecks, 1)
	v := support.SpotChecks[0]
	assert.Equal(t, "Ivan", v.Operator)
	assert.Equal(t, "bad", v.Verdict)
	assert.Equal(t, "Olga", v.By)
	assert.Equal(t, "Only greeted, never answered", v.Comment)
	assert.WithinDuration(t, gradedAt, v.At, time.Second)

	out.Reset()
	code = runCLI(ctx, []string{"qa", "list", "--since", "2d", "--format", "json", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	var list []spotCheckJSON
	require.NoError(t, json.Unmarshal(out.Bytes(), &list))
	require.Len(t, list, 2)
	byOp := map[string]spotCheckJSON{}
	for _, sc := range list {
		byOp[sc.Operator] = sc
	}
	steps := func(sc spotCheckJSON) []string {
		var s []string
		for _, e := range sc.Trail {
			s = append(s, e.Action+" "+e.Actor)
		}
		return s
	}
	assert.Equal(t, []string{"sent modwatch", "graded Olga", "commented Olga"}, steps(byOp["Ivan"]))
	assert.Equal(t, int64(managerTG), byOp["Ivan"].Trail[1].TelegramID, "from which Telegram account")
	assert.Equal(t, []string{"sent modwatch", "undelivered modwatch", "passed_on modwatch"}, steps(byOp["Petr"]))
	assert.Equal(t, "Olga", byOp["Petr"].Manager)

	out.Reset()
	code = runCLI(ctx, []string{"qa", "list", "--since", "2d", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	assert.Contains(t, out.String(), "bad by Olga at")
	assert.Contains(t, out.String(), "from Pavel to Olga")
}

// `qa` alone shows its usage; a mistyped verb is named in the error, before any config is read.
func TestQAVerbs(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no verb", []string{"qa"}, 2, "modwatch qa list"},
		{"mistyped verb", []string{"qa", "lsit"}, 1, `qa: unknown subcommand "lsit": use qa list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runCLI(context.Background(), tt.args, &out, &errOut)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, errOut.String(), tt.wantErr)
		})
	}
}
