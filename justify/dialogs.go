package justify

import (
	"fmt"
	"sort"
	"time"
)

// Conversations are what customers and the community wrote to each other: a customer's
// community messages, or one customer's comments under one post (photo, video, product,
// board topic) with the community's replies to them. A dialog is a customer's request and
// what followed, until the community answered and the customer stayed quiet for
// DialogRules.NewDialogAfter. Dialogs are built from the stored messages in VK's own
// order (each message's date, not the time modwatch received it), and rebuilt whenever a
// message arrives, late or not, is edited or deleted; so they, and the signs found in
// them (signs.go), are always what the messages say.

// ConvSide says who wrote a conversation message.
type ConvSide string

// Conversation sides.
const (
	SideCustomer  ConvSide = "customer"
	SideCommunity ConvSide = "community"
	// SideClosed marks the moment the conversation was seen gone from VK's list of
	// unanswered conversations: somebody marked it answered, deleted it, or answered it.
	SideClosed ConvSide = "closed"
)

// ConvMessage is one message of a conversation.
type ConvMessage struct {
	ID           int64
	Key          string // unique: the item's Ref.Key() for VK messages and comments
	GroupID      int64
	Conv         string // MessageConv or CommentConv
	Ref          Ref
	CustomerVKID int64
	Side         ConvSide
	// AdminVKID is the admin who wrote a community message (VK's admin_author_id); 0 when
	// VK did not say: in comments, which VK never attributes, the reply counts for the
	// community; in messages the message is Automatic.
	AdminVKID int64
	// Automatic: a community message sent through the API with no admin (a chat bot, an
	// auto-reply). It never counts as an answer.
	Automatic bool
	// Text is the community's words; customers' words stay in their ticket (TicketKey),
	// where retention and erasure requests reach them.
	Text      string
	TicketKey string
	// Reply is the class of a community message, FirstReply its class before any edit;
	// Customer the class of a customer's message.
	Reply, FirstReply ReplyClass
	Customer          CustomerClass
	// Hash is the template identity of a human community reply (TemplateHash of Template,
	// its normalised words), 0 otherwise.
	Hash     int64
	Template string
	// At is VK's date of the message; EditedAt when it was last edited; DeletedAt when
	// it was deleted.
	At, EditedAt, DeletedAt time.Time
	// WroteAfter: the customer wrote a request after this reply, before any other reply
	// and within DialogRules.RepeatWithin (derived when dialogs are built).
	WroteAfter bool
}

// human reports whether a community message was written by a person (an operator, an
// admin unknown to the config, or the community in comments).
func (m ConvMessage) human() bool { return m.Side == SideCommunity && !m.Automatic }

// MessageConv is the conversation of a customer's community messages.
func MessageConv(groupID, peerID int64) string { return fmt.Sprintf("m:%d:%d", groupID, peerID) }

// CommentConv is the conversation of one customer's comments under one post, photo,
// video, product or board topic.
func CommentConv(ref Ref, customer int64) string {
	return fmt.Sprintf("c:%d:%s:%d_%d:%d", ref.GroupID, ref.Place, ref.OwnerID, ref.ParentID, customer)
}

// Reaction is one wait of the customer within a dialog and who ended it by replying.
type Reaction struct {
	By   int64 // the admin who replied; 0 for the community in comments
	Wait time.Duration
}

// Dialog is a customer's request and what followed.
type Dialog struct {
	ID           int64
	GroupID      int64
	Conv         string
	Place        Place
	CustomerVKID int64
	// StartKey is the ticket of the message that opened the dialog; Link points at it.
	StartKey string
	Link     string
	// StartedAt is the date of the first message; LastAt of the last one.
	StartedAt, LastAt time.Time
	// Messages counts the customer's and people's messages (not automatic ones).
	Messages int
	// RequestAt is when the customer first asked something (not only greeted).
	RequestAt time.Time
	// FirstTouch is the first reply by a person, FirstAnswer the first substantive one
	// (ReplyClass.Substantive); each with who wrote it and how long after StartedAt, in
	// business hours when shifts are configured.
	FirstTouchAt, FirstAnswerAt time.Time
	FirstTouchBy, FirstAnswerBy int64
	FirstTouch, FirstAnswer     time.Duration
	// ClosingAt and ClosingBy are the last substantive reply of the dialog.
	ClosingAt time.Time
	ClosingBy int64
	// Reactions are the customer's waits that a person ended by replying.
	Reactions []Reaction
	// Waits are the stretches in which a request of the customer waited for a person,
	// ended by a reply or by the conversation being closed; WaitingSince is the start of
	// the wait still going on, zero when none.
	Waits        []Interval
	WaitingSince time.Time
	// Closed: the conversation left VK's unanswered list while the customer waited.
	Closed bool
	// CheckAt is when a sign may become due without any new message (an answer deadline
	// passing); zero when nothing is pending.
	CheckAt time.Time
	// Signs are the signs of shirking found in the dialog.
	Signs []Sign
}

// Answered reports whether the dialog got a substantive reply.
func (d Dialog) Answered() bool { return !d.FirstAnswerAt.IsZero() }

