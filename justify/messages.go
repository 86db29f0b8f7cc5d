package justify

import (
	"time"
)

// MessageKind says what an outbox message is for; the Telegram adapter renders it from the
// case as it is when the message is sent.
type MessageKind string

// Message kinds.
const (
	// MsgPrompt asks the operator for a reason, with reason buttons; edited as the case moves.
	MsgPrompt MessageKind = "prompt"
	// MsgAskText asks the operator to reply with a text explanation.
	MsgAskText MessageKind = "ask_text"
	// MsgReminder reminds the operator that the deadline is near.
	MsgReminder MessageKind = "reminder"
	// MsgReview puts the case before a manager, with Approve and Reverse; edited as the case moves.
	MsgReview MessageKind = "review"
	// MsgOutcome tells the operator what managers decided.
	MsgOutcome MessageKind = "outcome"
	// MsgUndoByHand tells the manager who reversed what to undo in VK by hand, and why.
	MsgUndoByHand MessageKind = "undo_by_hand"
	// MsgAlert is an Alert (Message.Payload) to a manager or owner; edited as repeats
	// of its key arrive.
	MsgAlert MessageKind = "alert"
	// MsgDigest is an owner's Digest (Message.Payload): a chart and the figures.
	MsgDigest MessageKind = "digest"

	// Batch messages (Message.BatchID, CaseID 0) stand for every case of a batch.
	// MsgBatchPrompt asks the operator for one reason for all; edited as the batch grows.
	MsgBatchPrompt MessageKind = "batch_prompt"
	// MsgBatchAskText asks the operator for one text for all the batch's cases.
	MsgBatchAskText MessageKind = "batch_ask_text"
	// MsgBatchReminder reminds the operator once for the whole batch.
	MsgBatchReminder MessageKind = "batch_reminder"
	// MsgBatchReview puts the batch before a manager, with Approve all and One by one.
	MsgBatchReview MessageKind = "batch_review"
	// MsgBatchOutcome tells the operator what managers decided for the batch.
	MsgBatchOutcome MessageKind = "batch_outcome"
)

// Message is an outbox entry: written in the same transaction as the change that causes
// it and delivered after, so a crash neither loses nor invents a notification.
type Message struct {
	ID     int64
	CaseID CaseID
	ChatID int64 // the recipient's Telegram id, or a team chat's (negative)
	// Topic is the forum topic of a team chat the message goes to (message_thread_id); 0
	// for none. An edit is shown where its original is.
	Topic int
	// BatchID is set, instead of CaseID, on the messages of a batch.
	BatchID BatchID
	Kind    MessageKind
	// EditOf is the ID of an earlier message to edit in place instead of sending anew.
	EditOf  int64
	Created time.Time
	// Payload carries what a message not about one case shows (an Alert, as JSON).
	Payload string

	// Delivery state, kept by the sender.
	SentAt            time.Time
	TelegramMessageID int
	Attempts          int
	NextAttempt       time.Time
	LastError         string
	Failed            bool // given up: permanent error
	// Short is set when Telegram refused the message as written and took its short form,
	// without anyone's words: its edits go short too.
	Short bool
}

// Sent is a message Telegram took, as the sender records it in the outbox.
type Sent struct {
	ID                int64
	TelegramMessageID int
	At                time.Time
	// Short is set when the message went in its short form: its edits go short too.
	Short bool
	// Refused is why Telegram refused the message as written, when it did; kept as the
	// message's last error.
	Refused string
}

// PendingInput remembers that the bot asked a person for a text and what it is for.
type PendingInput struct {
	TelegramID int64
	CaseID     CaseID
	Reason     Reason // the reason the text goes with; empty to explain an existing reason
	// BatchID is set, instead of CaseID, when the text is the reason of a whole batch.
	BatchID BatchID
	Created time.Time
}

// Button is what an inline button stands for. Telegram only carries its opaque token; the
// rest stays in the store, so a button cannot be forged and works only for its recipient.
type Button struct {
	Token   string
	CaseID  CaseID
	BatchID BatchID // set instead of CaseID on a batch's buttons
	// SpotCheckID is set, instead of CaseID, on a spot check's Good and Bad.
	SpotCheckID SpotCheckID
	// TelegramID is the only account allowed to press it; 0 on a team chat's buttons,
	// which any member may press and the service checks at the press (MayDecide): only
	// the case's deciders get anything done.
	TelegramID int64
	Action     string // adapter-defined: "reason", "approve", "reverse", ...
	Reason     Reason
	Created    time.Time
}
