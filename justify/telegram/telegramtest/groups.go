package telegramtest

import (
	"fmt"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Group chats, as the Bot API has them: groups and supergroups (negative ids) the bot is a
// member of, forum topics (message_thread_id), several members pressing the same button,
// the bot's own membership changing (my_chat_member), a group upgraded to a supergroup
// (migrate_to_chat_id), and the flood limit of about 20 messages a minute to a group.

// groupPerMinute is how many messages a group takes in any minute with limits on.
const groupPerMinute = 20

// group is a group or supergroup chat.
type group struct {
	title  string
	super  bool
	forum  bool
	topics map[int]bool
	// bot is the bot's status: member, administrator, restricted, left or kicked; canSend
	// says whether a restricted bot may still write.
	bot     string
	canSend bool
	// migratedTo is the supergroup a group was upgraded to: the group takes nothing more.
	migratedTo int64
	// membersMuted is set when the group's members may not send messages by default.
	membersMuted bool
}

func (g *group) kind() string {
	if g.super {
		return "supergroup"
	}
	return "group"
}

// AddGroup makes a basic group the bot is a member of. Its id must be negative.
func (s *Server) AddGroup(id int64, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = &group{title: title, bot: "member", topics: map[int]bool{}}
}

// AddSupergroup makes a supergroup the bot is a member of; a forum has topics (AddTopic).
func (s *Server) AddSupergroup(id int64, title string, forum bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = &group{title: title, super: true, forum: forum, bot: "member", topics: map[int]bool{}}
}

// AddTopic opens a forum topic in a supergroup made with forum set.
func (s *Server) AddTopic(chat int64, thread int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[chat]; g != nil {
		g.topics[thread] = true
	}
}

// groupLocked returns a group chat, registering one the tests wrote in without making
// it (SendGroupText) as a supergroup the bot is in.
func (s *Server) groupLocked(id int64) *group {
	g, ok := s.groups[id]
	if !ok {
		g = &group{title: fmt.Sprintf("group %d", id), super: true, bot: "member", topics: map[int]bool{}}
		s.groups[id] = g
	}
	return g
}

// writableLocked checks, as Telegram does, that the bot may write to group chat id
// (thread: a forum topic, 0 for none), and returns its title.
func (s *Server) writableLocked(id int64, thread int) (string, *apiError) {
	g, ok := s.groups[id]
	if !ok {
		return "", badRequest("chat not found")
	}
	switch {
	case g.migratedTo != 0:
		return "", &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: g.migratedTo}
	case g.bot == "kicked":
		return "", &apiError{code: 403, desc: "Forbidden: bot was kicked from the " + g.kind() + " chat"}
	case g.bot == "left":
		return "", &apiError{code: 403, desc: "Forbidden: bot is not a member of the " + g.kind() + " chat"}
	case g.bot == "restricted" && !g.canSend:
		return "", badRequest("not enough rights to send text messages to the chat")
	case thread != 0 && (!g.forum || !g.topics[thread]):
		return "", badRequest("message thread not found")
	}
	return g.title, nil
}

// setBot changes the bot's status in a group and tells the bot with a my_chat_member
// update from user by.
func (s *Server) setBot(chat, by int64, status string, canSend bool) {
	s.mu.Lock()
	g := s.groupLocked(chat)
	old := chatMember(g.bot, g.canSend)
	g.bot, g.canSend = status, canSend
	now := chatMember(status, canSend)
	u := tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{
		Chat: tgbotapi.Chat{ID: chat, Type: g.kind(), Title: g.title}, From: *s.tgUser(by), Date: int(time.Now().Unix()),
		OldChatMember: tgbotapi.ChatMember{Status: old["status"].(string)}, NewChatMember: tgbotapi.ChatMember{Status: status, CanSendMessages: canSend},
	}}
	raw := map[string]any{
		"chat":            map[string]any{"id": chat, "type": g.kind(), "title": g.title},
		"from":            map[string]any{"id": by, "is_bot": false, "first_name": s.userLocked(by).firstName},
		"date":            u.MyChatMember.Date,
		"old_chat_member": old,
		"new_chat_member": now,
	}
	id := s.pushLocked(u)
	s.rawMembers[id] = raw
	s.mu.Unlock()
}

