// Package telegramtest is an in-process Telegram Bot API server for tests and for the demo.
// It speaks the wire format of the real API closely enough for telegram-bot-api v5 and
// reproduces the errors that matter to modwatch: bad HTML, oversized button data, users who
// never pressed Start or blocked the bot, unmodified edits, rate limits, and the life of
// group chats (groups.go).
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// BotID is the Telegram id of the test bot.
const BotID int64 = 777000

// Button is an inline button as a user sees it.
type Button struct {
	Text string
	Data string
}

// Msg is a message in a chat, as it currently stands.
type Msg struct {
	ID         int
	ChatID     int64
	FromBot    bool
	FromID     int64
	Text       string // plain text, after entity parsing
	HTML       string // the text as the bot sent it, before parsing
	Buttons    [][]Button
	ForceReply bool
	ReplyTo    int
	Edited     int
	Deleted    bool
	// Thread is the forum topic of a message to a supergroup (message_thread_id).
	Thread int
	// Photo is the image of a sendPhoto, as uploaded; Text is then its caption.
	Photo     []byte
	PhotoName string
}

// CallbackAnswer is the bot's answer to a button press.
type CallbackAnswer struct {
	QueryID   string
	FromID    int64
	Data      string
	Text      string
	ShowAlert bool
}

// EventKind says what happened in the conversation.
type EventKind string

// Event kinds reported to Observe.
const (
	EventSent     EventKind = "sent"
	EventEdited   EventKind = "edited"
	EventUserText EventKind = "user_text"
	EventPressed  EventKind = "pressed"
	EventAnswered EventKind = "answered"
)

// Event is one step of a conversation, for printing it live.
type Event struct {
	Kind      EventKind
	ChatID    int64
	Who       string // the user's first name
	MessageID int
	Text      string
	Buttons   [][]Button
}

// String renders the event as one line, e.g. "bot → Ivan: ..." or "Ivan pressed [Spam]".
func (e Event) String() string {
	var btn strings.Builder
	for _, row := range e.Buttons {
		for _, b := range row {
			fmt.Fprintf(&btn, " [%s]", b.Text)
		}
	}
	switch e.Kind {
	case EventSent:
		return fmt.Sprintf("bot → %s: %s%s", e.Who, e.Text, btn.String())
	case EventEdited:
		return fmt.Sprintf("bot edits #%d for %s: %s%s", e.MessageID, e.Who, e.Text, btn.String())
	case EventUserText:
		return fmt.Sprintf("%s → bot: %s", e.Who, e.Text)
	case EventPressed:
		return fmt.Sprintf("%s pressed [%s]", e.Who, e.Text)
	case EventAnswered:
		return fmt.Sprintf("bot answers %s's press: %s", e.Who, e.Text)
	}
	return string(e.Kind)
}

type user struct {
	firstName string
	started   bool
	blocked   bool
}

type failure struct {
	code       int
	desc       string
	retryAfter int
}

type query struct {
	fromID   int64
	data     string
	answered bool
}

// Server is a fake Telegram Bot API. It is safe for concurrent use.
type Server struct {
	// Observe, when set before the bot starts, is called after each step of a conversation.
	Observe func(Event)

	srv   *httptest.Server
	token string

	mu       sync.Mutex
	users    map[int64]*user
	chats    map[int64][]*Msg
	nextMsg  map[int64]int
	updates  []tgbotapi.Update
	nextUpd  int
	pushed   chan struct{} // closed and replaced when an update is pushed
	fails    map[string][]failure
	lost     map[string][]int // per method, the HTTP statuses that replace the next replies
	calls    map[string]int
	queries  map[string]*query
	answers  []CallbackAnswer
	commands string
	params   map[string]map[string]string
	// groups are the group chats (groups.go); rawMembers the my_chat_member objects of
	// updates by id, written as the spec shapes each kind of member.
	groups     map[int64]*group
	rawMembers map[int]map[string]any
	groupSends map[string][]time.Time

	limited    bool
	chatTokens map[string]*tokens
	allTokens  tokens
	refused429 int
	limitClock func() time.Time // tests of the limits freeze time; nil is time.Now
	refusals   []refusal        // texts refused with 400 (RefuseText)
}

