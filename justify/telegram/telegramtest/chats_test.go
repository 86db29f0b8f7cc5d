package telegramtest

import (
	"encoding/json"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requiredFields lists the fields the spec marks required for a type: every answer must
// carry them. The subset keeps field names only, so they are written here from the spec.
var requiredFields = map[string][]string{
	"ChatFullInfo":            {"id", "type", "accent_color_id", "max_reaction_count", "accepted_gift_types"},
	"ChatMemberMember":        {"status", "user"},
	"ChatMemberLeft":          {"status", "user"},
	"ChatMemberBanned":        {"status", "user", "until_date"},
	"ChatMemberRestricted":    {"status", "user", "is_member", "can_send_messages", "until_date"},
	"ChatMemberAdministrator": {"status", "user", "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages"},
}

func TestChatAnswersFollowTheSpec(t *testing.T) {
	spec := loadSpec(t)
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	const group = int64(-100500)
	s.AddGroupChat(group, "Reviews", "supergroup")

	resp, err := bot.Request(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group}})
	require.NoError(t, err)
	var chat map[string]any
	require.NoError(t, json.Unmarshal(resp.Result, &chat))
	checkFields(t, spec, "ChatFullInfo", chat)
	for _, f := range requiredFields["ChatFullInfo"] {
		assert.Contains(t, chat, f)
	}
	checkFields(t, spec, "ChatPermissions", chat["permissions"].(map[string]any))

	for status, typ := range map[string]string{
		StatusMember: "ChatMemberMember", StatusAdministrator: "ChatMemberAdministrator",
		StatusRestricted: "ChatMemberRestricted", StatusKicked: "ChatMemberBanned", StatusLeft: "ChatMemberLeft",
	} {
		t.Run(status, func(t *testing.T) {
			s.SetBotStatus(group, status, false)
			resp, err := bot.Request(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group, UserID: BotID}})
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(resp.Result, &m))
			delete(m, "user") // a User, whose fields the Update test checks
			checkFields(t, spec, typ, m)
			for _, f := range requiredFields[typ] {
				if f != "user" {
					assert.Contains(t, m, f)
				}
			}
			assert.Equal(t, status, m["status"])
		})
	}

	// A group the bot left, and a chat it never knew, are refused as Telegram does.
	s.SetBotStatus(group, StatusLeft, false)
	_, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group}})
	require.Error(t, err)
	assert.Equal(t, 403, err.(*tgbotapi.Error).Code)
	_, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chat not found")
}
