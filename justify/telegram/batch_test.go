package telegram

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func sampleBatch(edit ...func(*justify.Batch)) (justify.Batch, []justify.Case) {
	b := justify.Batch{ID: 7, GroupID: groupID, Kind: justify.EventBan, Operator: "Иван <Петров>", State: justify.BatchOpen,
		OpenedAt: t0, AskedAt: t0, Deadline: t0.Add(2 * time.Hour), Members: 1000, AwaitingReason: 1000,
		FirstActed: t0, LastActed: t0.Add(58 * time.Second)}
	for _, e := range edit {
		e(&b)
	}
	var cs []justify.Case
	for i := range batchNames {
		cs = append(cs, justify.Case{ID: justify.CaseID(i + 1), GroupID: groupID, UserVKID: int64(100 + i), UserName: fmt.Sprintf("Вася & %d", i)})
	}
	return b, cs
}

func TestRenderBatch(t *testing.T) {
	justified := func(b *justify.Batch) {
		b.State, b.Reason, b.ReasonText, b.AwaitingReason, b.AwaitingReview = justify.BatchReview, justify.ReasonOther, "боты <из> одной сети", 0, 1000
	}
	approved := func(b *justify.Batch) {
		justified(b)
		b.State, b.ResolvedBy, b.ResolvedAt, b.Approved, b.AwaitingReview = justify.BatchClosed, "Ольга", t0.Add(time.Hour), 1000, 0
	}
	tests := []struct {
		name    string
		kind    justify.MessageKind
		batch   func(*justify.Batch)
		buttons int
		want    map[string][]string
	}{
		{name: "open prompt", kind: justify.MsgBatchPrompt, buttons: len(justify.Reasons) + 1,
			want: map[string][]string{"ru": {"1000 пользователей забанены в «Кофейня «Зерно»» за 58 с", "Вася & 0", "…и ещё 995"},
				"en": {"1000 users banned in «Кофейня «Зерно»» in 58 s", "Вася & 4", "…and 995 more", "one by one"}}},
		{name: "deletions", kind: justify.MsgBatchPrompt, batch: func(b *justify.Batch) { b.Kind = justify.EventDelete }, buttons: len(justify.Reasons) + 1,
			want: map[string][]string{"ru": {"1000 комментариев удалены"}, "en": {"1000 comments deleted"}}},
		{name: "overdue prompt still takes a reason", kind: justify.MsgBatchPrompt,
			batch:   func(b *justify.Batch) { b.State, b.Overdue = justify.BatchReview, true },
			buttons: len(justify.Reasons), want: map[string][]string{"en": {"deadline passed"}}},
		{name: "justified prompt", kind: justify.MsgBatchPrompt, batch: justified,
			want: map[string][]string{"ru": {"Причина записана для 1000: Другое", "боты <из> одной сети"}, "en": {"Reason recorded for 1000: Other", "Managers have not decided yet."}}},
		{name: "review", kind: justify.MsgBatchReview, batch: justified, buttons: 2,
			want: map[string][]string{"ru": {"1000 банов, Иван <Петров>"}, "en": {"For review: 1000 bans by Иван <Петров>", "боты <из> одной сети"}}},
		{name: "approved review", kind: justify.MsgBatchReview, batch: approved,
			want: map[string][]string{"en": {"Approved: 1000 (Ольга"}}},
		{name: "split review", kind: justify.MsgBatchReview, batch: func(b *justify.Batch) {
			justified(b)
			b.State, b.Split, b.ResolvedBy = justify.BatchClosed, true, "Ольга"
		}, want: map[string][]string{"en": {"Reviewed one by one (Ольга)"}}},
		{name: "outcome", kind: justify.MsgBatchOutcome, batch: approved, want: map[string][]string{"en": {"Managers approved all 1000"}}},
		{name: "ask text", kind: justify.MsgBatchAskText, want: map[string][]string{"en": {"one explanation for all 1000"}}},
		{name: "reminder", kind: justify.MsgBatchReminder, want: map[string][]string{"en": {"1000 actions"}}},
		{name: "prompt not delivered yet: the deadline runs from its delivery", kind: justify.MsgBatchPrompt,
			batch:   func(b *justify.Batch) { b.OpenedAt, b.AskedAt = t0.Add(-time.Hour), time.Time{} },
			buttons: len(justify.Reasons) + 1, want: map[string][]string{"ru": {"Ответить до: 23.11.2026 13:00"}, "en": {"Answer by: 2026-11-23 13:00"}}},
		{name: "review of a batch whose operator could not be asked", kind: justify.MsgBatchReview,
			batch:   func(b *justify.Batch) { b.State, b.NotAsked = justify.BatchReview, true },
			buttons: 2, want: map[string][]string{"ru": {"Модератора не удалось спросить"}, "en": {"The operator could not be asked", "No reason given yet"}}},
		{name: "prompt delivered after the managers got the batch", kind: justify.MsgBatchPrompt,
			batch:   func(b *justify.Batch) { b.State, b.NotAsked = justify.BatchReview, true },
			buttons: len(justify.Reasons), want: map[string][]string{"en": {"could not reach you in time"}}},
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»"}},
			now: func() time.Time { return t0 }}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				var edits []func(*justify.Batch)
				if tt.batch != nil {
					edits = append(edits, tt.batch)
				}
				b, cs := sampleBatch(edits...)
				v, err := r.renderBatch(tt.kind, b, cs)
				require.NoError(t, err)
				plain, err := telegramtest.ParseHTML(v.text)
				require.NoError(t, err, "Telegram would refuse this HTML:\n%s", v.text)
				assert.LessOrEqual(t, utf8.RuneCountInString(plain), MaxTextLen)
				for _, w := range tt.want[lang] {
					assert.Contains(t, plain, w)
				}
				n := 0
				for _, row := range v.rows {
					n += len(row)
				}
				assert.Equal(t, tt.buttons, n)
			})
		}
	}
}

