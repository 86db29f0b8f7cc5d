package telegram

import (
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

// bidiControls are the characters that change the direction of the text after them.
const bidiControls = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C"

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{name: "short", in: "abc", n: 5, want: "abc"},
		{name: "exact", in: "абв", n: 3, want: "абв"},
		{name: "cut cyrillic", in: "абвгд", n: 3, want: "аб…"},
		{name: "cut emoji", in: "😀😀😀😀", n: 2, want: "😀…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in, tt.n)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func sampleCase(mod ...func(*justify.Case)) justify.Case {
	c := justify.Case{
		ID: 7, GroupID: groupID, Kind: justify.EventBan, ActorVKID: ivanVK, Operator: "Ivan",
		UserVKID: userVK, UserName: "Вася <script>", VKReason: justify.BanAbuse, VKComment: "a & b </a>",
		ActedAt: t0, Until: t0.Add(24 * time.Hour), State: justify.StateAwaitingReason,
		OpenedAt: t0, Deadline: t0.Add(2 * time.Hour),
	}
	for _, m := range mod {
		m(&c)
	}
	return c
}

func justifiedCase(c *justify.Case) {
	c.State, c.Reason, c.ReasonText, c.JustifiedAt = justify.StateAwaitingReview, justify.ReasonOther, "угрозы & <мат>", t0.Add(time.Hour)
}

func closedCase(r justify.Resolution) func(*justify.Case) {
	return func(c *justify.Case) {
		c.State, c.Resolution, c.ResolvedBy, c.ResolvedAt = justify.StateClosed, r, "Olga", t0.Add(3*time.Hour)
	}
}

func huge(c *justify.Case) {
	long := strings.Repeat("я<&>", 5000)
	c.UserName, c.VKComment, c.ReasonText, c.UndoNote, c.ResolvedBy = long, long, long, long, long
	c.Reason, c.JustifiedAt = justify.ReasonOther, t0
}

func deletionCase(c *justify.Case) {
	c.Kind, c.Item, c.VKComment, c.VKReason = justify.EventDelete, justify.Ref{GroupID: groupID, Place: justify.PlaceBoardPost, OwnerID: -groupID, ParentID: 3, ItemID: 4}, "", 0
	c.UserName = "Вася"
}

func severe(c *justify.Case) { c.Severe = true }

func vanished(c *justify.Case) {
	c.Kind, c.ActorVKID, c.Operator, c.State = justify.EventVanished, 0, "", justify.StateAwaitingReview
	c.Item = justify.Ref{GroupID: groupID, Place: justify.PlaceWallPost, OwnerID: -groupID, ItemID: 77}
}

func deletedTicket(text string) justify.Evidence {
	return justify.Evidence{Ticket: &justify.Ticket{Key: "k", AuthorVKID: userVK, AuthorName: "Вася", Text: text, Attachments: []string{"photo", "strange<kind>"},
		CreatedAt: t0.Add(-3 * 24 * time.Hour), AnsweredAt: t0.Add(-2 * 24 * time.Hour), AnsweredBy: ivanVK}}
}

func userTickets(n int, text string) justify.Evidence {
	var ev justify.Evidence
	for i := 0; i < n; i++ {
		t := justify.Ticket{Key: fmt.Sprint(i), Ref: justify.Ref{GroupID: groupID, Place: justify.PlaceWallComment, OwnerID: -groupID, ParentID: 1, ItemID: int64(i)},
			Text: text, CreatedAt: t0.Add(-time.Duration(i) * time.Hour)}
		if i%2 == 1 {
			t.AnsweredAt = t0
		}
		ev.UserTickets = append(ev.UserTickets, t)
	}
	return ev
}

func TestRender(t *testing.T) {
	tests := []struct {
		name    string
		kind    justify.MessageKind
		c       justify.Case
		ev      justify.Evidence
		want    map[string][]string // by language
		buttons int
	}{
		{name: "prompt asks for a reason", kind: justify.MsgPrompt, c: sampleCase(), buttons: 5,
			want: map[string][]string{"ru": {"Вася <script>", "a & b </a>", "оскорбление участников", "Ответить до: 23.11.2026 12:00"}, "en": {"Ban in «Кофейня", "Answer by: 2026-11-23 12:00", "verbal abuse"}}},
		{name: "prompt sent an hour late: the deadline runs from its delivery", kind: justify.MsgPrompt, c: sampleCase(func(c *justify.Case) { c.OpenedAt = t0.Add(-time.Hour) }),
			buttons: 5, want: map[string][]string{"ru": {"Ответить до: 23.11.2026 13:00"}, "en": {"Answer by: 2026-11-23 13:00"}}},
		{name: "review of an operator who could not be asked", kind: justify.MsgReview, c: sampleCase(func(c *justify.Case) { c.State, c.NotAsked = justify.StateAwaitingReview, true }),
			buttons: 2, want: map[string][]string{"ru": {"Модератора не удалось спросить"}, "en": {"The operator could not be asked"}}},
		{name: "prompt once justified", kind: justify.MsgPrompt, c: sampleCase(justifiedCase), buttons: 1,
			want: map[string][]string{"ru": {"Причина записана: Другое", "угрозы & <мат>"}, "en": {"Reason recorded: Other", "Managers have not decided yet."}}},
		{name: "prompt once closed", kind: justify.MsgPrompt, c: sampleCase(justifiedCase, closedCase(justify.ResolutionApproved)),
			want: map[string][]string{"ru": {"Olga оставил(а) бан в силе"}, "en": {"Olga approved the ban"}}},
		{name: "ask text", kind: justify.MsgAskText, c: sampleCase(), want: map[string][]string{"ru": {"Ответьте на это сообщение"}, "en": {"Reply to this message with your explanation"}}},
		{name: "reminder", kind: justify.MsgReminder, c: sampleCase(), want: map[string][]string{"ru": {"Напоминание", "23.11.2026 12:00"}, "en": {"Reminder", "by 2026-11-23 12:00"}}},
		{name: "review awaiting", kind: justify.MsgReview, c: sampleCase(justifiedCase), buttons: 2,
			want: map[string][]string{"ru": {"Модератор: Ivan", "Пояснение: угрозы & <мат>"}, "en": {"Operator: Ivan", "Explanation: угрозы & <мат>"}}},
		{name: "review overdue", kind: justify.MsgReview, c: sampleCase(func(c *justify.Case) { c.State, c.Overdue = justify.StateAwaitingReview, true }), buttons: 2,
			want: map[string][]string{"ru": {"Просрочено", "Причина пока не указана"}, "en": {"Overdue", "No reason given yet"}}},
		{name: "review of unknown admin", kind: justify.MsgReview, c: sampleCase(func(c *justify.Case) { c.Operator, c.ActorVKID, c.State = "", 31337, justify.StateAwaitingReview }), buttons: 2,
			want: map[string][]string{"ru": {"Неизвестный администратор vk31337"}, "en": {"Unknown admin vk31337"}}},
		{name: "review undo pending", kind: justify.MsgReview, c: sampleCase(justifiedCase, func(c *justify.Case) {
			c.State, c.ResolvedBy, c.UndoNote = justify.StateUndoPending, "Olga", "no token"
		}), buttons: 1,
			want: map[string][]string{"ru": {"Olga решил(а) снять бан", "no token"}, "en": {"Olga decided to lift the ban", "no token"}}},
		{name: "review while VK is asked", kind: justify.MsgReview, c: sampleCase(justifiedCase, func(c *justify.Case) { c.State, c.ResolvedBy = justify.StateReversing, "Olga <b>" }),
			want: map[string][]string{"ru": {"⏳ Olga <b> снимает бан: ждём ответа VK…"}, "en": {"⏳ Olga <b> is lifting the ban; waiting for VK…"}}},
		{name: "deletion review while VK is asked", kind: justify.MsgReview, c: sampleCase(deletionCase, func(c *justify.Case) { c.State, c.ResolvedBy = justify.StateReversing, "Olga" }),
			want: map[string][]string{"ru": {"⏳ Olga восстанавливает сообщение"}, "en": {"⏳ Olga is restoring the message"}}},
		{name: "review decided", kind: justify.MsgReview, c: sampleCase(justifiedCase, closedCase(justify.ResolutionReversed)),
			want: map[string][]string{"ru": {"Olga снял(а) бан"}, "en": {"Olga reversed the ban"}}},
		{name: "outcome expired", kind: justify.MsgOutcome, c: sampleCase(closedCase(justify.ResolutionExpired)),
			want: map[string][]string{"ru": {"Срок бана истёк"}, "en": {"The ban expired"}}},
		{name: "outcome reversed in VK", kind: justify.MsgOutcome, c: sampleCase(closedCase(justify.ResolutionReversedInVK)),
			want: map[string][]string{"ru": {"без решения в modwatch"}, "en": {"without a decision in modwatch"}}},
		{name: "undo by hand", kind: justify.MsgUndoByHand, c: sampleCase(func(c *justify.Case) { c.UndoNote = "no admin user token" }),
			want: map[string][]string{"ru": {"no admin user token", "vk.com/club500", "Чёрный список"}, "en": {"no admin user token", "Blacklist"}}},
		{name: "huge texts stay under the limit", kind: justify.MsgReview, c: sampleCase(huge, func(c *justify.Case) { c.State = justify.StateUndoPending }), buttons: 1,
			want: map[string][]string{"ru": {"я<&>"}, "en": {"я<&>"}}},
		{name: "huge prompt", kind: justify.MsgPrompt, c: sampleCase(huge, closedCase(justify.ResolutionApproved)),
			want: map[string][]string{"ru": {"…"}, "en": {"…"}}},
		{name: "huge undo", kind: justify.MsgUndoByHand, c: sampleCase(huge), want: map[string][]string{"ru": {"…"}, "en": {"…"}}},
		{name: "deletion prompt", kind: justify.MsgPrompt, c: sampleCase(deletionCase, severe), ev: deletedTicket("где <заказ> & </a>"), buttons: 5,
			want: map[string][]string{
				"ru": {"Удаление в сообществе", "Удалён запрос клиента", "где <заказ> & </a>", "Ответ: дал(а) Ivan, 21.11.2026 10:00", "фото, strange<kind>", "3 дн. назад", "Укажите, пожалуйста, причину удаления"},
				"en": {"Deletion in", "Deleted unanswered request", "где <заказ> & </a>", "Answer: by Ivan, 2026-11-21 10:00", "photo, strange<kind>", "3 d ago", "reason for this deletion"},
			}},
		{name: "deletion never seen", kind: justify.MsgReview, c: sampleCase(deletionCase, func(c *justify.Case) { c.State = justify.StateAwaitingReview }), buttons: 2,
			want: map[string][]string{"ru": {"Текст неизвестен", "Удалил(а): Ivan"}, "en": {"Text unknown", "Deleted by: Ivan"}}},
		{name: "vanished post", kind: justify.MsgReview, c: sampleCase(deletionCase, vanished), ev: deletedTicket("пост"), buttons: 2,
			want: map[string][]string{"ru": {"Неизвестно, кто удалил: автор или администратор"}, "en": {"Unknown who deleted it: the author or an admin"}}},
		{name: "deletion restored", kind: justify.MsgReview, c: sampleCase(deletionCase, justifiedCase, closedCase(justify.ResolutionRestored)), ev: deletedTicket("x"),
			want: map[string][]string{"ru": {"Olga вернул(а) сообщение"}, "en": {"Olga restored it"}}},
		{name: "deletion undo by hand", kind: justify.MsgUndoByHand, c: sampleCase(deletionCase, func(c *justify.Case) { c.UndoNote = "no token" }),
			want: map[string][]string{"ru": {"Восстановите вручную", "/case 7", "открыть в VK"}, "en": {"Restore by hand", "/case 7"}}},
		{name: "huge deletion", kind: justify.MsgReview, c: sampleCase(deletionCase, huge, severe, func(c *justify.Case) { c.State = justify.StateUndoPending }),
			ev: deletedTicket(strings.Repeat("ы&<", 5000)), buttons: 1, want: map[string][]string{"ru": {"ы&<", "…"}, "en": {"ы&<", "…"}}},
		{name: "ban lists the user's requests", kind: justify.MsgPrompt, c: sampleCase(), ev: userTickets(7, "помогите <срочно> & быстро"), buttons: 5,
			want: map[string][]string{"ru": {"4 вопроса без ответа из 7", "❗ 0 мин назад: помогите <срочно> & быстро", "✓ 1 ч назад"}, "en": {"4 unanswered questions of 7", "❗ 0 min ago"}}},
		{name: "a spoofing name, invalid bytes and controls are shown harmlessly", kind: justify.MsgReview, c: sampleCase(justifiedCase, func(c *justify.Case) {
			c.UserName, c.VKComment, c.ReasonText = "Мария \u202Eавонави\xff", "спам\u200B\u2066", "\u202Bугрозы\x1b[2J"
		}), ev: userTickets(1, "где заказ \xcf\xf0 \uFEFF👨\u200D👩\u200D👧"), buttons: 2, want: map[string][]string{
			"ru": {"Мария ⟪U+202E⟫авонави\uFFFD", "спам⟪U+200B⟫⟪U+2066⟫", "⟪U+202B⟫угрозы⟪U+001B⟫[2J", "где заказ \uFFFD\uFFFD ⟪U+FEFF⟫👨\u200D👩\u200D👧"},
			"en": {"Мария ⟪U+202E⟫авонави\uFFFD", "Explanation: ⟪U+202B⟫угрозы"},
		}},
		{name: "deleted words with invalid bytes and an override", kind: justify.MsgPrompt, c: sampleCase(deletionCase, func(c *justify.Case) { c.UserName = "\u202EВася" }),
			ev: deletedTicket("верните \xff деньги \u202Eьтинреве"), buttons: 5, want: map[string][]string{
				"ru": {"⟪U+202E⟫Вася", "верните \uFFFD деньги ⟪U+202E⟫ьтинреве"}, "en": {"⟪U+202E⟫Вася", "верните \uFFFD деньги ⟪U+202E⟫ьтинреве"},
			}},
		{name: "huge ban with requests", kind: justify.MsgReview, c: sampleCase(huge, func(c *justify.Case) { c.State = justify.StateUndoPending }),
			ev: userTickets(10, strings.Repeat("ж", 3000)), buttons: 1, want: map[string][]string{"ru": {"без ответа из 10"}, "en": {"of 10"}}},
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»"}},
			people: justify.NewDirectory(people), now: func() time.Time { return t0 }}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				v, err := r.render(tt.kind, tt.c, tt.ev)
				require.NoError(t, err)
				plain, err := telegramtest.ParseHTML(v.text)
				require.NoError(t, err, "Telegram would refuse this HTML:\n%s", v.text)
				assert.True(t, utf8.ValidString(v.text), "Telegram refuses text that is not UTF-8")
				assert.False(t, strings.ContainsAny(v.text, bidiControls), "no bidi control may act on the message")
				assert.LessOrEqual(t, utf8.RuneCountInString(plain), MaxTextLen)
				for _, w := range tt.want[lang] {
					assert.Contains(t, plain, w)
				}
				n := 0
				for _, row := range v.rows {
					for _, b := range row {
						n++
						assert.NotEmpty(t, b.label)
					}
				}
				assert.Equal(t, tt.buttons, n)
			})
		}
	}
}

