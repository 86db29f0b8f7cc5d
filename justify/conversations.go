package justify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Conversations are the rules of dialogs and their signs; a Service without them keeps no
// conversations.
type Conversations struct {
	Lexicon *Lexicon
	Rules   DialogRules
	// IdleAfter is the shortest idle stretch that counts (conversations.idle_after).
	IdleAfter time.Duration

	mu    sync.Mutex
	swept time.Time // when today's and yesterday's idle time were last counted
}

// idleSweepEvery is how often idle time still going on is counted again without any
// change: a stretch grows with time alone, but minutes of precision are plenty.
const idleSweepEvery = 5 * time.Minute

// sweepDue reports whether idle time of today and yesterday is due to be counted again,
// and if so takes the turn.
func (c *Conversations) sweepDue(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.swept.IsZero() && now.Sub(c.swept) < idleSweepEvery && !now.Before(c.swept) {
		return false
	}
	c.swept = now
	return true
}

// conversational reports whether customers' words in a place form conversations: community
// messages and comment threads do; wall posts and imported tickets do not.
func conversational(p Place) bool { return p == PlaceMessage || p.Restorable() }

// applyConversation records what an event says of a conversation and rebuilds the
// conversation's dialogs, so that they and their signs are always what the messages say.
func (s *Service) applyConversation(tx Tx, ev Event) error {
	c := s.conversations()
	if c == nil {
		return nil
	}
	switch ev.Kind {
	case EventWrite, EventEdit:
		if !conversational(ev.Ticket.Ref.Place) {
			return nil
		}
		return s.customerMessage(tx, ev)
	case EventAnswer, EventAnswerEdit:
		if !conversational(ev.Item.Place) {
			return nil
		}
		return s.communityMessage(tx, ev)
	case EventDelete, EventRestore:
		if err := s.noteAction(tx, ev); err != nil {
			return err
		}
		return s.deletedMessage(tx, ev)
	case EventBan, EventUnban:
		return s.noteAction(tx, ev)
	}
	return nil
}

// customerMessage records a customer's message or its edit.
func (s *Service) customerMessage(tx Tx, ev Event) error {
	t := ev.Ticket
	ref := t.Ref
	if ref.GroupID == 0 {
		ref.GroupID = ev.GroupID
	}
	conv := MessageConv(ref.GroupID, t.AuthorVKID)
	if ref.Place != PlaceMessage {
		conv = CommentConv(ref, t.AuthorVKID)
	}
	m := ConvMessage{Key: t.Key, GroupID: ref.GroupID, Conv: conv, Ref: ref, CustomerVKID: t.AuthorVKID,
		Side: SideCustomer, TicketKey: t.Key, At: t.CreatedAt,
		Customer: s.conversations().Lexicon.ClassifyCustomer(t.Text, len(t.Attachments) > 0)}
	if ev.Kind == EventEdit {
		m.EditedAt = ev.At
	}
	prev, err := s.putConvMessage(tx, &m, ev)
	if err != nil {
		return err
	}
	return s.rebuildAfterPut(tx, m, prev)
}

