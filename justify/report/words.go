package report

import (
	"fmt"
	"strings"
	"time"
)

// The texts of each language, and how durations and periods are written in it.

// words are one language's texts of a report.
type words struct {
	title        string // "Moderation for %s"
	total        string
	unknown      string // the row of admins who are not configured operators
	manager      string // after the name of a manager who moderates too: "Olga (manager)"
	owner        string // the same for an owner
	noActions    string // "%s: no actions"
	noActivity   string
	bans         string
	deletions    string
	reasons      string
	inTime       string
	late         string
	never        string
	decisions    string
	approved     string
	reversed     string
	reversedInVK string
	answered     string
	median       string
	breaches     string // "Unanswered over %s": the figure on the total line and the list's heading
	deletedReqs  string
	deletedList  string
	vanished     string // the figure of customers' wall posts found gone
	vanishedWho  string // who deleted a vanished post: nobody knows
	waits        string // "%s waits %s"
	unknownAdmin string // "unknown admin %d"
	noText       string
	more         string // "and %d more"
	link         string
	date         string // time.Format layout of a date
	dateTime     string
	shortTime    string
	day, hour    string // duration units
	minute       string
	unitSpace    string // between a number and its unit
	caption      string // "%s: bans %d, deletions %d"
	captionRev   string
	captionNever string
	captionDel   string
	chartTitle   string
	chartEmpty   string
	// listsLeftOut ends a /stats whose lists were left out to fit one message.
	listsLeftOut string
	conversationWords
}

// conversationWords are the texts of dialogs and signs of shirking.
type conversationWords struct {
	dialogs, dialogsAnswered, dialogsUnanswered, dialogLength string
	times, firstTouch, firstAnswer, reaction, p90             string
	signs                                                     string            // the figures' line and the list's heading
	signNames                                                 map[string]string // figures: plural
	signOne                                                   map[string]string // list entries: one sign
	idleMin                                                   string
	qa, qaGood, qaBad                                         string
	templates                                                 string // the list's heading
	templateLine                                              string // "%d customers, %d replies, %d wrote again"
	community                                                 string // who a community-wide sign counts for
	onShift                                                   string // "on shift: %s"
}

var ru = words{
	title: "Модерация за %s", total: "Итого", unknown: "Неизвестные админы",
	manager: "менеджер", owner: "владелец",
	noActions: "Без действий: %s", noActivity: "Действий не было.",
	bans: "Баны", deletions: "Удаления",
	reasons: "Причины", inTime: "вовремя", late: "с опозданием", never: "не указаны",
	decisions: "Решения", approved: "одобрено", reversed: "отменено", reversedInVK: "отменено в VK",
	answered: "Ответы", median: "медиана", breaches: "Без ответа дольше %s",
	deletedReqs: "Удалены неотвеченные обращения", deletedList: "Удалённые неотвеченные обращения",
	vanished:    "Пропали записи (удалил автор или админ — неизвестно)",
	vanishedWho: "пропавшая запись (удалил автор или администратор)",
	waits:       "%s ждёт %s", unknownAdmin: "неизвестный админ %d",
	noText: "текст не сохранён", more: "и ещё %d", link: "ссылка",
	date: "02.01.2006", dateTime: "02.01.2006 15:04", shortTime: "02.01 15:04",
	day: "д", hour: "ч", minute: "мин", unitSpace: " ",
	caption: "Модерация за %s: баны %s, удаления %s", captionRev: "отменено %s",
	captionNever: "без причины %s", captionDel: "удалены неотвеченные %s",
	chartTitle: "Действия операторов по часам", chartEmpty: "Действий не было",
	listsLeftOut: "Списки и примеры не поместились в одно сообщение: они есть в дайджесте и в modwatch report.",
	conversationWords: conversationWords{
		dialogs: "Диалоги", dialogsAnswered: "с ответом", dialogsUnanswered: "без ответа", dialogLength: "медиана сообщений",
		times: "Время", firstTouch: "первое касание", firstAnswer: "первый ответ по существу", reaction: "реакция", p90: "p90",
		signs: "Признаки отлынивания",
		signNames: map[string]string{"bare_greeting": "пустые приветствия", "stall": "«уточняю» без продолжения",
			"template": "шаблоны", "one_word": "ответы в одно слово", "skipped": "пропущенные обращения",
			"closed_without_reply": "закрыты без ответа", "repeat_contact": "повторные обращения", "idle": "простой"},
		idleMin: "%s", qa: "Выборочные проверки", qaGood: "хорошо", qaBad: "плохо",
		templates: "Шаблонные ответы", templateLine: "клиентов %d, ответов %d, написали снова %d",
		signOne: map[string]string{"bare_greeting": "пустое приветствие", "stall": "«уточняю» без продолжения",
			"template": "шаблон", "one_word": "ответ в одно слово", "skipped": "пропущенное обращение",
			"closed_without_reply": "закрыт без ответа", "repeat_contact": "повторное обращение", "idle": "простой"},
		community: "сообщество", onShift: "на смене: %s",
	},
}

