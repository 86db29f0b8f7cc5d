package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// Team chats: a group or supergroup where a community's reviews (or alerts) go as one
// message for the team (justify/chats.go decides what goes there). This file is how the
// bot keeps them working: it sends to their forum topics, follows a group that Telegram
// upgraded to a supergroup, and falls back to private messages when it may no longer
// write there. Group chats have negative ids, people positive ones.

// isGroup reports whether chat is a group or supergroup rather than a person.
func isGroup(chat int64) bool { return chat < 0 }

// sendOut sends an outbox message as a new Telegram message: to its forum topic when it
// has one.
func (b *Bot) sendOut(ctx context.Context, m justify.Message, v view, kb keyboard) result {
	if m.Topic != 0 && isGroup(m.ChatID) {
		return b.api.SendToTopic(ctx, m.ChatID, m.Topic, v.text, kb)
	}
	return b.send(ctx, m.ChatID, v, kb)
}

// lostChatErrors are Telegram's words (400 Bad Request) for a team chat the bot cannot
// write to though it was not told so by a 403: it lost the right to write, the chat or
// the topic is gone, or the id was never a chat the bot is in.
var lostChatErrors = []string{
	"not enough rights", "have no rights", "chat not found", "chat_write_forbidden",
	"message thread not found", "topic_closed", "topic_deleted", "group chat was deactivated",
}

// lostChat reports whether a refusal means the bot cannot write to a group chat.
func lostChat(r result) bool {
	if r.status != refused {
		return false
	}
	if r.code == http.StatusForbidden {
		return true
	}
	desc := strings.ToLower(r.description)
	for _, e := range lostChatErrors {
		if r.code == http.StatusBadRequest && strings.Contains(desc, e) {
			return true
		}
	}
	return false
}

// teamChatFailure settles a message to a team chat that Telegram refused for a reason of
// the chat, and reports whether it did. A group upgraded to a supergroup is followed at
// once: the move is recorded, what was queued for the group goes to the supergroup, and
// this message is sent again there now. A chat the bot may no longer write to is given
// up: the service sends its reviews and alerts privately and tells the managers once.
func (b *Bot) teamChatFailure(ctx context.Context, m justify.Message, r result, log zerolog.Logger) (bool, error) {
	if !isGroup(m.ChatID) {
		return false, nil
	}
	switch {
	case r.migrateTo != 0:
		if err := b.chatMoved(ctx, m.ChatID, r.migrateTo, log); err != nil {
			return true, err
		}
		// The message now points to the supergroup: it goes out in the next round.
		return true, b.markRetry(ctx, m.ID, r.description, b.deps.Now())
	case lostChat(r):
		news, err := b.deps.Service.ChatLost(ctx, m.ChatID, r.description, r.asked)
		if errors.Is(err, justify.ErrChatBack) {
			// Sent while the bot was away; it is back, so the message goes again now.
			log.Info().Str("error", r.description).Msg("team chat refused a message sent before the bot was back; sending it again")
			return true, b.markRetry(ctx, m.ID, r.description, b.deps.Now())
		}
		if err != nil {
			return true, err
		}
		if news {
			log.Warn().Str("error", r.description).Msg("the bot cannot write to the team chat; its reviews and alerts go privately")
			b.Wake()
		}
		return true, b.markFailed(ctx, m.ID, r.description)
	}
	return false, nil
}

// chatMoved follows a group to the supergroup Telegram upgraded it to.
func (b *Bot) chatMoved(ctx context.Context, from, to int64, log zerolog.Logger) error {
	news, err := b.deps.Service.ChatMoved(ctx, from, to)
	if err != nil {
		return fmt.Errorf("follow chat %d to supergroup %d: %w", from, to, err)
	}
	if news {
		// The config still names the old id; modwatch follows the move either way.
		log.Warn().Int64("chat_id", from).Int64("new_chat_id", to).
			Msg("team chat was upgraded to a supergroup; following it to its new id (put the new id in the config)")
		b.Wake()
	}
	return nil
}

// onMigration handles the service messages of a group's upgrade to a supergroup, which
// come in the old group (migrate_to_chat_id) and in the new one (migrate_from_chat_id),
// and reports whether m was one.
func (b *Bot) onMigration(ctx context.Context, m *tgbotapi.Message) bool {
	from, to := int64(0), int64(0)
	switch {
	case m.MigrateToChatID != 0:
		from, to = m.Chat.ID, m.MigrateToChatID
	case m.MigrateFromChatID != 0:
		from, to = m.MigrateFromChatID, m.Chat.ID
	default:
		return false
	}
	log := b.log.With().Int64("chat_id", from).Logger()
	if err := b.chatMoved(ctx, from, to, log); err != nil {
		log.Error().Err(err).Msg("follow an upgraded group")
	}
	return true
}

// onMyChatMember follows the bot's own membership of group chats: removed, banned or
// forbidden to write, a team chat is lost and its reviews go privately; added back with
// the right to write, it is used again. Private chats (a person blocking the bot) are the
// sender's business.
func (b *Bot) onMyChatMember(ctx context.Context, u *tgbotapi.ChatMemberUpdated) {
	if !isGroup(u.Chat.ID) {
		return
	}
	now := u.NewChatMember
	log := b.log.With().Int64("chat_id", u.Chat.ID).Str("status", now.Status).Int64("by", u.From.ID).Logger()
	var why string
	switch {
	case now.Status == "left":
		why = fmt.Sprintf("the bot was removed from the chat (by Telegram user %d)", u.From.ID)
	case now.Status == "kicked":
		why = fmt.Sprintf("the bot was banned from the chat (by Telegram user %d)", u.From.ID)
	case now.Status == "restricted" && !now.CanSendMessages:
		why = fmt.Sprintf("the bot may no longer write in the chat (restricted by Telegram user %d)", u.From.ID)
	}
	if why == "" {
		back, err := b.deps.Service.ChatBack(ctx, u.Chat.ID)
		if err != nil {
			log.Error().Err(err).Msg("record that the bot may write to a chat again")
			return
		}
		if back {
			log.Info().Msg("the bot may write to the team chat again; its reviews and alerts go there")
		}
		return
	}
	news, err := b.deps.Service.ChatLost(ctx, u.Chat.ID, why, time.Time{})
	if err != nil {
		log.Error().Err(err).Msg("fall back from a lost team chat")
		return
	}
	if news {
		log.Warn().Str("why", why).Msg("the bot cannot write to the team chat; its reviews and alerts go privately")
		b.Wake()
		return
	}
	log.Info().Msg("the bot's membership of a chat changed")
}