// requiredParams are the parameters the Bot API spec marks required, per method served.
var requiredParams = map[string][]string{
	"sendMessage":         {"chat_id", "text"},
	"answerCallbackQuery": {"callback_query_id"},
	"setMyCommands":       {"commands"},
	"deleteMessage":       {"chat_id", "message_id"},
	"sendPhoto":           {"chat_id", "photo"},
	"getChat":             {"chat_id"},
	"getChatMember":       {"chat_id", "user_id"},
}

// New starts a server that accepts only token.
func New(token string) *Server {
	s := &Server{
		token:   token,
		users:   map[int64]*user{},
		chats:   map[int64][]*Msg{},
		nextMsg: map[int64]int{},
		nextUpd: 1,
		pushed:  make(chan struct{}),
		fails:   map[string][]failure{},
		lost:    map[string][]int{},
		calls:   map[string]int{},
		queries: map[string]*query{},
		params:  map[string]map[string]string{},
		groups:  map[int64]*group{}, rawMembers: map[int]map[string]any{}, groupSends: map[string][]time.Time{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the endpoint format to give tgbotapi.NewBotAPIWithClient.
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// Close stops the server, ending pending long polls.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// AddUser makes a Telegram user known. They cannot receive messages until they write to
// the bot (SendText with "/start").
func (s *Server) AddUser(id int64, firstName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[id]; ok {
		u.firstName = firstName
		return
	}
	s.users[id] = &user{firstName: firstName}
}

// Block makes the user block the bot.
func (s *Server) Block(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(id).blocked = true
}

func (s *Server) userLocked(id int64) *user {
	u, ok := s.users[id]
	if !ok {
		u = &user{firstName: fmt.Sprintf("user%d", id)}
		s.users[id] = u
	}
	return u
}

func (s *Server) tgUser(id int64) *tgbotapi.User {
	return &tgbotapi.User{ID: id, FirstName: s.userLocked(id).firstName}
}

// SendText delivers a private message from a user to the bot and returns its id. Writing
// to the bot lets it write back, as pressing Start does.
func (s *Server) SendText(fromID int64, text string) int {
	return s.userMessage(fromID, fromID, 0, text)
}

// SendGroupText delivers a message a user wrote in a group the bot is in.
func (s *Server) SendGroupText(chatID, fromID int64, text string) int {
	return s.userMessage(chatID, fromID, 0, text)
}

// Reply delivers a user's private reply to one of the bot's messages.
func (s *Server) Reply(fromID int64, toMessageID int, text string) int {
	return s.userMessage(fromID, fromID, toMessageID, text)
}

func (s *Server) userMessage(chatID, fromID int64, replyTo int, text string) int {
	s.mu.Lock()
	u := s.userLocked(fromID)
	chat := &tgbotapi.Chat{ID: chatID, Type: "private", FirstName: u.firstName}
	if chatID != fromID {
		g := s.groupLocked(chatID)
		chat = &tgbotapi.Chat{ID: chatID, Type: g.kind(), Title: g.title}
	} else {
		u.started, u.blocked = true, false
	}
	m := s.addMsgLocked(chatID, &Msg{FromID: fromID, Text: text, HTML: text, ReplyTo: replyTo})
	tm := &tgbotapi.Message{MessageID: m.ID, From: s.tgUser(fromID), Date: int(time.Now().Unix()), Chat: chat, Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		tm.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: utf8.RuneCountInString(cmd)}}
	}
	if replyTo != 0 {
		if orig := s.findLocked(chatID, replyTo); orig != nil {
			tm.ReplyToMessage = s.tgMessageLocked(orig)
		}
	}
	s.pushLocked(tgbotapi.Update{Message: tm})
	ev := Event{Kind: EventUserText, ChatID: chatID, Who: u.firstName, MessageID: m.ID, Text: text}
	s.mu.Unlock()
	s.observe(ev)
	return m.ID
}

// PressButton makes a user press an inline button of a message in their private chat and
// returns the callback query id. The data need not match a button: forged presses are how
// a bot's defences are tested.
func (s *Server) PressButton(fromID int64, messageID int, callbackData string) string {
	return s.PressGroupButton(fromID, fromID, messageID, callbackData)
}

// Messages lists the bot's messages in a chat, oldest first, as they currently stand.
func (s *Server) Messages(chatID int64) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Msg
	for _, m := range s.chats[chatID] {
		if m.FromBot && !m.Deleted {
			out = append(out, copyMsg(m))
		}
	}
	return out
}

