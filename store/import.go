package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// importKeyPrefix marks the keys of tickets imported from another channel.
const importKeyPrefix = "import:"

// ImportKey is the key an imported ticket is stored under.
func ImportKey(externalID string) string { return importKeyPrefix + externalID }

// closedStatuses are the help-desk statuses meaning "dealt with" (see justify.Ticket.Open).
var closedStatuses = map[string]bool{"closed": true, "resolved": true, "solved": true}

// ImportTickets stores help-desk tickets in one transaction: all or none. Each is stored as
// a justify.PlaceHelpDesk ticket of every community (group 0) under "import:<ExternalID>";
// ExternalID must be set. A ticket already imported gets the new subject, text, status and
// updated time in place (inserted and updated count only real changes; a repeated import of
// the same file reports 0, 0), keeping its first answer. A closed, resolved or solved ticket
// with no answer time is taken as answered at its updated time (its created time when it
// has none), so that the figures count it answered and not waiting. A ticket whose words were
// forgotten keeps them forgotten: an erasure request outlives the help desk's export.
func (db *DB) ImportTickets(ctx context.Context, tickets []justify.Ticket) (inserted, updated int, err error) {
	for i, tk := range tickets {
		if tk.ExternalID == "" {
			return 0, 0, fmt.Errorf("import ticket %d of %d: no external id", i+1, len(tickets))
		}
	}
	err = db.update(ctx, func(tx *Tx) error {
		for _, in := range tickets {
			isNew, changed, err := tx.importTicket(in)
			if err != nil {
				return err
			}
			switch {
			case isNew:
				inserted++
			case changed:
				updated++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("import %d tickets: %w", len(tickets), err)
	}
	return inserted, updated, nil
}

// importTicket inserts or updates one imported ticket.
func (t *Tx) importTicket(in justify.Ticket) (isNew, changed bool, err error) {
	tk := justify.Ticket{
		Key: ImportKey(in.ExternalID), Ref: justify.Ref{Place: justify.PlaceHelpDesk},
		AuthorVKID: in.AuthorVKID, AuthorName: in.AuthorName, Text: in.Text, Link: in.Link,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, AnsweredAt: in.AnsweredAt, AnsweredBy: in.AnsweredBy,
		ExternalID: in.ExternalID, Subject: in.Subject, Status: strings.ToLower(strings.TrimSpace(in.Status)),
	}
	// The first answer wins; a help desk that closed a ticket dealt with it.
	firstAnswer := func(have time.Time) time.Time {
		switch {
		case !have.IsZero():
			return have
		case !tk.AnsweredAt.IsZero():
			return tk.AnsweredAt
		case !closedStatuses[tk.Status]:
			return time.Time{}
		case !tk.UpdatedAt.IsZero():
			return tk.UpdatedAt
		}
		return tk.CreatedAt
	}
	old, err := t.Ticket(tk.Key)
	if errors.Is(err, justify.ErrNotFound) {
		tk.AnsweredAt = firstAnswer(time.Time{})
		isNew, err := t.UpsertTicket(&tk)
		return isNew, false, err
	}
	if err != nil {
		return false, false, err
	}
	if old.Forgotten {
		tk.Text, tk.Subject, tk.AuthorName = "", "", ""
	}
	answered := firstAnswer(old.AnsweredAt)
	if old.Text == tk.Text && old.Subject == tk.Subject && old.Status == tk.Status &&
		old.UpdatedAt.Equal(tk.UpdatedAt.Truncate(time.Millisecond)) && old.AnsweredAt.Equal(answered) &&
		old.AuthorVKID == tk.AuthorVKID {
		return false, false, nil
	}
	_, err = t.exec(`UPDATE tickets SET text = ?, subject = ?, status = ?, updated_at = ?, answered_at = ?,
		author_vk_id = ? WHERE id = ?`, tk.Text, tk.Subject, tk.Status, ms(tk.UpdatedAt), ms(answered), tk.AuthorVKID, old.ID)
	if err != nil {
		return false, false, fmt.Errorf("update imported ticket %s: %w", tk.Key, err)
	}
	// Its answer and status are in the report roll-up's hours.
	for _, at := range []time.Time{old.AnsweredAt, answered} {
		if !at.IsZero() {
			if err := t.markHour(old.Ref.GroupID, at); err != nil {
				return false, false, err
			}
		}
	}
	return false, true, nil
}
