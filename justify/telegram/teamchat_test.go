package telegram

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

const team int64 = -100500

// inTeamChat sends the community's reviews and alerts to a team chat (topic 0: none).
func inTeamChat(chat int64, topic int) option {
	return func(e *env) {
		cm := e.svc.Communities[groupID]
		cm.ReviewChat, cm.AlertsChat = justify.Chat{ID: chat, Topic: topic}, justify.Chat{ID: chat, Topic: topic}
		// The service and the renderer share the map.
		e.svc.Communities[groupID] = cm
	}
}

// pressIn presses the button labelled label on message m of a group chat as user from,
// and waits for the answer.
func (e *env) pressIn(chat, from int64, m telegramtest.Msg, label string) telegramtest.CallbackAnswer {
	e.t.Helper()
	cur, _ := e.srv.Message(chat, m.ID)
	for _, row := range cur.Buttons {
		for _, b := range row {
			if b.Text == label {
				qid := e.srv.PressGroupButton(chat, from, m.ID, b.Data)
				var a telegramtest.CallbackAnswer
				require.Eventually(e.t, func() bool {
					var ok bool
					a, ok = e.srv.AnswerTo(qid)
					return ok
				}, 5*time.Second, 5*time.Millisecond, "press %s never answered", qid)
				return a
			}
		}
	}
	e.t.Fatalf("message %d has no button %q: %+v", m.ID, label, cur.Buttons)
	return telegramtest.CallbackAnswer{}
}

// justified bans a customer and has Ivan give the reason, which puts the case before
// managers.
func (e *env) justified(name string) justify.CaseID {
	e.t.Helper()
	id := e.ban(ivanVK, name, "")
	_, err := e.svc.Justify(context.Background(), ivanTG, id, justify.ReasonSpam, "")
	require.NoError(e.t, err)
	e.bot.Wake()
	return id
}

// The review goes to the team chat as one message; only a decider gets anything done
// there, and a reversal is confirmed privately by whoever pressed it.
func TestTeamChatReview(t *testing.T) {
	e := newEnv(t, inTeamChat(team, 0))
	e.srv.AddSupergroup(team, "Команда", false)
	e.start()
	e.startAll()
	id := e.justified("Вася")
	review := e.waitMsg(team, "На проверку")
	e.settled()
	for _, p := range people {
		assert.Zero(t, e.count(p.TelegramID, "На проверку"), "%s gets no review of their own", p.Name)
	}

	before := e.caseNow(id)
	refusals := []struct {
		who  int64
		want string
	}{
		{who: annaTG, want: ruTeam.errNotDecider},
		{who: ivanTG, want: ruSelf.errOwnAction},
		{who: stranger, want: ruTeam.notInTeam},
	}
	for _, r := range refusals {
		for _, label := range []string{"Оставить бан", "Снять бан"} {
			assert.Equal(t, r.want, e.pressIn(team, r.who, review, label).Text)
		}
	}
	e.settled()
	assert.Equal(t, before, e.caseNow(id), "refused presses change nothing")
	cur, _ := e.srv.Message(team, review.ID)
	assert.Equal(t, labels(review), labels(cur), "the review keeps its buttons")
	assert.Zero(t, e.count(annaTG, "Снять бан с"), "nobody refused is asked to confirm")

	assert.Equal(t, ruTeam.confirmSent, e.pressIn(team, olgaTG, review, "Снять бан").Text)
	confirm := e.waitMsg(olgaTG, "Снять бан с")
	assert.Contains(t, confirm.Text, "Вася")
	cur, _ = e.srv.Message(team, review.ID)
	assert.Equal(t, labels(review), labels(cur), "the team chat's buttons stay for the others meanwhile")
	for _, row := range confirm.Buttons {
		for _, b := range row {
			// Maria forging Olga's confirmation gets nowhere.
			assert.Equal(t, ruCat().ansNotForYou, e.pressData(mariaTG, confirm.ID, b.Data).Text)
		}
	}
	assert.Empty(t, e.rev.calls())

	e.press(olgaTG, confirm, "Да, снять бан")
	// Not just "Olga": the review first says she is reversing, while VK is asked.
	e.waitEdit(team, review.ID, "Olga снял(а) бан")
	assert.Equal(t, [][2]int64{{groupID, userVK}}, e.rev.calls(), "the reversal reaches VK once")
	c := e.caseNow(id)
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, "Olga", c.ResolvedBy)
	assert.Empty(t, e.srv.ButtonsOf(olgaTG, confirm.ID), "the confirmation is closed")
	assert.Empty(t, e.srv.ButtonsOf(team, review.ID), "a decided review has no buttons")
}

func ruCat() *catalog { return catalogs["ru"] }

// A community's review goes to its forum topic.
func TestTeamChatTopic(t *testing.T) {
	e := newEnv(t, inTeamChat(team, 7))
	e.srv.AddSupergroup(team, "Команда", true)
	e.srv.AddTopic(team, 7)
	e.start()
	e.startAll()
	e.justified("Вася")
	review := e.waitMsg(team, "На проверку")
	assert.Equal(t, 7, review.Thread)
	assert.Equal(t, "7", e.srv.LastParamsTo("sendMessage", team)["message_thread_id"])
}

