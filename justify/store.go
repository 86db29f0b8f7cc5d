package justify

import (
	"context"
	"errors"
	"time"
)

// Errors of the store contract.
var (
	// ErrNotFound means the store holds no such record.
	ErrNotFound = errors.New("not found")
	// ErrConflict means someone else changed the case first; the caller should reload.
	ErrConflict = errors.New("the case was changed concurrently")
)

// Store keeps modwatch's state. Each call of Update is one transaction: everything fn
// writes is saved together, or nothing is. The service makes one call per change, so an
// event and the watcher's cursor, or a change and the messages it causes, are saved together.
type Store interface {
	// Update runs fn in one write transaction, saved only if fn returns nil; fn's error is
	// returned as it is.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in one read-only transaction, which sees one consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is the set of reads and writes available inside a transaction: every store below,
// sharing the one transaction. It is valid only inside the function it was given to.
type Tx interface {
	EventStore
	CursorStore
	CaseStore
	DecisionStore
	OutboxStore
	TicketStore
	AlertStore
	BatchStore
	PendingInputStore
	QuarantineStore
	ChatStore
	ConversationStore
	SpotCheckStore
	InboxStore
}

// EventStore keeps the record of moderation events as VK delivered them.
type EventStore interface {
	// InsertEvent stores ev and reports whether it was new; an event whose key is already
	// stored writes nothing and returns false.
	InsertEvent(ev Event) (bool, error)
	// LastBanEvent returns the newest ban or unban event of a user in a group, or ErrNotFound.
	LastBanEvent(groupID, userVKID int64) (Event, error)
	// ActiveBans maps the users of a group whose latest recorded ban is not followed by an
	// unban to the ID of that ban event.
	ActiveBans(groupID int64) (map[int64]int64, error)
	// LastEventID is the ID of the newest recorded event, 0 when none: a position in the
	// record that later events are after.
	LastEventID() (int64, error)
	// RecentActions counts an admin's bans or deletions (events of kind) in a group since a time.
	RecentActions(groupID, actorVKID int64, kind EventKind, since time.Time) (int, error)
	// AdminActedOn reports whether, in a group, the user was banned or had one of their
	// tickets deleted by someone else (a deleter VK named), at a time in [since, until].
	AdminActedOn(groupID, userVKID int64, since, until time.Time) (bool, error)
}

// InboxStore keeps long-poll answers as they came until the inbox's deriver has made them
// into events, tickets, cases and dialogs (inbox.go).
type InboxStore interface {
	// AddToInbox keeps events in order and returns their IDs, each higher than every ID
	// kept before, even of events already derived and dropped.
	AddToInbox(events []Event) ([]int64, error)
	// InboxEvents returns the kept events of ids, in ID order; an ID no longer kept is
	// left out.
	InboxEvents(ids []int64) ([]InboxEvent, error)
	// InboxAfter returns up to limit kept events with an ID above after, in ID order.
	InboxAfter(after int64, limit int) ([]InboxEvent, error)
	// DropFromInbox deletes the kept events of ids and returns how many there were.
	DropFromInbox(ids []int64) (int, error)
}

// CursorStore keeps positions: how far a watcher has read, the last period a digest
// covered. Saved in the same transaction as what was read up to it, a cursor is never
// ahead of the record.
type CursorStore interface {
	// Cursor returns a saved position, "" when none.
	Cursor(key string) (string, error)
	// SaveCursor saves a position, replacing the previous one.
	SaveCursor(key, value string) error
}

// CaseStore keeps cases: one admin action each, with its reason and decision.
type CaseStore interface {
	// CreateCase stores a new case, setting its ID and Version.
	CreateCase(c *Case) error
	// Case loads a case, or returns ErrNotFound.
	Case(id CaseID) (Case, error)
	// OpenCaseFor returns the newest open case of kind about a user in a group, or ErrNotFound.
	OpenCaseFor(groupID, userVKID int64, kind EventKind) (Case, error)
	// OpenCasesFor lists the open cases of kind about a user in a group, oldest first.
	OpenCasesFor(groupID, userVKID int64, kind EventKind) ([]Case, error)
	// OpenCaseForItem returns the newest open case about an item (by Ref.Key), or ErrNotFound.
	OpenCaseForItem(ref Ref) (Case, error)
	// SaveCase writes c if nobody saved it since it was loaded (else ErrConflict) and bumps
	// its Version.
	SaveCase(c *Case) error
	// DueCases lists cases awaiting a reason whose reminder or deadline is at or before now.
	DueCases(now time.Time) ([]Case, error)
	// CasesInState lists cases in a state, oldest first.
	CasesInState(s State) ([]Case, error)
}

// DecisionStore keeps the cases' append-only audit trail.
type DecisionStore interface {
	// AddDecision appends d to its case's trail; the case must exist.
	AddDecision(d Decision) error
	// Decisions lists a case's trail in the order it was written.
	Decisions(id CaseID) ([]Decision, error)
}

// OutboxStore keeps the messages to send, written with the change that causes them.
type OutboxStore interface {
	// Enqueue adds a message to the outbox and returns its ID. An edit replaces the
	// unsent, never tried edits of the same message: they would only show an older state.
	Enqueue(m Message) (int64, error)
	// MessagesOf lists a case's original (not edit) messages of a kind, oldest first.
	MessagesOf(id CaseID, kind MessageKind) ([]Message, error)
	// SettleSent records that Telegram took a message (in its short form when s.Refused is
	// set), and reports false when the message is no longer in the outbox.
	SettleSent(s Sent) (bool, error)
}

// TicketStore keeps what customers wrote and whether the community answered.
type TicketStore interface {
	// UpsertTicket stores a ticket by its Key and reports whether it was new; for a known
	// key it changes nothing. It sets t.ID.
	UpsertTicket(t *Ticket) (bool, error)
	// EditTicket replaces a ticket's text, keeping the previous text in its history, or
	// returns ErrNotFound.
	EditTicket(key, text string, at time.Time) (Ticket, error)
	// Ticket loads a ticket by key, or returns ErrNotFound.
	Ticket(key string) (Ticket, error)
	// MarkAnswered marks as answered by (0: unknown) at the time at: the ticket of ref when
	// thread is false; when thread is true every unanswered ticket of ref's thread (same
	// group, place, owner and parent; for messages, same group and owner = the customer)
	// written at or before at. It returns how many tickets it marked.
	MarkAnswered(ref Ref, thread bool, by int64, at time.Time) (int, error)
	// MarkDeleted records a ticket's deletion, or returns ErrNotFound.
	MarkDeleted(key string, by int64, at time.Time) error
	// MarkRestored records that a deleted ticket is back, or returns ErrNotFound.
	MarkRestored(key string) error
	// TicketsOf lists a customer's tickets in a group, unanswered first, then newest first.
	TicketsOf(groupID, vkID int64, limit int) ([]Ticket, error)
	// PostsAfter lists a group's customer wall-post tickets not known deleted whose ID is
	// above afterID, by ID, up to limit.
	PostsAfter(groupID, afterID int64, limit int) ([]Ticket, error)
}

// AlertStore keeps alert groups: repeats of one alert key within a window are one group.
type AlertStore interface {
	// NoteAlert records an alert under its key: a.Key seen for the first time, or last seen
	// before window ago, starts a new group (first = true); otherwise the group's count grows.
	NoteAlert(a Alert, window time.Duration) (g AlertGroup, first bool, err error)
	// AlertMessages lists the original messages showing the newest group of an alert key.
	AlertMessages(key string) ([]Message, error)
}

// BatchStore keeps batches: a wave of one operator's actions asked about as one.
type BatchStore interface {
	// CreateBatch stores a new batch, setting its ID and Version.
	CreateBatch(b *Batch) error
	// Batch loads a batch with its member counts, or returns ErrNotFound.
	Batch(id BatchID) (Batch, error)
	// SaveBatch writes b if nobody saved it since it was loaded (else ErrConflict).
	SaveBatch(b *Batch) error
	// OpenBatchFor returns the newest open batch of an operator's actions of kind in a
	// group, without member counts, or ErrNotFound.
	OpenBatchFor(groupID int64, operator string, kind EventKind) (Batch, error)
	// BatchesInState lists the batches in a state, oldest first, with member counts.
	BatchesInState(st BatchState) ([]Batch, error)
	// BatchCases lists a batch's cases by ID, at most limit (all when limit <= 0).
	BatchCases(id BatchID, limit int) ([]Case, error)
	// BatchMessages lists a batch's original (not edit) messages of a kind, oldest first.
	BatchMessages(id BatchID, kind MessageKind) ([]Message, error)
}

// PendingInputStore keeps what the bot asked each person to type.
type PendingInputStore interface {
	// SetPendingInput remembers what the bot asked a person for, replacing an earlier request.
	SetPendingInput(in PendingInput) error
	// PendingInput returns what the bot asked a person for, or ErrNotFound.
	PendingInput(telegramID int64) (PendingInput, error)
	// ClearPendingInput forgets what the bot asked a person for; clearing nothing is no error.
	ClearPendingInput(telegramID int64) error
}

// ConversationStore keeps conversations, the dialogs built from them with their signs,
// and what counting idle time and closed conversations needs.
type ConversationStore interface {
	// PutConvMessage stores m under its key: a new message when old is nil, else in place
	// of old, the message stored under that key as the caller read it. It sets m.ID.
	PutConvMessage(m *ConvMessage, old *ConvMessage) error
	// ConvMessage loads a conversation message by key, or returns ErrNotFound.
	ConvMessage(key string) (ConvMessage, error)
	// PrefetchConvMessages reads the messages stored under keys at once, for the
	// ConvMessage calls of the rest of the transaction.
	PrefetchConvMessages(keys []string) error
	// ConvMessages lists a conversation's messages dated at or after from, in date order.
	ConvMessages(conv string, from time.Time) ([]ConvMessage, error)
	// ThreadConv returns the conversation and customer of the last customer message in a
	// comment thread (ref's group, place, owner and parent) dated at or before at, or
	// ErrNotFound.
	ThreadConv(ref Ref, at time.Time) (conv string, customer int64, err error)
	// CustomerName returns the newest name known of a customer in a group, "" when none.
	CustomerName(groupID, vkID int64) (string, error)
	// DialogsUpTo lists a conversation's dialogs started at or before t, newest first, at
	// most n, with what a rebuild needs: ID, GroupID, Conv, StartedAt, ClosingAt, ClosingBy.
	DialogsUpTo(conv string, t time.Time, n int) ([]Dialog, error)
	// ReplaceDialogs replaces the dialogs of conv started at or after from, their waits and
	// their signs, by ds (setting their IDs), and saves WroteAfter of the messages in wrote.
	ReplaceDialogs(conv string, from time.Time, ds []Dialog, wrote []ConvMessage) error
	// DueDialogs lists dialogs whose CheckAt is at or before now, soonest first, at most limit.
	DueDialogs(now time.Time, limit int) ([]Dialog, error)
	// UnansweredOf returns a community's list of unanswered conversations as last kept.
	UnansweredOf(groupID int64) ([]UnansweredConv, error)
	// SaveUnanswered replaces a community's list of unanswered conversations.
	SaveUnanswered(groupID int64, list []UnansweredConv) error
	// MarkIdleDirty marks a day whose idle time must be counted again.
	MarkIdleDirty(d IdleDay) error
	// IdleDirty lists the days marked.
	IdleDirty() ([]IdleDay, error)
	// ClearIdleDirty removes a day's mark.
	ClearIdleDirty(d IdleDay) error
	// WaitsBetween lists a community's waits that overlap [from, to): those that ended,
	// and those still going on with a zero To.
	WaitsBetween(groupID int64, from, to time.Time) ([]Interval, error)
	// ActionTimes lists when an admin acted in [from, to) in the given communities: their
	// replies, bans, unbans, deletions and restores.
	ActionTimes(vkID int64, groupIDs []int64, from, to time.Time) ([]time.Time, error)
	// ReplaceIdle replaces a community's idle signs that start in [from, to) by signs.
	ReplaceIdle(groupID int64, from, to time.Time, signs []Sign) error
	// OperatorSigns lists an operator's signs in a community dated in [from, to), with
	// their words, for the alert about their day (signsalert.go); CountOperatorSigns
	// counts them.
	OperatorSigns(groupID, vkID int64, from, to time.Time) ([]Sign, error)
	CountOperatorSigns(groupID, vkID int64, from, to time.Time) (int, error)
}

type bulkKey struct{}

// Bulk marks ctx as bulk work: the store may let other writers (what opens cases, the
// sender's bookkeeping, presses) go before a transaction under it. Ingest records the
// bulk of a long-poll answer so, after what the answer asks of people.
func Bulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

// IsBulk reports whether ctx was marked by Bulk.
func IsBulk(ctx context.Context) bool { v, _ := ctx.Value(bulkKey{}).(bool); return v }

type urgentKey struct{}

// Urgent marks ctx as work someone waits on: the store lets a transaction under it go
// before every other waiting writer. The inbox derives what opens or closes cases so,
// ahead of the watchers recording a burst.
func Urgent(ctx context.Context) context.Context { return context.WithValue(ctx, urgentKey{}, true) }

// IsUrgent reports whether ctx was marked by Urgent.
func IsUrgent(ctx context.Context) bool { v, _ := ctx.Value(urgentKey{}).(bool); return v }
