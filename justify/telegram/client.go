package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"
)

// client is the part of the Bot API the bot uses, and nothing more. Its one implementation,
// tgClient, is the only code that calls telegram-bot-api (v5.5.1, unmaintained since 2021):
// replacing the library, or faking Telegram in a test, means implementing these methods.
// Every call answers with a result; errors never leave it with the token in them.
type client interface {
	// GetUpdates long-polls for updates from offset on, waiting up to timeout.
	GetUpdates(ctx context.Context, offset int, timeout time.Duration, allowed []string) ([]tgbotapi.Update, result)
	// SendText sends an HTML message with kb's buttons (nil: none), or asks for a reply
	// when forceReply is set and there are no buttons.
	SendText(ctx context.Context, chatID int64, text string, kb keyboard, forceReply bool) result
	// SendToTopic sends an HTML message with kb's buttons to a forum topic of a supergroup
	// (message_thread_id); topic 0 is the chat itself.
	SendToTopic(ctx context.Context, chatID int64, topic int, text string, kb keyboard) result
	// EditText replaces a message's text and buttons (nil: none).
	EditText(ctx context.Context, chatID int64, messageID int, text string, kb keyboard) result
	// EditButtons replaces a message's buttons only (nil: removes them).
	EditButtons(ctx context.Context, chatID int64, messageID int, kb keyboard) result
	// SendPhoto sends an image with an optional HTML caption.
	SendPhoto(ctx context.Context, chatID int64, name string, image []byte, caption string) result
	// AnswerCallback answers a button press with a short notice.
	AnswerCallback(ctx context.Context, queryID, text string) result
	// SetCommands sets the command menu.
	SetCommands(ctx context.Context, cmds []command) result
	// GetMe returns the bot itself: a token that works answers.
	GetMe(ctx context.Context) (tgbotapi.User, result)
	// GetChat returns a chat as the bot sees it.
	GetChat(ctx context.Context, chatID int64) (tgbotapi.Chat, result)
	// GetChatMember returns a user's membership of a chat, the bot's own included.
	GetChatMember(ctx context.Context, chatID, userID int64) (tgbotapi.ChatMember, result)
}

// keyboard is a message's inline buttons, row by row.
type keyboard [][]button

// button is one inline button: its label and the callback data it carries.
type button struct{ text, data string }

// command is one entry of the bot's command menu.
type command struct{ name, description string }

// status is what became of one request.
type status int

const (
	// sent: Telegram did it. An edit to what the message already shows counts: as good as
	// sent.
	sent status = iota
	// retry: Telegram was unreachable, failed (5xx) or asked to slow down (429); the same
	// request may succeed later.
	retry
	// refused: Telegram said no for good (400, 403, ...): sending it again cannot help.
	refused
)

// result is the typed answer to one request: the sender, the update loop and the metrics
// branch on it instead of parsing error strings.
type result struct {
	status status
	// messageID is the message sent or edited, when sent.
	messageID int
	// retryAfter is how long Telegram asked to wait (429's retry_after); 0 when it did not say.
	retryAfter time.Duration
	// migrateTo is the new id of a group Telegram upgraded to a supergroup (400's
	// migrate_to_chat_id): the request is to be sent there instead.
	migrateTo int64
	// code is the Bot API's error code; 0 when Telegram was not reached or its answer was
	// unreadable.
	code int
	// description is why it failed, with the token masked: Telegram's description ("Forbidden:
	// bot was blocked by the user") or the network error.
	description string
	// asked is when the bot made the request (set by the bot, not the client): a team
	// chat's refusal older than the news that the bot is back there is stale.
	asked time.Time
}

// ok reports whether the request did what was asked.
func (r result) ok() bool { return r.status == sent }

// err is the failure as an error for logs and retry loops; nil when sent.
func (r result) err() error {
	if r.ok() {
		return nil
	}
	return &apiError{r}
}

// messageGone reports an edit whose message no longer exists: deleted by the person, or
// too old to edit.
func (r result) messageGone() bool {
	return r.status == refused && r.code == 400 && strings.Contains(r.description, "message to edit not found")
}

// apiError is a failed result as an error.
type apiError struct{ r result }

func (e *apiError) Error() string { return e.r.description }

// tgClient implements client over telegram-bot-api.
type tgClient struct {
	api   *tgbotapi.BotAPI
	http  *http.Client
	token string
}

