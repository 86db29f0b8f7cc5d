package justify

import (
	"fmt"
	"time"
)

// SignKind is a kind of shirking that leaves no ban or deletion behind.
type SignKind string

// Signs of shirking. The README explains each, its setting, and how it can mislead.
const (
	// SignBareGreeting: an operator's first reply in a dialog is only a greeting or an
	// acknowledgement, and no substantive reply followed within the answer deadline.
	SignBareGreeting SignKind = "bare_greeting"
	// SignStall: a holding reply («Уточняю») with no substantive reply within
	// conversations.stall_after.
	SignStall SignKind = "stall"
	// SignTemplate: the same reply sent by an operator to at least
	// conversations.template_min_customers customers in a period (counted by reports).
	SignTemplate SignKind = "template"
	// SignOneWord: a reply that is only «да», «нет», «не знаю», "ok" and the like.
	SignOneWord SignKind = "one_word"
	// SignSkipped: a request left unanswered past the answer deadline, counted for each
	// operator on shift meanwhile, or for the community when no shifts are configured.
	SignSkipped SignKind = "skipped"
	// SignClosedWithoutReply: a conversation left VK's unanswered list with no message
	// from the community since the customer's (marked answered, or deleted). VK does not
	// say who: it counts for the community and names the operators on shift.
	SignClosedWithoutReply SignKind = "closed_without_reply"
	// SignRepeatContact: the customer wrote again within conversations.repeat_within of
	// an operator's closing reply.
	SignRepeatContact SignKind = "repeat_contact"
	// SignIdle: a stretch of at least conversations.idle_after inside an operator's shift
	// with no action of theirs while requests waited.
	SignIdle SignKind = "idle"
)

// SignKinds lists every kind, in the order reports show them.
var SignKinds = []SignKind{SignBareGreeting, SignStall, SignTemplate, SignOneWord, SignSkipped,
	SignClosedWithoutReply, SignRepeatContact, SignIdle}

// Sign is one sign of shirking with its evidence.
type Sign struct {
	ID int64
	// Key identifies the sign across rebuilds: its kind and its evidence.
	Key     string
	GroupID int64
	Kind    SignKind
	// OperatorVKID is the admin it counts for; 0 for the community as a whole.
	OperatorVKID int64
	// OnShift are the operators on shift when a conversation was closed without a reply.
	OnShift      []int64
	CustomerVKID int64
	// MessageKey points at the community's words (a ConvMessage), TicketKey at the
	// customer's: the words are read from there, so retention and erasure reach them.
	MessageKey, TicketKey string
	// Excerpt is the words, filled in when signs are read for a report.
	Excerpt string
	Link    string
	// At is when it happened: the reply, the customer's message, the start of the idle
	// stretch, or when the closed conversation was noticed.
	At time.Time
	// Minutes is the length of an idle stretch.
	Minutes int
	// Until ends the stretch the sign measures, for ranking the worst (SignSeverity): the
	// substantive answer after a bare greeting or a stall, the reply that ended a skipped
	// request's wait; for a repeat contact and a conversation closed without a reply, the
	// earlier moment it is measured from (the closing reply, the customer's message).
	// Zero while the customer still waits.
	Until time.Time
	// WroteAfter is true when the customer wrote again after the reply that is the
	// evidence (read with the words; one-word replies rank by it).
	WroteAfter bool
	// DialogID is the dialog the sign was found in; 0 for idle time.
	DialogID int64
	// Secondary marks the second and later signs of one piece of evidence (a request
	// skipped while several operators were on shift): totals count the evidence once.
	Secondary bool
}

// timeSigns finds a built dialog's signs that depend on its replies and on time, as known
// at now, and sets the dialog's CheckAt to the next moment one may become due.
func timeSigns(b *building, rules DialogRules, business Schedule, now time.Time) []Sign {
	var out []Sign
	seen := map[string]bool{}
	add := func(s Sign) {
		if !seen[s.Key] {
			seen[s.Key] = true
			s.GroupID = b.d.GroupID
			out = append(out, s)
		}
	}
	pending := func(at time.Time) {
		if b.d.CheckAt.IsZero() || at.Before(b.d.CheckAt) {
			b.d.CheckAt = at
		}
	}
	// due reports whether the deadline passed without the answer that would have met it,
	// and otherwise remembers to look again at the deadline.
	due := func(deadline, answer time.Time) bool {
		switch {
		case !answer.IsZero():
			return answer.After(deadline)
		case !now.Before(deadline):
			return true
		}
		pending(deadline)
		return false
	}
	d := &b.d
	for _, r := range b.replies {
		// «Ок» or 👍 after the customer's «Спасибо!» answers no question.
		if r.class == ReplyOneWord && r.answering {
			add(replySign(SignOneWord, r, d))
		}
	}
	if rules.AnswerWithin > 0 && len(b.replies) > 0 {
		first := b.replies[0]
		// A greeting answering the customer's own hello is no trick: only one sent after
		// the customer asked something counts.
		if first.class == ReplyGreeting && !d.RequestAt.IsZero() && !d.RequestAt.After(first.at) {
			if due(business.Add(d.RequestAt, rules.AnswerWithin), d.FirstAnswerAt) {
				s := replySign(SignBareGreeting, first, d)
				s.Until = d.FirstAnswerAt
				add(s)
			}
		}
	}
	for _, h := range b.holds {
		if due(h.at.Add(rules.StallAfter), h.answer) {
			s := replySign(SignStall, convEvent{msg: h.first, at: h.at}, d)
			s.Until = h.answer
			add(s)
		}
	}
	if rules.AnswerWithin > 0 {
		for i, w := range b.waits {
			// w.To is zero while the customer still waits.
			deadline := business.Add(w.From, rules.AnswerWithin)
			if !due(deadline, w.To) {
				continue
			}
			for _, s := range skipped(b.waitMsgs[i], w.From, deadline, rules) {
				s.Until = w.To
				add(s)
			}
		}
	}
	return out
}

// replySign is a sign whose evidence is a reply.
func replySign(kind SignKind, r convEvent, d *Dialog) Sign {
	return Sign{Kind: kind, OperatorVKID: r.msg.AdminVKID, CustomerVKID: d.CustomerVKID, MessageKey: r.msg.Key,
		Link: r.msg.Ref.Link(), At: r.at, Key: string(kind) + ":" + r.msg.Key}
}

// skipped are the signs of a request left waiting past its deadline: one for each operator
// on shift meanwhile, or one for the community when no shifts are configured.
func skipped(m ConvMessage, from, deadline time.Time, rules DialogRules) []Sign {
	base := Sign{Kind: SignSkipped, CustomerVKID: m.CustomerVKID, TicketKey: m.TicketKey, Link: m.Ref.Link(), At: from}
	if len(rules.Shifts) == 0 {
		base.Key = "skipped:" + m.Key
		return []Sign{base}
	}
	var out []Sign
	for _, vk := range rules.onShift(from, deadline) {
		s := base
		s.OperatorVKID, s.Key, s.Secondary = vk, fmt.Sprintf("skipped:%s:%d", m.Key, vk), len(out) > 0
		out = append(out, s)
	}
	return out
}

// TemplateUse is one use of a reply text that went to enough customers to be a template in
// some period: who sent it to whom, when, and whether the customer wrote again after it.
type TemplateUse struct {
	GroupID      int64
	OperatorVKID int64
	Hash         int64
	// Template is the normalised text shared by every use; Text this use's own words.
	Template, Text string
	CustomerVKID   int64
	At             time.Time
	WroteAfter     bool
	MessageKey     string
	Link           string
}