// LastMessage is the bot's latest message in a chat; ok is false when there is none.
func (s *Server) LastMessage(chatID int64) (Msg, bool) {
	ms := s.Messages(chatID)
	if len(ms) == 0 {
		return Msg{}, false
	}
	return ms[len(ms)-1], true
}

// Message returns one message of a chat.
func (s *Server) Message(chatID int64, messageID int) (Msg, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(chatID, messageID)
	if m == nil {
		return Msg{}, false
	}
	return copyMsg(m), true
}

// ButtonsOf returns a message's current inline buttons.
func (s *Server) ButtonsOf(chatID int64, messageID int) [][]Button {
	m, _ := s.Message(chatID, messageID)
	return m.Buttons
}

// CallbackAnswers lists the bot's answers to button presses, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// AnswerTo returns the answer to one press; ok is false while unanswered.
func (s *Server) AnswerTo(queryID string) (CallbackAnswer, bool) {
	for _, a := range s.CallbackAnswers() {
		if a.QueryID == queryID {
			return a, true
		}
	}
	return CallbackAnswer{}, false
}

// FailNext makes the next call of method fail with code and description; retryAfter > 0
// adds parameters.retry_after. Failures queue up in order.
func (s *Server) FailNext(method string, code int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{code: code, desc: description, retryAfter: retryAfter})
}

// LoseReplyNext makes the next call of method take effect and then answer as a proxy
// that lost Telegram's reply would: HTTP status (a 5xx) with an HTML page, so the bot
// cannot know that the call was done. Lost replies queue up in order.
func (s *Server) LoseReplyNext(method string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost[method] = append(s.lost[method], status)
}

// Calls counts the requests made for a method, failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Commands returns the JSON of the last setMyCommands call.
func (s *Server) Commands() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
}

// LastParams returns the parameters of the last call of method, to check the wire format.
func (s *Server) LastParams(method string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.params[method] {
		out[k] = v
	}
	return out
}

// LastParamsTo returns the parameters of the latest call of method to chat: with
// several chats sent to at once, the latest call of all may be to another chat.
func (s *Server) LastParamsTo(method string, chat int64) map[string]string {
	return s.LastParams(fmt.Sprintf("%s@%d", method, chat))
}

// PendingUpdates counts updates the bot has not confirmed yet.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

func copyMsg(m *Msg) Msg {
	c := *m
	c.Buttons = nil
	for _, row := range m.Buttons {
		c.Buttons = append(c.Buttons, append([]Button(nil), row...))
	}
	return c
}

func (s *Server) observe(evs ...Event) {
	if s.Observe == nil {
		return
	}
	for _, e := range evs {
		s.Observe(e)
	}
}

func (s *Server) addMsgLocked(chatID int64, m *Msg) *Msg {
	s.nextMsg[chatID]++
	m.ID, m.ChatID = s.nextMsg[chatID], chatID
	s.chats[chatID] = append(s.chats[chatID], m)
	return m
}

