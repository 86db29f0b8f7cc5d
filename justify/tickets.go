package justify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Place is where in a community a customer wrote.
type Place string

// Places. Each comment place has a VK restore method; wall posts and messages have none.
const (
	PlaceWallComment   Place = "wall_comment"
	PlacePhotoComment  Place = "photo_comment"
	PlaceVideoComment  Place = "video_comment"
	PlaceMarketComment Place = "market_comment"
	PlaceBoardPost     Place = "board_post"
	PlaceMessage       Place = "message"
	PlaceWallPost      Place = "wall_post"
	// PlaceHelpDesk is a ticket imported from another channel (e-mail, a help desk).
	PlaceHelpDesk Place = "helpdesk"
)

// Restorable reports whether VK can restore a deleted item of this place.
func (p Place) Restorable() bool {
	switch p {
	case PlaceWallComment, PlacePhotoComment, PlaceVideoComment, PlaceMarketComment, PlaceBoardPost:
		return true
	}
	return false
}

// Ref points at one item in VK: a comment, a board post, a wall post or a message.
// OwnerID is the wall or content owner (negative for a community), ParentID the post,
// photo, video, market item or board topic the item belongs to (0 for posts and messages).
type Ref struct {
	GroupID  int64 `json:",omitzero"`
	Place    Place `json:",omitzero"`
	OwnerID  int64 `json:",omitzero"`
	ParentID int64 `json:",omitzero"`
	ItemID   int64 `json:",omitzero"`
}

// Key is the item's stable identity, shared by its creation, edits and deletion.
func (r Ref) Key() string {
	return fmt.Sprintf("vk:%d:%s:%d_%d_%d", r.GroupID, r.Place, r.OwnerID, r.ParentID, r.ItemID)
}

// Link is the item's address in VK's web interface.
func (r Ref) Link() string {
	switch r.Place {
	case PlaceWallComment:
		return fmt.Sprintf("https://vk.com/wall%d_%d?reply=%d", r.OwnerID, r.ParentID, r.ItemID)
	case PlaceWallPost:
		return fmt.Sprintf("https://vk.com/wall%d_%d", r.OwnerID, r.ItemID)
	case PlacePhotoComment:
		return fmt.Sprintf("https://vk.com/photo%d_%d", r.OwnerID, r.ParentID)
	case PlaceVideoComment:
		return fmt.Sprintf("https://vk.com/video%d_%d", r.OwnerID, r.ParentID)
	case PlaceMarketComment:
		return fmt.Sprintf("https://vk.com/product%d_%d", r.OwnerID, r.ParentID)
	case PlaceBoardPost:
		return fmt.Sprintf("https://vk.com/topic%d_%d?post=%d", r.OwnerID, r.ParentID, r.ItemID)
	case PlaceMessage:
		return fmt.Sprintf("https://vk.com/gim%d?sel=%d", r.GroupID, r.OwnerID)
	}
	return ""
}

// Ticket is something a customer wrote, kept so that its words survive a deletion and
// so that modwatch knows whether anyone answered.
type Ticket struct {
	ID          int64     `json:",omitzero"`
	Key         string    `json:",omitzero"` // Ref.Key() for VK items; "import:<external id>" for imported ones
	Ref         Ref       `json:",omitzero"`
	AuthorVKID  int64     `json:",omitzero"`
	AuthorName  string    `json:",omitzero"`
	Text        string    `json:",omitzero"`
	Attachments []string  `json:",omitzero"` // kinds only: photo, video, doc, ...
	Link        string    `json:",omitzero"`
	CreatedAt   time.Time `json:",omitzero"`
	UpdatedAt   time.Time `json:",omitzero"`
	// Answered: when the community first replied, and by which admin when VK said.
	AnsweredAt time.Time `json:",omitzero"`
	AnsweredBy int64     `json:",omitzero"`
	DeletedAt  time.Time `json:",omitzero"`
	DeletedBy  int64     `json:",omitzero"`
	// Imported tickets carry the other channel's fields.
	ExternalID string `json:",omitzero"`
	Subject    string `json:",omitzero"`
	Status     string `json:",omitzero"` // imported status: open, closed, ...
	// Forgotten is set when the text was erased (retention or a person's request).
	Forgotten bool `json:",omitzero"`
}

