package justify

import (
	"errors"
	"time"
)

// Spot checks: on a schedule (QARule), managers are sent random dialogs of each operator
// to read, one message each, and grade them Good or Bad, with a comment if they like. A
// dialog is spot-checked at most once. The verdicts count in the reports (qa_good,
// qa_bad) and every step is kept in the spot check's own audit trail. The rounds are in
// qa.go; this file holds the records and what the store keeps of them.

// SpotCheckID identifies a spot check.
type SpotCheckID int64

// Verdict is a manager's grade of a spot-checked dialog; empty until given.
type Verdict string

// Verdicts.
const (
	VerdictGood Verdict = "good"
	VerdictBad  Verdict = "bad"
)

// Valid reports whether v is a verdict a manager can give.
func (v Verdict) Valid() bool { return v == VerdictGood || v == VerdictBad }

// MsgSpotCheck shows a spot-checked dialog to its manager, with Good and Bad
// (Message.Payload holds the SpotCheckID).
const MsgSpotCheck MessageKind = "spot_check"

// AlertSpotCheck tells owners that a community's dialogs could not be spot-checked: no
// manager covers it (Subject names the community, Count the dialogs left out).
const AlertSpotCheck AlertKind = "spot_check_uncovered"

// SpotCheckCursor keeps when the last scheduled round of spot checks ran, so that a
// restart neither repeats a round nor runs every one it missed.
const SpotCheckCursor = "qa:last_round"

// QARule is when spot checks are sent and how many: every Every, Sample dialogs of each
// operator from that period (qa.every, qa.sample). A zero Every sends no rounds; /qa still
// works.
type QARule struct {
	Every  time.Duration
	Sample int
}

// DefaultQAPeriod is the period /qa samples from when scheduled rounds are off.
const DefaultQAPeriod = 7 * 24 * time.Hour

// SpotCheck is one dialog sent to one manager to grade.
type SpotCheck struct {
	ID SpotCheckID
	// RoundAt is the end of the round's period (the round's time); RequestedBy names who
	// asked with /qa, empty for a scheduled round.
	RoundAt     time.Time
	RequestedBy string
	// The dialog: its conversation and start name it; LastAt is its last message when it
	// was sampled.
	GroupID      int64
	Conv         string
	Place        Place
	CustomerVKID int64
	Link         string
	StartedAt    time.Time
	LastAt       time.Time
	// OperatorVKID first replied in the dialog; Operator is their configured name.
	OperatorVKID int64
	Operator     string
	// Manager is who grades it (ManagerTG their Telegram id); empty when nobody reachable
	// covers the community any more.
	Manager   string
	ManagerTG int64
	Created   time.Time
	// ChatID and TelegramMessageID are where it was shown, once delivered.
	ChatID            int64
	TelegramMessageID int
	Verdict           Verdict
	VerdictBy         string
	VerdictTG         int64
	VerdictAt         time.Time
	Comment           string
}

// Graded reports whether a verdict was given.
func (sc SpotCheck) Graded() bool { return sc.Verdict != "" }

// SpotCheck trail actions.
const (
	SpotSent      Action = "sent"
	SpotGraded    Action = "graded"
	SpotRegraded  Action = "regraded"
	SpotCommented Action = "commented"
	SpotPassedOn  Action = "passed_on"
	SpotLost      Action = "undelivered"
)

// SpotCheckEntry is one append-only entry of a spot check's audit trail.
type SpotCheckEntry struct {
	ID          int64
	SpotCheckID SpotCheckID
	Action      Action
	Actor       string
	TelegramID  int64
	At          time.Time
	Detail      string
}

// SpotLine is one message of a spot-checked dialog as a manager reads it.
type SpotLine struct {
	Side ConvSide
	// Who wrote a community message: the operator's configured name, "" for an admin
	// unknown to the config (AdminVKID says who) or the community in comments.
	Who       string
	AdminVKID int64
	Automatic bool
	Text      string
	At        time.Time
	Edited    bool
	Deleted   bool
}

// SpotCheckView is a spot check with its dialog, ready to show.
type SpotCheckView struct {
	SpotCheck
	CustomerName string
	Lines        []SpotLine
}

// ErrNotYours means a person pressed or answered a spot check sent to someone else.
var ErrNotYours = errors.New("this spot check is someone else's")

// SpotCheckStore keeps spot checks and their trail.
type SpotCheckStore interface {
	// SpotCandidates lists the dialogs started in [from, to) that admin vkID replied to
	// first and that were never spot-checked, with ID, GroupID, Conv, Place, CustomerVKID,
	// Link, StartedAt and LastAt.
	SpotCandidates(vkID int64, from, to time.Time) ([]Dialog, error)
	// CreateSpotCheck stores a new spot check, setting its ID; a dialog already
	// spot-checked is ErrConflict.
	CreateSpotCheck(sc *SpotCheck) error
	// SpotCheck loads a spot check, or returns ErrNotFound.
	SpotCheck(id SpotCheckID) (SpotCheck, error)
	// SaveSpotCheck writes a spot check's manager, delivery and verdict.
	SaveSpotCheck(sc SpotCheck) error
	// SpotCheckAt finds the spot check shown as Telegram message msgID in chat, or
	// returns ErrNotFound.
	SpotCheckAt(chat int64, msgID int) (SpotCheck, error)
	// AddSpotCheckEntry appends to a spot check's trail.
	AddSpotCheckEntry(e SpotCheckEntry) error
	// SpotCheckTrail lists a spot check's trail in the order it was written.
	SpotCheckTrail(id SpotCheckID) ([]SpotCheckEntry, error)
}
