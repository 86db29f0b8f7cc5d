package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// comment is a customer's comment under the community's post 10.
func comment(id int64) justify.Ref {
	return justify.Ref{GroupID: groupID, Place: justify.PlaceWallComment, OwnerID: -groupID, ParentID: 10, ItemID: id}
}

// ingest records events and wakes the bot.
func (e *env) ingest(evs ...justify.Event) justify.IngestResult {
	e.t.Helper()
	for i := range evs {
		e.events++
		evs[i].Key = fmt.Sprintf("ev%d", e.events)
		evs[i].GroupID = groupID
	}
	res, err := e.svc.Ingest(context.Background(), evs, "", "")
	require.NoError(e.t, err)
	if e.bot != nil {
		e.bot.Wake()
	}
	return res
}

// write records a customer's comment written age ago.
func (e *env) write(author int64, id int64, text string, age time.Duration, attachments ...string) justify.Ref {
	e.t.Helper()
	ref := comment(id)
	at := e.clock.Now().Add(-age)
	e.ingest(justify.Event{Kind: justify.EventWrite, UserVKID: author, At: at, Item: ref, Ticket: &justify.Ticket{
		Key: ref.Key(), Ref: ref, AuthorVKID: author, AuthorName: "Вася", Text: text, Attachments: attachments,
		CreatedAt: at, UpdatedAt: at,
	}})
	return ref
}

// del records the deletion of ref by actor (0: VK did not say) and returns the case.
func (e *env) del(actor int64, ref justify.Ref, kind justify.EventKind) justify.CaseID {
	e.t.Helper()
	res := e.ingest(justify.Event{Kind: kind, ActorVKID: actor, At: e.clock.Now(), Item: ref})
	require.Len(e.t, res.Opened, 1)
	return res.Opened[0]
}

func plain(t *testing.T, m telegramtest.Msg) string {
	t.Helper()
	p, err := telegramtest.ParseHTML(m.HTML)
	require.NoError(t, err)
	return p
}

func TestDeletionShowsTheCustomersWords(t *testing.T) {
	hostile := "<b>Где мой заказ?</b> & </a> &amp; <script>"
	tests := []struct {
		name  string
		lang  string
		want  []string
		alert string
	}{
		{name: "ru", lang: "ru", alert: "Удалён запрос клиента без ответа",
			want: []string{"Удаление в сообществе", "Удалён запрос клиента, на который никто не ответил", "Автор: Вася",
				"Написано: 23.11.2026 08:00 (2 ч назад)", "Ответ: ❗ нет ответа", "Вложения: фото, документ", "Удалил(а): Ivan", hostile}},
		{name: "en", lang: "en", alert: "A customer's unanswered request was deleted",
			want: []string{"Deletion in «", "Deleted unanswered request", "Author: Вася", "Written: 2026-11-23 08:00 (2 h ago)",
				"Answer: ❗ none", "Attachments: photo, document", "Deleted by: Ivan", hostile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withLang(tt.lang))
			e.start()
			e.startAll()
			ref := e.write(userVK, 11, hostile, 2*time.Hour, "photo", "doc")
			id := e.del(ivanVK, ref, justify.EventDelete)

			prompt := e.waitMsg(ivanTG, hostile)
			for _, w := range tt.want {
				assert.Contains(t, prompt.Text, w)
			}
			assert.Contains(t, prompt.HTML, `href="https://vk.com/wall-500_10?reply=11"`)
			assert.Contains(t, prompt.HTML, `<a href="https://vk.com/id9001">Вася</a>`)
			assert.Len(t, labels(prompt), 5, "reason buttons")

			// Severe: the managers see it at once, with the words, and an alert names the case.
			review := e.waitMsg(olgaTG, hostile)
			assert.Contains(t, review.Text, tt.want[1])
			alert := e.waitMsg(annaTG, tt.alert)
			assert.Contains(t, alert.Text, fmt.Sprintf("/case %d", id))
			assert.Contains(t, alert.Text, hostile)
		})
	}
}

func TestLongCommentIsCutWithinTheLimit(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	long := strings.Repeat("ё😀<&>", 2000) // 10,000 characters, many of them escaped
	require.Equal(t, 10000, utf8.RuneCountInString(long))
	ref := e.write(userVK, 12, long, time.Hour)
	e.del(ivanVK, ref, justify.EventDelete)

	for _, chat := range []int64{ivanTG, olgaTG} {
		m := e.waitMsg(chat, "ё😀<&>")
		assert.True(t, utf8.ValidString(m.Text))
		assert.LessOrEqual(t, utf8.RuneCountInString(plain(t, m)), MaxTextLen)
		assert.Contains(t, m.Text, "…", "the cut is marked")
		assert.Greater(t, utf8.RuneCountInString(m.Text), 2500, "the words get the room the message leaves")
	}
}