func (s *Server) findLocked(chatID int64, id int) *Msg {
	for _, m := range s.chats[chatID] {
		if m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) pushLocked(u tgbotapi.Update) int {
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.updates = append(s.updates, u)
	close(s.pushed)
	s.pushed = make(chan struct{})
	return u.UpdateID
}

func (s *Server) tgMessageLocked(m *Msg) *tgbotapi.Message {
	chat := &tgbotapi.Chat{ID: m.ChatID, Type: "private"}
	if m.ChatID < 0 {
		g := s.groupLocked(m.ChatID)
		chat.Type, chat.Title = g.kind(), g.title
	}
	from := &tgbotapi.User{ID: BotID, IsBot: true, FirstName: "modwatch", UserName: "modwatch_bot"}
	if !m.FromBot {
		from = s.tgUser(m.FromID)
	}
	tm := &tgbotapi.Message{MessageID: m.ID, From: from, Chat: chat, Date: int(time.Now().Unix()), Text: m.Text}
	if len(m.Buttons) > 0 {
		kb := tgbotapi.InlineKeyboardMarkup{}
		for _, row := range m.Buttons {
			var r []tgbotapi.InlineKeyboardButton
			for _, b := range row {
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
		tm.ReplyMarkup = &kb
	}
	return tm
}

// apiError is a failed call, answered in Telegram's shape.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || token != s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	p, err := readParams(r)
	if err != nil {
		writeError(w, badRequest("%v", err))
		return
	}
	s.mu.Lock()
	s.calls[method]++
	s.params[method] = p
	if chat := p["chat_id"]; chat != "" {
		// The sender writes to several chats at once: a test asks about one chat's call.
		s.params[method+"@"+chat] = p
	}
	if f := s.fails[method]; len(f) > 0 {
		s.fails[method] = f[1:]
		s.mu.Unlock()
		writeError(w, &apiError{code: f[0].code, desc: f[0].desc, retryAfter: f[0].retryAfter})
		return
	}
	if wait := s.rateLimitLocked(method, p); wait > 0 {
		s.mu.Unlock()
		writeError(w, &apiError{code: 429, desc: retryAfterDesc(wait), retryAfter: wait})
		return
	}
	if refused := s.refusedLocked(method, p); refused != nil {
		s.mu.Unlock()
		writeError(w, refused)
		return
	}
	s.mu.Unlock()
	for _, name := range requiredParams[method] {
		if p[name] == "" {
			writeError(w, badRequest("%s is empty", name))
			return
		}
	}
	// Telegram refuses the whole request over one string that is not UTF-8.
	for _, v := range p {
		if !utf8.ValidString(v) {
			writeError(w, badRequest("strings must be encoded in UTF-8"))
			return
		}
	}

	var result any
	var apiErr *apiError
	var evs []Event
	switch method {
	case "getMe":
		result = tgbotapi.User{ID: BotID, IsBot: true, FirstName: "modwatch", UserName: "modwatch_bot"}
	case "getUpdates":
		result, apiErr = s.getUpdates(r.Context(), p)
	case "sendMessage":
		result, evs, apiErr = s.sendMessage(p)
	case "editMessageText", "editMessageReplyMarkup":
		result, evs, apiErr = s.edit(p, method == "editMessageText")
	case "answerCallbackQuery":
		result, evs, apiErr = s.answerCallback(p)
	case "setMyCommands":
		s.mu.Lock()
		s.commands = p["commands"]
		s.mu.Unlock()
		result = true
	case "deleteMessage":
		result, apiErr = s.deleteMessage(p)
	case "sendPhoto":
		result, evs, apiErr = s.sendPhoto(r, p)
	case "getChat":
		result, apiErr = s.getChat(p)
	case "getChatMember":
		result, apiErr = s.getChatMember(p)
	default:
		apiErr = &apiError{code: 404, desc: "Not Found"}
	}
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	s.mu.Lock()
	lost := s.lost[method]
	if len(lost) > 0 {
		s.lost[method] = lost[1:]
	}
	s.mu.Unlock()
	if len(lost) > 0 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(lost[0])
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", lost[0], http.StatusText(lost[0]))
	} else {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": withoutNulls(result)})
	}
	s.observe(evs...)
}

// withoutNulls drops null fields: the library's structs marshal absent objects as null,
// which Telegram never sends.
func withoutNulls(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var generic any
	if json.Unmarshal(b, &generic) != nil {
		return v
	}
	return dropNulls(generic)
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	switch {
	case e.retryAfter > 0:
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	case e.migrateTo != 0:
		body["parameters"] = map[string]any{"migrate_to_chat_id": e.migrateTo}
	}
	writeJSON(w, e.code, body)
}

// readParams accepts form-encoded, multipart and JSON bodies, as the real API does.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var raw map[string]json.RawMessage
		if len(body) > 0 {
			if err := json.Unmarshal(body, &raw); err != nil {
				return nil, fmt.Errorf("invalid JSON body: %w", err)
			}
		}
		for k, v := range raw {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
		return out, nil
	}
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.Form {
		out[k] = v[0]
	}
	if r.MultipartForm != nil {
		// An uploaded file stands in its parameter as attach://<part>, as Telegram
		// documents for files sent with multipart/form-data.
		for k := range r.MultipartForm.File {
			out[k] = "attach://" + k
		}
	}
	return out, nil
}

