package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Chat is a team chat: a Telegram group or supergroup where a community's reviews (or
// alerts) go as one message for the whole team instead of one to each person, so that
// everyone sees who decided. Topic is a forum topic of a supergroup (Telegram's
// message_thread_id); 0 for none.
type Chat struct {
	ID    int64
	Topic int
}

// IsSet reports whether a chat is configured.
func (c Chat) IsSet() bool { return c.ID != 0 }

// TeamChat is what modwatch learned of a team chat from Telegram, beyond the config.
type TeamChat struct {
	ID int64
	// MovedTo is the chat's new id once Telegram upgraded the group to a supergroup: the
	// config still names the old one, and everything follows the move.
	MovedTo int64
	// LostAt is when the bot found it can no longer write there (removed from the chat,
	// or without the right to write), and LostWhy Telegram's words; zero while it can.
	// Meanwhile reviews and alerts go to people privately.
	LostAt  time.Time
	LostWhy string
	// BackAt is when the bot last found it may write there again. A refusal of a request
	// made before then is stale: Telegram answered for the chat as it was.
	BackAt time.Time
}

// ErrChatBack means a team chat's refusal is stale: the bot was found able to write there
// again after the refused request was made, so the chat stays in use and the message is
// to be sent again.
var ErrChatBack = errors.New("the bot may write to the chat again since the request was made")

// Lost reports whether the bot cannot write to the chat now.
func (c TeamChat) Lost() bool { return !c.LostAt.IsZero() }

// ChatStore keeps what is known of team chats, and moves the outbox with them.
type ChatStore interface {
	// TeamChat returns what is known of a chat; for a chat never recorded, a TeamChat with
	// only its ID.
	TeamChat(id int64) (TeamChat, error)
	// SaveTeamChat records what is known of a chat, replacing what was.
	SaveTeamChat(c TeamChat) error
	// MoveChat points the outbox from chat from to chat to, and returns how many messages
	// it moved: unsent messages go to the new chat, and sent originals are shown anew there
	// at their next edit (a message of the old group cannot be edited in the new one).
	MoveChat(from, to int64) (int, error)
	// MessagesIn lists the original (not edit) messages of the kinds given sent or queued
	// to a chat, oldest first.
	MessagesIn(chat int64, kinds ...MessageKind) ([]Message, error)
	// DropQueued gives up the unsent messages to a chat, recording why, and returns how
	// many: what they show is sent privately instead.
	DropQueued(chat int64, why string) (int, error)
}

// maxMoves bounds how many moves of a chat are followed: a group is upgraded once, so
// more means a loop in the record.
const maxMoves = 4

// follow returns where chat id is now, following its moves.
func follow(tx Tx, id int64) (TeamChat, error) {
	for range maxMoves {
		tc, err := tx.TeamChat(id)
		if err != nil {
			return tc, fmt.Errorf("look up team chat %d: %w", id, err)
		}
		if tc.MovedTo == 0 || tc.MovedTo == id {
			return tc, nil
		}
		id = tc.MovedTo
	}
	return TeamChat{}, fmt.Errorf("team chat %d: moved more than %d times", id, maxMoves)
}

// usableChat returns where what is meant for configured chat c goes now (following its
// moves), and false when none is configured or the bot cannot write there.
func (s *Service) usableChat(tx Tx, c Chat) (Chat, bool, error) {
	if !c.IsSet() {
		return c, false, nil
	}
	tc, err := follow(tx, c.ID)
	if err != nil {
		return c, false, err
	}
	return Chat{ID: tc.ID, Topic: c.Topic}, !tc.Lost(), nil
}

// alertsChat is the team chat of a community's alerts, or of alerts about no community.
func (s *Service) alertsChat(groupID int64) Chat {
	set := s.settings()
	if groupID == 0 {
		return set.AlertsChat
	}
	return set.Communities[groupID].AlertsChat
}

