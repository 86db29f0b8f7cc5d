package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// Spot checks in Telegram: a dialog shown to its manager as the conversation, with Good
// and Bad; a reply to the message is the manager's comment; /qa asks for one more sample.
// Only the manager a spot check was sent to grades it (its buttons are theirs alone, and
// a reply by anyone else is refused), and may change the verdict as long as the buttons
// live (telegram.keep_sent): the trail keeps every verdict.

// Button actions of a spot check.
const (
	actGood = "qa_good"
	actBad  = "qa_bad"
)

// Limits of a spot check message: each message of the dialog is clipped, and the dialog
// stops where the message would pass spotBudget characters, leaving room for the header,
// the verdict and the comment under Telegram's MaxTextLen.
const (
	maxSpotLine = 700
	spotBudget  = 3000
)

// qaCatalog holds the texts of spot checks, in one language.
type qaCatalog struct {
	title, operator, customer, started, auto, community, unknownAdmin string
	edited, deleted, openVK, ask                                      string
	// more says how many messages of the dialog are left out.
	more                 func(n int) string
	btnGood, btnBad      string
	good, bad            string
	verdict              func(v, who, at string) string
	comment              string
	recorded             func(v string) string
	commented, notYours  string
	passedOn             func(to string) string
	leftUngraded         string
	none                 string
	sent                 func(n int) string
	cmdQA, help          string
	uncoveredTitle, left string
}

var qaCatalogs = map[string]*qaCatalog{"ru": &ruQA, "en": &enQA}

var ruQA = qaCatalog{
	title: "🔎 <b>Выборочная проверка диалога</b>", operator: "Оператор", customer: "Клиент", started: "Начало",
	auto: "автоответ", community: "сообщество", unknownAdmin: "админ не из списка",
	edited: "изменено", deleted: "удалено", openVK: "Открыть диалог в VK",
	ask: "Оцените ответы оператора. Комментарий — ответом на это сообщение.",
	more: func(n int) string {
		return fmt.Sprintf("… и ещё сообщений: %d — весь диалог в VK.", n)
	},
	btnGood: "👍 Хорошо", btnBad: "👎 Плохо", good: "Хорошо", bad: "Плохо",
	verdict: func(v, who, at string) string { return fmt.Sprintf("<b>Оценка: %s</b> — %s, %s", v, who, at) },
	comment: "Комментарий",
	recorded: func(v string) string {
		return "Оценка «" + v + "» записана. Чтобы добавить комментарий, ответьте на сообщение с диалогом."
	},
	commented: "Комментарий к проверке записан.",
	notYours:  "Эту проверку прислали другому менеджеру: оценивает он. Ничего не изменилось.",
	passedOn: func(to string) string {
		return "Бот не смог доставить вам эту проверку, и она передана: " + to + "."
	},
	leftUngraded: "Бот не смог вовремя доставить вам эту проверку, и передать её было некому: диалог остался без оценки. /qa пришлёт новые.",
	none:         "Новых диалогов для проверки нет: все диалоги операторов ваших сообществ за период уже проверены или их не было.",
	sent: func(n int) string {
		return fmt.Sprintf("Отправлено диалогов на проверку: %d.", n)
	},
	cmdQA:          "Диалоги на проверку",
	help:           "/qa — ещё по одному диалогу каждого оператора на проверку.",
	uncoveredTitle: "🔎 <b>Диалоги остались без выборочной проверки</b>",
	left:           "Ни один менеджер не отвечает за это сообщество. Добавьте его в people[].communities менеджера.",
}

var enQA = qaCatalog{
	title: "🔎 <b>Spot check of a dialog</b>", operator: "Operator", customer: "Customer", started: "Started",
	auto: "auto-reply", community: "community", unknownAdmin: "admin not in the config",
	edited: "edited", deleted: "deleted", openVK: "Open the dialog in VK",
	ask: "Grade the operator's answers. To comment, reply to this message.",
	more: func(n int) string {
		return fmt.Sprintf("… %d more %s: read the whole dialog in VK.", n, enPlural(n, "message", "messages"))
	},
	btnGood: "👍 Good", btnBad: "👎 Bad", good: "Good", bad: "Bad",
	verdict: func(v, who, at string) string { return fmt.Sprintf("<b>%s</b> — %s, %s", v, who, at) },
	comment: "Comment",
	recorded: func(v string) string {
		return "Recorded: " + v + ". To add a comment, reply to the message with the dialog."
	},
	commented: "Your comment on the spot check is recorded.",
	notYours:  "This spot check was sent to another manager: they grade it. Nothing was changed.",
	passedOn: func(to string) string {
		return "The bot could not deliver this spot check to you, so it went to " + to + "."
	},
	leftUngraded:   "The bot could not deliver this spot check to you in time, and nobody else could take it: the dialog stays ungraded. /qa sends new ones.",
	none:           "No new dialogs to check: every dialog of your communities' operators in the period was checked already, or there were none.",
	sent:           func(n int) string { return fmt.Sprintf("Dialogs sent to check: %d.", n) },
	cmdQA:          "Dialogs to spot-check",
	help:           "/qa — one more dialog of each operator to spot-check.",
	uncoveredTitle: "🔎 <b>Dialogs were left without spot checks</b>",
	left:           "No manager covers this community. Add it to a manager's people[].communities.",
}

