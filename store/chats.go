package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.ChatStore = (*Tx)(nil)

// TeamChat returns what is known of a chat; see justify.ChatStore.
func (t *Tx) TeamChat(id int64) (justify.TeamChat, error) {
	c := justify.TeamChat{ID: id}
	var lost, back int64
	err := t.queryRow("SELECT moved_to, lost_at, lost_why, back_at FROM team_chats WHERE chat_id = ?", id).
		Scan(&c.MovedTo, &lost, &c.LostWhy, &back)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("load team chat %d: %w", id, err)
	}
	c.LostAt, c.BackAt = fromMS(lost), fromMS(back)
	return c, nil
}

// SaveTeamChat records what is known of a chat, replacing what was.
func (t *Tx) SaveTeamChat(c justify.TeamChat) error {
	_, err := t.exec(`INSERT INTO team_chats (chat_id, moved_to, lost_at, lost_why, back_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET moved_to = excluded.moved_to, lost_at = excluded.lost_at,
		lost_why = excluded.lost_why, back_at = excluded.back_at, updated_at = excluded.updated_at`,
		c.ID, c.MovedTo, ms(c.LostAt), c.LostWhy, ms(c.BackAt), ms(t.now()))
	if err != nil {
		return fmt.Errorf("save team chat %d: %w", c.ID, err)
	}
	return nil
}

// MoveChat points the outbox from chat from to chat to; see justify.ChatStore. A sent
// original loses its Telegram message id, which belongs to the old chat: its next edit is
// sent as a new message and the original takes that one (MarkSent).
func (t *Tx) MoveChat(from, to int64) (int, error) {
	unsent, err := t.affected("UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND sent_at = 0", to, from)
	if err != nil {
		return 0, fmt.Errorf("move unsent messages of chat %d to %d: %w", from, to, err)
	}
	sent, err := t.affected("UPDATE outbox SET chat_id = ?, tg_msg_id = 0 WHERE chat_id = ? AND sent_at != 0 AND edit_of = 0", to, from)
	if err != nil {
		return 0, fmt.Errorf("move sent messages of chat %d to %d: %w", from, to, err)
	}
	return unsent + sent, nil
}

// MessagesIn lists the original messages of kinds sent or queued to a chat, oldest first.
func (t *Tx) MessagesIn(chat int64, kinds ...justify.MessageKind) ([]justify.Message, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{chat}
	for _, k := range kinds {
		args = append(args, k)
	}
	return queryMessages(t.ctx, t, "WHERE chat_id = ? AND edit_of = 0 AND kind IN (?"+strings.Repeat(", ?", len(kinds)-1)+") ORDER BY id", args...)
}

// DropQueued gives up the unsent messages to a chat with why as their error, and returns
// how many.
func (t *Tx) DropQueued(chat int64, why string) (int, error) {
	n, err := t.affected("UPDATE outbox SET failed = 1, last_error = ? WHERE chat_id = ? AND sent_at = 0 AND failed = 0", why, chat)
	if err != nil {
		return 0, fmt.Errorf("give up messages queued for chat %d: %w", chat, err)
	}
	return n, nil
}
