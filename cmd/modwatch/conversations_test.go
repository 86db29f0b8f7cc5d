package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/report"
)

// TestConversationSignsEndToEnd runs the daemon on a day of community messages that VK
// delivers now but dates over the past day (Sunday 12:30 to Monday 11:00; the daemon's
// clock says Monday 12:00), with Ivan on shift 12:00-18:00 every day and Petr without
// shifts, and checks the JSON report of that day field by field.
func TestConversationSignsEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string {
		s = strings.Replace(s, "  long_poll_wait: 1s\n", "  long_poll_wait: 1s\n  unanswered_check_every: 1s\n", 1)
		s = strings.Replace(s, "{name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}",
			`{name: Ivan, role: operator, vk_id: 111, telegram_id: 1001, shifts: [{days: [mon, tue, wed, thu, fri, sat, sun], from: "12:00", to: "18:00"}]}`, 1)
		return s + "tickets:\n  answer_within: 1h\nconversations:\n  stall_after: 2h\n"
	}
	h.vk.Now = h.clock.Now // VK's update_time of an edit
	h.start()
	now := h.clock.Now() // Monday 2026-11-23 12:00 UTC
	sun := func(hh, mm int) time.Time { return time.Date(2026, 11, 22, hh, mm, 0, 0, time.UTC) }
	const petr, unknown = int64(112), int64(999)

	// Ivan greets and never answers; edits a greeting into an answer only the next day;
	// stalls; pastes a template to five customers, one of whom writes again and is left
	// waiting (skipped, and Ivan idle while on shift). Petr answers after a chat bot, and
	// with one word. An admin unknown to the config answers. Everything is dated by VK.
	h.vk.MessageAt(group, 5101, "Где мой заказ? Жду уже неделю", sun(13, 0))
	h.vk.MessageReplyAt(group, 5101, operatorVK, "Здравствуйте!", sun(13, 1))
	h.vk.MessageAt(group, 5102, "Когда вернёте деньги?", sun(14, 0))
	h.vk.MessageReplyAt(group, 5102, operatorVK, "Уточняю информацию, ожидайте", sun(14, 5))
	names := []string{"Спасибо за отзыв!", "Мария, спасибо за отзыв!", "спасибо за отзыв", "Спасибо за отзыв, Анна.", "СПАСИБО ЗА ОТЗЫВ"}
	for i, text := range names {
		c := int64(5103 + i)
		h.vk.MessageAt(group, c, "Не понравилось качество", sun(15, 10*i))
		h.vk.MessageReplyAt(group, c, operatorVK, text, sun(15, 10*i+2))
	}
	h.vk.MessageAt(group, 5103, "И это всё? Верните деньги", sun(16, 30))
	h.vk.MessageAt(group, 5108, "Можно оплатить картой?", sun(17, 0))
	h.vk.MessageReplyAt(group, 5108, petr, "Да", sun(17, 3))
	h.vk.MessageAt(group, 5110, "Здравствуйте, есть доставка в Казань?", sun(12, 30))
	h.vk.MessageReplyAt(group, 5110, 0, "Спасибо за обращение! Мы ответим в течение дня", sun(12, 30).Add(5*time.Second))
	h.vk.MessageReplyAt(group, 5110, petr, "Да, доставка в Казань 3 дня", sun(12, 50))
	h.vk.MessageAt(group, 5111, "Размер M есть?", sun(13, 30))
	h.vk.MessageReplyAt(group, 5111, unknown, "Есть", sun(13, 40))
	h.vk.MessageAt(group, 5112, "Где чек?", sun(14, 30))
	greeting := h.vk.MessageReplyAt(group, 5112, operatorVK, "Добрый день!", sun(14, 31))
	require.True(t, h.vk.EditReply(group, greeting, "Добрый день! Чек пришлём на почту сегодня"), "edited now, Monday 12:00")
	// Monday: a request the community marks answered in VK's interface, without a word.
	h.vk.MessageAt(group, 5109, "Верните деньги за заказ 4512", now.Add(-time.Hour))

	var raw []byte // the JSON of the last report loaded
	loadReport := func() report.Report {
		t.Helper()
		old := reportClock
		reportClock = h.clock.Now
		defer func() { reportClock = old }()
		var out, errOut bytes.Buffer
		code := runCLI(context.Background(), []string{"report", "--since", "1d", "--format", "json", "--config", h.configPath()}, &out, &errOut)
		require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
		var r report.Report
		require.NoError(t, json.Unmarshal(out.Bytes(), &r))
		raw = out.Bytes()
		return r
	}
	// Wait until the unanswered list read by the daemon holds 5109's conversation.
	calls := h.vk.Calls("messages.getConversations")
	require.Eventually(t, func() bool {
		return h.vk.Calls("messages.getConversations") >= calls+4 && len(loadReport().Communities[0].Signs) > 0
	}, 15*time.Second, 50*time.Millisecond, "the messages are recorded and the unanswered list read")
	h.clock.Add(time.Minute) // Monday 12:01, Ivan's shift began a minute ago
	require.NoError(t, h.callVK("messages.markAsAnsweredConversation", vkToken, map[string]string{"peer_id": "5109", "answered": "1"}))
	// The list is read again (and the departure stamped 12:01) before the report's period
	// moves on a minute to hold it: a period ends just before its "now".
	calls = h.vk.Calls("messages.getConversations")
	require.Eventually(t, func() bool { return h.vk.Calls("messages.getConversations") >= calls+4 }, 15*time.Second,
		20*time.Millisecond, "the unanswered list is read again")
	h.clock.Add(time.Minute)

	var r report.Report
	require.Eventually(t, func() bool {
		r = loadReport()
		for _, s := range r.Communities[0].Signs {
			if s.Kind == "closed_without_reply" {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond, "the conversation marked answered without a word is noticed")
	// Idle time is counted at the daemon's tick: wait for it too.
	require.Eventually(t, func() bool {
		r = loadReport()
		return r.Communities[0].Total.Current.IdleMinutes > 0
	}, 15*time.Second, 50*time.Millisecond, "idle time is counted")

	support := r.Communities[0]
	require.Equal(t, int64(group), support.GroupID)
	rows := map[string]report.Figures{}
	for _, o := range support.Operators {
		rows[o.Operator] = o.Figures
	}
	require.Contains(t, rows, report.UnknownOperator)
	tests := []struct {
		name string
		got  report.ConversationCounts
		want report.ConversationCounts
	}{
		{name: "community total", got: support.Total.Current.ConversationCounts, want: report.ConversationCounts{
			// 5101 and 5102 got only a greeting and «уточняю»: unanswered as much as 5109.
			Dialogs: 13, DialogsAnswered: 9, DialogsUnanswered: 4, DialogLengthMedian: 2,
			FirstTouchMedianSeconds: 120, FirstTouchP90Seconds: 600,
			FirstAnswerMedianSeconds: 120, FirstAnswerP90Seconds: 12600,
			ReactionMedianSeconds: 120, ReactionP90Seconds: 600,
			BareGreetings: 2, Stalls: 1, TemplateReplies: 5, OneWordReplies: 1, Skipped: 1, ClosedWithoutReply: 1,
			RepeatContacts: 1, IdleMinutes: 90,
		}},
		{name: "Ivan", got: rows["Ivan"].Current.ConversationCounts, want: report.ConversationCounts{
			Dialogs: 8, DialogsAnswered: 6, DialogsUnanswered: 2, DialogLengthMedian: 2,
			FirstTouchMedianSeconds: 120, FirstTouchP90Seconds: 300,
			// The edited greeting answered only on Monday: 3.5 working hours after the question.
			FirstAnswerMedianSeconds: 120, FirstAnswerP90Seconds: 12600,
			ReactionMedianSeconds: 120, ReactionP90Seconds: 300,
			BareGreetings: 2, Stalls: 1, TemplateReplies: 5, Skipped: 1, ClosedWithoutReply: 1, RepeatContacts: 1,
			IdleMinutes: 90,
		}},
		{name: "Petr: the chat bot's reply does not count as his", got: rows["Petr"].Current.ConversationCounts,
			want: report.ConversationCounts{
				Dialogs: 2, DialogsAnswered: 2, DialogLengthMedian: 2,
				FirstTouchMedianSeconds: 690, FirstTouchP90Seconds: 1200,
				FirstAnswerMedianSeconds: 690, FirstAnswerP90Seconds: 1200,
				ReactionMedianSeconds: 690, ReactionP90Seconds: 1200,
				OneWordReplies: 1,
			}},
		{name: "the admin unknown to the config", got: rows[report.UnknownOperator].Current.ConversationCounts,
			want: report.ConversationCounts{
				Dialogs: 1, DialogsAnswered: 1, DialogLengthMedian: 2,
				FirstTouchMedianSeconds: 600, FirstTouchP90Seconds: 600, FirstAnswerMedianSeconds: 600, FirstAnswerP90Seconds: 600,
				ReactionMedianSeconds: 600, ReactionP90Seconds: 600,
			}},
		{name: "nothing the day before", got: support.Total.Previous.ConversationCounts, want: report.ConversationCounts{}},
		{name: "the change is the day itself", got: support.Total.Change.ConversationCounts, want: support.Total.Current.ConversationCounts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}

	t.Run("signs with their evidence", func(t *testing.T) {
		type ev struct {
			kind, operator, excerpt string
			customer                int64
			at                      time.Time
		}
		var got []ev
		for _, s := range support.Signs {
			got = append(got, ev{s.Kind, s.Operator, s.Excerpt, s.CustomerVKID, s.At.UTC()})
			assert.NotEmpty(t, s.Link, "%s has a link", s.Kind)
		}
		want := []ev{
			{"bare_greeting", "Ivan", "Здравствуйте!", 5101, sun(13, 1)},
			{"stall", "Ivan", "Уточняю информацию, ожидайте", 5102, sun(14, 5)},
			// The greeting's words as they are now: edited into the late answer.
			{"bare_greeting", "Ivan", "Добрый день! Чек пришлём на почту сегодня", 5112, sun(14, 31)},
		}
		for i, text := range names {
			want = append(want, ev{"template", "Ivan", text, int64(5103 + i), sun(15, 10*i+2)})
		}
		want = append(want,
			ev{"idle", "Ivan", "", 0, sun(16, 30)},
			ev{"repeat_contact", "Ivan", "И это всё? Верните деньги", 5103, sun(16, 30)},
			ev{"skipped", "Ivan", "И это всё? Верните деньги", 5103, sun(16, 30)},
			ev{"one_word", "Petr", "Да", 5108, sun(17, 3)},
			ev{"closed_without_reply", "", "Верните деньги за заказ 4512", 5109, now.Add(time.Minute)},
		)
		assert.Equal(t, want, got)
		for _, s := range support.Signs {
			switch s.Kind {
			case "closed_without_reply":
				assert.Equal(t, []string{"Ivan"}, s.OnShift, "Ivan was on shift when it was closed")
				assert.Equal(t, "https://vk.com/gim10?sel=5109", s.Link)
			case "idle":
				assert.Equal(t, 90, s.Minutes, "from the customer's return to the end of Ivan's shift")
			}
		}
	})
	assert.Equal(t, []report.Template{{Operator: "Ivan", ActorVKID: operatorVK, Text: "спасибо за отзыв", Customers: 5,
		Replies: 5, WroteAgain: 1}}, support.Templates)

	t.Run("the JSON contract", func(t *testing.T) { checkConversationJSON(t, raw) })

	t.Run("/stats shows today's dialogs and signs", func(t *testing.T) {
		// Today (since midnight UTC): 5109's request, closed in VK without a word.
		h.tg.SendText(ownerTG, "/stats")
		stats := h.waitMessage(ownerTG, "today's figures", hasText("Moderation for"))
		for _, want := range []string{"Dialogs: 1 (-11) · answered 0 (-9) · unanswered 1 (-2)", "closed without reply 1 (+1)",
			"closed without reply: «Верните деньги за заказ 4512» — id5109"} {
			assert.Contains(t, stats.Text, want)
		}
		assert.LessOrEqual(t, len([]rune(stats.Text)), 4096)
	})
}

// conversationFields are the integer fields the report promises on each operator's (and
// the total's) current, previous and change.
var conversationFields = []string{"dialogs", "first_touch_median_seconds", "first_answer_median_seconds",
	"first_answer_p90_seconds", "reaction_median_seconds", "bare_greetings", "stalls", "template_replies",
	"one_word_replies", "skipped", "closed_without_reply", "repeat_contacts", "idle_minutes", "qa_good", "qa_bad"}

// checkConversationJSON reads the report as a script would, without modwatch's types, and
// checks the fields promised by name: each figure an integer, each sign's evidence there.
func checkConversationJSON(t *testing.T, raw []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	require.NoError(t, dec.Decode(&doc))
	integer := func(where string, v any) {
		n, ok := v.(json.Number)
		if assert.True(t, ok, "%s is a number, not %T", where, v) {
			_, err := n.Int64()
			assert.NoError(t, err, "%s is an integer: %s", where, n)
		}
	}
	communities, ok := doc["communities"].([]any)
	require.True(t, ok, "communities is a list")
	require.NotEmpty(t, communities)
	kinds := map[string]bool{"bare_greeting": true, "stall": true, "template": true, "one_word": true, "skipped": true,
		"closed_without_reply": true, "repeat_contact": true, "idle": true}
	for _, c := range communities {
		c := c.(map[string]any)
		rows := []any{c["total"]}
		ops, ok := c["operators"].([]any)
		require.True(t, ok, "operators is a list")
		require.NotEmpty(t, ops)
		rows = append(rows, ops...)
		for i, row := range rows {
			row := row.(map[string]any)
			for _, period := range []string{"current", "previous", "change"} {
				figures, ok := row[period].(map[string]any)
				require.True(t, ok, "row %d has %s", i, period)
				for _, f := range conversationFields {
					require.Contains(t, figures, f, "row %d %s", i, period)
					integer(fmt.Sprintf("row %d %s.%s", i, period, f), figures[f])
				}
			}
		}
		signs, ok := c["signs"].([]any)
		require.True(t, ok, "signs is a list, [] when empty")
		for i, s := range signs {
			s := s.(map[string]any)
			assert.True(t, kinds[fmt.Sprint(s["kind"])], "sign %d: kind %v", i, s["kind"])
			for _, f := range []string{"operator", "excerpt", "link"} {
				_, ok := s[f].(string)
				assert.True(t, ok, "sign %d has %s as text", i, f)
			}
			integer(fmt.Sprintf("sign %d customer_vk_id", i), s["customer_vk_id"])
			at, ok := s["at"].(string)
			if assert.True(t, ok, "sign %d has at", i) {
				_, err := time.Parse(time.RFC3339, at)
				assert.NoError(t, err, "sign %d: at is RFC 3339", i)
			}
		}
	}
}