// spotView renders a spot check's outbox message as things are now.
func (b *Bot) spotView(ctx context.Context, m justify.Message) (view, subject, error) {
	id, err := justify.ParseSpotPayload(m.Payload)
	if err != nil {
		return view{}, subject{}, &renderError{err}
	}
	v, err := b.deps.Service.SpotCheckView(ctx, id)
	if errors.Is(err, justify.ErrNotFound) {
		return view{}, subject{}, &renderError{err}
	}
	if err != nil {
		return view{}, subject{}, err
	}
	r := b.r.get()
	if v.ManagerTG != m.ChatID {
		// A copy the person gets after pressing Start, the spot check having been passed on
		// (or, with nobody to pass it to, left ungraded).
		text := r.qa.leftUngraded
		if v.Manager != "" {
			text = r.qa.passedOn(esc(v.Manager, maxName))
		}
		return view{text: text}, subject{spot: &v}, nil
	}
	return r.spotCheck(v), subject{spot: &v}, nil
}

// spotCheck renders a spot check: the dialog as a conversation, its verdict and comment,
// and Good and Bad (kept after a verdict, so that its manager may change it).
func (r renderer) spotCheck(v justify.SpotCheckView) view {
	q := r.qa
	var head, body, foot strings.Builder
	head.WriteString(q.title + "\n")
	fmt.Fprintf(&head, "%s: %s\n", r.cat.alertCommunity, r.community(justify.Case{GroupID: v.GroupID}))
	fmt.Fprintf(&head, "%s: <b>%s</b>\n", q.operator, esc(v.Operator, maxName))
	customer := v.CustomerName
	if customer == "" || r.plain {
		customer = fmt.Sprintf("id%d", v.CustomerVKID)
	}
	fmt.Fprintf(&head, "%s: <a href=\"https://vk.com/id%d\">%s</a>\n", q.customer, v.CustomerVKID, esc(customer, maxName))
	fmt.Fprintf(&head, "%s: %s\n\n", q.started, r.time(v.StartedAt))

	left := len(v.Lines)
	for _, l := range v.Lines {
		line := r.spotLine(v, l)
		if utf8.RuneCountInString(body.String())+utf8.RuneCountInString(line) > spotBudget {
			break
		}
		body.WriteString(line)
		left--
	}
	if left > 0 {
		body.WriteString("<i>" + q.more(left) + "</i>\n")
	}
	if v.Link != "" {
		fmt.Fprintf(&foot, "\n<a href=\"%s\">%s</a>\n", escAttr(v.Link), q.openVK)
	}
	if v.Graded() {
		fmt.Fprintf(&foot, "\n%s\n", q.verdict(r.verdictName(v.Verdict), esc(v.VerdictBy, maxName), r.time(v.VerdictAt)))
	}
	if v.Comment != "" && !r.plain {
		fmt.Fprintf(&foot, "%s: %s\n", q.comment, esc(v.Comment, maxComment))
	}
	if !v.Graded() {
		foot.WriteString("\n" + q.ask + "\n")
	}
	good, bad := q.btnGood, q.btnBad
	switch v.Verdict {
	case justify.VerdictGood:
		good = "• " + good
	case justify.VerdictBad:
		bad = "• " + bad
	}
	rows := [][]btnSpec{{{label: good, action: actGood, spot: v.ID}, {label: bad, action: actBad, spot: v.ID}}}
	return view{text: strings.TrimRight(head.String()+body.String()+foot.String(), "\n"), rows: rows}
}

// spotLine renders one message of a spot-checked dialog: who, when, and the words.
func (r renderer) spotLine(v justify.SpotCheckView, l justify.SpotLine) string {
	q := r.qa
	var who string
	switch {
	case l.Side == justify.SideCustomer:
		who = fmt.Sprintf("👤 <b>%s</b>", esc(firstNonEmpty(v.CustomerName, fmt.Sprintf("id%d", v.CustomerVKID)), 60))
		if r.plain {
			who = fmt.Sprintf("👤 <b>id%d</b>", v.CustomerVKID)
		}
	case l.Automatic:
		who = "🤖 <i>" + q.auto + "</i>"
	case l.Who != "":
		who = "🎧 <b>" + esc(l.Who, 60) + "</b>"
	case l.AdminVKID != 0:
		who = fmt.Sprintf("🎧 <b>%s</b> (%s)", vkAdmin(l.AdminVKID), q.unknownAdmin)
	default:
		who = "🎧 <i>" + q.community + "</i>"
	}
	marks := ""
	if l.Edited {
		marks += ", " + q.edited
	}
	if l.Deleted {
		marks += ", " + q.deleted
	}
	text := ""
	if !r.plain {
		text = esc(l.Text, maxSpotLine)
	}
	if text == "" {
		text = "<i>—</i>"
	}
	return fmt.Sprintf("%s · %s%s\n%s\n", who, r.time(l.At), marks, text)
}

