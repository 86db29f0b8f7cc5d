package justify

import "time"

// What reports read of conversations: small facts, one per dialog, sign and reply, that
// the store keeps rolled up by hour so that a month of a busy community is read in a few
// hundred rows. The evidence (the words, the links) is read separately, for the few signs
// a report lists.

// DialogStat is what figures need of a dialog.
type DialogStat struct {
	GroupID   int64
	StartedAt time.Time
	// Touched: a person replied (FirstTouchBy, FirstTouch); Answered: substantively
	// (FirstAnswerBy, FirstAnswer). Durations are in business hours when shifts are set.
	Touched, Answered           bool
	FirstTouchBy, FirstAnswerBy int64
	FirstTouch, FirstAnswer     time.Duration
	Messages                    int
	Reactions                   []Reaction
}

// Stat is what figures need of d.
func (d Dialog) Stat() DialogStat {
	return DialogStat{GroupID: d.GroupID, StartedAt: d.StartedAt, Touched: !d.FirstTouchAt.IsZero(),
		Answered: !d.FirstAnswerAt.IsZero(), FirstTouchBy: d.FirstTouchBy, FirstAnswerBy: d.FirstAnswerBy,
		FirstTouch: d.FirstTouch, FirstAnswer: d.FirstAnswer, Messages: d.Messages, Reactions: d.Reactions}
}

// SignFact is what counting needs of a sign.
type SignFact struct {
	GroupID      int64
	Kind         SignKind
	OperatorVKID int64
	OnShift      []int64
	// Primary is false for the second and later signs of one piece of evidence: a request
	// skipped while two operators were on shift is two signs and one skipped request.
	Primary bool
	Minutes int
	At      time.Time
}

// Fact is what counting needs of s.
func (s Sign) Fact() SignFact {
	return SignFact{GroupID: s.GroupID, Kind: s.Kind, OperatorVKID: s.OperatorVKID, OnShift: s.OnShift,
		Primary: !s.Secondary, Minutes: s.Minutes, At: s.At}
}

// ReplyFact is a person's reply as template counting sees it.
type ReplyFact struct {
	GroupID      int64
	OperatorVKID int64 // 0: the community, in comments
	Hash         int64
	CustomerVKID int64
	At           time.Time
	WroteAfter   bool
}

// ConversationFacts are the facts of a span of time.
type ConversationFacts struct {
	// Dialogs started, signs and replies (with a template hash) dated in the span.
	Dialogs []DialogStat
	Signs   []SignFact
	Replies []ReplyFact
}

// Phrase is a text one admin sent: its template identity and normalised words.
type Phrase struct {
	GroupID      int64
	OperatorVKID int64
	Hash         int64
	Text         string
}

// SignKey names the signs of one kind counting for one admin (0: the community) in one
// community: a report lists the newest of each.
type SignKey struct {
	GroupID      int64
	Kind         SignKind
	OperatorVKID int64
}

// AnsweredTicket is what figures need of a ticket the community answered: who answered,
// how long after it was written, and whether it could have been waiting at the end of an
// earlier period.
type AnsweredTicket struct {
	ID                               int64
	GroupID                          int64
	CreatedAt, AnsweredAt, DeletedAt time.Time
	AnsweredBy                       int64
	// Closed: an imported ticket its help desk closed (it waited for nobody).
	Closed bool
}

// AnsweredFact is what figures need of t, answered.
func (t Ticket) AnsweredFact() AnsweredTicket {
	return AnsweredTicket{ID: t.ID, GroupID: t.Ref.GroupID, CreatedAt: t.CreatedAt, AnsweredAt: t.AnsweredAt,
		DeletedAt: t.DeletedAt, AnsweredBy: t.AnsweredBy, Closed: t.Ref.Place == PlaceHelpDesk && !t.Open()}
}