// A group upgraded to a supergroup is followed to its new id, whether the bot hears of
// it from the service messages or from a refused message, and the move is kept.
func TestTeamChatMovesToSupergroup(t *testing.T) {
	for _, announce := range []bool{true, false} {
		name := "learned from a refused message"
		if announce {
			name = "announced"
		}
		t.Run(name, func(t *testing.T) {
			const group int64 = -500
			e := newEnv(t, inTeamChat(group, 0))
			e.srv.AddGroup(group, "Команда")
			e.start()
			e.startAll()
			first := e.justified("Вася")
			old := e.waitMsg(group, "На проверку")
			super := e.srv.MigrateToSupergroup(group, olgaTG, announce)
			if announce {
				require.Eventually(t, func() bool { return e.movedTo(group) == super }, 5*time.Second, 5*time.Millisecond)
			}
			e.justified("Петя")
			e.waitMsg(super, "Петя")
			assert.Equal(t, super, e.movedTo(group), "the move is kept")

			// The old group's review still takes presses; the decision shows in the supergroup.
			e.pressIn(group, olgaTG, old, "Оставить бан")
			e.waitMsg(super, "Вася")
			assert.Equal(t, justify.ResolutionApproved, e.caseNow(first).Resolution)
			e.settled()
			for _, m := range e.messages() {
				assert.False(t, m.Failed, "message %d (%s) failed: %s", m.ID, m.Kind, m.LastError)
			}

			// Restarted, the bot writes to the supergroup at once.
			e.stop()
			e.start()
			last := len(e.messages())
			e.justified("Коля")
			e.waitMsg(super, "Коля")
			e.settled()
			for _, m := range e.messages()[last:] {
				assert.Empty(t, m.LastError, "message %d (%s) went straight where it belongs", m.ID, m.Kind)
			}
		})
	}
}

func (e *env) movedTo(chat int64) int64 {
	var to int64
	require.NoError(e.t, e.store.View(context.Background(), func(tx justify.Tx) error {
		tc, err := tx.TeamChat(chat)
		to = tc.MovedTo
		return err
	}))
	return to
}

// When the bot may no longer write to the team chat, the open cases shown there go to
// managers privately, managers hear it once, and later reviews are private until the bot
// is back.
func TestTeamChatLostFallsBackToPrivate(t *testing.T) {
	tests := []struct {
		name string
		lose func(e *env)
	}{
		{name: "removed", lose: func(e *env) { e.srv.RemoveBot(team, annaTG) }},
		{name: "banned", lose: func(e *env) { e.srv.BanBot(team, annaTG) }},
		{name: "forbidden to write", lose: func(e *env) { e.srv.MuteBot(team, annaTG) }},
		{name: "refused with 403 only", lose: func(e *env) {
			e.srv.FailNext("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, inTeamChat(team, 0))
			e.srv.AddSupergroup(team, "Команда", false)
			e.start()
			e.startAll()
			open := e.justified("Вася")
			e.waitMsg(team, "Вася")
			// The next case's prompt goes first, so that the failure is the review's.
			later := e.ban(ivanVK, "Петя", "")
			e.waitMsg(ivanTG, "Петя")
			e.settled()
			tt.lose(e)
			_, err := e.svc.Justify(context.Background(), ivanTG, later, justify.ReasonSpam, "")
			require.NoError(t, err)
			e.bot.Wake()
			for _, m := range []int64{olgaTG, mariaTG} {
				e.waitMsg(m, "Вася")
				e.waitMsg(m, "Петя")
				e.waitMsg(m, "Бот не может писать в общий чат")
			}
			e.settled()
			for _, m := range []int64{olgaTG, mariaTG} {
				assert.Equal(t, 1, e.count(m, "Бот не может писать в общий чат"), "told once")
			}
			assert.Zero(t, e.count(annaTG, "Бот не может писать"), "the owner is not, while managers are")
			assert.Zero(t, e.count(team, "Петя"))

			// A private review decides as any other.
			review := e.waitMsg(mariaTG, "Вася")
			e.press(mariaTG, review, "Оставить бан")
			assert.Equal(t, justify.ResolutionApproved, e.caseNow(open).Resolution)
			assert.NotEqual(t, justify.StateClosed, e.caseNow(later).State)

			if tt.name != "refused with 403 only" {
				e.srv.AddBotBack(team, annaTG)
				require.Eventually(t, func() bool {
					var lost bool
					_ = e.store.View(context.Background(), func(tx justify.Tx) error {
						tc, err := tx.TeamChat(team)
						lost = tc.Lost()
						return err
					})
					return !lost
				}, 5*time.Second, 5*time.Millisecond)
				e.justified("Коля")
				e.waitMsg(team, "Коля")
				e.settled()
				assert.Zero(t, e.count(olgaTG, "Коля"), "back in the chat")
			}
		})
	}
}

// The group pace keeps a group within 20 messages in any minute, while people's chats go
// at their own pace. The buckets start empty, as after a restart.
func TestGroupPace(t *testing.T) {
	now := t0
	p := newPacerClock(TelegramLimits, func() time.Time { return now })
	sent := 0
	for range 4 * 60 * 4 { // four minutes, a try every quarter second
		if ok, _ := p.take(team); ok {
			sent++
		}
		now = now.Add(time.Second / 4)
		if now.Sub(t0) == time.Minute {
			assert.LessOrEqual(t, sent, 20, "at most 20 in the first minute")
		}
	}
	assert.LessOrEqual(t, sent, 4*17)
	assert.GreaterOrEqual(t, sent, 4*17-1, "and no slower than that")
	now = now.Add(TelegramLimits.ChatEvery)
	ok, _ := p.take(ivanTG)
	assert.True(t, ok, "a person's chat is paced on its own")
}

// Every team text exists, filled, in every language the bot speaks.
func TestTeamCatalogsAreComplete(t *testing.T) {
	assert.ElementsMatch(t, slices.Collect(maps.Keys(catalogs)), slices.Collect(maps.Keys(teamCatalogs)))
	seen := map[string]map[string]bool{}
	for lang, c := range teamCatalogs {
		seen[lang] = map[string]bool{}
		walkCatalog(t, lang, "", reflect.ValueOf(c).Elem(), seen[lang])
	}
	assert.Equal(t, seen["en"], seen["ru"])
}