// communityMessage records the community's message or comment, or its edit.
func (s *Service) communityMessage(tx Tx, ev Event) error {
	ref := ev.Item
	if ref.GroupID == 0 {
		ref.GroupID = ev.GroupID
	}
	reply := Reply{}
	if ev.Reply != nil {
		reply = *ev.Reply
	}
	m := ConvMessage{Key: ref.Key(), GroupID: ref.GroupID, Ref: ref, Side: SideCommunity, AdminVKID: ev.ActorVKID,
		Text: reply.Text, At: reply.WrittenAt}
	if m.At.IsZero() {
		m.At = ev.At
	}
	if ref.Place == PlaceMessage {
		m.CustomerVKID, m.Conv = ref.OwnerID, MessageConv(ref.GroupID, ref.OwnerID)
		// Written through the API with no admin: a chat bot or an auto-reply.
		m.Automatic = ev.ActorVKID == 0
	} else {
		found, err := s.commentCustomer(tx, ev, m.At)
		if err != nil || !found.ok {
			return err
		}
		m.CustomerVKID, m.Conv = found.customer, found.conv
	}
	name, err := tx.CustomerName(ref.GroupID, m.CustomerVKID)
	if err != nil {
		return fmt.Errorf("find the name of customer %d: %w", m.CustomerVKID, err)
	}
	names := NameWords(name)
	lex := s.conversations().Lexicon
	m.Reply = lex.ClassifyReply(reply.Text, names, answeringAttachments(reply.Attachments))
	m.FirstReply = m.Reply
	// Only answers can be templates: «Здравствуйте!», «Уточняю» and «Да» sent to everyone
	// are the same words by nature and have signs of their own.
	if !m.Automatic && m.Reply == ReplyAnswer {
		m.Template = lex.NormalizeTemplate(reply.Text, names)
		m.Hash = TemplateHash(m.Template)
	}
	if ev.Kind == EventAnswerEdit {
		m.EditedAt = reply.EditedAt
		if m.EditedAt.IsZero() {
			m.EditedAt = ev.At
		}
	}
	prev, err := s.putConvMessage(tx, &m, ev)
	if err != nil {
		return err
	}
	if m.human() {
		if err := s.noteAction(tx, Event{GroupID: ref.GroupID, ActorVKID: m.AdminVKID, At: m.At}); err != nil {
			return err
		}
	}
	return s.rebuildAfterPut(tx, m, prev)
}

// answeringAttachments reports whether a reply carries something that may answer by
// itself (a photo, a document, a link); a sticker does not.
func answeringAttachments(kinds []string) bool {
	for _, k := range kinds {
		if k != "sticker" {
			return true
		}
	}
	return false
}

type commentTarget struct {
	ok       bool
	customer int64
	conv     string
}

// commentCustomer finds whose conversation a community comment belongs to: the author
// of the comment it replies to, or else the customer who last wrote in the thread.
func (s *Service) commentCustomer(tx Tx, ev Event, at time.Time) (commentTarget, error) {
	if ev.ReplyTo.ItemID != 0 {
		t, err := tx.Ticket(ev.ReplyTo.Key())
		switch {
		case err == nil && t.AuthorVKID > 0:
			return commentTarget{ok: true, customer: t.AuthorVKID, conv: CommentConv(ev.Item, t.AuthorVKID)}, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return commentTarget{}, err
		case ev.UserVKID > 0:
			// The comment answered is not known yet (delivered late): VK named its author.
			return commentTarget{ok: true, customer: ev.UserVKID, conv: CommentConv(ev.Item, ev.UserVKID)}, nil
		}
	}
	conv, customer, err := tx.ThreadConv(ev.Item, at)
	if errors.Is(err, ErrNotFound) {
		return commentTarget{}, nil // the community wrote first: nobody asked anything
	}
	return commentTarget{ok: err == nil, customer: customer, conv: conv}, err
}