// chatUsers lists the communities whose reviews or alerts go to chat id now (0 standing
// for alerts about no community).
func (s *Service) chatUsers(tx Tx, id int64) ([]int64, error) {
	var out []int64
	check := func(groupID int64, cs ...Chat) error {
		for _, c := range cs {
			if !c.IsSet() {
				continue
			}
			tc, err := follow(tx, c.ID)
			if err != nil {
				return err
			}
			if tc.ID == id {
				out = append(out, groupID)
				return nil
			}
		}
		return nil
	}
	set := s.settings()
	for groupID, cm := range set.Communities {
		if err := check(groupID, cm.ReviewChat, cm.AlertsChat); err != nil {
			return nil, err
		}
	}
	if err := check(0, set.AlertsChat); err != nil {
		return nil, err
	}
	return out, nil
}

// ChatMoved records that Telegram upgraded team chat from to a supergroup, to: what is
// queued for it goes to the new chat, later reviews and alerts too, and the record keeps
// the move across restarts (the config may go on naming the old id). It reports whether
// the move is news.
func (s *Service) ChatMoved(ctx context.Context, from, to int64) (bool, error) {
	if from == to || to == 0 {
		return false, nil
	}
	news := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		tc, err := tx.TeamChat(from)
		if err != nil {
			return err
		}
		if tc.MovedTo != to {
			news, tc.MovedTo = true, to
			if err := tx.SaveTeamChat(tc); err != nil {
				return fmt.Errorf("record the move of chat %d to %d: %w", from, to, err)
			}
		}
		// Again even when known: a message read before the move was recorded may still
		// name the old chat.
		_, err = tx.MoveChat(from, to)
		return err
	})
	return news, err
}

// ChatLost records that the bot can no longer write to team chat id (removed from it, or
// without the right to write; why says how Telegram put it), and reports whether that is
// news. asked is when the refused request was made, zero when Telegram told of the loss
// itself (a membership update, which comes in order): a refusal asked for no later than
// the chat was last found back is stale and returns ErrChatBack, since a message in
// flight while the bot was added back must not lose the chat again. In the same
// transaction: what was queued there is given up; the reviews shown or queued there of
// cases and batches still open go to their deciders privately, and the alerts that never
// reached it to their recipients; later ones go privately too until ChatBack; and the
// managers of the communities using the chat are alerted, once. A chat the config does
// not use is not recorded.
func (s *Service) ChatLost(ctx context.Context, id int64, why string, asked time.Time) (bool, error) {
	news := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		users, err := s.chatUsers(tx, id)
		if err != nil || len(users) == 0 {
			return err
		}
		tc, err := follow(tx, id)
		if err != nil || tc.Lost() {
			return err
		}
		// The record keeps milliseconds: within the same one, the newer news (back) wins,
		// which at worst sends the message once more.
		if !asked.IsZero() && !tc.BackAt.IsZero() && !asked.Truncate(time.Millisecond).After(tc.BackAt) {
			return ErrChatBack
		}
		news, tc.LostAt, tc.LostWhy = true, s.now(), why
		if err := tx.SaveTeamChat(tc); err != nil {
			return fmt.Errorf("record that chat %d is lost: %w", id, err)
		}
		if err := s.reviewPrivately(tx, tc.ID); err != nil {
			return err
		}
		if _, err := tx.DropQueued(tc.ID, "the bot cannot write to this chat: "+why); err != nil {
			return err
		}
		return s.alertTo(tx, Alert{Kind: AlertChatLost, Key: fmt.Sprintf("chat_lost:%d", tc.ID),
			Subject: fmt.Sprint(tc.ID), Count: 1, Detail: why, At: s.now()}, s.chatManagers(users))
	})
	if err != nil {
		return false, fmt.Errorf("fall back from team chat %d: %w", id, err)
	}
	return news, nil
}

