package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/modwatch/modwatch/justify"
)

// Batch button actions: the button is bound to a batch (Button.BatchID), not a case.
const (
	actBatchReason   = "batch_reason"     // one reason for all, or ask one text for ReasonOther
	actBatchSplit    = "batch_split"      // the operator's "one by one": a prompt per case
	actBatchApprove  = "batch_approve"    // managers: let every action stand
	actBatchOneByOne = "batch_one_by_one" // managers: a normal review per case
)

// batchNames is how many of a batch's users a message names before "…and N more".
const batchNames = 5

// batchCatalog holds the texts of batch messages, in one language.
type batchCatalog struct {
	// title formats the wave: count, community, span ("1000 users banned in «X» in 58 s").
	title, titleDel       func(n int, community, span string) string
	reviewTitle           func(n int, operator, community, span string) string
	reviewTitleDel        func(n int, operator, community, span string) string
	span                  func(d time.Duration) string
	more                  func(n int) string
	chooseAll, overdueOp  string
	recordedAll           func(n int, reason string) string
	approvedAll           func(n int, by, at string) string
	split, splitReview    func(by string) string
	overdueReview         string
	askText               func(n int, community string) string
	reminder              func(n int, at, community string) string
	outcome               func(n int, community string) string
	btnAll                func(reason string) string
	btnOneByOne           string
	btnApproveAll         string
	ansRecorded           func(n int, reason string) string
	ansSplit, ansApproved func(n int) string
	ansOneByOne           func(n int) string
}

var ruBatch = batchCatalog{
	title: func(n int, cm, span string) string {
		return fmt.Sprintf("🚫 %d %s в «%s» %s", n, ruPlural(n, "пользователь забанен", "пользователя забанены", "пользователей забанены"), cm, span)
	},
	titleDel: func(n int, cm, span string) string {
		return fmt.Sprintf("🗑 %d %s в «%s» %s", n, ruPlural(n, "комментарий удалён", "комментария удалены", "комментариев удалены"), cm, span)
	},
	reviewTitle: func(n int, op, cm, span string) string {
		return fmt.Sprintf("🔎 На проверку: %d %s, %s, «%s», %s", n, ruPlural(n, "бан", "бана", "банов"), op, cm, span)
	},
	reviewTitleDel: func(n int, op, cm, span string) string {
		return fmt.Sprintf("🔎 На проверку: %d %s, %s, «%s», %s", n, ruPlural(n, "удаление", "удаления", "удалений"), op, cm, span)
	},
	span: func(d time.Duration) string {
		if d < time.Minute {
			return fmt.Sprintf("за %d с", max(1, int(d/time.Second)))
		}
		return fmt.Sprintf("за %d мин", int(d/time.Minute))
	},
	more:      func(n int) string { return fmt.Sprintf("…и ещё %d", n) },
	chooseAll: "Укажите одну причину для всех или разберите по одному:",
	overdueOp: "⏰ Срок прошёл, менеджеры уже видят эту группу. Причину для всех ещё можно указать:",
	recordedAll: func(n int, reason string) string {
		return fmt.Sprintf("✅ Причина записана для %d: %s", n, reason)
	},
	approvedAll: func(n int, by, at string) string {
		return fmt.Sprintf("✅ Оставлено в силе: %d (%s, %s)", n, by, at)
	},
	split:         func(by string) string { return fmt.Sprintf("Разбирается по одному (%s).", by) },
	splitReview:   func(by string) string { return fmt.Sprintf("Проверяется по одному (%s).", by) },
	overdueReview: "⏰ Модератор не указал причину в срок.",
	askText: func(n int, cm string) string {
		return fmt.Sprintf("✍️ Ответьте на это сообщение одним пояснением для всех %d в «%s».", n, cm)
	},
	reminder: func(n int, at, cm string) string {
		return fmt.Sprintf("⏰ Напоминание: до %s нужно указать причину для %d %s в «%s». Кнопки — в сообщении выше.", at, n, ruPlural(n, "действия", "действий", "действий"), cm)
	},
	outcome: func(n int, cm string) string {
		return fmt.Sprintf("📋 Менеджеры оставили в силе все %d %s в «%s»", n, ruPlural(n, "действие", "действия", "действий"), cm)
	},
	btnAll:        func(reason string) string { return "Все: " + reason },
	btnOneByOne:   "По одному",
	btnApproveAll: "Оставить все",
	ansRecorded:   func(n int, reason string) string { return fmt.Sprintf("Записано для %d: %s", n, reason) },
	ansSplit: func(n int) string {
		return fmt.Sprintf("Пришлю %d %s по одному.", n, ruPlural(n, "вопрос", "вопроса", "вопросов"))
	},
	ansApproved: func(n int) string { return fmt.Sprintf("Оставлено в силе: %d.", n) },
	ansOneByOne: func(n int) string {
		return fmt.Sprintf("Отправлено на проверку по одному: %d.", n)
	},
}