// Every fixed text must be valid Telegram HTML once filled in.
func TestCatalogsAreValidHTML(t *testing.T) {
	for lang, cat := range catalogs {
		for _, s := range []string{cat.refusal, cat.help, cat.thanks, cat.greeting[justify.RoleOperator], cat.greeting[justify.RoleManager], cat.greeting[justify.RoleOwner]} {
			_, err := telegramtest.ParseHTML(s)
			assert.NoError(t, err, "%s: %q", lang, s)
		}
		for _, s := range []string{cat.ansInvalid, cat.ansNotForYou, cat.ansFailed, cat.errWrongState, cat.ansByHand} {
			assert.LessOrEqual(t, utf8.RuneCountInString(s), 200, "%s: callback answers are 200 characters at most", lang)
		}
		assert.Len(t, cat.reasons, len(justify.Reasons), lang)
	}
}

// The texts added for evidence, alerts and commands must be valid Telegram HTML too.
func TestNewCatalogTextsAreValidHTML(t *testing.T) {
	for lang, cat := range catalogs {
		texts := []string{cat.severe, cat.notAnswered, cat.textUnknown, cat.deletedVanished, cat.deletedNoActor, cat.noTickets,
			cat.alertUnreachableHint, cat.pendingNone, cat.statsNA, cat.usageCase, cat.commandsHelp, cat.caseTrail,
			fmt.Sprintf(cat.pendingTitle, 3), fmt.Sprintf(cat.caseTitle, 3, "x"), cat.unanswered(2, 5), cat.repeated(3, cat.lastHour),
			cat.delivery.notAsked, cat.delivery.notAskedOp, cat.delivery.undeliveredHint, cat.delivery.wordsLeftOut,
			cat.delivery.shortNote(cat.delivery.caseRef(3)), cat.delivery.replyRefused}
		for _, s := range cat.alertTitles {
			texts = append(texts, s)
		}
		for _, s := range texts {
			_, err := telegramtest.ParseHTML(s)
			assert.NoError(t, err, "%s: %q", lang, s)
		}
		for _, s := range []string{cat.ansApprovedDel, cat.ansReversedDel, cat.ansByHandDel, cat.ansConfirmDel, cat.ansReversing, cat.ansReversingDel, cat.errReversing} {
			assert.NotEmpty(t, s, lang)
			assert.LessOrEqual(t, utf8.RuneCountInString(s), 200, "%s: callback answers are 200 characters at most", lang)
		}
		for _, p := range []justify.UndoProblem{justify.UndoNoToken, justify.UndoTokenInvalid, justify.UndoNoRights, justify.UndoNotPossible,
			justify.UndoUnreachable, justify.UndoRefused, justify.UndoInterrupted, justify.UndoFailed} {
			assert.NotEmpty(t, cat.undoProblems[p], "%s: %s", lang, p)
		}
		for _, k := range []justify.AlertKind{justify.AlertWave, justify.AlertDeletedRequest, justify.AlertUnknownAdmin,
			justify.AlertOfficers, justify.AlertToken, justify.AlertUnreachable, justify.AlertUndelivered} {
			assert.NotEmpty(t, cat.alertTitles[k], "%s: %s", lang, k)
		}
		for _, st := range []justify.State{justify.StateAwaitingReason, justify.StateAwaitingReview, justify.StateReversing,
			justify.StateUndoPending, justify.StateClosed} {
			assert.NotEmpty(t, cat.states[st], "%s: %s", lang, st)
		}
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{1, "вопрос"}, {2, "вопроса"}, {5, "вопросов"}, {11, "вопросов"}, {21, "вопрос"}, {22, "вопроса"}, {112, "вопросов"}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			assert.Equal(t, tt.want, ruPlural(tt.n, "вопрос", "вопроса", "вопросов"))
		})
	}
}