// sendPhoto stores an uploaded photo with its caption. Only uploads are served: modwatch
// never sends photos by URL or file_id.
func (s *Server) sendPhoto(r *http.Request, p map[string]string) (*tgbotapi.Message, []Event, *apiError) {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chatID == 0 {
		return nil, nil, badRequest("chat not found")
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["photo"]) == 0 {
		return nil, nil, badRequest("wrong remote file identifier specified: can't unserialize it")
	}
	fh := r.MultipartForm.File["photo"][0]
	f, err := fh.Open()
	if err != nil {
		return nil, nil, badRequest("failed to read the photo")
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(f)
	if err != nil || len(data) == 0 {
		return nil, nil, badRequest("PHOTO_INVALID_DIMENSIONS")
	}
	caption, apiErr := parseText(map[string]string{"text": p["caption"], "parse_mode": p["parse_mode"]})
	if apiErr != nil && p["caption"] != "" {
		return nil, nil, apiErr
	}
	if utf8.RuneCountInString(caption) > 1024 {
		return nil, nil, badRequest("message caption is too long")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	who, apiErr := s.recipientLocked(chatID, 0)
	if apiErr != nil {
		return nil, nil, apiErr
	}
	m := s.addMsgLocked(chatID, &Msg{FromBot: true, FromID: BotID, Text: caption, HTML: p["caption"], Photo: data, PhotoName: fh.Filename})
	return s.tgMessageLocked(m), []Event{{Kind: EventSent, ChatID: chatID, Who: who, MessageID: m.ID, Text: "[photo " + fh.Filename + "] " + caption}}, nil
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) ([]any, *apiError) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	var allowed []string
	if a := p["allowed_updates"]; a != "" && a != "null" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates JSON")
		}
	}
	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	for {
		s.mu.Lock()
		// An offset confirms every update before it: they are forgotten for good.
		kept := s.updates[:0]
		for _, u := range s.updates {
			if offset > 0 && u.UpdateID < offset {
				continue
			}
			if !isAllowed(u, allowed) {
				continue
			}
			kept = append(kept, u)
		}
		s.updates = kept
		out := []any{}
		for _, u := range s.updates {
			if len(out) == limit {
				break
			}
			if raw, ok := s.rawMembers[u.UpdateID]; ok {
				out = append(out, map[string]any{"update_id": u.UpdateID, "my_chat_member": raw})
				continue
			}
			out = append(out, u)
		}
		pushed := s.pushed
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			return out, nil
		}
		select {
		case <-pushed:
		case <-timer.C:
			return out, nil
		case <-ctx.Done():
			return out, nil
		}
	}
}

func isAllowed(u tgbotapi.Update, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	kind := "message"
	switch {
	case u.CallbackQuery != nil:
		kind = "callback_query"
	case u.MyChatMember != nil:
		kind = "my_chat_member"
	}
	for _, a := range allowed {
		if a == kind {
			return true
		}
	}
	return false
}

type markup struct {
	InlineKeyboard [][]struct {
		Text         string  `json:"text"`
		CallbackData *string `json:"callback_data"`
		URL          *string `json:"url"`
	} `json:"inline_keyboard"`
	ForceReply bool `json:"force_reply"`
}

func parseMarkup(raw string) ([][]Button, bool, *apiError) {
	if raw == "" || raw == "null" {
		return nil, false, nil
	}
	var m markup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, false, badRequest("can't parse reply keyboard markup JSON object")
	}
	var rows [][]Button
	for _, row := range m.InlineKeyboard {
		var r []Button
		for _, b := range row {
			if b.Text == "" {
				return nil, false, badRequest("BUTTON_TEXT_INVALID")
			}
			switch {
			case b.CallbackData != nil:
				if n := len(*b.CallbackData); n < 1 || n > 64 {
					return nil, false, badRequest("BUTTON_DATA_INVALID")
				}
				r = append(r, Button{Text: b.Text, Data: *b.CallbackData})
			case b.URL != nil:
				r = append(r, Button{Text: b.Text})
			default:
				return nil, false, badRequest("can't find field \"callback_data\"")
			}
		}
		rows = append(rows, r)
	}
	return rows, m.ForceReply, nil
}

func parseText(p map[string]string) (string, *apiError) {
	text := p["text"]
	if p["parse_mode"] == "HTML" {
		plain, err := ParseHTML(text)
		if err != nil {
			return "", badRequest("can't parse entities: %v", err)
		}
		text = plain
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
	case n == 0:
		return "", badRequest("message text is empty")
	case utf8.RuneCountInString(text) > 4096:
		return "", badRequest("message is too long")
	}
	return text, nil
}