var en = words{
	title: "Moderation for %s", total: "Total", unknown: "Unknown admins",
	manager: "manager", owner: "owner",
	noActions: "No actions: %s", noActivity: "No actions.",
	bans: "Bans", deletions: "Deletions",
	reasons: "Reasons", inTime: "in time", late: "late", never: "never given",
	decisions: "Decisions", approved: "approved", reversed: "reversed", reversedInVK: "undone in VK",
	answered: "Answered", median: "median", breaches: "Unanswered over %s",
	deletedReqs: "Unanswered requests deleted", deletedList: "Unanswered requests deleted",
	vanished:    "Posts vanished (the author or an admin, unknown which)",
	vanishedWho: "vanished post (deleted by the author or an admin)",
	waits:       "%s waits %s", unknownAdmin: "unknown admin %d",
	noText: "text not kept", more: "and %d more", link: "link",
	date: "2006-01-02", dateTime: "2006-01-02 15:04", shortTime: "01-02 15:04",
	day: "d", hour: "h", minute: "m", unitSpace: "",
	caption: "Moderation for %s: bans %s, deletions %s", captionRev: "reversed %s",
	captionNever: "no reason %s", captionDel: "unanswered deleted %s",
	chartTitle: "Operators' actions by hour", chartEmpty: "No actions",
	listsLeftOut: "The lists and examples do not fit one message: the digest and modwatch report have them.",
	conversationWords: conversationWords{
		dialogs: "Dialogs", dialogsAnswered: "answered", dialogsUnanswered: "unanswered", dialogLength: "median messages",
		times: "Times", firstTouch: "first touch", firstAnswer: "first real answer", reaction: "reaction", p90: "p90",
		signs: "Signs of shirking",
		signNames: map[string]string{"bare_greeting": "bare greetings", "stall": "stalls", "template": "templates",
			"one_word": "one-word replies", "skipped": "skipped requests", "closed_without_reply": "closed without reply",
			"repeat_contact": "repeat contacts", "idle": "idle"},
		idleMin: "%s", qa: "Spot checks", qaGood: "good", qaBad: "bad",
		templates: "Template replies", templateLine: "%d customers, %d replies, %d wrote again",
		signOne: map[string]string{"bare_greeting": "bare greeting", "stall": "stall", "template": "template",
			"one_word": "one-word reply", "skipped": "skipped request", "closed_without_reply": "closed without reply",
			"repeat_contact": "repeat contact", "idle": "idle"},
		community: "the community", onShift: "on shift: %s",
	},
}

// lang picks the texts of a language: English for "en" (and "en-US", ...), Russian for
// anything else, Russian being the bot's default.
func lang(l string) words {
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return en
	}
	return ru
}

// HumanDuration writes d the way people say it, rounded to the minute: "2 ч 15 мин" or
// "2h 15m"; days and hours from a day on ("1 д 3 ч"); "<1 мин" for less than a minute.
func HumanDuration(d time.Duration, language string) string {
	w := lang(language)
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	unit := func(n int64, u string) string { return fmt.Sprintf("%d%s%s", n, w.unitSpace, u) }
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case d == 0:
		return unit(0, w.minute)
	case m == 0:
		return sign + "<" + unit(1, w.minute)
	case m >= 24*60:
		// Minutes do not matter once the wait is in days.
		h := int64(d.Round(time.Hour) / time.Hour)
		parts := []string{unit(h/24, w.day)}
		if h%24 != 0 {
			parts = append(parts, unit(h%24, w.hour))
		}
		return sign + strings.Join(parts, " ")
	}
	var parts []string
	if m >= 60 {
		parts = append(parts, unit(m/60, w.hour))
	}
	if m%60 != 0 {
		parts = append(parts, unit(m%60, w.minute))
	}
	return sign + strings.Join(parts, " ")
}

// PeriodLabel names a report's period in the location of its From: one date for a day
// from midnight to midnight, two dates (the last one included) for longer midnight
// periods, dates and times otherwise; followed by the zone.
func PeriodLabel(r Report, language string) string {
	w := lang(language)
	loc := r.From.Location()
	from, to := r.From, r.To.In(loc)
	var s string
	switch {
	case midnight(from) && midnight(to) && to.Equal(from.AddDate(0, 0, 1)):
		s = from.Format(w.date)
	case midnight(from) && midnight(to):
		s = from.Format(w.date) + " – " + to.AddDate(0, 0, -1).Format(w.date)
	default:
		s = from.Format(w.dateTime) + " – " + to.Format(w.dateTime)
	}
	return s + " (" + zoneName(from) + ")"
}

func midnight(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 }

// zoneName is the zone's abbreviation, or UTC±h when the zone has only an offset ("+10").
func zoneName(t time.Time) string {
	name, off := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	s := fmt.Sprintf("UTC%+d", off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", abs(m))
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
