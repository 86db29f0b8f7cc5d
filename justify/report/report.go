// Package report computes the owners' figures about moderation (per community and per
// operator, against the previous period), renders them for Telegram, the CLI, CSV and JSON,
// and schedules and queues the digests.
//
// Compute and the renderers do no I/O. Load is the one way a report is read: the CLI's
// report, the bot's /stats (TodayStats) and the digests (DigestJob) all call it, through a
// Reader the store implements, so the three never disagree. The package knows nothing of
// the config file or the store: the caller passes Options built from its config.
package report

import (
	"time"

	"github.com/modwatch/modwatch/justify"
)

// UnknownOperator is the operator key of cases taken by admins who are not configured
// operators. Vanished posts, whose deleter VK does not name, are nobody's: they count on
// community totals only.
const UnknownOperator = ""

// Input is everything Compute needs. Cases and tickets outside the periods are ignored, so a
// loader may pass more than needed.
type Input struct {
	// From and To bound the period [From, To).
	From, To time.Time
	// SLA is how long a customer may wait for a first answer; 0 disables SLA breaches.
	SLA time.Duration
	// People names the operators, who get a row even with nothing in the period in each
	// community of their scope, and everyone's VK account: a manager or owner who
	// moderates too gets a row of their own when they acted or answered.
	People []justify.Person
	// Communities orders and names the communities; a community absent here but present in
	// the cases or tickets is reported as "club<ID>".
	Communities []justify.Community
	// Cases of the period, with their current state and resolution.
	Cases []justify.Case
	// Decisions of the cases, when the caller has them. Compute does not need them: they
	// are kept for renderers that show an audit trail.
	Decisions map[justify.CaseID][]justify.Decision
	// Tickets of the period: written, answered or still waiting in it.
	Tickets []justify.Ticket
	// BreachCounts, when a loader counted them in the store, are the SLA breaches of the
	// tickets nobody answered, by community, at To ([0]) and at From ([1]). Tickets then
	// holds only the longest waits at To to list, which count for no breach themselves;
	// without BreachCounts (nil maps), every ticket in Tickets and PrevTickets counts.
	BreachCounts [2]map[int64]int
	// BreachesListed bounds the SLA breaches listed per community, longest wait first; 0
	// lists them all. CommunityReport.SLABreachesTotal counts them all.
	BreachesListed int
	// Deleted are the tickets of deleted items by Ref.Key(), for the excerpts of deleted
	// requests written before the period; Tickets are searched first.
	Deleted map[string]justify.Ticket
	// PrevCases and PrevTickets are the same for the previous period of equal length,
	// [From-(To-From), From). The split is a convenience: a case or ticket may come in
	// either list or in both (the copy in Cases/Tickets wins), and counts once, in the
	// period its OpenedAt (for tickets, AnsweredAt and the periods' ends) falls in.
	PrevCases   []justify.Case
	PrevTickets []justify.Ticket
	// Answered are tickets answered in either period or later, without their words: a
	// loader passes the waiting tickets in Tickets and the answered ones here, a month of
	// answers being too many to carry whole. Tickets in Answered must not be in the lists
	// above.
	Answered []justify.AnsweredTicket
	// Location is the owner's time zone for the hourly activity; UTC when nil.
	Location *time.Location
	// Facts are the dialogs, signs and replies of both periods: each counts in the period
	// its time (StartedAt, At) falls in.
	Facts justify.ConversationFacts
	// SignExamples and TemplateExamples are the signs and template uses the report lists,
	// with their words: the newest of each kind and operator in the period (signs of other
	// periods, and template uses of texts that are no template in it, are ignored).
	SignExamples     []justify.Sign
	TemplateExamples []justify.TemplateUse
	// TemplateMinCustomers is how many customers make a reply a template
	// (conversations.template_min_customers); 0 counts no templates.
	TemplateMinCustomers int
	// SpotChecks are the spot checks graded in either period: each counts in the period
	// its verdict was given in.
	SpotChecks []justify.SpotCheck
	// Shifts are the operators' schedules by VK id (people[].shifts), for the chart to
	// outline the hours on shift; empty when none is configured.
	Shifts map[int64]justify.Schedule
}