var _ client = (*tgClient)(nil)

// newTGClient checks the token with getMe and returns the bot's user name. log receives the
// library's own log lines, with every token masked.
func newTGClient(token, endpoint string, hc *http.Client, log zerolog.Logger) (*tgClient, string, error) {
	registerToken(token, log)
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, hc)
	if err != nil {
		return nil, "", redactToken(err, token)
	}
	return &tgClient{api: api, http: hc, token: token}, api.Self.UserName, nil
}

// with returns the library's client bound to ctx. The library takes no context, so each call
// works on a copy whose HTTP client carries ctx: a stop then ends a long poll at once.
func (c *tgClient) with(ctx context.Context) *tgbotapi.BotAPI {
	api := *c.api
	api.Client = ctxDoer{ctx: ctx, c: c.http}
	return &api
}

// ctxDoer sends every request with its context.
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxDoer) Do(req *http.Request) (*http.Response, error) { return d.c.Do(req.WithContext(d.ctx)) }

func (c *tgClient) GetUpdates(ctx context.Context, offset int, timeout time.Duration, allowed []string) ([]tgbotapi.Update, result) {
	ups, err := c.with(ctx).GetUpdates(tgbotapi.UpdateConfig{
		Offset: offset, Timeout: int(timeout / time.Second), AllowedUpdates: allowed,
	})
	return ups, c.result(err, 0)
}

func (c *tgClient) SendText(ctx context.Context, chatID int64, text string, kb keyboard, forceReply bool) result {
	msg := tgbotapi.NewMessage(chatID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	// A case card carries several VK links; a preview of one would bury the card.
	msg.DisableWebPagePreview = true
	switch {
	case kb != nil:
		msg.ReplyMarkup = *kb.markup()
	case forceReply:
		msg.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true}
	}
	m, err := c.with(ctx).Send(msg)
	return c.result(err, m.MessageID)
}

func (c *tgClient) SendToTopic(ctx context.Context, chatID int64, topic int, text string, kb keyboard) result {
	if topic == 0 {
		return c.SendText(ctx, chatID, text, kb, false)
	}
	// telegram-bot-api v5.5.1 predates forum topics: the request is built by hand, with
	// the same fields SendText sends.
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "text": text, "parse_mode": tgbotapi.ModeHTML,
		"disable_web_page_preview": "true", "message_thread_id": strconv.Itoa(topic)}
	if markup := kb.markup(); markup != nil {
		if err := p.AddInterface("reply_markup", markup); err != nil {
			return result{status: refused, description: err.Error()}
		}
	}
	resp, err := c.with(ctx).MakeRequest("sendMessage", p)
	if err != nil {
		return c.result(err, 0)
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &m); err != nil {
		return c.result(fmt.Errorf("read the sent message: %w", err), 0)
	}
	return c.result(nil, m.MessageID)
}

func (c *tgClient) EditText(ctx context.Context, chatID int64, messageID int, text string, kb keyboard) result {
	edit := tgbotapi.NewEditMessageText(chatID, messageID, text)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	edit.ReplyMarkup = kb.markup()
	_, err := c.with(ctx).Send(edit)
	return c.result(err, messageID)
}

func (c *tgClient) EditButtons(ctx context.Context, chatID int64, messageID int, kb keyboard) result {
	markup := kb.markup()
	if markup == nil {
		// An empty list, not none: Telegram keeps the buttons when reply_markup is missing.
		markup = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	}
	_, err := c.with(ctx).Request(tgbotapi.NewEditMessageReplyMarkup(chatID, messageID, *markup))
	return c.result(err, messageID)
}

func (c *tgClient) SendPhoto(ctx context.Context, chatID int64, name string, image []byte, caption string) result {
	photo := tgbotapi.NewPhoto(chatID, tgbotapi.FileBytes{Name: name, Bytes: image})
	if caption != "" {
		photo.Caption = caption
		photo.ParseMode = tgbotapi.ModeHTML
	}
	m, err := c.with(ctx).Send(photo)
	return c.result(err, m.MessageID)
}

func (c *tgClient) AnswerCallback(ctx context.Context, queryID, text string) result {
	// Request, not Send: the method answers true, not a message.
	_, err := c.with(ctx).Request(tgbotapi.NewCallback(queryID, text))
	return c.result(err, 0)
}