// Answered reports whether the community replied.
func (t Ticket) Answered() bool { return !t.AnsweredAt.IsZero() }

// Open reports whether the ticket still waits for the community: unanswered, and for
// imported tickets not closed in their own system.
func (t Ticket) Open() bool {
	if t.Ref.Place == PlaceHelpDesk {
		return t.Status != "closed" && t.Status != "resolved" && t.Status != "solved"
	}
	return !t.Answered()
}

// FirstResponse is how long the community took to answer, zero when unanswered.
func (t Ticket) FirstResponse() time.Duration {
	if !t.Answered() {
		return 0
	}
	return t.AnsweredAt.Sub(t.CreatedAt)
}

// Age is how long ago the ticket was written.
func (t Ticket) Age(now time.Time) time.Duration { return now.Sub(t.CreatedAt) }

// applyTicketEvent records what customers write and what the community answers.
func (s *Service) applyTicketEvent(tx Tx, ev Event) error {
	switch ev.Kind {
	case EventWrite:
		t := *ev.Ticket
		if t.Ref.GroupID == 0 {
			t.Ref.GroupID = ev.GroupID
		}
		_, err := tx.UpsertTicket(&t)
		return err
	case EventEdit:
		_, err := tx.EditTicket(ev.Ticket.Key, ev.Ticket.Text, ev.At)
		if errors.Is(err, ErrNotFound) {
			// Written before modwatch watched: keep the edited words as the ticket.
			t := *ev.Ticket
			_, err = tx.UpsertTicket(&t)
		}
		return err
	case EventAnswer:
		if ev.Item.Place == PlaceMessage && ev.ActorVKID == 0 {
			// No admin wrote it: a chat bot or an auto-reply answers nobody, so it must
			// not make a waiting customer look answered in five seconds.
			return nil
		}
		if ev.ReplyTo.ItemID != 0 {
			n, err := tx.MarkAnswered(ev.ReplyTo, false, ev.ActorVKID, ev.At)
			if err != nil || n > 0 {
				return err
			}
		}
		_, err := tx.MarkAnswered(ev.Item, true, ev.ActorVKID, ev.At)
		return err
	}
	return nil
}

// PostsAfter lists a community's captured customer posts not known to be deleted, with a
// ticket ID above afterID, for the post checker's round.
func (s *Service) PostsAfter(ctx context.Context, groupID, afterID int64, limit int) ([]Ticket, error) {
	var out []Ticket
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.PostsAfter(groupID, afterID, limit)
		return err
	})
	return out, err
}

// Evidence is what a case's messages show besides the case itself.
type Evidence struct {
	// Ticket is the deleted item's ticket; nil when modwatch never saw it written.
	Ticket *Ticket
	// UserTickets are the customer's tickets in the community, unanswered first.
	UserTickets []Ticket
}

// Evidence loads what the prompt and review of case c show: the deleted words, and what
// the customer asked before.
func (s *Service) Evidence(ctx context.Context, c Case) (Evidence, error) {
	var ev Evidence
	err := s.Store.View(ctx, func(tx Tx) error {
		if c.Item.Place != "" {
			t, err := tx.Ticket(c.Item.Key())
			switch {
			case err == nil:
				ev.Ticket = &t
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		if c.UserVKID > 0 {
			ts, err := tx.TicketsOf(c.GroupID, c.UserVKID, 10)
			if err != nil {
				return err
			}
			ev.UserTickets = ts
		}
		return nil
	})
	if err != nil {
		return ev, fmt.Errorf("load evidence of case %d: %w", c.ID, err)
	}
	return ev, nil
}