func TestDeletionByWhom(t *testing.T) {
	tests := []struct {
		name  string
		actor int64
		kind  justify.EventKind
		known bool
		want  []string
	}{
		{name: "vanished post", kind: justify.EventVanished, known: true, want: []string{"Неизвестно, кто удалил: автор или администратор", "Ответ: ❗ нет ответа"}},
		{name: "unknown admin", actor: 31337, kind: justify.EventDelete, known: true, want: []string{"неизвестный администратор vk31337"}},
		{name: "never seen written", actor: 31337, kind: justify.EventDelete, want: []string{"Текст неизвестен", "неизвестный администратор vk31337"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.start()
			e.startAll()
			ref := comment(int64(20 + i))
			if tt.known {
				e.write(userVK, ref.ItemID, "верните деньги", 3*24*time.Hour)
			}
			e.del(tt.actor, ref, tt.kind)
			review := e.waitMsg(olgaTG, "На проверку: удаление")
			for _, w := range tt.want {
				assert.Contains(t, review.Text, w)
			}
			assert.Equal(t, []string{"Оставить удалённым", "Восстановить"}, labels(review))
			assert.NotContains(t, review.Text, "vk0")
		})
	}
}

func TestBanListsTheUsersRequests(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	const customer = 7777
	e.write(customer, 31, "где мой заказ <уже неделю>", 5*time.Hour)
	e.write(customer, 32, "ответьте пожалуйста & быстрее", 30*time.Minute)
	res := e.ingest(justify.Event{Kind: justify.EventBan, ActorVKID: ivanVK, UserVKID: customer, UserName: "Вася",
		VKReason: justify.BanSpam, At: e.clock.Now(), Source: justify.SourceLongPoll})
	require.Len(t, res.Opened, 1)

	prompt := e.waitMsg(ivanTG, "Бан в сообществе")
	assert.Contains(t, prompt.Text, "Обращения пользователя: 2 вопроса без ответа из 2")
	assert.Contains(t, prompt.Text, "❗ 5 ч назад: где мой заказ <уже неделю>")
	assert.Contains(t, prompt.Text, "❗ 30 мин назад: ответьте пожалуйста & быстрее")
	e.press(ivanTG, prompt, "Спам")
	review := e.waitMsg(olgaTG, "На проверку")
	assert.Contains(t, review.Text, "2 вопроса без ответа из 2")
}

