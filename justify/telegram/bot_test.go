package telegram

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func TestJustifyWithAButton(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "реклама")

	prompt := e.waitMsg(ivanTG, "Бан в сообществе")
	assert.Equal(t, []string{"Спам", "Оскорбления", "Нецензурная лексика", "Флуд, оффтоп", "Другое"}, labels(prompt))
	assert.Contains(t, prompt.HTML, `<a href="https://vk.com/id9001">Вася</a>`)
	assert.Contains(t, prompt.Text, "Кофейня «Зерно»")
	assert.Contains(t, prompt.Text, "навсегда")
	assert.Contains(t, prompt.Text, "23.11.2026 12:00", "the deadline")

	a := e.press(ivanTG, prompt, "Спам")
	assert.Equal(t, "Записано: Спам", a.Text)
	c := e.caseNow(id)
	assert.Equal(t, justify.ReasonSpam, c.Reason)
	assert.Equal(t, justify.StateAwaitingReview, c.State)

	edited := e.waitEdit(ivanTG, prompt.ID, "Причина записана: Спам")
	assert.Equal(t, []string{"Добавить пояснение"}, labels(edited))
	for _, m := range []int64{olgaTG, mariaTG} {
		review := e.waitMsg(m, "На проверку")
		assert.Equal(t, []string{"Оставить бан", "Снять бан"}, labels(review))
		assert.Contains(t, review.Text, "Модератор: Ivan")
	}
	e.settled() // a review for Anna would have been queued with the managers'
	assert.Empty(t, e.srv.Messages(annaTG)[1:], "owners get no reviews")
}

func TestOtherNeedsAText(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	prompt := e.waitMsg(ivanTG, "Бан в сообществе")

	a := e.press(ivanTG, prompt, "Другое")
	assert.Equal(t, "Напишите пояснение ответом на сообщение.", a.Text)
	ask := e.waitMsg(ivanTG, "Ответьте на это сообщение")
	assert.True(t, ask.ForceReply)
	assert.Empty(t, e.caseNow(id).Reason, "nothing recorded before the text")

	e.srv.Reply(ivanTG, ask.ID, "угрожал <b>& матерился")
	e.waitMsg(ivanTG, "Спасибо, записал.")
	c := e.caseNow(id)
	assert.Equal(t, justify.ReasonOther, c.Reason)
	assert.Equal(t, "угрожал <b>& матерился", c.ReasonText)
	e.waitEdit(ivanTG, prompt.ID, "Пояснение: угрожал <b>& матерился")
	e.waitMsg(olgaTG, "угрожал <b>& матерился")

	// Explaining again later goes through the Add explanation button.
	a = e.press(ivanTG, prompt, "Добавить пояснение")
	assert.Equal(t, "Напишите пояснение ответом на сообщение.", a.Text)
	e.srv.SendText(ivanTG, "и ещё спамил")
	e.waitEdit(ivanTG, prompt.ID, "и ещё спамил")
}

func TestApproveTellsEveryone(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	e.press(ivanTG, e.waitMsg(ivanTG, "Бан в сообществе"), "Спам")
	olgaReview := e.waitMsg(olgaTG, "На проверку")
	mariaReview := e.waitMsg(mariaTG, "На проверку")

	a := e.press(olgaTG, olgaReview, "Оставить бан")
	assert.Equal(t, "Бан оставлен в силе.", a.Text)
	c := e.caseNow(id)
	assert.Equal(t, justify.ResolutionApproved, c.Resolution)

	e.waitMsg(ivanTG, "Olga оставил(а) бан в силе")
	m := e.waitEdit(mariaTG, mariaReview.ID, "Olga оставил(а) бан в силе")
	assert.Empty(t, m.Buttons, "a decided case has no buttons")
	m = e.waitEdit(olgaTG, olgaReview.ID, "Olga оставил(а) бан в силе")
	assert.Empty(t, m.Buttons)

	// Maria's old Approve button is now stale: it says how the case ended.
	a = e.pressData(mariaTG, mariaReview.ID, mariaReview.Buttons[0][0].Data)
	assert.Regexp(t, `^Дело \d+ закрыто: Olga оставил\(а\) бан в силе \(.+\)\. Эта кнопка больше не действует\.$`, a.Text)
	assert.Equal(t, justify.ResolutionApproved, e.caseNow(id).Resolution, "and changes nothing")
}

