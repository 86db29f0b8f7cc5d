package telegram

import (
	"context"
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

// secret marks every word that comes from outside the bot: a short form shows none.
const secret = "SECRET\xff<b>"

func secretCase(c *justify.Case) {
	c.UserName, c.VKComment, c.ReasonText, c.UndoNote = secret+"name", secret+"comment", secret+"reason", secret+"vk error"
}

// The short form of every kind of message carries nothing from outside (names, words,
// comments, explanations, VK's errors), is valid HTML Telegram takes, and says which case
// it is about and that it is short.
func TestShortFormsLeaveOutsideWordsOut(t *testing.T) {
	words := justify.Evidence{Ticket: &justify.Ticket{Key: "k", AuthorName: secret, Text: secret + "text", Link: "https://x/" + secret,
		Attachments: []string{secret}, CreatedAt: t0}}
	requests := userTickets(3, secret+"request")
	undo := func(c *justify.Case) {
		c.State, c.ResolvedBy, c.UndoProblem = justify.StateUndoPending, "Olga", justify.UndoRefused
	}
	tests := []struct {
		name string
		kind justify.MessageKind
		c    justify.Case
		ev   justify.Evidence
		want map[string][]string
	}{
		{name: "prompt", kind: justify.MsgPrompt, c: sampleCase(secretCase), ev: requests,
			want: map[string][]string{"ru": {"Бан в сообществе «Кофейня «Зерно»»", "Дело 7", "Ответить до: 23.11.2026 12:00", "id9001", "Укажите, пожалуйста, причину бана"},
				"en": {"Ban in «Кофейня «Зерно»»", "Case 7", "Answer by: 2026-11-23 12:00", "id9001", "The customer's words are left out", "is shown in short"}}},
		{name: "deletion prompt", kind: justify.MsgPrompt, c: sampleCase(deletionCase, severe, secretCase), ev: words,
			want: map[string][]string{"ru": {"Удаление в сообществе", "Удалён запрос клиента", "Слова клиента не показаны"}, "en": {"Deletion in", "open in VK", "Deleted by: Ivan"}}},
		{name: "justified prompt", kind: justify.MsgPrompt, c: sampleCase(secretCase, justifiedCase), want: map[string][]string{"en": {"Reason recorded: Other"}}},
		{name: "ask text", kind: justify.MsgAskText, c: sampleCase(secretCase), want: map[string][]string{"en": {"Reply to this message", "id9001"}}},
		{name: "reminder", kind: justify.MsgReminder, c: sampleCase(secretCase), want: map[string][]string{"en": {"Reminder", "id9001"}}},
		{name: "review", kind: justify.MsgReview, c: sampleCase(secretCase, justifiedCase), ev: requests,
			want: map[string][]string{"en": {"For review: ban in", "Operator: Ivan", "Reason recorded: Other"}}},
		{name: "review of an operator not asked", kind: justify.MsgReview, c: sampleCase(secretCase, func(c *justify.Case) { c.State, c.NotAsked = justify.StateAwaitingReview, true }),
			want: map[string][]string{"ru": {"Модератора не удалось спросить"}, "en": {"The operator could not be asked"}}},
		{name: "review undo pending", kind: justify.MsgReview, c: sampleCase(secretCase, justifiedCase, undo),
			want: map[string][]string{"en": {"Olga decided to lift the ban", "details left out"}}},
		{name: "outcome", kind: justify.MsgOutcome, c: sampleCase(secretCase, closedCase(justify.ResolutionApproved)), want: map[string][]string{"en": {"Olga approved the ban"}}},
		{name: "undo by hand", kind: justify.MsgUndoByHand, c: sampleCase(secretCase, undo), want: map[string][]string{"en": {"Lift the ban by hand", "Blacklist"}}},
		{name: "deletion undo by hand", kind: justify.MsgUndoByHand, c: sampleCase(deletionCase, secretCase, undo), ev: words,
			want: map[string][]string{"en": {"Restore by hand", "/case 7"}}},
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»"}},
			people: justify.NewDirectory(people), now: func() time.Time { return t0 }}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				full, err := r.render(tt.kind, tt.c, tt.ev)
				require.NoError(t, err)
				require.Contains(t, full.text, "SECRET", "the full form shows the outside words")
				v := r.short(tt.kind, subject{c: &tt.c})
				checkShort(t, v.text)
				assert.Contains(t, v.text, r.cat.delivery.caseRef(7))
				assert.False(t, r.plain, "the renderer itself stays as it was")
				for _, w := range tt.want[lang] {
					assert.Contains(t, mustPlain(t, v.text), w)
				}
			})
		}
	}
}

