package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UnansweredConv is a conversation in VK's list of unanswered conversations of a
// community (messages.getConversations with filter=unanswered): the customer and their
// last message.
type UnansweredConv struct {
	PeerID    int64
	MessageID int64
	At        time.Time // the last message's date
}

// unansweredCursor is the store key saying the list of a community was read before.
func unansweredCursor(groupID int64) string { return fmt.Sprintf("conv:%d:unanswered", groupID) }

// closedKey is the key of the mark that a conversation left the unanswered list: one per
// customer's last message, so the same departure is marked once.
func closedKey(groupID, peerID, messageID int64) string {
	return fmt.Sprintf("closed:%d:%d:%d", groupID, peerID, messageID)
}

// SyncUnanswered compares a community's list of unanswered conversations, read at seenAt,
// with the list read before. A conversation that left it is marked closed at seenAt (VK
// does not say when): if the community had written nothing since the customer's message,
// the dialog gets a closed-without-reply sign. One that is back with the same last message
// was never really gone (the list changed while it was paged through): its mark is
// withdrawn. The first list of a community is only remembered. It returns how many
// conversations left the list.
func (s *Service) SyncUnanswered(ctx context.Context, groupID int64, list []UnansweredConv, seenAt time.Time) (int, error) {
	left := 0
	err := s.Store.Update(ctx, func(tx Tx) error {
		left = 0
		before, err := tx.Cursor(unansweredCursor(groupID))
		if err != nil {
			return err
		}
		prev, err := tx.UnansweredOf(groupID)
		if err != nil {
			return fmt.Errorf("read the unanswered list kept: %w", err)
		}
		now := map[int64]UnansweredConv{}
		for _, u := range list {
			now[u.PeerID] = u
		}
		if s.conversations() != nil && before != "" {
			// Every conversation of both lists has its closed mark looked up: read them
			// at once rather than a query each, on every poll of the list.
			keys := make([]string, 0, len(prev)+len(list))
			for _, us := range [][]UnansweredConv{prev, list} {
				for _, u := range us {
					keys = append(keys, closedKey(groupID, u.PeerID, u.MessageID))
				}
			}
			if err := tx.PrefetchConvMessages(keys); err != nil {
				return fmt.Errorf("read the closed marks: %w", err)
			}
			for _, p := range prev {
				if _, still := now[p.PeerID]; still {
					continue
				}
				left++
				if err := s.markClosed(tx, groupID, p, seenAt); err != nil {
					return err
				}
			}
			for _, u := range list {
				if err := s.withdrawClosed(tx, groupID, u); err != nil {
					return err
				}
			}
		}
		if err := tx.SaveUnanswered(groupID, list); err != nil {
			return fmt.Errorf("keep the unanswered list: %w", err)
		}
		return tx.SaveCursor(unansweredCursor(groupID), seenAt.UTC().Format(time.RFC3339))
	})
	if err != nil {
		return 0, fmt.Errorf("compare unanswered conversations of group %d: %w", groupID, err)
	}
	return left, nil
}

// markClosed records that a conversation left the unanswered list at seenAt.
func (s *Service) markClosed(tx Tx, groupID int64, p UnansweredConv, seenAt time.Time) error {
	m := ConvMessage{Key: closedKey(groupID, p.PeerID, p.MessageID), GroupID: groupID,
		Conv: MessageConv(groupID, p.PeerID), CustomerVKID: p.PeerID, Side: SideClosed, At: seenAt,
		Ref: Ref{GroupID: groupID, Place: PlaceMessage, OwnerID: p.PeerID, ItemID: p.MessageID}}
	if _, err := tx.ConvMessage(m.Key); err == nil {
		return nil // marked already
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := tx.PutConvMessage(&m, nil); err != nil {
		return fmt.Errorf("mark conversation with %d closed: %w", p.PeerID, err)
	}
	return s.rebuildConversation(tx, m.Conv, seenAt)
}

// withdrawClosed takes back the mark of a conversation that is still unanswered.
func (s *Service) withdrawClosed(tx Tx, groupID int64, p UnansweredConv) error {
	m, err := tx.ConvMessage(closedKey(groupID, p.PeerID, p.MessageID))
	if errors.Is(err, ErrNotFound) || (err == nil && !m.DeletedAt.IsZero()) {
		return nil
	}
	if err != nil {
		return err
	}
	old := m
	m.DeletedAt = s.now()
	if err := tx.PutConvMessage(&m, &old); err != nil {
		return fmt.Errorf("withdraw the closed mark of %d: %w", p.PeerID, err)
	}
	return s.rebuildConversation(tx, m.Conv, m.At)
}
