package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiSubset is the part of the Bot API spec the fake serves: method parameters with their
// required flag, and the fields of the objects it returns.
type apiSubset struct {
	Methods map[string]map[string]bool `json:"methods"`
	Types   map[string][]string        `json:"types"`
}

func loadSpec(t *testing.T) apiSubset {
	t.Helper()
	b, err := os.ReadFile("../../../testdata/telegram/api-subset.json")
	require.NoError(t, err)
	var s apiSubset
	require.NoError(t, json.Unmarshal(b, &s))
	return s
}

func TestRequiredParamsFollowTheSpec(t *testing.T) {
	spec := loadSpec(t)
	for method, fields := range spec.Methods {
		var want []string
		for name, required := range fields {
			if required {
				want = append(want, name)
			}
		}
		sort.Strings(want)
		got := append([]string(nil), requiredParams[method]...)
		sort.Strings(got)
		assert.Equal(t, want, got, method)
	}

	s := New(token)
	defer s.Close()
	resp, err := http.PostForm(s.URL()+"/bot"+token+"/sendMessage", url.Values{"chat_id": {"1"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, map[string]any{"ok": false, "error_code": float64(400), "description": "Bad Request: text is empty"}, body)
}

// checkFields fails when obj carries a key the spec does not list for typ, then descends
// into the nested objects whose type is known.
func checkFields(t *testing.T, spec apiSubset, typ string, obj map[string]any) {
	t.Helper()
	fields := map[string]bool{}
	for _, f := range spec.Types[typ] {
		fields[f] = true
	}
	nested := map[string]string{
		"message": "Message", "callback_query": "CallbackQuery", "from": "User", "chat": "Chat",
		"reply_to_message": "Message", "reply_markup": "InlineKeyboardMarkup",
	}
	for k, v := range obj {
		assert.True(t, fields[k], "%s has no field %q", typ, k)
		if sub, ok := v.(map[string]any); ok && nested[k] != "" {
			checkFields(t, spec, nested[k], sub)
		}
		if k == "entities" {
			for _, e := range v.([]any) {
				checkFields(t, spec, "MessageEntity", e.(map[string]any))
			}
		}
		if k == "inline_keyboard" {
			for _, row := range v.([]any) {
				for _, b := range row.([]any) {
					checkFields(t, spec, "InlineKeyboardButton", b.(map[string]any))
				}
			}
		}
	}
}

func TestResultsFollowTheSpec(t *testing.T) {
	spec := loadSpec(t)
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	s.AddUser(1, "Ivan")
	s.SendText(1, "/start")
	msg := tgbotapi.NewMessage(1, "pick")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Spam", "tok")))
	sent, err := bot.Send(msg)
	require.NoError(t, err)
	s.Reply(1, sent.MessageID, "because")
	s.PressButton(1, sent.MessageID, "tok")

	resp, err := bot.Request(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message", "callback_query"}})
	require.NoError(t, err)
	var updates []map[string]any
	require.NoError(t, json.Unmarshal(resp.Result, &updates))
	require.Len(t, updates, 3)
	for _, u := range updates {
		checkFields(t, spec, "Update", u)
	}
	resp, err = bot.Request(msg)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(resp.Result, &m))
	checkFields(t, spec, "Message", m)

	resp, err = bot.Request(tgbotapi.NewCallback("q-unknown", "x"))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "query ID is invalid"), err)
	assert.Nil(t, resp.Result)
}