func TestReverseIsConfirmedFirst(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	e.press(ivanTG, e.waitMsg(ivanTG, "Бан в сообществе"), "Спам")
	review := e.waitMsg(olgaTG, "На проверку")

	a := e.press(olgaTG, review, "Снять бан")
	assert.Equal(t, "Точно снять бан?", a.Text)
	cur, _ := e.srv.Message(olgaTG, review.ID)
	assert.Equal(t, []string{"Да, снять бан", "Отмена"}, labels(cur))
	assert.Empty(t, e.rev.calls(), "nothing happens before the confirmation")

	e.press(olgaTG, review, "Отмена")
	cur, _ = e.srv.Message(olgaTG, review.ID)
	assert.Equal(t, []string{"Оставить бан", "Снять бан"}, labels(cur))
	assert.Equal(t, justify.StateAwaitingReview, e.caseNow(id).State)

	e.press(olgaTG, review, "Снять бан")
	a = e.press(olgaTG, review, "Да, снять бан")
	// The press is answered before VK is asked; VK's answer is edited into the review.
	assert.Equal(t, "Снимаем бан… Результат появится в сообщении о деле.", a.Text)
	e.waitEdit(olgaTG, review.ID, "Olga снял(а) бан")
	assert.Equal(t, [][2]int64{{groupID, userVK}}, e.rev.calls())
	assert.Equal(t, justify.ResolutionReversed, e.caseNow(id).Resolution)
	e.waitMsg(ivanTG, "Olga снял(а) бан")
	e.waitEdit(mariaTG, e.waitMsg(mariaTG, "На проверку").ID, "Olga снял(а) бан")
}

// While VK is slow, the review says who is reversing, and another manager's press on the
// case is answered plainly; VK's answer is edited in when it comes.
func TestReverseWhileVKIsSlow(t *testing.T) {
	e := newEnv(t)
	e.rev.held = make(chan struct{})
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	e.press(ivanTG, e.waitMsg(ivanTG, "Бан в сообществе"), "Спам")
	review := e.waitMsg(olgaTG, "На проверку")
	mariaReview := e.waitMsg(mariaTG, "На проверку")

	e.press(olgaTG, review, "Снять бан")
	a := e.press(olgaTG, review, "Да, снять бан")
	assert.Equal(t, "Снимаем бан… Результат появится в сообщении о деле.", a.Text)
	m := e.waitEdit(olgaTG, review.ID, "⏳ Olga снимает бан: ждём ответа VK…")
	assert.Empty(t, m.Buttons, "nothing to press while VK is asked")
	e.waitEdit(mariaTG, mariaReview.ID, "⏳ Olga снимает бан")
	assert.Equal(t, justify.StateReversing, e.caseNow(id).State)

	// Maria's Lift ban, pressed on her copy before it changed.
	a = e.pressData(mariaTG, mariaReview.ID, mariaReview.Buttons[0][1].Data)
	assert.Equal(t, "Это уже отменяется в VK: результат появится в сообщении о деле.", a.Text)
	assert.Empty(t, e.rev.calls())

	close(e.rev.held)
	e.waitEdit(olgaTG, review.ID, "Olga снял(а) бан")
	e.waitEdit(mariaTG, mariaReview.ID, "Olga снял(а) бан")
	assert.Equal(t, [][2]int64{{groupID, userVK}}, e.rev.calls())
	assert.Equal(t, justify.ResolutionReversed, e.caseNow(id).Resolution)
}

func TestReverseByHand(t *testing.T) {
	e := newEnv(t, noReversal)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	e.press(ivanTG, e.waitMsg(ivanTG, "Бан в сообществе"), "Спам")
	review := e.waitMsg(olgaTG, "На проверку")
	e.press(olgaTG, review, "Снять бан")
	a := e.press(olgaTG, review, "Да, снять бан")
	assert.Equal(t, "Снять бан автоматически не удалось: инструкция в чате.", a.Text)
	assert.Equal(t, justify.StateUndoPending, e.caseNow(id).State)

	undo := e.waitMsg(olgaTG, "Откройте сообщество")
	// The reason in the manager's language; VK's own words stay in the case.
	assert.Contains(t, undo.Text, "в настройках нет токена, которым VK разрешает это сделать")
	assert.Contains(t, e.caseNow(id).UndoNote, "no admin user token is configured")
	assert.Contains(t, undo.HTML, `href="https://vk.com/club500"`)
	assert.Contains(t, undo.HTML, `href="https://vk.com/id9001"`)
	m := e.waitEdit(olgaTG, review.ID, "не смог сделать это сам")
	assert.Equal(t, []string{"Попробовать снять бан снова"}, labels(m))
}