// Counts are the figures of one community or one operator over one period. Every case
// counts in the period in which it was opened (Case.OpenedAt in [from, to)), with the state
// and resolution it has when the report is computed.
type Counts struct {
	// Bans and Deletions count the cases opened by kind. Vanished posts are not deletions.
	Bans      int `json:"bans"`
	Deletions int `json:"deletions"`
	// VanishedPosts counts customers' wall posts found gone. VK does not say whether the
	// author or an admin deleted one, so they are counted apart, on community totals only,
	// never as anyone's deletion.
	VanishedPosts int `json:"vanished_posts"`
	// JustifiedInTime counts cases whose operator gave a reason by the deadline.
	JustifiedInTime int `json:"justified_in_time"`
	// JustifiedLate counts cases whose reason came after the deadline.
	JustifiedLate int `json:"justified_late"`
	// NeverJustified counts operators' cases past their deadline (Overdue) with no reason.
	// Cases of unknown admins have nobody to justify them and are never counted here.
	NeverJustified int `json:"never_justified"`
	// Approved counts cases a manager approved.
	Approved int `json:"approved"`
	// Reversed counts cases a manager reversed: through VK or by hand, bans and deletions
	// (reversed, reversed_by_hand, restored, restored_by_hand).
	Reversed int `json:"reversed"`
	// ReversedInVK counts actions undone in VK with no decision from modwatch
	// (reversed_in_vk, restored_in_vk). Expired bans are not counted.
	ReversedInVK int `json:"reversed_in_vk"`
	// DeletedRequests counts Severe deletion cases: a customer's unanswered request deleted.
	DeletedRequests int `json:"deleted_requests"`
	// SLABreaches counts tickets written before to-SLA that were still unanswered at to (not
	// answered before to, not deleted before to, and for imported tickets not closed).
	// Only community totals have it: tickets belong to no operator.
	SLABreaches int `json:"sla_breaches"`
	// Answered counts tickets first answered in the period (AnsweredAt in [from, to)); for
	// an operator, those answered from their VK account.
	Answered int `json:"answered"`
	// MedianFirstResponse is the median Ticket.FirstResponse of the Answered tickets (the
	// mean of the two middle ones for an even count); 0 when none.
	MedianFirstResponse time.Duration `json:"-"`
	// MedianFirstResponseSeconds is MedianFirstResponse for JSON readers.
	MedianFirstResponseSeconds int64 `json:"median_first_response_seconds"`

	// ConversationCounts are the figures of dialogs and the signs of shirking.
	ConversationCounts
}

// ConversationCounts are the figures of dialogs (community messages and, for the
// community as a whole, comment threads) and the counts of each sign of shirking. A
// dialog counts in the period it started in, for the operator who first replied; each
// time counts for the operator who made the reply it measures; each sign in the period of
// its time. Durations are in business hours when shifts are configured.
type ConversationCounts struct {
	// Dialogs counts the dialogs started; for an operator, those they replied to first.
	Dialogs int `json:"dialogs"`
	// DialogsAnswered counts dialogs that got a substantive reply, DialogsUnanswered those
	// that got none, a greeting or a holding reply being no answer; for an operator, of the
	// dialogs they replied to first, so that the two add up to Dialogs.
	DialogsAnswered   int `json:"dialogs_answered"`
	DialogsUnanswered int `json:"dialogs_unanswered"`
	// DialogLengthMedian is the median number of messages of the dialogs.
	DialogLengthMedian int `json:"dialog_length_median"`
	// FirstTouch*: from the customer's first message to the first reply by a person.
	FirstTouchMedianSeconds int64 `json:"first_touch_median_seconds"`
	FirstTouchP90Seconds    int64 `json:"first_touch_p90_seconds"`
	// FirstAnswer*: to the first substantive reply.
	FirstAnswerMedianSeconds int64 `json:"first_answer_median_seconds"`
	FirstAnswerP90Seconds    int64 `json:"first_answer_p90_seconds"`
	// Reaction*: each wait of the customer within a dialog until a person replied.
	ReactionMedianSeconds int64 `json:"reaction_median_seconds"`
	ReactionP90Seconds    int64 `json:"reaction_p90_seconds"`
	// The signs of shirking (justify.SignKind), each counted once on totals.
	BareGreetings   int `json:"bare_greetings"`
	Stalls          int `json:"stalls"`
	TemplateReplies int `json:"template_replies"`
	OneWordReplies  int `json:"one_word_replies"`
	Skipped         int `json:"skipped"`
	// ClosedWithoutReply counts for the community on totals, and for each operator on
	// shift at the time on their rows.
	ClosedWithoutReply int `json:"closed_without_reply"`
	RepeatContacts     int `json:"repeat_contacts"`
	IdleMinutes        int `json:"idle_minutes"`
	// QAGood and QABad are managers' verdicts on spot-checked dialogs, each counted in the
	// period it was given in (countSpotChecks).
	QAGood int `json:"qa_good"`
	QABad  int `json:"qa_bad"`
}