func TestPacer(t *testing.T) {
	now := t0
	p := newPacerClock(Limits{ChatEvery: time.Second, ChatBurst: 3, GlobalEvery: time.Second / 4, GlobalBurst: 5}, func() time.Time { return now })
	took := func(chat int64, n int) int {
		ok := 0
		for range n {
			if yes, _ := p.take(chat); yes {
				ok++
			}
		}
		return ok
	}
	// Telegram may still count what a previous run sent just before: the buckets start
	// empty and fill at the pace, and a chat first written to later has filled since.
	_, wait := p.take(1)
	assert.Equal(t, time.Second, wait, "nothing goes the instant the pacer starts")
	now = now.Add(time.Second)
	assert.Equal(t, 1, took(1, 10), "one a second from the start")
	assert.Equal(t, 1, took(2, 10), "a chat new to this run filled since the start too")
	now = now.Add(3 * time.Second)
	assert.Equal(t, 3, took(1, 10), "a chat gets its burst")
	_, wait = p.take(1)
	assert.Equal(t, time.Second, wait)
	assert.Equal(t, 2, took(3, 10), "then the overall limit holds back another chat")
	assert.Equal(t, time.Second/4, p.overall(), "everyone waits for the overall limit")
	assert.Equal(t, time.Second/4, p.overall(), "asking how long to wait reserves nothing")
	_, wait = p.take(4)
	assert.Equal(t, time.Second/4, wait, "nor does a refused take")
	now = now.Add(time.Second)
	assert.Equal(t, 1, took(1, 10), "one a second after the burst")
	p.spend(1)
	_, wait = p.take(1)
	assert.Equal(t, 2*time.Second, wait, "an answer given at once is paid for by the outbox")

	off := newPacer(Limits{})
	assert.Equal(t, 100, func() int {
		n := 0
		for range 100 {
			if ok, _ := off.take(1); ok {
				n++
			}
		}
		return n
	}(), "zero limits do not pace")
}