func TestAlertsRender(t *testing.T) {
	alerts := []struct {
		name string
		a    justify.Alert
		want map[string][]string
	}{
		{name: "wave", a: justify.Alert{Kind: justify.AlertWave, GroupID: groupID, Subject: "Ivan", Count: 7, Detail: "ban"},
			want: map[string][]string{"ru": {"Волна", "Ivan — 7 банов подряд", "Кофейня"}, "en": {"wave", "Ivan — 7 bans in a row"}}},
		{name: "deleted request", a: justify.Alert{Kind: justify.AlertDeletedRequest, GroupID: groupID, Subject: "Ivan", Detail: "где <заказ>", CaseID: 4},
			want: map[string][]string{"ru": {"Удалил(а): Ivan", "где <заказ>", "/case 4"}, "en": {"Deleted by: Ivan", "/case 4"}}},
		{name: "unknown admin", a: justify.Alert{Kind: justify.AlertUnknownAdmin, GroupID: groupID, Subject: "vk31337", ActorVKID: 31337, Count: 3, CaseID: 9},
			want: map[string][]string{"ru": {"неизвестный администратор", "vk31337", "Повторилось 3 раза за последний час", "/case 9"}, "en": {"3 times in the last hour"}}},
		{name: "officers", a: justify.Alert{Kind: justify.AlertOfficers, GroupID: groupID, Subject: "vk5", Detail: "editor → administrator"},
			want: map[string][]string{"ru": {"администраторов", "editor → administrator"}, "en": {"admins changed"}}},
		{name: "token", a: justify.Alert{Kind: justify.AlertToken, GroupID: groupID, Detail: "User authorization failed & <no rights>"},
			want: map[string][]string{"ru": {"Токен VK", "User authorization failed & <no rights>"}, "en": {"VK token stopped working"}}},
		{name: "unreachable", a: justify.Alert{Kind: justify.AlertUnreachable, Subject: "Ivan <b>", Count: 1},
			want: map[string][]string{"ru": {"не может написать", "Ivan <b>", "Start"}, "en": {"cannot write", "Ivan <b>", "Start"}}},
		{name: "config refused", a: justify.Alert{Kind: justify.AlertConfig, Detail: "the config has 1 problem(s):\n  - people[2].role: \"boss\" <is not a role> (line 9)"},
			want: map[string][]string{"ru": {"конфигурация отклонена", "people[2].role: \"boss\" <is not a role> (line 9)", "прежней"},
				"en": {"config was refused", "people[2].role: \"boss\" <is not a role> (line 9)", "config in force", "modwatch config check"}}},
		{name: "signs of one day", a: justify.Alert{Kind: justify.AlertSigns, GroupID: groupID, Subject: "Ivan", ActorVKID: 111, Count: 3,
			Day: "2026-11-23", Signs: map[justify.SignKind]int{justify.SignOneWord: 9, justify.SignStall: 2}, WorstKind: justify.SignOneWord,
			Detail: "да <b>&", Link: "https://vk.com/gim500?sel=5001"},
			want: map[string][]string{"ru": {"отлынивания", "Ivan", "Признаков за 2026-11-23: 11", "«уточняю» без продолжения 2, ответы в одно слово 9",
				"Худший пример (ответы в одно слово)", "да <b>&", "https://vk.com/gim500?sel=5001"},
				"en": {"signs of shirking", "Signs on 2026-11-23: 11 — stalls 2, one-word replies 9", "The worst (one-word replies)", "да <b>&"}}},
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня"}}}
		for _, tt := range alerts {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				v := r.alert(tt.a)
				p, err := telegramtest.ParseHTML(v.text)
				require.NoError(t, err, v.text)
				for _, w := range tt.want[lang] {
					assert.Contains(t, strings.ToLower(p), strings.ToLower(w))
				}
				if tt.a.Count <= 1 || tt.a.Kind == justify.AlertWave || tt.a.Kind == justify.AlertSigns {
					assert.NotContains(t, p, "Повторилось")
				}
			})
		}
	}
}

// tokenAlertSent starts the bot with everyone present, raises a token alert and waits
// until it has reached the owner; it returns the alert and the owner's message.
func tokenAlertSent(t *testing.T) (*env, justify.Alert, telegramtest.Msg) {
	e := newEnv(t)
	e.start()
	e.startAll()
	a := justify.Alert{Kind: justify.AlertToken, GroupID: groupID, Key: "token:500", Detail: "token expired"}
	require.NoError(t, e.svc.Alert(context.Background(), a))
	e.bot.Wake()
	first := e.waitMsg(annaTG, "Токен VK не работает")
	e.settled()
	return e, a, first
}

func TestAlertRepeatsEditOneMessage(t *testing.T) {
	e, a, first := tokenAlertSent(t)
	ctx := context.Background()
	require.NoError(t, e.svc.Alert(ctx, a))
	require.NoError(t, e.svc.Alert(ctx, a))
	e.bot.Wake()
	e.waitEdit(annaTG, first.ID, "Повторилось 3 раза за последний час")
	e.waitEdit(olgaTG, e.waitMsg(olgaTG, "Токен VK").ID, "Повторилось 3 раза")
	e.settled()
	assert.Equal(t, 1, e.count(annaTG, "Токен VK"), "repeats edit the first message")
	assert.Empty(t, e.srv.Messages(ivanTG)[1:], "operators get no alerts")
}

func TestAlertEditOfAGoneMessageSendsAnew(t *testing.T) {
	e, a, first := tokenAlertSent(t)
	e.srv.FailNext("editMessageText", 400, "Bad Request: message to edit not found", 0)
	require.NoError(t, e.svc.Alert(context.Background(), a))
	e.bot.Wake()
	e.settled()
	// Which of the three recipients met the failure depends on order; someone got it anew.
	anew := 0
	for _, chat := range []int64{olgaTG, mariaTG, annaTG} {
		for _, m := range e.srv.Messages(chat) {
			if strings.Contains(m.Text, "Повторилось 2 раза") && m.ID != first.ID {
				anew++
			}
		}
	}
	assert.GreaterOrEqual(t, anew, 1)
}

