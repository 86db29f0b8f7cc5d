package telegramtest

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiErr sends a message and returns Telegram's refusal, nil when it was sent.
func apiErr(t *testing.T, bot *tgbotapi.BotAPI, c tgbotapi.Chattable) *tgbotapi.Error {
	t.Helper()
	_, err := bot.Send(c)
	if err == nil {
		return nil
	}
	var e *tgbotapi.Error
	require.True(t, errors.As(err, &e), "%v", err)
	return e
}

func TestGroupChatsRefuseAsTelegramDoes(t *testing.T) {
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	s.AddGroup(-10, "basic")
	s.AddSupergroup(-1001, "forum", true)
	s.AddTopic(-1001, 7)
	s.AddSupergroup(-1002, "plain", false)

	assert.Nil(t, apiErr(t, bot, tgbotapi.NewMessage(-10, "hi")))
	tests := []struct {
		name   string
		chat   int64
		thread string
		setup  func()
		code   int
		desc   string
	}{
		{name: "a chat the bot is not in", chat: -99, code: 400, desc: "Bad Request: chat not found"},
		{name: "a topic that does not exist", chat: -1001, thread: "8", code: 400, desc: "Bad Request: message thread not found"},
		{name: "a topic in a chat that is no forum", chat: -1002, thread: "7", code: 400, desc: "Bad Request: message thread not found"},
		{name: "removed", chat: -1002, setup: func() { s.RemoveBot(-1002, 5) }, code: 403, desc: "Forbidden: bot is not a member of the supergroup chat"},
		{name: "banned", chat: -1002, setup: func() { s.BanBot(-1002, 5) }, code: 403, desc: "Forbidden: bot was kicked from the supergroup chat"},
		{name: "forbidden to write", chat: -1002, setup: func() { s.MuteBot(-1002, 5) }, code: 400, desc: "Bad Request: not enough rights to send text messages to the chat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			params := tgbotapi.Params{"chat_id": itoa(tt.chat), "text": "hi"}
			if tt.thread != "" {
				params["message_thread_id"] = tt.thread
			}
			_, err := bot.MakeRequest("sendMessage", params)
			var e *tgbotapi.Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.desc, e.Message)
		})
	}
	s.AddBotBack(-1002, 5)
	assert.Nil(t, apiErr(t, bot, tgbotapi.NewMessage(-1002, "back")))

	resp, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "-1001", "text": "in the topic", "message_thread_id": "7"})
	require.NoError(t, err)
	var m tgbotapi.Message
	require.NoError(t, json.Unmarshal(resp.Result, &m))
	got, ok := s.Message(-1001, m.MessageID)
	require.True(t, ok)
	assert.Equal(t, 7, got.Thread)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The bot's membership changes come as my_chat_member updates shaped as the spec shapes
// each kind of member; an upgraded group answers with migrate_to_chat_id and announces the
// move in both chats.
func TestGroupUpdatesFollowTheSpec(t *testing.T) {
	spec := loadSpec(t)
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	s.AddUser(5, "Olga")
	s.AddGroup(-10, "basic")
	s.AddSupergroup(-1002, "plain", false)
	s.RemoveBot(-1002, 5)
	s.AddBotBack(-1002, 5)
	s.MuteBot(-1002, 5)
	s.BanBot(-1002, 5)
	to := s.MigrateToSupergroup(-10, 5, true)
	assert.Equal(t, int64(-10010), to)

	resp, err := bot.Request(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message", "my_chat_member"}})
	require.NoError(t, err)
	var raw []map[string]any
	require.NoError(t, json.Unmarshal(resp.Result, &raw))
	require.Len(t, raw, 6)
	kinds := map[string]string{"member": "ChatMemberMember", "left": "ChatMemberLeft", "kicked": "ChatMemberBanned",
		"restricted": "ChatMemberRestricted", "administrator": "ChatMemberAdministrator"}
	var statuses []string
	for _, u := range raw[:4] {
		cm, ok := u["my_chat_member"].(map[string]any)
		require.True(t, ok, "%v", u)
		checkFields(t, spec, "ChatMemberUpdated", map[string]any{"chat": cm["chat"], "from": cm["from"], "date": cm["date"]})
		for _, side := range []string{"old_chat_member", "new_chat_member"} {
			member := cm[side].(map[string]any)
			checkFields(t, spec, kinds[member["status"].(string)], member)
		}
		statuses = append(statuses, cm["new_chat_member"].(map[string]any)["status"].(string))
	}
	assert.Equal(t, []string{"left", "member", "restricted", "kicked"}, statuses)
	var ups []tgbotapi.Update
	require.NoError(t, json.Unmarshal(resp.Result, &ups))
	assert.False(t, ups[2].MyChatMember.NewChatMember.CanSendMessages, "the library reads a restricted bot")
	assert.Equal(t, to, ups[4].Message.MigrateToChatID)
	assert.Equal(t, int64(-10), ups[5].Message.MigrateFromChatID)
	assert.Equal(t, to, ups[5].Message.Chat.ID)

	e := apiErr(t, bot, tgbotapi.NewMessage(-10, "hi"))
	require.NotNil(t, e)
	assert.Equal(t, 400, e.Code)
	assert.Equal(t, "Bad Request: group chat was upgraded to a supergroup chat", e.Message)
	assert.Equal(t, to, e.MigrateToChatID)
	assert.Nil(t, apiErr(t, bot, tgbotapi.NewMessage(to, "hi")), "the supergroup takes it")
}

// Several members press the same button of a group's message: each press is theirs.
func TestGroupButtons(t *testing.T) {
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	s.AddSupergroup(-1002, "team", false)
	msg := tgbotapi.NewMessage(-1002, "review")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Keep", "tok")))
	sent, err := bot.Send(msg)
	require.NoError(t, err)
	q1 := s.PressGroupButton(-1002, 5, sent.MessageID, "tok")
	q2 := s.PressGroupButton(-1002, 6, sent.MessageID, "tok")
	assert.NotEqual(t, q1, q2)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	require.NoError(t, err)
	require.Len(t, ups, 2)
	for i, from := range []int64{5, 6} {
		q := ups[i].CallbackQuery
		assert.Equal(t, from, q.From.ID)
		assert.Equal(t, int64(-1002), q.Message.Chat.ID)
		assert.Equal(t, "supergroup", q.Message.Chat.Type)
		assert.Equal(t, "tok", q.Data)
	}
}

// A group takes 20 messages in any minute, however they are spread within it.
func TestGroupFloodLimit(t *testing.T) {
	s := New(token)
	defer s.Close()
	s.SetRateLimits(true)
	now := time.Now()
	s.limitClock = func() time.Time { return now }
	s.AddSupergroup(-1002, "team", false)
	s.AddSupergroup(-1003, "another team", false)
	bot := newBot(t, s, token)
	sent := 0
	for range 25 { // 37.5 s, each well within a chat's one a second
		if apiErr(t, bot, tgbotapi.NewMessage(-1002, "hi")) == nil {
			sent++
		}
		now = now.Add(1500 * time.Millisecond)
	}
	assert.Equal(t, 20, sent)
	assert.Equal(t, 5, s.RateLimited())
	now = now.Add(25 * time.Second) // the first message is a minute old
	assert.Nil(t, apiErr(t, bot, tgbotapi.NewMessage(-1002, "hi")))
	assert.Nil(t, apiErr(t, bot, tgbotapi.NewMessage(-1003, "hi")), "another group has its own minute")
}
