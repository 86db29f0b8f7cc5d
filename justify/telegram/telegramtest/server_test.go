package telegramtest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "123:secret"

func TestParseHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        string
	}{
		{name: "plain", in: "hello", want: "hello"},
		{name: "tags", in: `<b>bold</b> <a href="https://vk.com/id1">Ivan</a>`, want: "bold Ivan"},
		{name: "entities", in: "&lt;b&gt; &amp; &quot; &#33; &#x41;", want: `<b> & " ! A`},
		{name: "lone gt is fine", in: "a > b", want: "a > b"},
		{name: "unsupported tag", in: "<x>y</x>", wantErr: "Unsupported start tag"},
		{name: "bare lt", in: "a < b", wantErr: "Unclosed start tag"},
		{name: "lt forming no tag", in: "a < b > c", wantErr: "Unsupported start tag"},
		{name: "bare amp", in: "Tom & Jerry", wantErr: "reserved"},
		{name: "unknown entity", in: "&nbsp;", wantErr: "Unsupported HTML entity"},
		{name: "stray end tag", in: "</a>", wantErr: "Unexpected end tag"},
		{name: "unclosed", in: "<b>bold", wantErr: "Can't find end tag"},
		{name: "a without href", in: "<a>x</a>", wantErr: "href"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHTML(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func newBot(t *testing.T, s *Server, tok string) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(tok, s.Endpoint(), http.DefaultClient)
	require.NoError(t, err)
	return bot
}

func TestWrongToken(t *testing.T) {
	s := New(token)
	defer s.Close()
	_, err := tgbotapi.NewBotAPIWithClient("999:other", s.Endpoint(), http.DefaultClient)
	var apiErr *tgbotapi.Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 401, apiErr.Code)
	assert.Equal(t, "Unauthorized", apiErr.Message)
}

func TestSendMessage(t *testing.T) {
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	s.AddUser(1, "Ivan")
	s.AddUser(2, "Petr")
	s.SendText(1, "/start")
	s.SendText(2, "/start")
	s.Block(2)

	long := strings.Repeat("я", 4097)
	tests := []struct {
		name     string
		chat     int64
		text     string
		data     string
		wantCode int
		wantDesc string
	}{
		{name: "ok", chat: 1, text: "<b>hi</b>", data: "x"},
		{name: "never started", chat: 3, text: "hi", wantCode: 400, wantDesc: "chat not found"},
		{name: "blocked", chat: 2, text: "hi", wantCode: 403, wantDesc: "Forbidden: bot was blocked by the user"},
		{name: "bad html", chat: 1, text: "a < b", wantCode: 400, wantDesc: "Bad Request: can't parse entities"},
		{name: "too long", chat: 1, text: long, wantCode: 400, wantDesc: "message is too long"},
		{name: "entities count once", chat: 1, text: strings.Repeat("&amp;", 4096)},
		{name: "not UTF-8", chat: 1, text: "Заказ \xcf\xf0\xe8", wantCode: 400, wantDesc: "Bad Request: strings must be encoded in UTF-8"},
		{name: "button data too long", chat: 1, text: "x", data: strings.Repeat("я", 33), wantCode: 400, wantDesc: "BUTTON_DATA_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(tt.chat, tt.text)
			msg.ParseMode = tgbotapi.ModeHTML
			if tt.data != "" {
				msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("B", tt.data)))
			}
			_, err := bot.Send(msg)
			if tt.wantCode == 0 {
				require.NoError(t, err)
				return
			}
			var apiErr *tgbotapi.Error
			require.True(t, errors.As(err, &apiErr), "%v", err)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Contains(t, apiErr.Message, tt.wantDesc)
		})
	}

	s.AddUser(4, "Olga")
	_, err := bot.Send(tgbotapi.NewMessage(4, "hi"))
	require.EqualError(t, err, "Forbidden: bot can't initiate conversation with a user")
}

