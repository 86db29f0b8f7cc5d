package telegram

import (
	"cmp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

const (
	reviewChat = int64(-1001234567890)
	alertsChat = int64(-4001)
)

func TestCheckSetupChats(t *testing.T) {
	tests := []struct {
		name   string
		change func(srv *telegramtest.Server)
		// chat is the review chat's id in the config; reviewChat when 0.
		chat int64
		// want is the problem's text, "" when the chat is fine.
		want, fix string
	}{
		{name: "the bot may write", change: func(*telegramtest.Server) {}},
		{name: "the bot is an admin where members may not write", change: func(srv *telegramtest.Server) {
			srv.SetMembersMaySend(reviewChat, false)
			srv.SetBotStatus(reviewChat, telegramtest.StatusAdministrator, true)
		}},
		{name: "the bot was removed", change: func(srv *telegramtest.Server) {
			srv.SetBotStatus(reviewChat, telegramtest.StatusKicked, false)
		}, want: "the bot is not in it, or it does not exist", fix: "add @modwatch_bot to the group"},
		{name: "the bot is muted", change: func(srv *telegramtest.Server) {
			srv.SetBotStatus(reviewChat, telegramtest.StatusRestricted, false)
		}, want: "the bot may not send messages in", fix: "let @modwatch_bot send messages"},
		{name: "members may not write and the bot is one", change: func(srv *telegramtest.Server) {
			srv.SetMembersMaySend(reviewChat, false)
		}, want: "members may not send messages in", fix: "make @modwatch_bot an admin"},
		{name: "a chat the bot does not know", change: func(*telegramtest.Server) {}, chat: reviewChat - 1, want: "chat not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := telegramtest.New(testToken)
			defer srv.Close()
			chat := cmp.Or(tt.chat, reviewChat)
			srv.AddGroupChat(reviewChat, "Brand reviews", "supergroup")
			srv.AddGroupChat(alertsChat, "Brand alerts", "group")
			tt.change(srv)
			problems, err := CheckSetup(t.Context(), SetupConfig{Token: testToken, Endpoint: srv.Endpoint(),
				Chats: []SetupChat{{Key: "telegram.review_chat", ChatID: chat}, {Key: "telegram.alerts_chat", ChatID: alertsChat}}}, zerolog.Nop())
			require.NoError(t, err)
			if tt.want == "" {
				assert.Empty(t, problems)
				return
			}
			require.Len(t, problems, 1)
			p := problems[0]
			assert.Equal(t, justify.CheckChat, p.Check)
			assert.Equal(t, "telegram.review_chat", p.Name)
			assert.True(t, p.Required)
			assert.Contains(t, p.Problem, tt.want)
			assert.Contains(t, p.Fix, tt.fix)
			assert.Equal(t, 2, srv.Calls("getChat"))
		})
	}
}

func TestCheckSetupBotToken(t *testing.T) {
	srv := telegramtest.New(testToken)
	defer srv.Close()
	problems, err := CheckSetup(t.Context(), SetupConfig{Token: "4242:AAH-wrong", Endpoint: srv.Endpoint()}, zerolog.Nop())
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.Equal(t, justify.CheckBot, problems[0].Check)
	assert.Contains(t, problems[0].Problem, "401 Unauthorized")
	assert.NotContains(t, problems[0].Problem, "AAH-wrong")

	srv.Close()
	_, err = CheckSetup(t.Context(), SetupConfig{Token: testToken, Endpoint: srv.Endpoint()}, zerolog.Nop())
	require.Error(t, err, "Telegram out of reach is not a problem of the setup")
	assert.NotContains(t, err.Error(), testToken)
}

func TestUnreached(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	reach := map[int64]justify.Reach{
		ivanTG:  {ChatID: ivanTG, Refused: "Forbidden: bot can't initiate conversation with a user", RefusedAt: at},
		olgaTG:  {ChatID: olgaTG, Started: at}, // pressed Start, sent nothing yet
		mariaTG: {ChatID: mariaTG, LastSent: at.Add(-time.Hour), Refused: "Forbidden: bot was blocked by the user", RefusedAt: at},
	}
	got := unreached(people, reach, "modwatch_bot")
	require.Len(t, got, 3)
	byName := map[string]justify.SetupProblem{}
	for _, p := range got {
		assert.False(t, p.Required, "people press Start themselves: a warning")
		assert.Equal(t, justify.CheckPerson, p.Check)
		byName[p.Name] = p
	}
	assert.Contains(t, byName["Ivan"].Problem, "they never pressed Start")
	assert.Contains(t, byName["Ivan"].Fix, "ask Ivan to open @modwatch_bot in Telegram and press Start")
	assert.Contains(t, byName["Maria"].Problem, "they blocked the bot")
	assert.Contains(t, byName["Maria"].Fix, "unblock")
	assert.Contains(t, byName["Anna"].Problem, "nothing has reached Anna")
	assert.NotContains(t, byName, "Olga")
}

// A setup alert names the missing thing and the command that says more, in both languages.
func TestSetupAlertRendering(t *testing.T) {
	p := justify.SetupProblem{GroupID: groupID, Check: justify.CheckEvents, Name: "wall_reply_delete", Required: true,
		Problem: "VK does not send <wall_reply_delete> events", Fix: "Manage community → API usage"}
	for lang, cat := range catalogs {
		r := renderer{cat: cat, loc: time.UTC, communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Brand"}}}
		v := r.alert(p.Alert(t0))
		plain, err := telegramtest.ParseHTML(v.text)
		require.NoError(t, err, lang)
		assert.Contains(t, plain, "wall_reply_delete: VK does not send <wall_reply_delete> events. Manage community → API usage", lang)
		assert.Contains(t, plain, "modwatch config check --online --fix", lang)
		assert.Contains(t, plain, "Brand", lang)
		assert.Equal(t, cat.alertTitles[justify.AlertSetup], strings.SplitN(v.text, "\n", 2)[0], lang)
	}
}

// The running bot checks its group chats through its own client, as the daemon asks.
func TestBotChecksItsChats(t *testing.T) {
	e := newEnv(t)
	e.srv.AddGroupChat(reviewChat, "Brand reviews", "supergroup")
	e.start()
	chats := []SetupChat{{Key: "telegram.review_chat", ChatID: reviewChat}}
	problems, err := e.bot.CheckChats(t.Context(), chats)
	require.NoError(t, err)
	assert.Empty(t, problems)
	e.srv.SetBotStatus(reviewChat, telegramtest.StatusLeft, false)
	problems, err = e.bot.CheckChats(t.Context(), chats)
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.Equal(t, "telegram.review_chat", problems[0].Name)
	none, err := e.bot.CheckChats(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, none)
}