// A wave in Telegram: the operator answers for the batch with one text, and managers
// can still take it one by one.
func TestBatchButtons(t *testing.T) {
	t.Run("one text for all, managers one by one", func(t *testing.T) {
		e := newEnv(t)
		e.svc.Grouping = justify.GroupRule{After: 2, Within: 10 * time.Minute}
		e.start()
		e.startAll()
		var ids []justify.CaseID
		for range 6 {
			ids = append(ids, e.ban(ivanVK, "Вася", ""))
		}
		require.NoError(t, e.svc.Tick(t.Context()))
		e.bot.Wake()
		prompt := e.waitMsg(ivanTG, "забанен")
		e.waitEdit(ivanTG, prompt.ID, "4 пользователя забанены")
		assert.Len(t, e.srv.Messages(ivanTG), 1+2+1, "greeting, two prompts, one batch prompt")

		a := e.press(ivanTG, prompt, "Все: Другое")
		assert.Equal(t, "Напишите пояснение ответом на сообщение.", a.Text)
		ask := e.waitMsg(ivanTG, "одним пояснением для всех 4")
		e.srv.Reply(ivanTG, ask.ID, "одна сеть ботов")
		review := e.waitMsg(olgaTG, "На проверку: 4 бана")
		e.waitMsg(mariaTG, "На проверку: 4 бана")
		assert.Contains(t, review.Text, "одна сеть ботов")
		for _, id := range ids[2:] {
			c := e.caseNow(id)
			assert.Equal(t, justify.ReasonOther, c.Reason)
			assert.Equal(t, "одна сеть ботов", c.ReasonText)
		}

		a = e.press(mariaTG, e.waitMsg(mariaTG, "На проверку: 4 бана"), "По одному")
		assert.Contains(t, a.Text, "4")
		e.waitPrefixed(olgaTG, "🔎 На проверку: бан", 4, "a review per case")
		e.waitEdit(olgaTG, review.ID, "по одному")
		// Olga's buttons on the batch are dead now, and say how it ended.
		a = e.pressData(olgaTG, review.ID, review.Buttons[0][0].Data)
		assert.Equal(t, "Эта группа уже закрыта: Проверяется по одному (Maria). Эта кнопка больше не действует.", a.Text)
		_, err := e.svc.Approve(t.Context(), olgaTG, ids[5])
		require.NoError(t, err)
	})
	t.Run("operator one by one", func(t *testing.T) {
		e := newEnv(t)
		e.svc.Grouping = justify.GroupRule{After: 2, Within: 10 * time.Minute}
		e.start()
		e.startAll()
		for range 5 {
			e.ban(ivanVK, "Вася", "")
		}
		prompt := e.waitMsg(ivanTG, "забанен")
		a := e.press(ivanTG, prompt, "По одному")
		assert.Contains(t, a.Text, "3")
		e.waitPrefixed(ivanTG, "🚫 Бан в сообществе", 5, "a prompt per case")
		e.waitEdit(ivanTG, prompt.ID, "по одному")
	})
}

// Paced, the bot sends a burst of prompts to one operator without one 429.
func TestPacedSenderEarnsNo429(t *testing.T) {
	e := newEnv(t)
	e.cfg.Limits = TelegramLimits
	e.srv.SetRateLimits(true)
	e.start()
	e.startAll()
	for range 6 {
		e.ban(ivanVK, "Вася", "")
	}
	require.Eventually(t, func() bool { return len(e.srv.Messages(ivanTG)) == 7 }, 10*time.Second, 10*time.Millisecond)
	assert.Zero(t, e.srv.RateLimited())
}

// A backlog to one chat (a manager with a raid's alerts) must not hold back another chat's
// message queued behind it: the sender pages past the chats it holds.
func TestBacklogDoesNotHoldOtherChats(t *testing.T) {
	e := newEnv(t)
	e.cfg.Limits = TelegramLimits
	e.srv.SetRateLimits(true)
	e.start()
	e.startAll()
	require.NoError(t, e.store.Update(context.Background(), func(tx justify.Tx) error {
		for i := range 2 * sendBatch {
			a := justify.Alert{Kind: justify.AlertWave, GroupID: groupID, Key: fmt.Sprintf("backlog:%d", i), Subject: "vk1", Count: 10}
			if _, err := tx.Enqueue(justify.Message{ChatID: olgaTG, Kind: justify.MsgAlert, Created: e.clock.Now(), Payload: a.Payload()}); err != nil {
				return err
			}
		}
		return nil
	}))
	e.bot.Wake()
	e.ban(ivanVK, "Вася", "")
	require.Eventually(t, func() bool { return len(e.srv.Messages(ivanTG)) == 2 }, 10*time.Second, 10*time.Millisecond,
		"Ivan's prompt, behind Olga's backlog")
	assert.Less(t, len(e.srv.Messages(olgaTG)), 2*sendBatch/4, "Ivan did not wait for Olga's backlog to drain")
	assert.Zero(t, e.srv.RateLimited())
}