var enBatch = batchCatalog{
	title: func(n int, cm, span string) string {
		return fmt.Sprintf("🚫 %d %s in «%s» %s", n, enPlural(n, "user banned", "users banned"), cm, span)
	},
	titleDel: func(n int, cm, span string) string {
		return fmt.Sprintf("🗑 %d %s in «%s» %s", n, enPlural(n, "comment deleted", "comments deleted"), cm, span)
	},
	reviewTitle: func(n int, op, cm, span string) string {
		return fmt.Sprintf("🔎 For review: %d %s by %s in «%s» %s", n, enPlural(n, "ban", "bans"), op, cm, span)
	},
	reviewTitleDel: func(n int, op, cm, span string) string {
		return fmt.Sprintf("🔎 For review: %d %s by %s in «%s» %s", n, enPlural(n, "deletion", "deletions"), op, cm, span)
	},
	span: func(d time.Duration) string {
		if d < time.Minute {
			return fmt.Sprintf("in %d s", max(1, int(d/time.Second)))
		}
		return fmt.Sprintf("in %d min", int(d/time.Minute))
	},
	more:        func(n int) string { return fmt.Sprintf("…and %d more", n) },
	chooseAll:   "Give one reason for all of them, or go one by one:",
	overdueOp:   "⏰ The deadline passed and managers have this batch. You can still give the reason for all:",
	recordedAll: func(n int, reason string) string { return fmt.Sprintf("✅ Reason recorded for %d: %s", n, reason) },
	approvedAll: func(n int, by, at string) string {
		return fmt.Sprintf("✅ Approved: %d (%s, %s)", n, by, at)
	},
	split:         func(by string) string { return fmt.Sprintf("Taken one by one (%s).", by) },
	splitReview:   func(by string) string { return fmt.Sprintf("Reviewed one by one (%s).", by) },
	overdueReview: "⏰ The operator gave no reason by the deadline.",
	askText: func(n int, cm string) string {
		return fmt.Sprintf("✍️ Reply to this message with one explanation for all %d in «%s».", n, cm)
	},
	reminder: func(n int, at, cm string) string {
		return fmt.Sprintf("⏰ Reminder: please give the reason for %d actions in «%s» by %s. The buttons are in the message above.", n, cm, at)
	},
	outcome: func(n int, cm string) string {
		return fmt.Sprintf("📋 Managers approved all %d actions in «%s»", n, cm)
	},
	btnAll:        func(reason string) string { return "All: " + reason },
	btnOneByOne:   "One by one",
	btnApproveAll: "Approve all",
	ansRecorded:   func(n int, reason string) string { return fmt.Sprintf("Recorded for %d: %s", n, reason) },
	ansSplit:      func(n int) string { return fmt.Sprintf("%d prompts will follow, one by one.", n) },
	ansApproved:   func(n int) string { return fmt.Sprintf("Approved: %d.", n) },
	ansOneByOne:   func(n int) string { return fmt.Sprintf("Sent for review one by one: %d.", n) },
}

