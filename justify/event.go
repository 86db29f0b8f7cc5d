package justify

import (
	"fmt"
	"time"
)

// EventKind is the kind of a moderation event.
type EventKind string

// Event kinds.
const (
	EventBan   EventKind = "ban"
	EventUnban EventKind = "unban"
	// EventDelete: an admin or the author deleted a comment or board post (Item).
	EventDelete EventKind = "delete"
	// EventRestore: a deleted item was restored in VK.
	EventRestore EventKind = "restore"
	// EventVanished: a customer's post captured earlier no longer exists. VK sends no event
	// for deleted wall posts and does not say who deleted one: the author or an admin.
	EventVanished EventKind = "vanished"
	// EventWrite: a customer wrote something (Ticket): a comment, a post, a message.
	EventWrite EventKind = "write"
	// EventEdit: a customer edited what they wrote (Ticket holds the new text).
	EventEdit EventKind = "edit"
	// EventAnswer: the community replied (Item is the reply, ReplyTo what it answers when VK
	// says; ActorVKID the admin who wrote it when VK says).
	EventAnswer EventKind = "answer"
	// EventAnswerEdit: the community edited its own message or comment (Item; Reply holds
	// the new words).
	EventAnswerEdit EventKind = "answer_edit"
	// EventOfficers: the community's admins changed (ActorVKID changed UserVKID's level;
	// Comment says from which level to which).
	EventOfficers EventKind = "officers"
)

// Source says how an event was learned.
type Source string

// Sources.
const (
	SourceLongPoll  Source = "longpoll"
	SourceReconcile Source = "reconcile"
)

// BanReason is the reason an admin picked in VK's ban form, with VK's numeric codes.
type BanReason int

// VK's ban reasons.
const (
	BanOther    BanReason = 0
	BanSpam     BanReason = 1
	BanAbuse    BanReason = 2
	BanLanguage BanReason = 3
	BanFlood    BanReason = 4
)

// Event is one admin action in a watched community, as modwatch records it.
//
// An event waiting to be derived is kept in the inbox as JSON. Its zero fields are left
// out (omitzero, here and in Ticket, Ref and Reply): most are zero, and a comment's
// record is then half the size, and half the work to read back, while a record that
// still spells them out reads the same.
type Event struct {
	// Key identifies the event across redeliveries: VK's event_id for long-poll events,
	// a key derived from the ban for reconciliation. The same key is stored once.
	Key       string    `json:",omitzero"`
	GroupID   int64     `json:",omitzero"`
	Kind      EventKind `json:",omitzero"`
	ActorVKID int64     `json:",omitzero"` // the admin who acted; 0 when VK did not say
	UserVKID  int64     `json:",omitzero"` // the user acted upon
	UserName  string    `json:",omitzero"`
	VKReason  BanReason `json:",omitzero"`
	Comment   string    `json:",omitzero"`
	Until     time.Time `json:",omitzero"` // end of a ban; zero means forever
	Expired   bool      `json:",omitzero"` // an unban that happened because the ban ran out
	// At is when the action happened: VK's own time where the event carries one, else the
	// time modwatch received it (long-poll ban events carry no time).
	At     time.Time `json:",omitzero"`
	Source Source    `json:",omitzero"`
	// ActorName is the admin's name when VK told it.
	ActorName string `json:",omitzero"`
	// Position is the event's place in its community's stream of events (VK's long-poll
	// ts), 0 when unknown. It orders a long-poll event against the ban list reconciled
	// from groups.getBanned: VK's ban events carry no time of their own.
	Position int64 `json:",omitzero"`
	// History marks an event older than the ban list already reconciled: the list holds
	// its effect, so it is recorded and not acted upon. The service sets it.
	History bool `json:",omitzero"`

	// Item is the comment, post or message the event is about (deletions, restores,
	// answers, writes).
	Item Ref `json:",omitzero"`
	// ReplyTo is what an answer replies to, when VK says.
	ReplyTo Ref `json:",omitzero"`
	// Ticket is what a customer wrote (EventWrite, EventEdit).
	Ticket *Ticket `json:",omitzero"`
	// Reply is what the community wrote (EventAnswer, EventAnswerEdit), when VK said.
	Reply *Reply `json:",omitzero"`
}

// Reply is a message or comment the community wrote, as VK delivered it.
type Reply struct {
	Text string `json:",omitzero"`
	// Attachments are their kinds: photo, doc, sticker, ...
	Attachments []string `json:",omitzero"`
	// WrittenAt is VK's date of the message; EditedAt, for an edit, VK's time of the edit
	// (zero when VK did not say).
	WrittenAt, EditedAt time.Time `json:",omitzero"`
}

// Validate refuses events that cannot be acted upon.
func (e Event) Validate() error {
	switch {
	case e.Key == "":
		return fmt.Errorf("event has no key")
	case e.GroupID <= 0:
		return fmt.Errorf("event %s: group id %d is not positive", e.Key, e.GroupID)
	}
	switch e.Kind {
	case EventBan, EventUnban, EventOfficers:
		if e.UserVKID == 0 {
			return fmt.Errorf("event %s: no user id", e.Key)
		}
	case EventDelete, EventRestore, EventVanished, EventAnswer, EventAnswerEdit:
		if e.Item.Place == "" || e.Item.ItemID == 0 {
			return fmt.Errorf("event %s: no item", e.Key)
		}
	case EventWrite, EventEdit:
		if e.Ticket == nil || e.Ticket.Key == "" {
			return fmt.Errorf("event %s: no ticket", e.Key)
		}
	default:
		return fmt.Errorf("event %s: unknown kind %q", e.Key, e.Kind)
	}
	return nil
}