func TestEditAndUpdates(t *testing.T) {
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	var seen []string
	s.Observe = func(e Event) { seen = append(seen, e.String()) }
	s.AddUser(1, "Ivan")
	s.SendText(1, "/start")

	msg := tgbotapi.NewMessage(1, "pick")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Spam", "tok")))
	sent, err := bot.Send(msg)
	require.NoError(t, err)

	qid := s.PressButton(1, sent.MessageID, "tok")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 0, Timeout: 5, AllowedUpdates: []string{"message", "callback_query"}})
	require.NoError(t, err)
	require.Len(t, ups, 2)
	require.NotNil(t, ups[1].CallbackQuery)
	assert.Equal(t, "tok", ups[1].CallbackQuery.Data)
	assert.Equal(t, sent.MessageID, ups[1].CallbackQuery.Message.MessageID)

	_, err = bot.Request(tgbotapi.NewCallback(qid, "done"))
	require.NoError(t, err)
	a, ok := s.AnswerTo(qid)
	require.True(t, ok)
	assert.Equal(t, "done", a.Text)

	// Confirming removes them; only callback queries are asked for now.
	s.SendText(1, "hello")
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[1].UpdateID + 1, AllowedUpdates: []string{"callback_query"}})
	require.NoError(t, err)
	assert.Empty(t, ups)

	edit := tgbotapi.NewEditMessageText(1, sent.MessageID, "pick")
	kb := msg.ReplyMarkup.(tgbotapi.InlineKeyboardMarkup)
	edit.ReplyMarkup = &kb
	_, err = bot.Send(edit)
	require.ErrorContains(t, err, "message is not modified")

	_, err = bot.Send(tgbotapi.NewEditMessageText(1, sent.MessageID, "picked"))
	require.NoError(t, err)
	m, _ := s.LastMessage(1)
	assert.Equal(t, "picked", m.Text)
	assert.Empty(t, m.Buttons, "an edit without markup removes the keyboard")
	assert.Equal(t, 1, m.Edited)

	_, err = bot.Send(tgbotapi.NewEditMessageText(1, 99, "x"))
	require.EqualError(t, err, "Bad Request: message to edit not found")

	s.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", 7)
	_, err = bot.Send(tgbotapi.NewMessage(1, "x"))
	var apiErr *tgbotapi.Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 7, apiErr.RetryAfter)
	assert.Equal(t, 2, s.Calls("sendMessage"))
	assert.Contains(t, seen, "Ivan pressed [Spam]")
	assert.Contains(t, seen, "bot → Ivan: pick [Spam]")
}

func TestLongPollReturnsWhenAnUpdateArrives(t *testing.T) {
	s := New(token)
	defer s.Close()
	bot := newBot(t, s, token)
	got := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 60, AllowedUpdates: []string{"message"}})
		got <- ups
	}()
	require.Eventually(t, func() bool { return s.Calls("getUpdates") == 1 }, 5*time.Second, time.Millisecond)
	s.SendText(1, "hi")
	select {
	case ups := <-got:
		require.Len(t, ups, 1)
		assert.Equal(t, "hi", ups[0].Message.Text)
	case <-time.After(30 * time.Second):
		t.Fatal("the long poll did not return when an update arrived")
	}
}

// The demo prints a conversation as it happens.
func ExampleServer_Observe() {
	s := New(token)
	defer s.Close()
	s.Observe = func(e Event) { fmt.Println(e) }
	s.AddUser(1, "Ivan")
	s.SendText(1, "/start")
	bot, _ := tgbotapi.NewBotAPIWithClient(token, s.Endpoint(), http.DefaultClient)
	msg := tgbotapi.NewMessage(1, "Why was Vasya banned?")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Spam", "t1")))
	sent, _ := bot.Send(msg)
	s.PressButton(1, sent.MessageID, "t1")
	// Output:
	// Ivan → bot: /start
	// bot → Ivan: Why was Vasya banned? [Spam]
	// Ivan pressed [Spam]
}

// A text the server is told to refuse is refused, as a message and as an edit; others go.
func TestRefuseText(t *testing.T) {
	s := New(token)
	defer s.Close()
	s.AddUser(1, "Ivan")
	s.SendText(1, "/start")
	s.RefuseText("казино", "Bad Request: can't parse entities")
	bot := newBot(t, s, token)

	_, err := bot.Send(tgbotapi.NewMessage(1, "ссылка на казино"))
	var apiErr *tgbotapi.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.Code)
	assert.Equal(t, "Bad Request: can't parse entities", apiErr.Message)

	m, err := bot.Send(tgbotapi.NewMessage(1, "ссылка"))
	require.NoError(t, err)
	_, err = bot.Send(tgbotapi.NewEditMessageText(1, m.MessageID, "казино"))
	require.ErrorAs(t, err, &apiErr)
	got, ok := s.Message(1, m.MessageID)
	require.True(t, ok)
	assert.Equal(t, "ссылка", got.Text, "the refused edit changed nothing")
	assert.Equal(t, 2, s.Calls("sendMessage"))
}