// batchView renders a batch message from the batch as it is now.
func (b *Bot) batchView(ctx context.Context, m justify.Message) (view, subject, error) {
	bt, members, err := b.deps.Service.Batch(ctx, m.BatchID, batchNames)
	if errors.Is(err, justify.ErrNotFound) {
		return view{}, subject{}, &renderError{fmt.Errorf("batch %d not found", m.BatchID)}
	}
	if err != nil {
		return view{}, subject{}, fmt.Errorf("load batch %d: %w", m.BatchID, err)
	}
	v, err := b.r.get().renderBatch(m.Kind, bt, members)
	if err != nil {
		return view{}, subject{}, &renderError{err}
	}
	return v, subject{batch: &bt, members: members}, nil
}

// renderBatch builds a batch message: one message standing for every case of the batch.
func (r renderer) renderBatch(kind justify.MessageKind, bt justify.Batch, members []justify.Case) (view, error) {
	bc := r.cat.batch
	cm := r.community(justify.Case{GroupID: bt.GroupID})
	span := bc.span(bt.Span())
	var b strings.Builder
	var v view
	title := func() {
		if bt.IsDeletion() {
			b.WriteString("<b>" + bc.titleDel(bt.Members, cm, span) + "</b>\n")
		} else {
			b.WriteString("<b>" + bc.title(bt.Members, cm, span) + "</b>\n")
		}
		r.batchNames(&b, bt, members)
	}
	switch kind {
	case justify.MsgBatchPrompt:
		title()
		fmt.Fprintf(&b, "%s: %s\n", r.cat.deadline, r.time(bt.DeadlineIfAsked(r.clock())))
		r.ownAction(&b, bt.GroupID, bt.Operator, bt.ActorRole, bt.ActorVKID)
		switch {
		case bt.State == justify.BatchOpen:
			b.WriteString("\n" + bc.chooseAll)
			v.rows = r.batchReasonRows(true)
		case bt.State == justify.BatchReview && bt.Reason == "" && bt.NotAsked:
			b.WriteString("\n" + r.cat.delivery.notAskedOp)
			v.rows = r.batchReasonRows(false)
		case bt.State == justify.BatchReview && bt.Reason == "":
			b.WriteString("\n" + bc.overdueOp)
			v.rows = r.batchReasonRows(false)
		case bt.Split:
			b.WriteString("\n" + bc.split(esc(bt.ResolvedBy, maxName)))
		default:
			r.batchReason(&b, bt)
			if bt.State == justify.BatchClosed {
				b.WriteString(bc.approvedAll(bt.Approved, esc(bt.ResolvedBy, maxName), r.time(bt.ResolvedAt)))
			} else {
				b.WriteString(r.cat.waitingManagers)
			}
		}
	case justify.MsgBatchReview:
		op := r.who(bt.Operator, bt.ActorRole)
		if bt.IsDeletion() {
			b.WriteString("<b>" + bc.reviewTitleDel(bt.Members, op, cm, span) + "</b>\n")
		} else {
			b.WriteString("<b>" + bc.reviewTitle(bt.Members, op, cm, span) + "</b>\n")
		}
		r.batchNames(&b, bt, members)
		r.ownersDecide(&b, bt.GroupID, bt.Operator, bt.ActorVKID)
		if bt.Overdue {
			b.WriteString(bc.overdueReview + "\n")
		}
		if bt.NotAsked {
			b.WriteString(r.cat.delivery.notAsked + "\n")
		}
		if bt.Reason != "" {
			r.batchReason(&b, bt)
		} else {
			b.WriteString("\n" + r.cat.noReasonYet + "\n")
		}
		switch {
		case bt.State == justify.BatchReview:
			v.rows = [][]btnSpec{{{label: bc.btnApproveAll, action: actBatchApprove}, {label: bc.btnOneByOne, action: actBatchOneByOne}}}
		case bt.Split:
			b.WriteString("\n" + bc.splitReview(esc(bt.ResolvedBy, maxName)))
		case bt.State == justify.BatchClosed:
			b.WriteString("\n" + bc.approvedAll(bt.Approved, esc(bt.ResolvedBy, maxName), r.time(bt.ResolvedAt)))
		}
	case justify.MsgBatchAskText:
		b.WriteString(bc.askText(bt.Members, cm))
		v.forceReply = true
	case justify.MsgBatchReminder:
		b.WriteString(bc.reminder(bt.AwaitingReason, r.time(bt.Deadline), cm))
	case justify.MsgBatchOutcome:
		b.WriteString("<b>" + bc.outcome(bt.Approved, cm) + "</b>\n")
		b.WriteString(bc.approvedAll(bt.Approved, esc(bt.ResolvedBy, maxName), r.time(bt.ResolvedAt)))
	default:
		return view{}, fmt.Errorf("render batch message kind %q: unknown kind", kind)
	}
	v.text = strings.TrimRight(b.String(), "\n")
	return v, nil
}