func TestRefusedPresses(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	id := e.ban(ivanVK, "Вася", "")
	prompt := e.waitMsg(ivanTG, "Бан в сообществе")
	// The prompt's delivery starts the deadline: the case is saved once more after it.
	require.Eventually(t, func() bool { return !e.caseNow(id).AskedAt.IsZero() }, 5*time.Second, 5*time.Millisecond)
	spam := prompt.Buttons[0][0].Data
	unknown, err := newToken()
	require.NoError(t, err)

	tests := []struct {
		name string
		from int64
		data string
		want string
	}{
		{name: "someone else's button", from: olgaTG, data: spam, want: "Эта кнопка не для вас."},
		{name: "forged data", from: ivanTG, data: "approve:1", want: "Эта кнопка больше не действует."},
		{name: "well-formed but never issued", from: ivanTG, data: unknown, want: "Эта кнопка больше не действует."},
		{name: "a stranger", from: stranger, data: spam, want: "Эта кнопка не для вас."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.caseNow(id)
			a := e.pressData(tt.from, prompt.ID, tt.data)
			assert.Equal(t, tt.want, a.Text)
			assert.Equal(t, before, e.caseNow(id), "nothing changes")
		})
	}
}

func TestStrangersAndGroups(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.srv.SendText(stranger, "/start")
	refusal := e.waitMsg(stranger, "команды модераторов")
	assert.NotContains(t, refusal.Text, "Зерно", "a refusal reveals nothing")
	assert.Contains(t, refusal.Text, "Telegram ID 4040", "but tells the stranger the id a manager needs to add them")
	e.srv.SendText(stranger, "кто здесь?")
	e.srv.SendGroupText(-100, olgaTG, "/start")
	e.srv.SendText(annaTG, "/start")
	e.waitMsg(annaTG, "Вы — владелец")
	assert.Len(t, e.srv.Messages(stranger), 1, "one refusal only")
	assert.Empty(t, e.srv.Messages(-100), "groups get nothing")
}

func TestUnaskedTextGetsHelp(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.srv.SendText(ivanTG, "привет")
	e.waitMsg(ivanTG, "Я сам пишу")
}

func TestRateLimitIsHonoured(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 30", 30)
	e.ban(ivanVK, "Вася", "")
	var msg justify.Message
	require.Eventually(t, func() bool {
		msg = e.firstMessage()
		return msg.Attempts == 1
	}, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, t0.Add(30*time.Second), msg.NextAttempt)
	assert.False(t, msg.Failed)
	assert.Len(t, e.srv.Messages(ivanTG), 1, "only the greeting so far")

	e.clock.Add(31 * time.Second)
	e.bot.Wake()
	e.waitMsg(ivanTG, "Бан в сообществе")
}

// A server error is retried after 2s, doubled per attempt; the stored next attempt is the
// exact one, with no jitter.
func TestServerErrorIsRetriedWithBackoff(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.srv.FailNext("sendMessage", 502, "Bad Gateway", 0)
	e.srv.FailNext("sendMessage", 500, "Internal Server Error", 0)
	e.ban(ivanVK, "Вася", "")
	next := t0
	for attempt, wait := range []time.Duration{2 * time.Second, 4 * time.Second} {
		var msg justify.Message
		require.Eventually(t, func() bool {
			msg = e.firstMessage()
			return msg.Attempts == attempt+1
		}, 5*time.Second, 5*time.Millisecond)
		next = next.Add(wait)
		assert.Equal(t, next, msg.NextAttempt, "attempt %d", attempt+1)
		assert.False(t, msg.Failed)
		e.clock.Add(wait)
		e.bot.Wake()
	}
	e.waitMsg(ivanTG, "Бан в сообществе")
}

