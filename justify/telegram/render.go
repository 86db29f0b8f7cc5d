package telegram

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modwatch/modwatch/justify"
)

// MaxTextLen is Telegram's limit on a message's text, in characters after entity parsing.
const MaxTextLen = 4096

// Limits on the pieces of outside text placed in a message. Together with the fixed
// wording they keep every message under MaxTextLen, so a long comment is cut in the
// middle of itself, never in the middle of a tag.
const (
	maxName    = 200
	maxComment = 1000
	maxText    = 1500
	maxNote    = 500
)

// btnSpec is a button before it is issued a token.
type btnSpec struct {
	label  string
	action string
	reason justify.Reason
	spot   justify.SpotCheckID // the spot check a Good or Bad grades
}

// view is a rendered message: HTML text and the buttons to issue.
type view struct {
	text       string
	rows       [][]btnSpec
	forceReply bool
}

// renderer turns a case into the message of a kind, in one language.
type renderer struct {
	cat         *catalog
	team        *teamCatalog // texts of team chats and scopes (teampress.go)
	qa          *qaCatalog   // texts of spot checks (spotcheck.go)
	loc         *time.Location
	communities map[int64]justify.Community
	// people names the admins who answered tickets; nil shows VK ids.
	people *justify.Directory
	// now dates ages ("2 h ago"); time.Now when nil.
	now func() time.Time
	// alertWindow is the service's alert grouping window, for "3 times in the last hour".
	alertWindow time.Duration
	// plain renders a short form: nothing but what the bot writes itself (short.go).
	plain bool
}

// clock is the time messages are rendered at.
func (r renderer) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// clip cuts s to at most n characters without splitting a UTF-8 sequence, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}

// esc makes outside text (VK names, comments, operators' explanations) safe to show: valid
// UTF-8 with invisible and direction-changing characters made visible (justify.ShowText,
// whatever the store holds), cut to n characters and escaped for HTML mode.
func esc(s string, n int) string { return html.EscapeString(clip(justify.ShowText(s), n)) }

func (r renderer) time(t time.Time) string { return t.In(r.loc).Format(r.cat.timeLayout) }

func (r renderer) community(c justify.Case) string {
	if cm, ok := r.communities[c.GroupID]; ok && cm.Name != "" {
		return esc(cm.Name, maxName)
	}
	return fmt.Sprintf("club%d", c.GroupID)
}

func userName(c justify.Case) string {
	switch {
	case c.UserName != "":
		return c.UserName
	case c.UserVKID < 0:
		return fmt.Sprintf("club%d", -c.UserVKID)
	case c.UserVKID > 0:
		return fmt.Sprintf("id%d", c.UserVKID)
	}
	return "?"
}

// userLink links the VK profile of the case's user (a community for negative ids); an
// author VK did not name is shown without a link.
func (r renderer) userLink(c justify.Case) string {
	switch {
	case c.UserVKID > 0:
		return fmt.Sprintf(`<a href="https://vk.com/id%d">%s</a>`, c.UserVKID, esc(userName(c), maxName))
	case c.UserVKID < 0:
		return fmt.Sprintf(`<a href="https://vk.com/club%d">%s</a>`, -c.UserVKID, esc(userName(c), maxName))
	}
	return esc(userName(c), maxName)
}

func (r renderer) reasonName(x justify.Reason) string {
	if s, ok := r.cat.reasons[x]; ok {
		return s
	}
	return esc(string(x), maxName)
}

// details is the part every case message shares: who was banned, when, for how long, why.
func (r renderer) details(b *strings.Builder, c justify.Case) {
	fmt.Fprintf(b, "%s: %s\n", r.cat.user, r.userLink(c))
	fmt.Fprintf(b, "%s: %s\n", r.cat.when, r.time(c.ActedAt))
	until := r.cat.forever
	if !c.Until.IsZero() {
		until = r.time(c.Until)
	}
	fmt.Fprintf(b, "%s: %s\n", r.cat.until, until)
	vk, ok := r.cat.vkReasons[c.VKReason]
	if !ok {
		vk = fmt.Sprintf("%d", c.VKReason)
	}
	fmt.Fprintf(b, "%s: %s\n", r.cat.vkReason, vk)
	if c.VKComment != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.vkComment, esc(c.VKComment, maxComment))
	}
}

