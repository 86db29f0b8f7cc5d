package telegram

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

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
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно»"}}}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				v, err := r.render(tt.kind, tt.c, tt.ev)
				require.NoError(t, err)
				plain, err := telegramtest.ParseHTML(v.text)
				require.NoError(t, err, "Telegram would refuse this HTML:\n%s", v.text)
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