// Figures are one period's counts, the previous period's, and the change (current minus
// previous, field by field).
type Figures struct {
	Current  Counts `json:"current"`
	Previous Counts `json:"previous"`
	Change   Counts `json:"change"`
}

// OperatorFigures are one operator's figures in one community: the figures of one
// configured person who acts in VK, an operator or a manager or owner who moderates too.
type OperatorFigures struct {
	// Operator is the configured name, or UnknownOperator.
	Operator string `json:"operator"`
	// Role is set for a manager or owner who moderates too, as their cases recorded it
	// (else as configured); empty for operators, whose rows these mostly are, and for
	// UnknownOperator.
	Role justify.Role `json:"role,omitempty"`
	Figures
}

// DeletedRequest is a customer's unanswered request that an admin deleted.
type DeletedRequest struct {
	CaseID    justify.CaseID `json:"case_id"`
	Operator  string         `json:"operator"`
	Role      justify.Role   `json:"role,omitempty"` // as OperatorFigures.Role
	ActorVKID int64          `json:"actor_vk_id"`
	Author    string         `json:"author"`
	AuthorVK  int64          `json:"author_vk_id"`
	// Vanished is true for a wall post found gone: VK does not say whether its author or
	// an admin deleted it (it is listed because an admin acted on the author that day).
	Vanished bool `json:"vanished"`
	// Excerpt is the start of the deleted words; empty when modwatch never saw them or
	// they were forgotten.
	Excerpt string    `json:"excerpt"`
	Link    string    `json:"link"`
	At      time.Time `json:"at"`
}

// Breach is a ticket still unanswered past the SLA at the end of the period.
type Breach struct {
	TicketID  int64         `json:"ticket_id"`
	Author    string        `json:"author"`
	AuthorVK  int64         `json:"author_vk_id"`
	Excerpt   string        `json:"excerpt"`
	Link      string        `json:"link"`
	CreatedAt time.Time     `json:"created_at"`
	Waiting   time.Duration `json:"-"`
	// WaitingSeconds is Waiting for JSON readers.
	WaitingSeconds int64 `json:"waiting_seconds"`
}

// CommunityReport is one community's part of a report.
type CommunityReport struct {
	GroupID int64   `json:"group_id"`
	Name    string  `json:"name"`
	Total   Figures `json:"total"`
	// Operators are sorted by name, UnknownOperator last; configured operators appear even
	// with nothing to count.
	Operators       []OperatorFigures `json:"operators"`
	DeletedRequests []DeletedRequest  `json:"deleted_requests"`
	// SLABreaches are the longest waits past the SLA at the period's end, longest first:
	// Options.Breaches of them (all when it is 0).
	SLABreaches []Breach `json:"sla_breaches"`
	// SLABreachesTotal counts every breach, listed or not (Total.Current.SLABreaches).
	SLABreachesTotal int `json:"sla_breaches_total"`
	// Activity is each operator's actions by hour of the day (see Report.Activity).
	Activity map[string][24]int `json:"activity"`
	// Replies is each operator's replies to customers by hour of the day (see
	// Report.Replies).
	Replies map[string][24]int `json:"-"`
	// Signs are the period's signs of shirking with their evidence, by time: the newest
	// of each kind for each operator (Options.Examples; all of them when it is 0), a
	// template's uses being template signs. The counts above count them all.
	Signs []Sign `json:"signs"`
	// Templates are the replies that were templates in the period, most customers first.
	Templates []Template `json:"templates"`
	// SpotChecks are the verdicts managers gave in the period on spot-checked dialogs,
	// oldest first; qa_good and qa_bad count them.
	SpotChecks []SpotCheckVerdict `json:"spot_checks,omitempty"`
}