func (r renderer) verdictName(v justify.Verdict) string {
	if v == justify.VerdictGood {
		return r.qa.good
	}
	return r.qa.bad
}

// uncoveredAlert renders the alert that a community's dialogs could not be spot-checked.
func (r renderer) uncoveredAlert(a justify.Alert) view {
	var b strings.Builder
	b.WriteString(r.qa.uncoveredTitle + "\n")
	fmt.Fprintf(&b, "%s: %s\n", r.cat.alertCommunity, r.community(justify.Case{GroupID: a.GroupID}))
	if a.Detail != "" {
		b.WriteString(esc(a.Detail, maxNote) + "\n")
	}
	b.WriteString(r.qa.left + "\n")
	if !a.At.IsZero() {
		fmt.Fprintf(&b, "%s: %s", r.cat.when, r.time(a.At))
	}
	return view{text: strings.TrimRight(b.String(), "\n")}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// escAttr escapes a value for an HTML attribute, quotes included.
func escAttr(s string) string { return strings.ReplaceAll(esc(s, 500), `"`, "&quot;") }

// onSpotPress records a manager's Good or Bad and shows it on the message.
func (b *Bot) onSpotPress(ctx context.Context, q *tgbotapi.CallbackQuery, btn justify.Button, log zerolog.Logger) {
	log = log.With().Int64("spot_check_id", int64(btn.SpotCheckID)).Str("action", btn.Action).Logger()
	v := justify.VerdictGood
	if btn.Action == actBad {
		v = justify.VerdictBad
	}
	sc, err := b.deps.Service.GradeSpotCheck(ctx, q.From.ID, btn.SpotCheckID, v)
	switch {
	case errors.Is(err, justify.ErrNotYours):
		log.Info().Msg("spot check press refused: someone else's")
		b.answer(q, b.r.qa.notYours)
		return
	case err != nil:
		b.answer(q, b.errText(err, log))
		return
	}
	log.Info().Str("verdict", string(sc.Verdict)).Msg("spot check graded")
	b.answer(q, b.r.qa.recorded(plainText(b.r.get().verdictName(sc.Verdict))))
	if q.Message != nil && q.Message.Chat != nil {
		b.refreshSpot(ctx, q.Message.Chat.ID, q.Message.MessageID, sc.ID, log)
	}
}

// spotReply records a reply to a spot check's message as its comment. It reports whether
// the message was such a reply; any other message goes on as usual.
func (b *Bot) spotReply(ctx context.Context, m *tgbotapi.Message, log zerolog.Logger) bool {
	orig := m.ReplyToMessage
	if orig == nil || m.Text == "" {
		return false
	}
	sc, err := b.deps.Service.CommentSpotCheck(ctx, m.From.ID, m.Chat.ID, orig.MessageID, m.Text)
	switch {
	case errors.Is(err, justify.ErrNotFound):
		return false
	case errors.Is(err, justify.ErrNotYours):
		b.reply(m.Chat.ID, b.r.qa.notYours)
		return true
	case err != nil:
		b.reply(m.Chat.ID, b.errText(err, log))
		return true
	}
	log.Info().Int64("spot_check_id", int64(sc.ID)).Msg("spot check commented")
	b.reply(m.Chat.ID, b.r.qa.commented)
	b.refreshSpot(ctx, m.Chat.ID, orig.MessageID, sc.ID, log)
	return true
}

// refreshSpot edits a spot check's message to show its verdict and comment. A failure
// only leaves the message as it was: the verdict is recorded.
func (b *Bot) refreshSpot(ctx context.Context, chat int64, msgID int, id justify.SpotCheckID, log zerolog.Logger) {
	v, err := b.deps.Service.SpotCheckView(ctx, id)
	if err != nil {
		log.Warn().Err(err).Msg("load spot check to show its verdict")
		return
	}
	out := b.r.get().spotCheck(v)
	kb, err := b.issue(ctx, chat, 0, 0, out.rows)
	if err != nil {
		log.Warn().Err(err).Msg("issue spot check buttons")
		return
	}
	b.pace.spend(chat)
	if r := b.api.EditText(ctx, chat, msgID, out.text, kb); !r.ok() {
		log.Warn().Err(r.err()).Msg("show the spot check's verdict")
	}
}

// qaCommand sends the person one more sample at once.
func (b *Bot) qaCommand(ctx context.Context, p justify.Person) (string, error) {
	n, err := b.deps.Service.SpotCheckNow(ctx, p.TelegramID)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return b.r.qa.none, nil
	}
	b.Wake()
	return b.r.qa.sent(n), nil
}