func (c *tgClient) SetCommands(ctx context.Context, cmds []command) result {
	list := make([]tgbotapi.BotCommand, 0, len(cmds))
	for _, cmd := range cmds {
		list = append(list, tgbotapi.BotCommand{Command: cmd.name, Description: cmd.description})
	}
	_, err := c.with(ctx).Request(tgbotapi.NewSetMyCommands(list...))
	return c.result(err, 0)
}

func (c *tgClient) GetMe(ctx context.Context) (tgbotapi.User, result) {
	u, err := c.with(ctx).GetMe()
	return u, c.result(err, 0)
}

func (c *tgClient) GetChat(ctx context.Context, chatID int64) (tgbotapi.Chat, result) {
	chat, err := c.with(ctx).GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	return chat, c.result(err, 0)
}

func (c *tgClient) GetChatMember(ctx context.Context, chatID, userID int64) (tgbotapi.ChatMember, result) {
	m, err := c.with(ctx).GetChatMember(tgbotapi.GetChatMemberConfig{
		ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: userID}})
	return m, c.result(err, 0)
}

// markup is kb in the library's form; nil when kb is.
func (kb keyboard) markup() *tgbotapi.InlineKeyboardMarkup {
	if kb == nil {
		return nil
	}
	m := &tgbotapi.InlineKeyboardMarkup{}
	for _, row := range kb {
		var out []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			out = append(out, tgbotapi.NewInlineKeyboardButtonData(b.text, b.data))
		}
		m.InlineKeyboard = append(m.InlineKeyboard, out)
	}
	return m
}

// result classifies a call's error. The library answers an API error as *tgbotapi.Error and
// anything else (network, an unreadable answer) as a plain error, whose text carries the
// request URL and so the token.
func (c *tgClient) result(err error, messageID int) result {
	if err == nil {
		return result{status: sent, messageID: messageID}
	}
	desc := redactToken(err, c.token).Error()
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		return result{status: retry, description: desc}
	}
	r := result{code: apiErr.Code, description: desc, retryAfter: time.Duration(apiErr.RetryAfter) * time.Second,
		migrateTo: apiErr.MigrateToChatID}
	switch {
	case apiErr.Code == http.StatusBadRequest && strings.Contains(apiErr.Message, "message is not modified"):
		// The message already shows exactly this.
		return result{status: sent, messageID: messageID}
	case apiErr.Code == http.StatusTooManyRequests || apiErr.Code >= 500:
		r.status = retry
	default:
		r.status = refused
	}
	return r
}

const tokenMask = "<token>"

// redactedError keeps an error's meaning for classification while hiding the token.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactToken removes token from err's text, keeping a network error's cause reachable
// with errors.Is and errors.As.
func redactToken(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if inner != nil && strings.Contains(inner.Error(), token) {
			inner = errors.New(strings.ReplaceAll(inner.Error(), token, tokenMask))
		}
		return &redactedError{msg: strings.ReplaceAll(err.Error(), token, tokenMask), err: inner}
	}
	if strings.Contains(err.Error(), token) {
		return errors.New(strings.ReplaceAll(err.Error(), token, tokenMask))
	}
	return err
}

// The library logs through one global logger; every token any bot uses is masked there.
var libLog struct {
	sync.Mutex
	once   sync.Once
	tokens []string
	log    zerolog.Logger
}

func registerToken(token string, log zerolog.Logger) {
	libLog.Lock()
	libLog.tokens = append(libLog.tokens, token)
	libLog.log = log
	libLog.Unlock()
	libLog.once.Do(func() { _ = tgbotapi.SetLogger(redactingLogger{}) })
}

type redactingLogger struct{}

func (redactingLogger) Println(v ...any) { redactingLogger{}.write(fmt.Sprintln(v...)) }
func (redactingLogger) Printf(format string, v ...any) {
	redactingLogger{}.write(fmt.Sprintf(format, v...))
}

func (redactingLogger) write(s string) {
	libLog.Lock()
	defer libLog.Unlock()
	for _, t := range libLog.tokens {
		s = strings.ReplaceAll(s, t, tokenMask)
	}
	libLog.log.Debug().Str("library", "telegram-bot-api").Msg(strings.TrimSpace(s))
}