// DialogRules are what building dialogs and finding their signs depend on.
type DialogRules struct {
	// AnswerWithin is the answer deadline (tickets.answer_within); 0 disables the signs
	// that need it (bare greetings, skipped requests).
	AnswerWithin time.Duration
	// StallAfter, RepeatWithin and NewDialogAfter are the conversations.* settings.
	StallAfter, RepeatWithin, NewDialogAfter time.Duration
	// Shifts are the operators' schedules by VK id; empty when none is configured.
	Shifts map[int64]Schedule
}

// business is the team's working time: every operator's shifts together; empty (every
// hour counts) when no shifts are configured.
func (r DialogRules) business() Schedule {
	var s Schedule
	for _, vk := range sortedVK(r.Shifts) {
		s = append(s, r.Shifts[vk]...)
	}
	return s
}

func sortedVK(m map[int64]Schedule) []int64 {
	out := make([]int64, 0, len(m))
	for vk := range m {
		out = append(out, vk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// onShift lists the operators on shift at some moment of [from, to), by VK id.
func (r DialogRules) onShift(from, to time.Time) []int64 {
	var out []int64
	for _, vk := range sortedVK(r.Shifts) {
		if r.Shifts[vk].Overlaps(from, to) {
			out = append(out, vk)
		}
	}
	return out
}

// convEvent is a moment of a conversation: a message, or the edit that changed a community
// message's class (a greeting edited into an answer is an answer from the edit on).
type convEvent struct {
	msg   ConvMessage
	at    time.Time
	class ReplyClass
	edit  bool // the edit of a message already counted
	// answering: a person's reply while the customer waited or their request had no
	// substantive answer yet (for an edit: the message it edits was); a reply to the
	// customer's thanks after an answer answers nothing.
	answering bool
}

// timeline orders a conversation's live messages, with class-changing edits as moments of
// their own. Deleted messages are left out: a deleted request asks nothing any more.
func timeline(msgs []ConvMessage) []convEvent {
	var out []convEvent
	for _, m := range msgs {
		if !m.DeletedAt.IsZero() {
			continue
		}
		first := m.FirstReply
		if first == "" {
			first = m.Reply
		}
		out = append(out, convEvent{msg: m, at: m.At, class: first})
		if m.Side == SideCommunity && first != m.Reply && m.EditedAt.After(m.At) {
			out = append(out, convEvent{msg: m, at: m.EditedAt, class: m.Reply, edit: true})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].msg.ID < out[j].msg.ID
	})
	return out
}

// building is the state of the dialog being built.
type building struct {
	d         Dialog
	resolved  bool      // a substantive reply came after the customer's last request
	lastHuman time.Time // the last reply by a person
	lastIn    time.Time // the customer's last message
	lastOut   time.Time // the last community message, automatic ones included
	replies   []convEvent
	holds     []holdEpisode
	// waits are the customer's waits, the last one open (To zero) while it goes on, each
	// with the message that started it.
	waits    []Interval
	waitMsgs []ConvMessage
	answered map[string]bool // the keys of answering replies
}

// waiting reports whether the customer waits for a reply.
func (b *building) waiting() bool { return len(b.waits) > 0 && b.waits[len(b.waits)-1].To.IsZero() }

// endWait ends the current wait at t.
func (b *building) endWait(t time.Time) { b.waits[len(b.waits)-1].To = t }

// holdEpisode is a run of holding replies, from the first until a substantive reply.
type holdEpisode struct {
	first  ConvMessage
	at     time.Time
	answer time.Time // the substantive reply (or the customer's «уже нашёл») that ended it; zero while none
}

// BuildDialogs builds a conversation's dialogs from its messages (in any order) and finds
// their signs as known at now. prev is the dialog before the first message, nil when
// none; the first customer request always opens a dialog. wrote maps every human reply's
// key to its WroteAfter.
func BuildDialogs(msgs []ConvMessage, prev *Dialog, rules DialogRules, now time.Time) (ds []Dialog, wrote map[string]bool) {
	wrote = map[string]bool{}
	var cur *building
	var built []*building
	var lastReply *ConvMessage // across dialogs: the customer's next request answers it
	var prevClosing time.Time
	var prevClosingBy int64
	if prev != nil {
		prevClosing, prevClosingBy = prev.ClosingAt, prev.ClosingBy
	}
	business := rules.business()
	for _, ev := range timeline(msgs) {
		m := ev.msg
		switch m.Side {
		case SideCustomer:
			if m.Customer == CustomerThanks || m.Customer == CustomerResolved {
				if cur != nil {
					cur.d.Messages++
					cur.d.LastAt = ev.at
					// «Уже нашёл» after «Уточняю»: nothing is left to come back with.
					if n := len(cur.holds); m.Customer == CustomerResolved && n > 0 && cur.holds[n-1].answer.IsZero() {
						cur.holds[n-1].answer = ev.at
					}
				}
				continue
			}
			if lastReply != nil && m.Customer == CustomerRequest && !ev.at.After(lastReply.At.Add(rules.RepeatWithin)) {
				wrote[lastReply.Key] = true
			}
			lastReply = nil
			if cur == nil || cur.d.Closed || (cur.resolved && ev.at.Sub(cur.lastHuman) >= rules.NewDialogAfter) {
				if cur != nil {
					prevClosing, prevClosingBy = cur.d.ClosingAt, cur.d.ClosingBy
				}
				cur = &building{d: Dialog{GroupID: m.GroupID, Conv: m.Conv, Place: m.Ref.Place, CustomerVKID: m.CustomerVKID,
					StartKey: m.TicketKey, Link: m.Ref.Link(), StartedAt: ev.at}, answered: map[string]bool{}}
				built = append(built, cur)
				if !prevClosing.IsZero() && m.Customer == CustomerRequest && !ev.at.After(prevClosing.Add(rules.RepeatWithin)) {
					cur.d.Signs = append(cur.d.Signs, Sign{Kind: SignRepeatContact, GroupID: m.GroupID,
						OperatorVKID: prevClosingBy, CustomerVKID: m.CustomerVKID, TicketKey: m.TicketKey,
						Link: m.Ref.Link(), At: ev.at, Until: prevClosing, Key: "repeat_contact:" + m.Key})
				}
			}
			cur.d.Messages++
			cur.d.LastAt, cur.lastIn = ev.at, ev.at
			if m.Customer == CustomerRequest {
				cur.resolved = false
				if cur.d.RequestAt.IsZero() {
					cur.d.RequestAt = ev.at
				}
			}
			if !cur.waiting() {
				cur.waits = append(cur.waits, Interval{From: ev.at})
				cur.waitMsgs = append(cur.waitMsgs, m)
			}
		case SideCommunity:
			if cur == nil {
				continue // the community writing first: nobody asked anything
			}
			cur.lastOut = ev.at
			if m.Automatic {
				continue
			}
			if !ev.edit {
				cur.d.Messages++
				mm := m
				lastReply = &mm
			}
			cur.d.LastAt = maxTime(cur.d.LastAt, ev.at)
			cur.lastHuman = ev.at
			if ev.edit {
				ev.answering = cur.answered[m.Key]
			} else if cur.waiting() || !cur.resolved {
				ev.answering = true
				cur.answered[m.Key] = true
			}
			if cur.d.FirstTouchAt.IsZero() {
				cur.d.FirstTouchAt, cur.d.FirstTouchBy = ev.at, m.AdminVKID
				cur.d.FirstTouch = business.Within(cur.d.StartedAt, ev.at)
			}
			cur.replies = append(cur.replies, ev)
			if cur.waiting() {
				w := cur.waits[len(cur.waits)-1]
				cur.d.Reactions = append(cur.d.Reactions, Reaction{By: m.AdminVKID, Wait: business.Within(w.From, ev.at)})
				cur.endWait(ev.at)
			}
			switch {
			case ev.class.Substantive():
				if cur.d.FirstAnswerAt.IsZero() {
					cur.d.FirstAnswerAt, cur.d.FirstAnswerBy = ev.at, m.AdminVKID
					cur.d.FirstAnswer = business.Within(cur.d.StartedAt, ev.at)
				}
				cur.d.ClosingAt, cur.d.ClosingBy = ev.at, m.AdminVKID
				cur.resolved = true
				if n := len(cur.holds); n > 0 && cur.holds[n-1].answer.IsZero() {
					cur.holds[n-1].answer = ev.at
				}
			case ev.class == ReplyHolding:
				if n := len(cur.holds); n == 0 || !cur.holds[n-1].answer.IsZero() {
					cur.holds = append(cur.holds, holdEpisode{first: m, at: ev.at})
				}
			}
		case SideClosed:
			// Answered (perhaps automatically) since the customer wrote, or nothing waited:
			// leaving the unanswered list is what it should do.
			if cur == nil || !cur.waiting() || cur.lastOut.After(cur.lastIn) {
				continue
			}
			waited := cur.waitMsgs[len(cur.waitMsgs)-1]
			cur.endWait(ev.at)
			cur.d.Closed = true
			cur.d.Signs = append(cur.d.Signs, Sign{Kind: SignClosedWithoutReply, GroupID: m.GroupID,
				OnShift: rules.onShiftAt(ev.at), CustomerVKID: m.CustomerVKID, TicketKey: waited.TicketKey,
				Link: waited.Ref.Link(), At: ev.at, Until: waited.At, Key: "closed_without_reply:" + m.Key})
		}
	}
	for _, b := range built {
		for _, w := range b.waits {
			if w.To.IsZero() {
				b.d.WaitingSince = w.From
			} else {
				b.d.Waits = append(b.d.Waits, w)
			}
		}
		b.d.Signs = append(b.d.Signs, timeSigns(b, rules, business, now)...)
		ds = append(ds, b.d)
	}
	return ds, wrote
}

// onShiftAt lists the operators on shift at t.
func (r DialogRules) onShiftAt(t time.Time) []int64 {
	var out []int64
	for _, vk := range sortedVK(r.Shifts) {
		if r.Shifts[vk].On(t) {
			out = append(out, vk)
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