// recipientLocked checks that the bot may write to chatID (in forum topic thread), as
// Telegram does, and returns the user's first name or the group's title.
func (s *Server) recipientLocked(chatID int64, thread int) (string, *apiError) {
	if chatID < 0 {
		return s.writableLocked(chatID, thread)
	}
	u, ok := s.users[chatID]
	switch {
	case !ok:
		return "", badRequest("chat not found")
	case u.blocked:
		return "", &apiError{code: 403, desc: "Forbidden: bot was blocked by the user"}
	case !u.started:
		return "", &apiError{code: 403, desc: "Forbidden: bot can't initiate conversation with a user"}
	}
	return u.firstName, nil
}

func (s *Server) sendMessage(p map[string]string) (*tgbotapi.Message, []Event, *apiError) {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chatID == 0 {
		return nil, nil, badRequest("chat not found")
	}
	text, apiErr := parseText(p)
	if apiErr != nil {
		return nil, nil, apiErr
	}
	buttons, force, apiErr := parseMarkup(p["reply_markup"])
	if apiErr != nil {
		return nil, nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	thread, _ := strconv.Atoi(p["message_thread_id"])
	who, apiErr := s.recipientLocked(chatID, thread)
	if apiErr != nil {
		return nil, nil, apiErr
	}
	replyTo, _ := strconv.Atoi(p["reply_to_message_id"])
	m := s.addMsgLocked(chatID, &Msg{FromBot: true, FromID: BotID, Text: text, HTML: p["text"], Buttons: buttons, ForceReply: force, ReplyTo: replyTo,
		Thread: thread})
	return s.tgMessageLocked(m), []Event{{Kind: EventSent, ChatID: chatID, Who: who, MessageID: m.ID, Text: text, Buttons: buttons}}, nil
}

func (s *Server) edit(p map[string]string, withText bool) (*tgbotapi.Message, []Event, *apiError) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	msgID, _ := strconv.Atoi(p["message_id"])
	var text string
	if withText {
		var apiErr *apiError
		if text, apiErr = parseText(p); apiErr != nil {
			return nil, nil, apiErr
		}
	}
	buttons, _, apiErr := parseMarkup(p["reply_markup"])
	if apiErr != nil {
		return nil, nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if chatID < 0 {
		if _, apiErr := s.writableLocked(chatID, 0); apiErr != nil {
			return nil, nil, apiErr
		}
	}
	m := s.findLocked(chatID, msgID)
	if m == nil || !m.FromBot {
		return nil, nil, badRequest("message to edit not found")
	}
	if !withText {
		text = m.Text
	}
	if text == m.Text && sameButtons(buttons, m.Buttons) {
		return nil, nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text, m.Buttons = text, buttons
	if withText {
		m.HTML = p["text"]
	}
	m.Edited++
	who := ""
	if u, ok := s.users[chatID]; ok {
		who = u.firstName
	} else if g, ok := s.groups[chatID]; ok {
		who = g.title
	}
	return s.tgMessageLocked(m), []Event{{Kind: EventEdited, ChatID: chatID, Who: who, MessageID: m.ID, Text: text, Buttons: buttons}}, nil
}

func sameButtons(a, b [][]Button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func (s *Server) answerCallback(p map[string]string) (bool, []Event, *apiError) {
	text := p["text"]
	if utf8.RuneCountInString(text) > 200 {
		return false, nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queries[p["callback_query_id"]]
	if !ok || q.answered {
		return false, nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	s.answers = append(s.answers, CallbackAnswer{QueryID: p["callback_query_id"], FromID: q.fromID, Data: q.data, Text: text, ShowAlert: p["show_alert"] == "true"})
	return true, []Event{{Kind: EventAnswered, ChatID: q.fromID, Who: s.userLocked(q.fromID).firstName, Text: text}}, nil
}

func (s *Server) deleteMessage(p map[string]string) (bool, *apiError) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	msgID, _ := strconv.Atoi(p["message_id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(chatID, msgID)
	if m == nil {
		return false, badRequest("message to delete not found")
	}
	m.Deleted = true
	return true, nil
}