// batchNames names the batch's first users, and how many more there are.
func (r renderer) batchNames(b *strings.Builder, bt justify.Batch, members []justify.Case) {
	var names []string
	for _, c := range members {
		names = append(names, r.userLink(c))
	}
	if len(names) == 0 {
		return
	}
	b.WriteString(strings.Join(names, ", "))
	if more := bt.Members - len(names); more > 0 {
		b.WriteString(" " + r.cat.batch.more(more))
	}
	b.WriteString("\n")
}

func (r renderer) batchReason(b *strings.Builder, bt justify.Batch) {
	justified := bt.Members - bt.AwaitingReason
	fmt.Fprintf(b, "\n%s\n", r.cat.batch.recordedAll(justified, r.reasonName(bt.Reason)))
	if bt.ReasonText != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.explanation, esc(bt.ReasonText, maxText))
	}
}

// batchReasonRows are the operator's buttons on a batch prompt: a reason for all, and,
// while the batch is open, one by one.
func (r renderer) batchReasonRows(oneByOne bool) [][]btnSpec {
	bc := r.cat.batch
	spec := func(x justify.Reason) btnSpec {
		return btnSpec{label: bc.btnAll(r.cat.reasons[x]), action: actBatchReason, reason: x}
	}
	rows := [][]btnSpec{
		{spec(justify.ReasonSpam), spec(justify.ReasonAbuse)},
		{spec(justify.ReasonLanguage), spec(justify.ReasonFlood)},
		{spec(justify.ReasonOther)},
	}
	if oneByOne {
		rows = append(rows, []btnSpec{{label: bc.btnOneByOne, action: actBatchSplit}})
	}
	return rows
}

// actBatch does what a batch's button stands for and returns the answer to show.
func (b *Bot) actBatch(ctx context.Context, q *tgbotapi.CallbackQuery, btn justify.Button) (string, error) {
	from, bc := q.From.ID, b.r.cat.batch
	switch btn.Action {
	case actBatchReason:
		if btn.Reason == justify.ReasonOther {
			return b.r.cat.ansAskReply, b.deps.Service.AskBatchText(ctx, from, btn.BatchID, btn.Reason)
		}
		bt, err := b.deps.Service.JustifyBatch(ctx, from, btn.BatchID, btn.Reason, "")
		return bc.ansRecorded(bt.Members-bt.AwaitingReason, b.r.get().reasonName(btn.Reason)), err
	case actBatchSplit:
		before, _, err := b.deps.Service.Batch(ctx, btn.BatchID, 0)
		if err != nil {
			return "", err
		}
		_, err = b.deps.Service.SplitBatch(ctx, from, btn.BatchID)
		return bc.ansSplit(before.AwaitingReason), err
	case actBatchApprove:
		bt, err := b.deps.Service.ApproveBatch(ctx, from, btn.BatchID)
		return bc.ansApproved(bt.Approved), err
	case actBatchOneByOne:
		before, _, err := b.deps.Service.Batch(ctx, btn.BatchID, 0)
		if err != nil {
			return "", err
		}
		_, err = b.deps.Service.ReviewBatchOneByOne(ctx, from, btn.BatchID)
		return bc.ansOneByOne(before.AwaitingReview), err
	}
	return "", fmt.Errorf("batch button action %q: %w", btn.Action, justify.ErrNotFound)
}
