package telegram

import (
	"fmt"
	"strings"

	"github.com/modwatch/modwatch/justify"
)

// deliveryCatalog holds the texts about delivery, in one language: the short form of a
// message Telegram refused, an operator who could not be asked, a message that reached
// nobody.
type deliveryCatalog struct {
	// shortNote closes a short form; its argument names what it shows ("Case 12").
	shortNote                func(what string) string
	caseRef, batchRef        func(id int64) string
	alertRef                 string
	wordsLeftOut             string
	notAsked, notAskedOp     string
	undeliveredHint, message string
	telegramSaid             string
	kinds                    map[justify.MessageKind]string
	undoNoteLeftOut          string
	// replyRefused stands for an answer to a command that Telegram refused.
	replyRefused string
}

var ruDelivery = deliveryCatalog{
	shortNote: func(what string) string {
		return "⚠️ " + what + " — в краткой форме: Telegram не принял полный текст, поэтому то, что написали клиенты и другие люди, не показано. В modwatch оно сохранено."
	},
	caseRef:         func(id int64) string { return fmt.Sprintf("Дело %d", id) },
	batchRef:        func(id int64) string { return fmt.Sprintf("Группа %d", id) },
	alertRef:        "Оповещение",
	wordsLeftOut:    "Слова клиента не показаны.",
	notAsked:        "📵 <b>Модератора не удалось спросить</b>: бот не смог доставить ему вопрос, так что причину с него не ждут.",
	notAskedOp:      "📵 Вопрос не дошёл до вас вовремя, и менеджеры уже видят эту группу. Причину для всех ещё можно указать:",
	undeliveredHint: "Telegram не принял сообщение, даже в краткой форме: до человека оно не дошло.",
	message:         "Сообщение",
	telegramSaid:    "Ответ Telegram",
	kinds: map[justify.MessageKind]string{
		justify.MsgPrompt: "вопрос о причине", justify.MsgAskText: "просьба о пояснении", justify.MsgReminder: "напоминание",
		justify.MsgReview: "дело на проверку", justify.MsgOutcome: "решение по делу", justify.MsgUndoByHand: "инструкция по отмене",
		justify.MsgAlert: "оповещение", justify.MsgDigest: "сводка",
		justify.MsgBatchPrompt: "вопрос о причине для группы", justify.MsgBatchAskText: "просьба о пояснении для группы",
		justify.MsgBatchReminder: "напоминание о группе", justify.MsgBatchReview: "группа на проверку",
		justify.MsgBatchOutcome: "решение по группе", justify.MsgSpotCheck: "выборочная проверка диалога",
	},
	undoNoteLeftOut: "подробности не показаны",
	replyRefused:    "⚠️ Telegram не принял этот ответ: в нём есть текст, который Telegram не пропускает (например, слова клиента). Целиком дело показывает команда modwatch cases show на сервере.",
}

var enDelivery = deliveryCatalog{
	shortNote: func(what string) string {
		return "⚠️ " + what + " is shown in short: Telegram refused the full text, so what customers and others wrote is left out. modwatch keeps it."
	},
	caseRef:         func(id int64) string { return fmt.Sprintf("Case %d", id) },
	batchRef:        func(id int64) string { return fmt.Sprintf("Batch %d", id) },
	alertRef:        "This alert",
	wordsLeftOut:    "The customer's words are left out.",
	notAsked:        "📵 <b>The operator could not be asked</b>: the bot could not deliver the question, so no reason is owed.",
	notAskedOp:      "📵 The question could not reach you in time, and managers already have this batch. You can still give the reason for all:",
	undeliveredHint: "Telegram would not take the message, not even in its short form: it did not reach them.",
	message:         "Message",
	telegramSaid:    "Telegram said",
	kinds: map[justify.MessageKind]string{
		justify.MsgPrompt: "the question for a reason", justify.MsgAskText: "the request for an explanation", justify.MsgReminder: "a reminder",
		justify.MsgReview: "a case to review", justify.MsgOutcome: "a decision on a case", justify.MsgUndoByHand: "how to undo by hand",
		justify.MsgAlert: "an alert", justify.MsgDigest: "a digest",
		justify.MsgBatchPrompt: "the question for a batch's reason", justify.MsgBatchAskText: "the request for a batch's explanation",
		justify.MsgBatchReminder: "a batch's reminder", justify.MsgBatchReview: "a batch to review",
		justify.MsgBatchOutcome: "a decision on a batch", justify.MsgSpotCheck: "a spot check of a dialog",
	},
	undoNoteLeftOut: "details left out",
	replyRefused:    "⚠️ Telegram refused this answer: it holds text Telegram does not take (a customer's words, say). The whole case is shown by modwatch cases show on the server.",
}

// short renders the short form of a message whose full form Telegram refused: the same
// message with nothing in it but what the bot writes itself (the case's number, the kind
// of action, the community, the deadline, the state, the names the config gives) and a
// line that says so. Left out are the customers' names and words, VK's comment and
// errors, and the operator's explanation: whatever Telegram choked on came from there.
// The caller keeps the full form's buttons, so that the person can still act.
func (r renderer) short(kind justify.MessageKind, s subject) view {
	r.plain = true
	var v view
	var what string
	switch {
	case s.c != nil:
		c := *s.c
		c.UserName, c.VKComment, c.ReasonText = "", "", ""
		if c.UndoNote != "" {
			c.UndoNote = r.cat.delivery.undoNoteLeftOut
		}
		// A case's kinds all render: its message was rendered from it a moment ago.
		v, _ = r.render(kind, c, justify.Evidence{})
		what = r.cat.delivery.caseRef(int64(c.ID))
	case s.batch != nil:
		bt := *s.batch
		bt.ReasonText = ""
		members := make([]justify.Case, len(s.members))
		for i, c := range s.members {
			members[i] = justify.Case{ID: c.ID, UserVKID: c.UserVKID}
		}
		v, _ = r.renderBatch(kind, bt, members)
		what = r.cat.delivery.batchRef(int64(bt.ID))
	case s.alert != nil:
		a := *s.alert
		a.Detail = ""
		// A person's name comes from the config; anything else may come from outside.
		if r.people == nil {
			a.Subject = ""
		} else if _, known := r.people.ByName(a.Subject); !known {
			a.Subject = ""
		}
		v = r.alert(a)
		what = r.cat.delivery.alertRef
	case s.spot != nil:
		v = r.spotCheck(*s.spot) // plain: nobody's words
		what = r.qa.title
	default:
		what = r.cat.delivery.alertRef
	}
	v.text = strings.TrimRight(v.text, "\n") + "\n\n<i>" + r.cat.delivery.shortNote(what) + "</i>"
	return v
}

// plainEvidence stands for evidence in a short form: what the bot knows of the action
// itself, and that the customer's words are left out.
func (r renderer) plainEvidence(b *strings.Builder, c justify.Case) {
	if !c.IsDeletion() {
		r.details(b, c)
		fmt.Fprintf(b, "\n%s\n", r.cat.delivery.wordsLeftOut)
		return
	}
	if c.Severe {
		b.WriteString(r.cat.severe + "\n")
	}
	fmt.Fprintf(b, "%s: %s\n", r.cat.author, r.userLink(c))
	if link := r.itemLink(c, nil); link != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.link, link)
	}
	fmt.Fprintf(b, "%s: %s\n", r.cat.deletedBy, r.deleter(c))
	fmt.Fprintf(b, "%s: %s\n", r.cat.when, r.time(c.ActedAt))
	b.WriteString(r.cat.delivery.wordsLeftOut + "\n")
}