// chatMember is the bot as a ChatMember of the given status, with only the fields the
// spec gives that kind of member.
func chatMember(status string, canSend bool) map[string]any {
	m := map[string]any{"status": status, "user": map[string]any{"id": BotID, "is_bot": true, "first_name": "modwatch", "username": "modwatch_bot"}}
	switch status {
	case "restricted":
		m["is_member"], m["can_send_messages"], m["until_date"] = true, canSend, 0
	case "kicked":
		m["until_date"] = 0
	case "administrator":
		m["can_be_edited"], m["is_anonymous"], m["can_manage_chat"] = false, false, true
	}
	return m
}

// RemoveBot has user by remove the bot from a group chat.
func (s *Server) RemoveBot(chat, by int64) { s.setBot(chat, by, "left", false) }

// BanBot has user by ban the bot from a group chat.
func (s *Server) BanBot(chat, by int64) { s.setBot(chat, by, "kicked", false) }

// MuteBot has user by take the bot's right to write in a supergroup.
func (s *Server) MuteBot(chat, by int64) { s.setBot(chat, by, "restricted", false) }

// AddBotBack has user by add the bot to a group chat again.
func (s *Server) AddBotBack(chat, by int64) { s.setBot(chat, by, "member", true) }

// MigrateToSupergroup has user by upgrade a basic group to a supergroup, which gets a new
// id (returned), as Telegram does: calls naming the old id fail with 400 and
// parameters.migrate_to_chat_id. When announce is set the bot gets the two service
// messages Telegram sends, one in each chat; unset, it learns of the move only from a
// failed call.
func (s *Server) MigrateToSupergroup(chat, by int64, announce bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.groupLocked(chat)
	to, _ := strconv.ParseInt(fmt.Sprintf("-100%d", -chat), 10, 64)
	s.groups[to] = &group{title: old.title, super: true, bot: old.bot, canSend: old.canSend, topics: map[int]bool{}}
	old.migratedTo = to
	if !announce {
		return to
	}
	date := int(time.Now().Unix())
	from := s.tgUser(by)
	m := s.addMsgLocked(chat, &Msg{FromID: by})
	s.pushLocked(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: m.ID, From: from, Date: date,
		Chat: &tgbotapi.Chat{ID: chat, Type: "group", Title: old.title}, MigrateToChatID: to}})
	m = s.addMsgLocked(to, &Msg{FromID: by})
	s.pushLocked(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: m.ID, From: from, Date: date,
		Chat: &tgbotapi.Chat{ID: to, Type: "supergroup", Title: old.title}, MigrateFromChatID: chat}})
	return to
}

// PressGroupButton makes user fromID press an inline button of a bot's message in a chat
// (a group, as any member may, or fromID's own private chat) and returns the callback query
// id.
func (s *Server) PressGroupButton(chat, fromID int64, messageID int, callbackData string) string {
	s.mu.Lock()
	u := s.userLocked(fromID)
	qid := fmt.Sprintf("q%d", s.nextUpd)
	s.queries[qid] = &query{fromID: fromID, data: callbackData}
	cq := &tgbotapi.CallbackQuery{ID: qid, From: s.tgUser(fromID), ChatInstance: strconv.FormatInt(chat, 10), Data: callbackData}
	label := callbackData
	if m := s.findLocked(chat, messageID); m != nil {
		cq.Message = s.tgMessageLocked(m)
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Data == callbackData {
					label = b.Text
				}
			}
		}
	}
	s.pushLocked(tgbotapi.Update{CallbackQuery: cq})
	ev := Event{Kind: EventPressed, ChatID: chat, Who: u.firstName, MessageID: messageID, Text: label}
	s.mu.Unlock()
	s.observe(ev)
	return qid
}

// groupFloodLocked returns the retry_after of a message to a group over its 20 a minute,
// 0 when it may go, and counts it when it goes.
func (s *Server) groupFloodLocked(chat string, now time.Time) int {
	sent := s.groupSends[chat]
	for len(sent) > 0 && now.Sub(sent[0]) >= time.Minute {
		sent = sent[1:]
	}
	if len(sent) >= groupPerMinute {
		s.groupSends[chat] = sent
		return max(1, int(time.Minute-now.Sub(sent[0]))/int(time.Second))
	}
	s.groupSends[chat] = append(sent, now)
	return 0
}
