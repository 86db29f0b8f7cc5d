package justify

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Quarantined is an update a source delivered that could not be decoded, kept as it came
// instead of being skipped: the source's position moves past it, so without this it would
// be gone for good. It holds what a customer may have written, so retention and erasure
// reach it.
type Quarantined struct {
	ID      int64
	GroupID int64
	// Kind is the update's type as the source named it ("wall_reply_new"), "" when even
	// that could not be read.
	Kind string
	// Raw is the update as delivered, cut at MaxQuarantinedRaw bytes; Size is its whole size.
	Raw  []byte
	Size int
	// Err says why it could not be decoded.
	Err string
	// At is when it was received.
	At time.Time
}

// MaxQuarantinedRaw bounds how much of one update is kept: VK's updates are a few
// kilobytes, and one absurd update must not grow the database without bound.
const MaxQuarantinedRaw = 64 << 10

// KindOrUnreadable names the update's type for people: Kind, or "unreadable".
func (q Quarantined) KindOrUnreadable() string {
	if q.Kind == "" {
		return "unreadable"
	}
	return q.Kind
}

// PollAnswer is one answer of a source's long poll: the events decoded from it, the
// updates that could not be, and the source's position after it (CursorKey empty: no
// position to save).
type PollAnswer struct {
	Events      []Event
	Quarantined []Quarantined
	CursorKey   string
	Cursor      string
}

// QuarantineStore keeps the updates that could not be decoded.
type QuarantineStore interface {
	// Quarantine keeps q, setting its ID, and reports whether it was new: the same update
	// (same community, same bytes) delivered again is kept once.
	Quarantine(q *Quarantined) (bool, error)
}

// maxQuarantineDetail bounds the decode error quoted in an alert.
const maxQuarantineDetail = 300

// quarantine keeps an update that could not be decoded and, the first time it is seen,
// alerts managers and owners: one alert per community and kind, whose count grows with
// repeats within the alert window.
func (s *Service) quarantine(tx Tx, q Quarantined, res *IngestResult) error {
	if q.At.IsZero() {
		q.At = s.now()
	}
	isNew, err := tx.Quarantine(&q)
	if err != nil {
		return fmt.Errorf("quarantine an update of group %d: %w", q.GroupID, err)
	}
	if !isNew {
		return nil
	}
	res.Quarantined++
	detail := q.Err
	if len(detail) > maxQuarantineDetail {
		detail = detail[:maxQuarantineDetail]
		for !utf8.ValidString(detail) {
			detail = detail[:len(detail)-1]
		}
		detail += "…"
	}
	return s.alert(tx, Alert{
		Kind: AlertQuarantined, GroupID: q.GroupID, Key: fmt.Sprintf("quarantined:%d:%s", q.GroupID, q.KindOrUnreadable()),
		Subject: q.KindOrUnreadable(), Detail: detail, At: q.At,
	})
}