// reason writes what the operator recorded, if anything.
func (r renderer) reason(b *strings.Builder, c justify.Case) {
	if !c.Justified() {
		return
	}
	format := r.cat.recorded
	if c.JustifiedLate() {
		format = r.cat.recordedLate
	}
	fmt.Fprintf(b, "\n"+format+"\n", r.reasonName(c.Reason))
	if c.ReasonText != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.explanation, esc(c.ReasonText, maxText))
	}
}

func (r renderer) outcome(c justify.Case) string {
	format, ok := r.cat.outcomes[c.Resolution]
	if c.IsDeletion() {
		if f, okDel := r.cat.outcomesDel[c.Resolution]; okDel {
			format, ok = f, true
		}
	}
	if !ok {
		return esc(string(c.Resolution), maxName)
	}
	return fmt.Sprintf(format, esc(c.ResolvedBy, maxName), r.time(c.ResolvedAt))
}

// pick chooses the ban or the deletion wording.
func pick(c justify.Case, ban, deletion string) string {
	if c.IsDeletion() {
		return deletion
	}
	return ban
}

// render builds the message of kind for case c as it is now; ev is what prompts and
// reviews show of the customer's words.
func (r renderer) render(kind justify.MessageKind, c justify.Case, ev justify.Evidence) (view, error) {
	var b strings.Builder
	var v view
	var fill func(budget int) string
	switch kind {
	case justify.MsgPrompt:
		fmt.Fprintf(&b, "<b>"+pick(c, r.cat.banIn, r.cat.delIn)+"</b>\n", r.community(c))
		fill = r.evidence(&b, c, ev)
		// Sent now, the prompt asks now: the deadline runs from its delivery.
		fmt.Fprintf(&b, "%s: %s\n", r.cat.deadline, r.time(c.DeadlineIfAsked(r.clock())))
		r.ownAction(&b, c.GroupID, c.Operator, c.ActorRole, c.ActorVKID)
		switch {
		case c.State == justify.StateAwaitingReason || (c.State == justify.StateAwaitingReview && !c.Justified()):
			fmt.Fprintf(&b, "\n%s", pick(c, r.cat.chooseReason, r.cat.chooseReasonDel))
			v.rows = r.reasonRows()
		case c.State == justify.StateAwaitingReview:
			r.reason(&b, c)
			b.WriteString(r.cat.waitingManagers)
			v.rows = [][]btnSpec{{{label: r.cat.btnExplain, action: actExplain}}}
		case c.State == justify.StateUndoPending || c.State == justify.StateReversing:
			r.reason(&b, c)
			b.WriteString(r.cat.undoPendingOp)
		default:
			r.reason(&b, c)
			b.WriteString("\n" + r.outcome(c))
		}
	case justify.MsgAskText:
		fmt.Fprintf(&b, pick(c, r.cat.askText, r.cat.askTextDel), r.userLink(c), r.community(c))
		v.forceReply = true
	case justify.MsgReminder:
		fmt.Fprintf(&b, pick(c, r.cat.reminder, r.cat.reminderDel), r.time(c.Deadline), r.userLink(c), r.community(c))
	case justify.MsgReview:
		fmt.Fprintf(&b, "<b>"+pick(c, r.cat.reviewTitle, r.cat.reviewTitleDel)+"</b>\n", r.community(c))
		r.actor(&b, c)
		r.ownersDecide(&b, c.GroupID, c.Operator, c.ActorVKID)
		if c.Overdue {
			b.WriteString(r.cat.overdue + "\n")
		}
		if c.NotAsked {
			b.WriteString(r.cat.delivery.notAsked + "\n")
		}
		fill = r.evidence(&b, c, ev)
		if c.Justified() {
			r.reason(&b, c)
		} else if !c.UnknownAdmin() {
			b.WriteString("\n" + r.cat.noReasonYet + "\n")
		}
		v.rows = r.reviewRows(c)
		switch c.State {
		case justify.StateReversing:
			b.WriteString("\n" + fmt.Sprintf(pick(c, r.cat.reversingReview, r.cat.reversingReviewDel), esc(c.ResolvedBy, maxName)))
		case justify.StateUndoPending:
			b.WriteString("\n" + r.undoPending(c))
		case justify.StateClosed:
			b.WriteString("\n" + r.outcome(c))
		}
	case justify.MsgOutcome:
		fmt.Fprintf(&b, "<b>"+pick(c, r.cat.outcomeTitle, r.cat.outcomeTitleDel)+"</b>\n", r.userLink(c), r.community(c))
		b.WriteString(r.outcome(c))
	case justify.MsgUndoByHand:
		fmt.Fprintf(&b, "<b>"+pick(c, r.cat.undoTitle, r.cat.undoTitleDel)+"</b>\n", r.userLink(c), r.community(c))
		fmt.Fprintf(&b, r.cat.undoWhy+"\n\n", r.undoReason(c))
		if c.IsDeletion() {
			fmt.Fprintf(&b, r.cat.undoStepsDel, r.itemLink(c, ev.Ticket), fmt.Sprintf("/case %d", c.ID))
		} else {
			club := fmt.Sprintf(`<a href="https://vk.com/club%d">vk.com/club%d</a>`, c.GroupID, c.GroupID)
			fmt.Fprintf(&b, r.cat.undoSteps, club, r.userLink(c))
		}
	default:
		return view{}, fmt.Errorf("render message kind %q: unknown kind", kind)
	}
	v.text = fitEvidence(strings.TrimRight(b.String(), "\n"), fill)
	return v, nil
}