func TestShortFormsOfBatchesAndAlerts(t *testing.T) {
	r := renderer{cat: catalogs["en"], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Brand"}},
		people: justify.NewDirectory(people), now: func() time.Time { return t0 }}
	b, members := sampleBatch(func(b *justify.Batch) { b.Operator, b.ReasonText = "Ivan", secret })
	for i := range members {
		members[i].UserName = secret
	}
	for _, kind := range []justify.MessageKind{justify.MsgBatchPrompt, justify.MsgBatchReview, justify.MsgBatchAskText,
		justify.MsgBatchReminder, justify.MsgBatchOutcome} {
		t.Run(string(kind), func(t *testing.T) {
			v := r.short(kind, subject{batch: &b, members: members})
			checkShort(t, v.text)
			assert.Contains(t, v.text, "Batch 7")
		})
	}
	prompt := r.short(justify.MsgBatchPrompt, subject{batch: &b, members: members})
	assert.Contains(t, mustPlain(t, prompt.text), "1000 users banned in «Brand»")
	assert.Contains(t, prompt.text, "id100", "users are named by their VK id")

	for _, a := range []justify.Alert{
		{Kind: justify.AlertDeletedRequest, GroupID: groupID, Subject: "Ivan", Detail: secret, CaseID: 12, Count: 1},
		{Kind: justify.AlertUnknownAdmin, GroupID: groupID, Subject: "vk31337", ActorVKID: 31337, Detail: secret, CaseID: 13},
		{Kind: justify.AlertToken, GroupID: groupID, Subject: secret, Detail: secret},
		{Kind: justify.AlertUndelivered, Subject: "Ivan", Detail: secret, CaseID: 14, MessageKind: justify.MsgPrompt},
	} {
		t.Run(string(a.Kind), func(t *testing.T) {
			v := r.short(justify.MsgAlert, subject{alert: &a})
			checkShort(t, v.text)
			assert.Contains(t, v.text, "This alert is shown in short")
			if a.CaseID != 0 {
				assert.Contains(t, v.text, "/case")
			}
		})
	}
}

func checkShort(t *testing.T, html string) {
	t.Helper()
	assert.NotContains(t, html, "SECRET")
	assert.True(t, utf8.ValidString(html))
	p := mustPlain(t, html)
	assert.LessOrEqual(t, utf8.RuneCountInString(p), MaxTextLen)
}

func mustPlain(t *testing.T, html string) string {
	t.Helper()
	p, err := telegramtest.ParseHTML(html)
	require.NoError(t, err, "Telegram would refuse this HTML:\n%s", html)
	return p
}

// A prompt Telegram refuses as written goes in its short form with the same buttons, which
// work; the case's trail says so and the deadline runs from that delivery.
func TestRefusedPromptGoesShort(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	e.srv.FailNext("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag", 0)
	id := e.ban(ivanVK, "Вася", "казино")
	prompt := e.waitMsg(ivanTG, "краткой форме")
	assert.NotContains(t, prompt.Text, "Вася")
	assert.NotContains(t, prompt.Text, "казино")
	assert.Equal(t, labels(prompt), []string{"Спам", "Оскорбления", "Нецензурная лексика", "Флуд, оффтоп", "Другое"})
	require.Eventually(t, func() bool { return !e.caseNow(id).AskedAt.IsZero() }, 5*time.Second, 5*time.Millisecond)
	e.settled()
	assert.Equal(t, 2, e.srv.Calls("sendMessage")-len(people), "the refused prompt and its short form, after the greetings")

	assert.True(t, e.firstMessage().Short)

	// Its edit goes short at once: Telegram is not asked to refuse it again.
	e.press(ivanTG, prompt, "Спам")
	assert.Equal(t, justify.ReasonSpam, e.caseNow(id).Reason)
	edited := e.waitEdit(ivanTG, prompt.ID, "Причина записана")
	assert.Contains(t, edited.Text, "краткой форме")
	assert.NotContains(t, edited.Text, "Вася")
	assert.Equal(t, 1, e.srv.Calls("editMessageText"))
	_, ds, err := e.svc.Case(context.Background(), id)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(ds), 3)
	assert.Equal(t, justify.ActionShortForm, ds[1].Action)
	assert.Contains(t, ds[1].Detail, "can't parse entities")
	assert.Contains(t, ds[1].Detail, "Ivan")
}

// Refused in both forms, a prompt reaches nobody: managers get the case at once, as the
// operator could not be asked, and managers and owners an alert naming the person, the
// case and Telegram's reason.
func TestRefusedTwiceIsToldAtOnce(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.startAll()
	const why = "Bad Request: chat not found"
	e.srv.FailNext("sendMessage", 400, why, 0)
	e.srv.FailNext("sendMessage", 400, why, 0)
	id := e.ban(ivanVK, "Вася", "")
	for _, chat := range []int64{olgaTG, mariaTG, annaTG} {
		a := e.waitMsg(chat, "Сообщение не дошло")
		for _, w := range []string{"Кто: Ivan", "Сообщение: вопрос о причине", why, "/case 1"} {
			assert.Contains(t, a.Text, w)
		}
	}
	review := e.waitMsg(olgaTG, "На проверку")
	assert.Contains(t, review.Text, "Модератора не удалось спросить")
	assert.NotContains(t, review.Text, "Просрочено")
	c := e.caseNow(id)
	assert.True(t, c.NotAsked)
	assert.False(t, c.Overdue)
	_, ds, err := e.svc.Case(context.Background(), id)
	require.NoError(t, err)
	var acts []justify.Action
	for _, d := range ds {
		acts = append(acts, d.Action)
	}
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionUndelivered, justify.ActionNotAsked}, acts)
	assert.True(t, strings.HasPrefix(e.firstMessage().LastError, "Bad Request"))
	assert.True(t, e.firstMessage().Failed)
}

// An answer to a command that Telegram refuses (a /case card quoting words it will not
// take) is replaced by a line saying so: the person is not left with nothing.
func TestRefusedReplyIsSaidShort(t *testing.T) {
	e := newEnv(t)
	e.srv.RefuseText("казино", "Bad Request: can't parse entities")
	e.start()
	e.startAll()
	ref := e.write(userVK, 41, "ссылка на казино", time.Hour)
	id := e.del(ivanVK, ref, justify.EventDelete)
	e.waitMsg(ivanTG, "краткой форме")
	e.settled()
	e.srv.SendText(olgaTG, fmt.Sprintf("/case %d", id))
	e.waitMsg(olgaTG, "Telegram не принял этот ответ")
}
