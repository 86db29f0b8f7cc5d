package telegram

import (
	"context"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// The bot's reads and writes outside the service's workflow, each one a transaction of its
// own: the store behind them never lends the bot a transaction.

// Outbox is how the sender reads and settles outbox messages.
type Outbox interface {
	// DueMessages lists unsent, not failed messages whose next attempt is due, oldest
	// first, leaving out the chats in except.
	DueMessages(ctx context.Context, now time.Time, limit int, except ...int64) ([]justify.Message, error)
	// Message loads one message, or returns justify.ErrNotFound.
	Message(ctx context.Context, id int64) (justify.Message, error)
	// MarkSent records that a message was delivered as Telegram message telegramMessageID.
	MarkSent(ctx context.Context, id int64, telegramMessageID int, at time.Time) error
	// MarkSentShort records that a message went in its short form after Telegram refused
	// it as written (errText); its edits are then sent short at once.
	MarkSentShort(ctx context.Context, id int64, telegramMessageID int, at time.Time, errText string) error
	// MarkRetry counts a failed attempt and schedules the next one.
	MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error
	// MarkFailed gives up on a message for good.
	MarkFailed(ctx context.Context, id int64, errText string) error
	// RetryUnreachable makes due again a person's messages that failed because Telegram
	// refused to deliver them (403: they had not pressed Start, or had blocked the bot),
	// and returns how many.
	RetryUnreachable(ctx context.Context, chatID int64) (int, error)
}

// Buttons keeps the meaning of inline buttons.
type Buttons interface {
	// SaveButtons stores freshly issued buttons, all or none.
	SaveButtons(ctx context.Context, bs []justify.Button) error
	// Button looks a token up, or returns justify.ErrNotFound.
	Button(ctx context.Context, token string) (justify.Button, error)
}

// Cursors keeps the bot's positions: the next getUpdates offset (OffsetCursor) and how many
// parts of a digest were delivered.
type Cursors interface {
	// Cursor returns a saved position, "" when none.
	Cursor(ctx context.Context, key string) (string, error)
	// SaveCursor saves a position, replacing the previous one.
	SaveCursor(ctx context.Context, key, value string) error
}

// Cases lists the cases /pending shows.
type Cases interface {
	// CasesInState lists the cases in a state, oldest first.
	CasesInState(ctx context.Context, s justify.State) ([]justify.Case, error)
}

var _ Cursors = (*justify.Service)(nil)