func TestDigestIsAPhotoAndText(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf("<b>Оператор %d</b>: 12 банов, ответ за 5 мин &amp; всё хорошо", i))
	}
	d := justify.Digest{Caption: "<b>Сводка за 23.11</b>", Text: strings.Join(lines, "\n"), Chart: []byte("\x89PNG fake chart"), ChartName: "hours.png"}
	anna, _ := e.svc.People.ByName("Anna")

	// The text's first part fails once: the retry must not send the chart again.
	e.srv.FailNext("sendMessage", 502, "Bad Gateway", 0)
	queued, err := e.svc.QueueDigest(context.Background(), anna, "digest:Anna", "2026-11-23", d)
	require.NoError(t, err)
	require.True(t, queued)
	e.bot.Wake()

	require.Eventually(t, func() bool {
		for _, m := range e.messages() {
			if m.Kind == justify.MsgDigest {
				if !m.SentAt.IsZero() {
					return true
				}
				if m.Attempts > 0 && !m.Failed {
					e.clock.Add(time.Minute)
					e.bot.Wake()
				}
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)

	msgs := e.srv.Messages(annaTG)[1:] // after the greeting
	require.GreaterOrEqual(t, len(msgs), 3)
	photos := 0
	for _, m := range msgs {
		if len(m.Photo) > 0 {
			photos++
		}
	}
	assert.Equal(t, 1, photos, "the chart is sent once")
	assert.Equal(t, []byte("\x89PNG fake chart"), msgs[0].Photo)
	assert.Equal(t, "hours.png", msgs[0].PhotoName)
	assert.Equal(t, "Сводка за 23.11", msgs[0].Text)
	var text strings.Builder
	for _, m := range msgs[1:] {
		assert.Empty(t, m.Photo)
		assert.LessOrEqual(t, utf8.RuneCountInString(m.Text), MaxTextLen)
		text.WriteString(m.Text + "\n")
	}
	assert.Contains(t, text.String(), "Оператор 0: 12 банов")
	assert.Contains(t, text.String(), "Оператор 199: 12 банов, ответ за 5 мин & всё хорошо")
}

func TestDigestWithoutChartIsText(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	anna, _ := e.svc.People.ByName("Anna")
	_, err := e.svc.QueueDigest(context.Background(), anna, "digest:Anna", "2026-11-23", justify.Digest{Caption: "chart", Text: "<b>Сводка</b>: тихий день"})
	require.NoError(t, err)
	e.bot.Wake()
	m := e.waitMsg(annaTG, "Сводка: тихий день")
	assert.Empty(t, m.Photo)
	e.settled()
	assert.Zero(t, e.srv.Calls("sendPhoto"))
}

type fakeStats struct {
	text string
	err  error
}

func (f fakeStats) Today(_ context.Context, lang string, _ []int64) (string, error) {
	return f.text + " (" + lang + ")", f.err
}

func TestCommands(t *testing.T) {
	e := newEnv(t)
	e.deps.Stats = fakeStats{text: "<b>Сегодня</b>: 3 бана"}
	e.start()
	e.startAll()
	ref := e.write(userVK, 41, "где <заказ>?", time.Hour)
	delID := e.del(ivanVK, ref, justify.EventDelete)
	e.press(ivanTG, e.waitMsg(ivanTG, "Удаление в сообществе"), "Спам")
	e.ingest(justify.Event{Kind: justify.EventBan, ActorVKID: 31337, UserVKID: 8888, UserName: "Петя", At: e.clock.Now(), Source: justify.SourceLongPoll})
	e.settled()

	tests := []struct {
		name    string
		from    int64
		text    string
		want    []string
		notWant []string
	}{
		{name: "pending", from: olgaTG, text: "/pending", want: []string{"Ждут решения менеджера: 2", fmt.Sprintf("/case_%d", delID), "/case_2", "Петя"}},
		{name: "pending for an owner", from: annaTG, text: "/pending", want: []string{"Ждут решения менеджера: 2"}},
		{name: "pending refused to an operator", from: ivanTG, text: "/pending", want: []string{"Эта команда — только для менеджеров и владельцев."}},
		{name: "case with evidence and trail", from: olgaTG, text: fmt.Sprintf("/case %d", delID),
			want: []string{fmt.Sprintf("Дело %d", delID), "где <заказ>?", "Причина записана: Спам", "История", "modwatch: открыто", "Ivan: причина"}},
		{name: "case by clickable link", from: mariaTG, text: "/case_2", want: []string{"Дело 2", "Неизвестный администратор", "Обращений пользователя не сохранено"}},
		{name: "own case for an operator", from: ivanTG, text: fmt.Sprintf("/case %d", delID), want: []string{"История"}},
		{name: "someone else's case for an operator", from: ivanTG, text: "/case 2", want: []string{"Модератору видны только его собственные дела."}, notWant: []string{"Петя"}},
		{name: "unknown case", from: olgaTG, text: "/case 99", want: []string{"Дело не найдено."}},
		{name: "case without a number", from: olgaTG, text: "/case", want: []string{"/case 12"}},
		{name: "stats", from: annaTG, text: "/stats", want: []string{"Сегодня: 3 бана (ru)"}},
		{name: "stats refused to an operator", from: ivanTG, text: "/stats", want: []string{"Эта команда — только для менеджеров и владельцев."}},
		{name: "unknown command gets help", from: olgaTG, text: "/frobnicate", want: []string{"Я сам пишу", "/pending"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.srv.Messages(tt.from))
			e.srv.SendText(tt.from, tt.text)
			var got telegramtest.Msg
			require.Eventually(t, func() bool {
				ms := e.srv.Messages(tt.from)
				if len(ms) > before {
					got = ms[len(ms)-1]
					return true
				}
				return false
			}, 5*time.Second, 5*time.Millisecond)
			for _, w := range tt.want {
				assert.Contains(t, got.Text, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, got.Text, w)
			}
			assert.LessOrEqual(t, utf8.RuneCountInString(got.Text), MaxTextLen)
		})
	}
	assert.Contains(t, e.srv.Commands(), `"pending"`)
	assert.Contains(t, e.srv.Commands(), "Дела, ждущие решения менеджера")
}

func TestCommandsRevealNothingToStrangers(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.ban(31337, "Петя", "")
	e.settled()
	for _, text := range []string{"/pending", "/case 1", "/stats"} {
		e.srv.SendText(stranger, text)
	}
	e.srv.SendGroupText(-100, olgaTG, "/pending")
	refusal := e.waitMsg(stranger, "команды модераторов")
	e.srv.SendText(olgaTG, "/help")
	e.waitMsg(olgaTG, "/pending")
	assert.Len(t, e.srv.Messages(stranger), 1)
	assert.NotContains(t, refusal.Text, "Петя")
	assert.Empty(t, e.srv.Messages(-100))
}

func TestStatsNotAvailable(t *testing.T) {
	tests := []struct {
		name  string
		stats StatsSource
	}{
		{name: "no source"},
		{name: "source fails", stats: fakeStats{err: errors.New("report broke")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.deps.Stats = tt.stats
			e.start()
			e.srv.SendText(olgaTG, "/stats")
			e.waitMsg(olgaTG, "Сводка пока недоступна.")
		})
	}
}

func TestUnreachablePersonIsReportedOnce(t *testing.T) {
	e := newEnv(t)
	e.start()
	// Ivan never pressed Start; Olga blocked the bot; Maria and Anna are fine.
	for _, id := range []int64{olgaTG, mariaTG, annaTG} {
		e.srv.SendText(id, "/start")
		e.waitMsg(id, "Здравствуйте")
	}
	e.srv.Block(olgaTG)
	e.ban(ivanVK, "Вася", "")
	alert := e.waitMsg(mariaTG, "Бот не может написать человеку")
	assert.Contains(t, alert.Text, "Ivan")
	e.settled()

	e.ban(ivanVK, "Петя", "")
	e.waitEdit(mariaTG, alert.ID, "Повторилось 2 раза")
	e.settled()

	assert.Equal(t, 1, e.count(mariaTG, "Кто: Ivan"), "one message about Ivan, edited")
	assert.Equal(t, 1, e.count(annaTG, "Кто: Ivan"))
	// Olga could not get the alert about Ivan, so the others hear about Olga, once: her
	// own copy of that alert fails too and must not raise it again.
	assert.Equal(t, 1, e.count(mariaTG, "Кто: Olga"))
	require.Eventually(t, func() bool {
		for _, m := range e.messages() {
			if m.Kind == justify.MsgAlert && m.ChatID == olgaTG && m.Failed && strings.Contains(m.Payload, "unreachable:2001") {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
	e.settled()
	assert.Equal(t, 1, e.count(mariaTG, "Кто: Olga"))
	// What failed to reach Olga is counted in the alert about her (Ivan's cases came to the
	// managers, as he could not be asked, so her reviews failed too), but not her own copy
	// of that very alert.
	lost := 0
	for _, m := range e.messages() {
		if m.ChatID == olgaTG && m.Failed && m.EditOf == 0 && !strings.Contains(m.Payload, "unreachable:2001") {
			lost++
		}
	}
	require.Equal(t, 3, lost, "the alert about Ivan and two reviews")
	for _, m := range e.srv.Messages(mariaTG) {
		if strings.Contains(m.Text, "Кто: Olga") {
			assert.Contains(t, m.Text, "Повторилось 3 раза", "Olga's own copy failing raised nothing more")
		}
	}
}
