package telegramtest

import (
	"strconv"
)

// The group chats the fake knows, for getChat and getChatMember: a test adds a group with
// the bot in it, then removes the bot, mutes it or stops members from writing, as an admin
// of the group would.

// Bot statuses in a group (ChatMember's status).
const (
	StatusMember        = "member"
	StatusAdministrator = "administrator"
	StatusRestricted    = "restricted"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// AddGroupChat makes a group ("group" or "supergroup") known, with the bot a member that
// may write: AddGroup or AddSupergroup by the type's name. chatID must be negative, as
// group ids are.
func (s *Server) AddGroupChat(chatID int64, title, typ string) {
	if typ == "supergroup" {
		s.AddSupergroup(chatID, title, false)
		return
	}
	s.AddGroup(chatID, title)
}

// SetBotStatus sets the bot's status in a known group (StatusMember...), without telling
// the bot (a change made while it was not polling); maySend matters for
// StatusRestricted only.
func (s *Server) SetBotStatus(chatID int64, status string, maySend bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[chatID]; g != nil {
		g.bot, g.canSend = status, maySend
	}
}

// SetMembersMaySend sets a known group's default permission to send messages.
func (s *Server) SetMembersMaySend(chatID int64, may bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[chatID]; g != nil {
		g.membersMuted = !may
	}
}

// chatParams reads the chat_id, and user_id when want says so, of a request.
func chatParams(p map[string]string, withUser bool) (chatID, userID int64, apiErr *apiError) {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chatID == 0 {
		return 0, 0, badRequest("chat not found")
	}
	if withUser {
		if userID, err = strconv.ParseInt(p["user_id"], 10, 64); err != nil || userID <= 0 {
			return 0, 0, badRequest("invalid user_id specified")
		}
	}
	return chatID, userID, nil
}

// getChat answers with a ChatFullInfo: a known group, or the private chat of a user who
// wrote to the bot. Telegram knows no other chat for the bot.
func (s *Server) getChat(p map[string]string) (any, *apiError) {
	chatID, _, apiErr := chatParams(p, false)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"id": chatID, "accent_color_id": 0, "max_reaction_count": 11,
		"accepted_gift_types": map[string]bool{"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false,
			"premium_subscription": false, "gifts_from_channels": false}}
	if g := s.groups[chatID]; g != nil {
		switch {
		case g.migratedTo != 0:
			return nil, &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: g.migratedTo}
		case g.bot == StatusLeft || g.bot == StatusKicked:
			return nil, &apiError{code: 403, desc: "Forbidden: bot is not a member of the " + g.kind() + " chat"}
		}
		info["type"], info["title"] = g.kind(), g.title
		if g.forum {
			info["is_forum"] = true
		}
		info["permissions"] = map[string]bool{"can_send_messages": !g.membersMuted}
		return info, nil
	}
	if u, ok := s.users[chatID]; ok && u.started {
		info["type"], info["first_name"] = "private", u.firstName
		return info, nil
	}
	return nil, badRequest("chat not found")
}

// getChatMember answers with a ChatMember of the shape its status takes.
func (s *Server) getChatMember(p map[string]string) (any, *apiError) {
	chatID, userID, apiErr := chatParams(p, true)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[chatID]
	if g == nil {
		return nil, badRequest("chat not found")
	}
	status, maySend := StatusMember, true
	user := map[string]any{"id": userID, "is_bot": false, "first_name": s.userLocked(userID).firstName}
	if userID == BotID {
		status, maySend = g.bot, g.canSend
		user = map[string]any{"id": BotID, "is_bot": true, "first_name": "modwatch", "username": "modwatch_bot"}
	}
	m := map[string]any{"status": status, "user": user}
	switch status {
	case StatusKicked:
		m["until_date"] = 0
	case StatusRestricted:
		m["is_member"], m["until_date"] = true, 0
		for _, k := range []string{"can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
			"can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
			"can_add_web_page_previews", "can_react_to_messages", "can_edit_tag", "can_change_info", "can_invite_users",
			"can_pin_messages", "can_manage_topics"} {
			m[k] = maySend
		}
	case StatusAdministrator:
		for _, k := range []string{"can_be_edited", "is_anonymous", "can_promote_members", "can_change_info"} {
			m[k] = false
		}
		for _, k := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
			"can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories", "can_pin_messages"} {
			m[k] = true
		}
	}
	return m, nil
}