// putConvMessage stores m, keeping what a redelivery or an edit must not change: the
// first class of a community message and the date it was written.
func (s *Service) putConvMessage(tx Tx, m *ConvMessage, ev Event) (*ConvMessage, error) {
	old, err := tx.ConvMessage(m.Key)
	var replaced *ConvMessage
	switch {
	case err == nil:
		replaced = &old
		if m.Side == SideCommunity && ev.Kind == EventAnswerEdit {
			m.FirstReply = old.FirstReply
		} else if m.Side == SideCommunity {
			// A redelivered message_reply after an edit: the edit's words stand.
			m.Text, m.Reply, m.Hash, m.EditedAt, m.FirstReply = old.Text, old.Reply, old.Hash, old.EditedAt, old.FirstReply
			m.Template = "" // known already
		}
		if !old.At.IsZero() {
			m.At = old.At
		}
		if ev.Kind == EventWrite {
			// A redelivered message_new after an edit: the edited words stand.
			m.EditedAt, m.Customer = old.EditedAt, old.Customer
		}
		m.DeletedAt = old.DeletedAt
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	if m.At.IsZero() {
		m.At = s.now()
	}
	if err := tx.PutConvMessage(m, replaced); err != nil {
		return nil, fmt.Errorf("keep conversation message %s: %w", m.Key, err)
	}
	return replaced, nil
}

// rebuildAfterPut rebuilds a conversation from the earliest moment a change touched.
func (s *Service) rebuildAfterPut(tx Tx, m ConvMessage, prev *ConvMessage) error {
	t := m.At
	if prev != nil && prev.Conv != m.Conv {
		if err := s.rebuildSoon(tx, prev.Conv, prev.At); err != nil { // ingest.go
			return err
		}
	}
	if prev != nil && prev.At.Before(t) {
		t = prev.At
	}
	return s.rebuildSoon(tx, m.Conv, t)
}

// deletedMessage marks a conversation message deleted or restored.
func (s *Service) deletedMessage(tx Tx, ev Event) error {
	m, err := tx.ConvMessage(ev.Item.Key())
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	old := m
	if ev.Kind == EventDelete {
		m.DeletedAt = ev.At
		if m.DeletedAt.IsZero() {
			m.DeletedAt = s.now()
		}
	} else {
		m.DeletedAt = time.Time{}
	}
	if err := tx.PutConvMessage(&m, &old); err != nil {
		return fmt.Errorf("keep conversation message %s: %w", m.Key, err)
	}
	return s.rebuildSoon(tx, m.Conv, m.At)
}

// rebuildConversation builds a conversation's dialogs again from the dialog before the
// one that holds t: a change at t can end that dialog differently, open or merge the ones
// after, and decide whether the customer wrote again after the previous dialog's reply.
func (s *Service) rebuildConversation(tx Tx, conv string, t time.Time) error {
	recent, err := tx.DialogsUpTo(conv, t, 3)
	if err != nil {
		return fmt.Errorf("find dialogs of %s: %w", conv, err)
	}
	var from time.Time
	var prev *Dialog
	switch len(recent) {
	case 0: // t is before every dialog: rebuild them all
	case 1:
		from = recent[0].StartedAt
	case 2:
		from = recent[1].StartedAt
	default:
		from, prev = recent[1].StartedAt, &recent[2]
	}
	msgs, err := tx.ConvMessages(conv, from)
	if err != nil {
		return fmt.Errorf("read conversation %s: %w", conv, err)
	}
	ds, wrote := BuildDialogs(msgs, prev, s.conversations().Rules, s.now())
	var changed []ConvMessage
	for _, m := range msgs {
		if m.Side == SideCommunity && wrote[m.Key] != m.WroteAfter {
			m.WroteAfter = wrote[m.Key]
			changed = append(changed, m)
		}
	}
	if err := tx.ReplaceDialogs(conv, from, ds, changed); err != nil {
		return fmt.Errorf("save dialogs of %s: %w", conv, err)
	}
	var signs []Sign
	for _, d := range ds {
		signs = append(signs, d.Signs...)
	}
	if err := s.checkSignsPerDay(tx, signs); err != nil { // signsalert.go
		return err
	}
	if len(msgs) > 0 {
		return s.idleChanged(tx, msgs[0].GroupID, msgs[0].At, msgs[len(msgs)-1].At)
	}
	return nil
}

// TickConversations finds the signs that time alone makes due (an answer deadline
// passing with no answer) and counts idle time again where it may have changed. The
// daemon runs it every few seconds.
func (s *Service) TickConversations(ctx context.Context) error {
	if s.conversations() == nil {
		return nil
	}
	now := s.now()
	seen := map[string]bool{}
	for {
		var done, fresh int
		err := s.Store.Update(ctx, func(tx Tx) error {
			done, fresh = 0, 0
			due, err := tx.DueDialogs(now, dueBatch)
			if err != nil {
				return fmt.Errorf("list due dialogs: %w", err)
			}
			done = len(due)
			for _, d := range due {
				if seen[d.Conv] {
					continue // rebuilt in this tick already: its signs are as due as they get
				}
				seen[d.Conv] = true
				fresh++
				if err := s.rebuildConversation(tx, d.Conv, d.StartedAt); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("find due signs: %w", err)
		}
		if done < dueBatch || fresh == 0 {
			break
		}
	}
	return s.countIdle(ctx, now)
}

// dueBatch bounds the dialogs rebuilt in one transaction of a tick.
const dueBatch = 200