// Sign is one sign of shirking with its evidence.
type Sign struct {
	// Kind is a justify.SignKind: bare_greeting, stall, template, one_word, skipped,
	// closed_without_reply, repeat_contact or idle.
	Kind string `json:"kind"`
	// Operator is the configured operator it counts for, or UnknownOperator: for an admin
	// not in the config (ActorVKID set) or for the community as a whole (ActorVKID 0).
	Operator  string `json:"operator"`
	ActorVKID int64  `json:"actor_vk_id"`
	// CustomerVKID is the customer; 0 for idle time.
	CustomerVKID int64 `json:"customer_vk_id"`
	// Excerpt is the words: the community's reply (greetings, stalls, templates, one-word
	// replies) or the customer's message (the others); empty when forgotten.
	Excerpt string    `json:"excerpt"`
	At      time.Time `json:"at"`
	Link    string    `json:"link"`
	// Minutes is the length of idle time.
	Minutes int `json:"minutes,omitempty"`
	// Until and WroteAfter rank the sign among its kind (justify.SignSeverity); the
	// digest says them ("waited 5 h", "wrote again").
	Until      time.Time `json:"-"`
	WroteAfter bool      `json:"-"`
	// OnShift names the operators on shift when a conversation was closed without a reply.
	OnShift []string `json:"on_shift,omitempty"`
}

// Template is a reply one operator sent to at least conversations.template_min_customers
// customers in the period.
type Template struct {
	Operator  string `json:"operator"`
	ActorVKID int64  `json:"actor_vk_id"`
	// Text is the reply as normalised (lower case, no names or numbers).
	Text      string `json:"text"`
	Customers int    `json:"customers"`
	Replies   int    `json:"replies"`
	// WroteAgain counts the customers who wrote again after it.
	WroteAgain int `json:"wrote_again"`
}

// Report is the computed figures of a period.
type Report struct {
	From        time.Time         `json:"from"`
	To          time.Time         `json:"to"`
	SLA         time.Duration     `json:"-"`
	SLASeconds  int64             `json:"sla_seconds"`
	Communities []CommunityReport `json:"communities"`
	// Activity counts, per operator and hour of the day in Input.Location, the cases they
	// acted in (cases of the period, at the hour of Case.ActedAt) plus the reasons they gave
	// (JustifiedAt in the period, of a case of this or the previous period). Operators with
	// no activity are absent.
	Activity map[string][24]int `json:"activity"`
	// Replies counts, per operator and hour of the day in Input.Location, their replies
	// to customers in community messages written in the period.
	Replies map[string][24]int `json:"-"`
	// Shifts marks, per operator with shifts, the hours of the day in Input.Location they
	// are on shift on some day of the period (for the chart's outline).
	Shifts map[string][24]bool `json:"-"`
}

// Community returns the report restricted to one community, and whether it has it.
func (r Report) Community(groupID int64) (Report, bool) {
	for _, c := range r.Communities {
		if c.GroupID == groupID {
			out := r
			out.Communities = []CommunityReport{c}
			out.Activity, out.Replies = c.Activity, c.Replies
			return out, true
		}
	}
	return Report{}, false
}

// Operator returns the report restricted to one operator's rows, deleted requests and
// hourly activity. Community totals and SLA breaches, which belong to no operator, stay
// for comparison.
func (r Report) Operator(name string) Report {
	out := r
	out.Communities = nil
	for _, c := range r.Communities {
		var ops []OperatorFigures
		for _, o := range c.Operators {
			if o.Operator == name {
				ops = append(ops, o)
			}
		}
		var dels []DeletedRequest
		for _, d := range c.DeletedRequests {
			if d.Operator == name && !d.Vanished { // a vanished post is nobody's
				dels = append(dels, d)
			}
		}
		c.Operators, c.DeletedRequests = ops, dels
		c.Activity, c.Replies = onlyKey(c.Activity, name), onlyKey(c.Replies, name)
		c.Signs, c.Templates = operatorSigns(c.Signs, name), operatorTemplates(c.Templates, name)
		c.SpotChecks = operatorSpotChecks(c.SpotChecks, name) // spotchecks.go
		out.Communities = append(out.Communities, c)
	}
	out.Activity = onlyKey(r.Activity, name)
	out.Replies = onlyKey(r.Replies, name)
	return out
}

func onlyKey(m map[string][24]int, name string) map[string][24]int {
	out := map[string][24]int{}
	if v, ok := m[name]; ok {
		out[name] = v
	}
	return out
}