// undoPending tells managers that a decided undo waits to be done by hand, and why.
func (r renderer) undoPending(c justify.Case) string {
	return fmt.Sprintf(pick(c, r.cat.undoPendingReview, r.cat.undoPendingReviewDel), esc(c.ResolvedBy, maxName), r.undoReason(c))
}

// undoReason says in the reader's language why modwatch could not undo the action; only a
// refusal VK explained itself quotes VK's (English) words.
func (r renderer) undoReason(c justify.Case) string {
	text, ok := r.cat.undoProblems[c.UndoProblem]
	if !ok {
		return esc(c.UndoNote, maxNote)
	}
	if strings.Contains(text, "%s") {
		return fmt.Sprintf(text, esc(c.UndoNote, maxNote))
	}
	return text
}

// actor says who acted in a review: the operator, a manager or owner who moderates too
// (with their role), or a warning about an unknown admin. Deletion cases say it in their
// evidence, where vanished posts are explained too.
func (r renderer) actor(b *strings.Builder, c justify.Case) {
	switch {
	case c.IsDeletion():
	case c.UnknownAdmin():
		fmt.Fprintf(b, r.cat.unknownAdmin+"\n", vkAdmin(c.ActorVKID))
	case c.ActorRole != "" && c.ActorRole != justify.RoleOperator:
		fmt.Fprintf(b, "%s: %s\n", r.cat.self.actedBy, r.who(c.Operator, c.ActorRole))
	default:
		fmt.Fprintf(b, "%s: %s\n", r.cat.operator, esc(c.Operator, maxName))
	}
}

func vkAdmin(id int64) string {
	return fmt.Sprintf(`<a href="https://vk.com/id%d">vk%d</a>`, id, id)
}

func (r renderer) reasonRows() [][]btnSpec {
	spec := func(x justify.Reason) btnSpec {
		return btnSpec{label: r.cat.reasons[x], action: actReason, reason: x}
	}
	return [][]btnSpec{
		{spec(justify.ReasonSpam), spec(justify.ReasonAbuse)},
		{spec(justify.ReasonLanguage), spec(justify.ReasonFlood)},
		{spec(justify.ReasonOther)},
	}
}

// reviewRows are a manager's buttons for the case as it is now; none once decided.
func (r renderer) reviewRows(c justify.Case) [][]btnSpec {
	switch c.State {
	case justify.StateAwaitingReview:
		return [][]btnSpec{{
			{label: pick(c, r.cat.btnApprove, r.cat.btnKeepDeleted), action: actApprove},
			{label: pick(c, r.cat.btnReverse, r.cat.btnRestore), action: actReverse},
		}}
	case justify.StateUndoPending:
		return [][]btnSpec{{{label: pick(c, r.cat.btnRetry, r.cat.btnRetryRestore), action: actReverse}}}
	}
	return nil
}

func (r renderer) confirmRows(c justify.Case) [][]btnSpec {
	return [][]btnSpec{{
		{label: pick(c, r.cat.btnConfirm, r.cat.btnConfirmRestore), action: actConfirmReverse},
		{label: r.cat.btnCancel, action: actCancel},
	}}
}