func TestBlockedPersonIsNotRetried(t *testing.T) {
	e := newEnv(t)
	e.start()
	// Ivan never pressed Start; managers did.
	e.srv.SendText(olgaTG, "/start")
	e.waitMsg(olgaTG, "Olga")
	e.srv.Block(olgaTG)
	e.ban(ivanVK, "Вася", "")
	require.Eventually(t, func() bool {
		m := e.firstMessage()
		return m.Failed
	}, 5*time.Second, 5*time.Millisecond)
	m := e.firstMessage()
	assert.Contains(t, m.LastError, "bot can't initiate conversation")
	assert.Equal(t, 1, m.Attempts)
	require.Eventually(t, func() bool { return strings.Contains(e.logs.String(), `"person":"Ivan"`) }, 5*time.Second, 5*time.Millisecond)

	// An unknown admin's case goes straight to managers: Olga blocked the bot.
	e.ban(999, "Петя", "")
	require.Eventually(t, func() bool {
		for _, m := range e.messages() {
			if m.ChatID == olgaTG && m.Failed && strings.Contains(m.LastError, "blocked") {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
}

// justifyWhileEditFails has Ivan justify a ban while Telegram refuses the edit of his
// prompt with description; it returns the prompt.
func justifyWhileEditFails(t *testing.T, description string) (*env, telegramtest.Msg) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.ban(ivanVK, "Вася", "")
	prompt := e.waitMsg(ivanTG, "Бан в сообществе")
	e.srv.FailNext("editMessageText", 400, description, 0)
	e.press(ivanTG, prompt, "Спам")
	return e, prompt
}

func TestNotModifiedCountsAsSent(t *testing.T) {
	e, prompt := justifyWhileEditFails(t, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same")
	e.waitMsg(olgaTG, "На проверку")
	e.settled()
	var edit justify.Message
	for _, m := range e.messages() {
		if m.EditOf != 0 && m.ChatID == ivanTG {
			edit = m
		}
	}
	require.NotZero(t, edit.ID)
	assert.False(t, edit.Failed)
	assert.Equal(t, prompt.ID, edit.TelegramMessageID)
	assert.Equal(t, 1, e.srv.Calls("editMessageText"))
}

func TestDeletedMessageIsSentAnew(t *testing.T) {
	e, prompt := justifyWhileEditFails(t, "Bad Request: message to edit not found")
	m := e.waitMsg(ivanTG, "Причина записана")
	assert.NotEqual(t, prompt.ID, m.ID)
}

func TestOffsetSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.srv.SendText(olgaTG, "/start")
	e.waitMsg(olgaTG, "Вы — менеджер")
	require.Eventually(t, func() bool { return e.cursor(OffsetCursor) == "2" }, 5*time.Second, 5*time.Millisecond)
	e.stop()

	e.srv.SendText(mariaTG, "/start")
	e.start()
	e.waitMsg(mariaTG, "Вы — менеджер")
	require.Eventually(t, func() bool { return e.cursor(OffsetCursor) == "3" }, 5*time.Second, 5*time.Millisecond)
	assert.Len(t, e.srv.Messages(olgaTG), 1, "no update handled twice")
}

// panicky panics on one text, as a bug in a handler would.
type panicky struct{ Service }

func (p panicky) Text(ctx context.Context, tgID int64, text string) (justify.Case, error) {
	if text == "boom" {
		panic("boom")
	}
	return p.Service.Text(ctx, tgID, text)
}

func TestPanicSkipsTheUpdate(t *testing.T) {
	e := newEnv(t)
	e.deps.Service = panicky{e.svc}
	e.start()
	e.srv.SendText(ivanTG, "boom")
	e.srv.SendText(ivanTG, "привет")
	e.waitMsg(ivanTG, "Я сам пишу")
	assert.Contains(t, e.logs.String(), "update handler panicked")
	require.Eventually(t, func() bool { return e.cursor(OffsetCursor) == "3" }, 5*time.Second, 5*time.Millisecond)
}

// panicOnce panics on the first message sent once armed, as a bug in the sender would.
type panicOnce struct {
	client
	armed atomic.Bool
}

func (p *panicOnce) SendText(ctx context.Context, chatID int64, text string, kb keyboard, forceReply bool) result {
	if p.armed.CompareAndSwap(true, false) {
		panic("sender bug")
	}
	return p.client.SendText(ctx, chatID, text, kb, forceReply)
}

// A panic in the send loop restarts it: the message it was sending goes out after all,
// and so does the next one.
func TestSenderRestartsAfterPanic(t *testing.T) {
	e := newEnv(t)
	bug := &panicOnce{}
	e.wrap = func(c client) client { bug.client = c; return bug }
	e.start()
	e.startAll()
	bug.armed.Store(true)
	e.ban(ivanVK, "Вася", "")
	e.waitMsg(ivanTG, "Вася")
	assert.False(t, bug.armed.Load(), "the sender panicked")
	logs := e.logs.String()
	assert.Contains(t, logs, `"component":"telegram-send"`)
	assert.Contains(t, logs, `"cause":"panic"`)
	e.ban(ivanVK, "Петя", "")
	e.waitMsg(ivanTG, "Петя")
}

func TestHostileTextIsShownLiterally(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	hostile := `</a><b>Вася & Co</b> &amp; <script>`
	e.ban(ivanVK, hostile, "коммент </a> & <i>")
	prompt := e.waitMsg(ivanTG, "Бан в сообществе")
	assert.Contains(t, prompt.Text, hostile)
	assert.Contains(t, prompt.Text, "коммент </a> & <i>")
}

func TestEnglish(t *testing.T) {
	e := newEnv(t, withLang("en"))
	e.start()
	e.startAll()
	e.ban(ivanVK, "Vasya", "")
	prompt := e.waitMsg(ivanTG, "Ban in «")
	assert.Equal(t, []string{"Spam", "Abuse or insults", "Strong language", "Flood or off-topic", "Other"}, labels(prompt))
	a := e.press(ivanTG, prompt, "Flood or off-topic")
	assert.Equal(t, "Recorded: Flood or off-topic", a.Text)
	review := e.waitMsg(olgaTG, "For review")
	assert.Equal(t, []string{"Keep ban", "Lift ban"}, labels(review))
	assert.Contains(t, e.srv.Commands(), "How to use the bot")
}

func TestUnknownAdminIsFlagged(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.ban(31337, "Вася", "")
	review := e.waitMsg(olgaTG, "Неизвестный администратор")
	assert.Contains(t, review.Text, "vk31337")
	assert.Equal(t, []string{"Оставить бан", "Снять бан"}, labels(review))
}

func TestTokenNeverLogged(t *testing.T) {
	e := newEnv(t)
	e.srv.FailNext("getUpdates", 500, "Internal Server Error", 0)
	e.srv.FailNext("getUpdates", 429, "Too Many Requests: retry after 1", 1)
	e.start()
	e.startAll()
	e.srv.FailNext("sendMessage", 502, "Bad Gateway", 0)
	e.ban(ivanVK, "Вася", "")
	require.Eventually(t, func() bool { return e.firstMessage().Attempts == 1 }, 5*time.Second, 5*time.Millisecond)

	// The server goes away: every call now fails with a *url.Error naming the URL.
	e.srv.Close()
	e.ban(ivanVK, "Петя", "")
	require.Eventually(t, func() bool {
		logs := e.logs.String()
		return strings.Contains(logs, "getUpdates") && strings.Contains(logs, "sendMessage")
	}, 10*time.Second, 5*time.Millisecond)
	e.stop()

	// A bot pointed at a closed server fails to start without naming its token.
	closed := telegramtest.New(testToken)
	endpoint := closed.Endpoint()
	closed.Close()
	e.cfg.Endpoint = endpoint
	_, err := New(e.cfg, e.deps, zerologTo(e.logs))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	assert.Contains(t, err.Error(), tokenMask)

	logs := e.logs.String()
	assert.Contains(t, logs, tokenMask, "network errors are logged, redacted")
	assert.NotContains(t, logs, testToken)
	assert.NotContains(t, logs, "AAH-secret")
}

func TestNewNeedsAPollTimeout(t *testing.T) {
	e := newEnv(t)
	e.cfg.PollTimeout = 0
	_, err := New(e.cfg, e.deps, zerologTo(e.logs))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "poll timeout")
	assert.Zero(t, e.srv.Calls("getMe"), "refused before anything is contacted")
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	e := newEnv(t)
	e.cfg.PollTimeout = time.Hour // a long poll must not hold shutdown
	e.start()
	require.Eventually(t, func() bool { return e.srv.Calls("getUpdates") > 0 }, 5*time.Second, 5*time.Millisecond)
	e.stop()
}

func TestFakeServerIsUsable(t *testing.T) {
	// The reply helpers send through the same HTML checks as the outbox.
	_, err := telegramtest.ParseHTML(ru.refusal)
	require.NoError(t, err)
}

// TestRequestsFollowTheSpec checks that every parameter the bot sends is one the Bot API
// documents for that method.
func TestRequestsFollowTheSpec(t *testing.T) {
	b, err := os.ReadFile("../../testdata/telegram/api-subset.json")
	require.NoError(t, err)
	var spec struct {
		Methods map[string]map[string]bool `json:"methods"`
	}
	require.NoError(t, json.Unmarshal(b, &spec))
	// Deprecated by link_preview_options, still accepted; the library only knows this one.
	spec.Methods["sendMessage"]["disable_web_page_preview"] = true
	spec.Methods["editMessageText"]["disable_web_page_preview"] = true

	e := newEnv(t)
	e.start()
	e.startAll()
	e.ban(ivanVK, "Вася", "")
	e.press(ivanTG, e.waitMsg(ivanTG, "Бан в сообществе"), "Спам")
	review := e.waitMsg(olgaTG, "На проверку")
	e.press(olgaTG, review, "Снять бан")
	anna, _ := e.svc.People.ByName("Anna")
	_, err = e.svc.QueueDigest(context.Background(), anna, "digest:Anna", "2026-11-23", justify.Digest{Caption: "<b>c</b>", Text: "t", Chart: []byte("png")})
	require.NoError(t, err)
	e.bot.Wake()
	e.settled()
	for _, method := range []string{"getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "setMyCommands", "sendPhoto"} {
		params := e.srv.LastParams(method)
		require.Positive(t, e.srv.Calls(method), method)
		for name := range params {
			_, ok := spec.Methods[method][name]
			assert.True(t, ok, "%s sends undocumented parameter %q", method, name)
		}
	}
	assert.JSONEq(t, `["message","callback_query","my_chat_member"]`, e.srv.LastParams("getUpdates")["allowed_updates"])
	assert.Equal(t, "2", e.srv.LastParams("getUpdates")["timeout"])
}

// The bot counts each outbox attempt by outcome, and Telegram's refusals by code, from what
// Telegram answered.
func TestMetricsCountWhatTelegramDid(t *testing.T) {
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	e.deps.Metrics = m
	e.start()
	e.startAll()

	e.srv.FailNext("sendMessage", 502, "Bad Gateway", 0)
	e.ban(ivanVK, "Вася", "")
	require.Eventually(t, func() bool { return e.firstMessage().Attempts == 1 }, 5*time.Second, 5*time.Millisecond)
	e.clock.Add(2 * time.Second)
	e.bot.Wake()
	e.waitMsg(ivanTG, "Вася")

	// Refused once, a prompt goes in its short form: sent, with the refusal counted.
	e.srv.FailNext("sendMessage", 400, "Bad Request: can't parse entities", 0)
	e.ban(ivanVK, "Петя", "")
	e.waitMsg(ivanTG, "краткой форме")
	e.settled()

	// Refused twice, it is given up: managers get the case (two reviews) and managers and
	// owners an alert (three), all sent.
	e.srv.FailNext("sendMessage", 400, "Bad Request: can't parse entities", 0)
	e.srv.FailNext("sendMessage", 400, "Bad Request: can't parse entities", 0)
	e.ban(ivanVK, "Федя", "")
	require.Eventually(t, func() bool { return testutil.ToFloat64(m.messages.WithLabelValues(outcomeFailed)) == 1 }, 5*time.Second, 5*time.Millisecond)
	e.waitMsg(annaTG, "Сообщение не дошло")
	e.settled()

	for outcome, want := range map[string]float64{outcomeSent: 1 + 1 + 2 + 3, outcomeRetried: 1, outcomeFailed: 1} {
		assert.Equal(t, want, testutil.ToFloat64(m.messages.WithLabelValues(outcome)), outcome)
	}
	assert.Equal(t, 1.0, testutil.ToFloat64(m.errors.WithLabelValues("502")))
	assert.Equal(t, 3.0, testutil.ToFloat64(m.errors.WithLabelValues("400")))
	assert.Equal(t, 2, testutil.CollectAndCount(m.errors), "no other code was counted")
	n, err := testutil.GatherAndCount(reg, "modwatch_messages_total", "modwatch_telegram_errors_total")
	require.NoError(t, err)
	assert.Equal(t, 5, n, "both are registered under their names")
}