// ChatBack records that the bot may write to team chat id again (added back, or given the
// right to write): later reviews and alerts go there again. It reports whether the chat
// was lost.
func (s *Service) ChatBack(ctx context.Context, id int64) (bool, error) {
	back := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		tc, err := follow(tx, id)
		if err != nil || !tc.Lost() {
			return err
		}
		back, tc.LostAt, tc.LostWhy, tc.BackAt = true, time.Time{}, "", s.now()
		return tx.SaveTeamChat(tc)
	})
	if err != nil {
		return false, fmt.Errorf("record that chat %d is back: %w", id, err)
	}
	return back, nil
}

// reviewPrivately sends privately what a lost chat showed or was to show: the review of
// each case and batch still before managers, and each alert that never reached it.
func (s *Service) reviewPrivately(tx Tx, chat int64) error {
	shown, err := tx.MessagesIn(chat, MsgReview, MsgBatchReview, MsgAlert)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, m := range shown {
		switch m.Kind {
		case MsgReview:
			key := fmt.Sprintf("case:%d", m.CaseID)
			if done[key] {
				continue
			}
			done[key] = true
			c, err := tx.Case(m.CaseID)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if private, err := shownPrivately(tx.MessagesOf(c.ID, MsgReview)); err != nil || private || !c.Open() || c.BatchID != 0 {
				if err != nil {
					return err
				}
				continue
			}
			if err := s.sendPrivateReviews(tx, c); err != nil {
				return err
			}
		case MsgBatchReview:
			key := fmt.Sprintf("batch:%d", m.BatchID)
			if done[key] {
				continue
			}
			done[key] = true
			b, err := tx.Batch(m.BatchID)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if private, err := shownPrivately(tx.BatchMessages(b.ID, MsgBatchReview)); err != nil || private || b.State != BatchReview {
				if err != nil {
					return err
				}
				continue
			}
			if err := s.sendPrivateBatchReviews(tx, b); err != nil {
				return err
			}
		case MsgAlert:
			if !m.SentAt.IsZero() {
				continue // the chat saw it
			}
			a, err := ParseAlert(m.Payload)
			if err != nil {
				return err
			}
			for _, p := range s.alertRecipients(a) {
				if _, err := tx.Enqueue(Message{ChatID: p.TelegramID, Kind: MsgAlert, Created: s.now(), Payload: m.Payload}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// shownPrivately reports whether any of ms went to a person rather than a group: a chat
// lost before already had its reviews sent privately.
func shownPrivately(ms []Message, err error) (bool, error) {
	for _, m := range ms {
		if m.ChatID > 0 {
			return true, err
		}
	}
	return false, err
}

// chatManagers are who hears that a team chat is lost: the managers whose scope covers a
// community using it (for alerts about no community, every manager), or, with none,
// such owners.
func (s *Service) chatManagers(groups []int64) []Person {
	people := s.settings().People
	for _, role := range []Role{RoleManager, RoleOwner} {
		var out []Person
		for _, p := range people.WithRole(role) {
			for _, g := range groups {
				if g == 0 || p.Covers(g) {
					out = append(out, p)
					break
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// sendBatchReviews puts the batch before everyone who decides it, never the person who
// acted: one message each, not one per case, or one in the community's review chat.
func (s *Service) sendBatchReviews(tx Tx, b Batch) error {
	chat, ok, err := s.usableChat(tx, s.settings().Communities[b.GroupID].ReviewChat) // chats.go
	if err != nil || ok {
		if ok {
			_, err = tx.Enqueue(Message{BatchID: b.ID, ChatID: chat.ID, Topic: chat.Topic, Kind: MsgBatchReview, Created: s.now()})
		}
		return err
	}
	return s.sendPrivateBatchReviews(tx, b)
}

// sendPrivateBatchReviews puts the batch before each of its deciders privately.
func (s *Service) sendPrivateBatchReviews(tx Tx, b Batch) error {
	for _, m := range s.settings().People.Deciders(b.GroupID, b.Operator, b.ActorVKID) {
		if _, err := tx.Enqueue(Message{BatchID: b.ID, ChatID: m.TelegramID, Kind: MsgBatchReview, Created: s.now()}); err != nil {
			return err
		}
	}
	return nil
}
