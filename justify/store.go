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
// writes is saved together, or nothing is.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is the set of reads and writes available inside a transaction.
type Tx interface {
	// InsertEvent stores ev and reports whether it was new; an event whose key is already
	// stored writes nothing and returns false.
	InsertEvent(ev Event) (bool, error)
	// Cursor returns a watcher's saved position, "" when none.
	Cursor(key string) (string, error)
	SaveCursor(key, value string) error

	// CreateCase stores a new case, setting its ID and Version.
	CreateCase(c *Case) error
	// Case loads a case, or returns ErrNotFound.
	Case(id CaseID) (Case, error)
	// OpenCaseFor returns the newest open case of kind about a user in a group, or ErrNotFound.
	OpenCaseFor(groupID, userVKID int64, kind EventKind) (Case, error)
	// SaveCase writes c if nobody saved it since it was loaded (else ErrConflict) and bumps
	// its Version.
	SaveCase(c *Case) error
	// DueCases lists cases awaiting a reason whose reminder or deadline is at or before now.
	DueCases(now time.Time) ([]Case, error)
	// CasesInState lists cases in a state, oldest first.
	CasesInState(s State) ([]Case, error)

	AddDecision(d Decision) error
	Decisions(id CaseID) ([]Decision, error)

	// Enqueue adds a message to the outbox and returns its ID. An edit replaces the
	// unsent, never tried edits of the same message: they would only show an older state.
	Enqueue(m Message) (int64, error)
	// MessagesOf lists a case's original (not edit) messages of a kind, oldest first.
	MessagesOf(id CaseID, kind MessageKind) ([]Message, error)

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
	// MarkDeleted and MarkRestored record a ticket's deletion and restoration.
	MarkDeleted(key string, by int64, at time.Time) error
	MarkRestored(key string) error
	// TicketsOf lists a customer's tickets in a group, unanswered first, then newest first.
	TicketsOf(groupID, vkID int64, limit int) ([]Ticket, error)
	// OpenCaseForItem returns the newest open case about an item (by Ref.Key), or ErrNotFound.
	OpenCaseForItem(ref Ref) (Case, error)
	// LastBanEvent returns the newest ban or unban event of a user in a group, or ErrNotFound.
	LastBanEvent(groupID, userVKID int64) (Event, error)
	// ActiveBans maps the users of a group whose latest recorded ban is not followed by an
	// unban to the ID of that ban event.
	ActiveBans(groupID int64) (map[int64]int64, error)
	// LastEventID is the ID of the newest recorded event, 0 when none: a position in the
	// record that later events are after.
	LastEventID() (int64, error)
	// PostsAfter lists a group's customer wall-post tickets not known deleted whose ID is
	// above afterID, by ID, up to limit.
	PostsAfter(groupID, afterID int64, limit int) ([]Ticket, error)
	// RecentActions counts an admin's bans or deletions (events of kind) in a group since a time.
	RecentActions(groupID, actorVKID int64, kind EventKind, since time.Time) (int, error)

	// NoteAlert records an alert under its key: a.Key seen for the first time, or last seen
	// before window ago, starts a new group (first = true); otherwise the group's count grows.
	NoteAlert(a Alert, window time.Duration) (g AlertGroup, first bool, err error)
	// AlertMessages lists the original messages showing the newest group of an alert key.
	AlertMessages(key string) ([]Message, error)

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

	SetPendingInput(in PendingInput) error
	// PendingInput returns what the bot asked a person for, or ErrNotFound.
	PendingInput(telegramID int64) (PendingInput, error)
	ClearPendingInput(telegramID int64) error
}

// Outbox is how the sender reads and settles outbox messages.
type Outbox interface {
	// DueMessages lists unsent, not failed messages whose next attempt is due, oldest
	// first, leaving out the chats in except.
	DueMessages(ctx context.Context, now time.Time, limit int, except ...int64) ([]Message, error)
	Message(ctx context.Context, id int64) (Message, error)
	MarkSent(ctx context.Context, id int64, telegramMessageID int, at time.Time) error
	// MarkRetry counts a failed attempt and schedules the next one.
	MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error
	// MarkFailed gives up on a message for good.
	MarkFailed(ctx context.Context, id int64, errText string) error
	// RetryUnreachable makes due again a person's messages that failed because Telegram
	// refused to deliver them (403: they had not pressed Start, or had blocked the bot),
	// and returns how many.
	RetryUnreachable(ctx context.Context, chatID int64) (int, error)
}

// ButtonStore keeps the meaning of inline buttons.
type ButtonStore interface {
	SaveButtons(ctx context.Context, bs []Button) error
	// Button looks a token up, or returns ErrNotFound.
	Button(ctx context.Context, token string) (Button, error)
}
