package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// olgaVK is the VK account manager Olga moderates with in these tests.
const olgaVK = 700

// moderatingOlga is the team with Olga moderating too: Maria is the other manager.
func moderatingOlga() []justify.Person {
	out := append([]justify.Person(nil), people...)
	out[1].VKID = olgaVK
	return out
}

func byOlga(c *justify.Case) {
	c.Operator, c.ActorRole, c.ActorVKID = "Olga", justify.RoleManager, olgaVK
}

// A manager's own action names her with her role, tells her who decides instead of her,
// and tells owners when it falls to them.
func TestRenderOwnAction(t *testing.T) {
	olgaAlone := []justify.Person{people[0], {Name: "Olga", Role: justify.RoleManager, VKID: olgaVK, TelegramID: olgaTG}, people[3]}
	tests := []struct {
		name   string
		people []justify.Person
		kind   justify.MessageKind
		c      justify.Case
		want   map[string][]string
		absent map[string][]string
	}{
		{name: "her prompt says who decides", people: moderatingOlga(), kind: justify.MsgPrompt, c: sampleCase(byOlga),
			want: map[string][]string{"ru": {"Вы действовали как менеджер: решение по этому делу примут другие — Maria."},
				"en": {"Your own action as manager: it is decided by Maria, not by you."}}},
		{name: "alone, the owners decide", people: olgaAlone, kind: justify.MsgPrompt, c: sampleCase(byOlga),
			want: map[string][]string{"ru": {"примут другие — Anna."}, "en": {"decided by Anna, not by you"}}},
		{name: "an operator's prompt says nothing of it", people: moderatingOlga(), kind: justify.MsgPrompt, c: sampleCase(),
			absent: map[string][]string{"ru": {"Вы действовали"}, "en": {"Your own action"}}},
		{name: "the review names her role", people: moderatingOlga(), kind: justify.MsgReview, c: sampleCase(byOlga, justifiedCase),
			want:   map[string][]string{"ru": {"Действовал(а): Olga (менеджер)"}, "en": {"Acted: Olga (manager)"}},
			absent: map[string][]string{"ru": {"Модератор:", "Неизвестный", "владельцы"}, "en": {"Operator:", "Unknown admin", "owners decide"}}},
		{name: "the owners' review says why it is theirs", people: olgaAlone, kind: justify.MsgReview, c: sampleCase(byOlga, justifiedCase),
			want: map[string][]string{"ru": {"поэтому решение принимают владельцы"}, "en": {"so owners decide it"}}},
		{name: "an operator's review is as before", people: olgaAlone, kind: justify.MsgReview, c: sampleCase(justifiedCase),
			want: map[string][]string{"ru": {"Модератор: Ivan"}, "en": {"Operator: Ivan"}}, absent: map[string][]string{"ru": {"владельцы"}, "en": {"owners decide"}}},
		{name: "her deletion", people: moderatingOlga(), kind: justify.MsgReview, c: sampleCase(deletionCase, byOlga, justifiedCase),
			want: map[string][]string{"ru": {"Удалил(а): Olga (менеджер)"}, "en": {"Deleted by: Olga (manager)"}}},
	}
	for _, lang := range []string{"ru", "en"} {
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				r := renderer{cat: catalogs[lang], loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня"}},
					people: justify.NewDirectory(tt.people), now: func() time.Time { return t0 }}
				v, err := r.render(tt.kind, tt.c, justify.Evidence{})
				require.NoError(t, err)
				plain, err := telegramtest.ParseHTML(v.text)
				require.NoError(t, err, "Telegram would refuse this HTML:\n%s", v.text)
				for _, w := range tt.want[lang] {
					assert.Contains(t, plain, w)
				}
				for _, w := range tt.absent[lang] {
					assert.NotContains(t, plain, w)
				}
			})
		}
	}
}

func TestRenderOwnBatch(t *testing.T) {
	bt := justify.Batch{ID: 3, GroupID: groupID, Kind: justify.EventBan, Operator: "Olga", ActorRole: justify.RoleManager, ActorVKID: olgaVK,
		State: justify.BatchReview, Members: 12, AwaitingReview: 12, Reason: justify.ReasonSpam, JustifiedAt: t0}
	for lang, want := range map[string][]string{
		"ru": {"Olga (менеджер)", "Вы действовали как менеджер"},
		"en": {"12 bans by Olga (manager)", "Your own action as manager: it is decided by Maria"},
	} {
		r := renderer{cat: catalogs[lang], loc: time.UTC, people: justify.NewDirectory(moderatingOlga())}
		review, err := r.renderBatch(justify.MsgBatchReview, bt, nil)
		require.NoError(t, err)
		assert.Contains(t, review.text, want[0], lang)
		prompt, err := r.renderBatch(justify.MsgBatchPrompt, bt, nil)
		require.NoError(t, err)
		assert.Contains(t, prompt.text, want[1], lang)
	}
}

// Olga justifies her own ban like an operator; the review goes to Maria only. A button
// about her own case that reached her anyway (crafted here) is refused with a clear
// answer, and neither the case nor the message it was pressed on changes.
func TestOwnActionPressIsRefused(t *testing.T) {
	e := newEnv(t)
	dir := justify.NewDirectory(moderatingOlga())
	e.svc.People, e.deps.People = dir, dir
	e.start()
	e.startAll()

	id := e.ban(olgaVK, "Вася", "")
	prompt := e.waitMsg(olgaTG, "Бан в сообществе")
	assert.Contains(t, prompt.Text, "Вы действовали как менеджер")
	e.press(olgaTG, prompt, "Спам")
	e.waitMsg(mariaTG, "На проверку")
	e.settled()
	assert.Zero(t, e.count(olgaTG, "На проверку"), "she gets no review of her own ban")
	assert.Zero(t, e.count(annaTG, "На проверку"), "nor the owner, while Maria can")

	for _, action := range []string{actApprove, actReverse, actConfirmReverse, actCancel} {
		t.Run(action, func(t *testing.T) {
			tok, err := newToken()
			require.NoError(t, err)
			require.NoError(t, e.store.SaveButtons(context.Background(), []justify.Button{{Token: tok, CaseID: id, TelegramID: olgaTG, Action: action, Created: t0}}))
			before, _ := e.srv.Message(olgaTG, prompt.ID)
			c := e.caseNow(id)
			a := e.pressData(olgaTG, prompt.ID, tok)
			assert.Equal(t, "Это ваше собственное действие: решение по нему принимают другие. Ничего не изменилось.", a.Text)
			e.settled()
			after, _ := e.srv.Message(olgaTG, prompt.ID)
			assert.Equal(t, before, after, "the message is left as it was")
			assert.Equal(t, c, e.caseNow(id), "the case is left as it was")
		})
	}

	e.srv.SendText(mariaTG, "/pending")
	e.waitMsg(mariaTG, "Olga (менеджер)")

	review := e.waitMsg(mariaTG, "На проверку")
	e.press(mariaTG, review, "Оставить бан")
	assert.Equal(t, "Maria", e.caseNow(id).ResolvedBy)
}
