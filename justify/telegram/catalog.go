package telegram

import (
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

// catalog holds every text the bot shows, in one language. Strings with verbs are
// fmt formats; their arguments are already HTML-escaped.
type catalog struct {
	timeLayout string
	forever    string
	batch      *batchCatalog    // texts about a wave of actions taken as one
	self       *selfCatalog     // texts about who acted, with their role, and who decides
	closed     *closedCatalog   // answers to buttons of closed cases and batches
	vanished   *vanishedCatalog // what is known of a customer's vanished wall post

	reasons   map[justify.Reason]string
	vkReasons map[justify.BanReason]string

	banIn, user, when, until, vkReason, vkComment, deadline string
	chooseReason                                            string
	recorded, recordedLate, explanation                     string
	waitingManagers, undoPendingOp                          string
	btnExplain                                              string

	askText  string
	reminder string

	reviewTitle, operator, unknownAdmin, overdue, noReasonYet string
	btnApprove, btnReverse, btnRetry, btnConfirm, btnCancel   string
	undoPendingReview                                         string
	// reversingReview says who is reversing the case while VK is asked.
	reversingReview, reversingReviewDel string

	outcomeTitle string
	outcomes     map[justify.Resolution]string

	undoTitle, undoWhy, undoSteps string
	// undoProblems say why modwatch could not undo it; refused takes VK's own words.
	undoProblems map[justify.UndoProblem]string

	refusal, refusalTeam string
	greeting             map[justify.Role]string
	help                 string
	thanks               string

	ansInvalid, ansNotForYou, ansRecorded, ansAskReply, ansApproved string
	ansReversed, ansByHand, ansConfirm, ansCancelled, ansFailed     string
	errForbidden, errWrongState, errTextRequired, errNotFound       string
	errConflict                                                     string
	// ansReversing answers the confirmed reversal while VK is asked; errReversing a press
	// on a case whose reversal is under way.
	ansReversing, ansReversingDel, errReversing string

	cmdStart, cmdHelp, cmdPending, cmdCase, cmdStats string

	// Deletion cases: the same steps as a ban, about a customer's deleted words.
	delIn, reviewTitleDel, chooseReasonDel, askTextDel, reminderDel, outcomeTitleDel string
	undoPendingReviewDel, undoTitleDel, undoStepsDel                                 string
	outcomesDel                                                                      map[justify.Resolution]string
	btnKeepDeleted, btnRestore, btnRetryRestore, btnConfirmRestore                   string
	ansApprovedDel, ansReversedDel, ansByHandDel, ansConfirmDel                      string

	// Evidence: the deleted words and the customer's other requests.
	severe, author, written, answer, notAnswered, answeredBy, answeredAt string
	attachments, link, openInVK, text, textUnknown, textForgotten        string
	deletedBy, deletedVanished, deletedNoActor, unknownAdminShort        string
	userTickets, noTickets, ticketDeleted                                string
	attachmentKinds                                                      map[string]string
	// ago formats an age ("2 h"), unanswered says how many requests wait of how many.
	ago        func(string) string
	minutes    func(int) string
	hours      func(int) string
	days       func(int) string
	unanswered func(open, total int) string

	// Alerts.
	alertTitles              map[justify.AlertKind]string
	alertCommunity, alertWho string
	alertDetail, alertCase   string
	alertUnreachableHint     string
	repeated                 func(n int, window string) string
	waveBans, waveDeletions  func(n int) string
	lastHour                 string
	within                   func(d string) string

	// Commands.
	pendingTitle, pendingNone, caseTitle, caseTrail, statsNA, usageCase string
	managersOnly, ownCasesOnly                                          string
	commandsHelp                                                        string
	states                                                              map[justify.State]string
	actions                                                             map[justify.Action]string
}

var catalogs = map[string]*catalog{"ru": &ru, "en": &en}

var ru = catalog{
	batch: &ruBatch, self: &ruSelf, closed: &ruClosed, vanished: &ruVanished,
	timeLayout: "02.01.2006 15:04",
	forever:    "навсегда",
	reasons: map[justify.Reason]string{
		justify.ReasonSpam: "Спам", justify.ReasonAbuse: "Оскорбления", justify.ReasonLanguage: "Нецензурная лексика",
		justify.ReasonFlood: "Флуд, оффтоп", justify.ReasonOther: "Другое",
	},
	vkReasons: map[justify.BanReason]string{
		justify.BanOther: "другое", justify.BanSpam: "спам", justify.BanAbuse: "оскорбление участников",
		justify.BanLanguage: "нецензурные выражения", justify.BanFlood: "сообщения не по теме",
	},
	banIn: "🚫 Бан в сообществе «%s»", user: "Пользователь", when: "Когда", until: "До",
	vkReason: "Причина в VK", vkComment: "Комментарий", deadline: "Ответить до",
	chooseReason:    "Укажите, пожалуйста, причину бана:",
	recorded:        "✅ Причина записана: %s",
	recordedLate:    "✅ Причина записана с опозданием: %s",
	explanation:     "Пояснение",
	waitingManagers: "Менеджеры ещё не приняли решение.",
	undoPendingOp:   "Менеджер решил снять бан; ждём, когда его снимут в VK.",
	btnExplain:      "Добавить пояснение",
	askText:         "✍️ Ответьте на это сообщение пояснением к бану пользователя %s в «%s».",
	reminder:        "⏰ Напоминание: до %s нужно указать причину бана пользователя %s в «%s». Кнопки — в сообщении выше.",
	reviewTitle:     "🔎 На проверку: бан в «%s»",
	operator:        "Модератор",
	unknownAdmin:    "⚠️ <b>Неизвестный администратор</b> %s — его нет в списке модераторов",
	overdue:         "⏰ <b>Просрочено:</b> модератор не указал причину в срок",
	noReasonYet:     "Причина пока не указана.",
	btnApprove:      "Оставить бан", btnReverse: "Снять бан", btnRetry: "Попробовать снять бан снова",
	btnConfirm: "Да, снять бан", btnCancel: "Отмена",
	undoPendingReview: "↩️ %s решил(а) снять бан, но modwatch не смог сделать это сам: %s. Снимите бан вручную в VK; дело закроется, когда VK это подтвердит.",
	outcomeTitle:      "📋 Решение по бану пользователя %s в «%s»",
	outcomes: map[justify.Resolution]string{
		justify.ResolutionApproved:       "%s оставил(а) бан в силе (%s).",
		justify.ResolutionReversed:       "%s снял(а) бан, пользователь разблокирован (%s).",
		justify.ResolutionReversedByHand: "%s решил(а) снять бан, он снят вручную в VK (%s).",
		justify.ResolutionReversedInVK:   "Бан снят в VK без решения в modwatch (%[2]s).",
		justify.ResolutionExpired:        "Срок бана истёк до решения менеджеров (%[2]s).",
	},
	undoTitle: "↩️ Снимите бан вручную: %s в «%s»",
	undoWhy:   "modwatch не смог снять бан сам: %s",
	undoProblems: map[justify.UndoProblem]string{
		justify.UndoNoToken:      "в настройках нет токена, которым VK разрешает это сделать",
		justify.UndoTokenInvalid: "токен больше не действует, его нужно выпустить заново",
		justify.UndoNoRights:     "у токена нет права на это действие",
		justify.UndoNotPossible:  "VK не умеет возвращать удалённые записи на стене",
		justify.UndoUnreachable:  "VK не ответил, попробуйте позже",
		justify.UndoRefused:      "VK отказал (%s)",
		justify.UndoInterrupted:  "modwatch остановился, пока ждал ответа VK: проверьте в VK и попробуйте снова",
		justify.UndoFailed:       "modwatch дал сбой, пока обращался к VK: проверьте в VK и попробуйте снова",
	},
	undoSteps:   "Откройте сообщество: %s → Управление → Участники → Чёрный список, найдите пользователя %s и нажмите «Удалить из списка». Дело закроется, когда VK сообщит о разбане.",
	refusal:     "Этот бот работает только для команды модераторов. Если вы в команде, отправьте менеджеру ваш Telegram ID <code>%d</code>, чтобы он вас добавил.",
	refusalTeam: "Этот бот работает только для команды модераторов %s. Если вы в команде, отправьте менеджеру ваш Telegram ID <code>%d</code>, чтобы он вас добавил.",
	greeting: map[justify.Role]string{
		justify.RoleOperator: "Здравствуйте, %s! Вы — модератор. Когда вы забаните кого-то или удалите чужое сообщение в сообществе, я попрошу указать причину, а менеджеры её проверят.",
		justify.RoleManager:  "Здравствуйте, %s! Вы — менеджер. Я буду присылать баны и удалённые сообщения на проверку: оставить как есть или отменить. Команды: /pending, /stats, /case N.",
		justify.RoleOwner:    "Здравствуйте, %s! Вы — владелец. Сюда будут приходить сводки и важные оповещения.",
	},
	help:            "Я сам пишу, когда нужно ваше решение. Чтобы ответить, нажмите кнопку под моим сообщением; текст я жду, только когда прошу о нём.",
	thanks:          "Спасибо, записал.",
	ansInvalid:      "Эта кнопка больше не действует.",
	ansNotForYou:    "Эта кнопка не для вас.",
	ansRecorded:     "Записано: %s",
	ansAskReply:     "Напишите пояснение ответом на сообщение.",
	ansApproved:     "Бан оставлен в силе.",
	ansReversed:     "Бан снят, пользователь разблокирован.",
	ansByHand:       "Снять бан автоматически не удалось: инструкция в чате.",
	ansConfirm:      "Точно снять бан?",
	ansCancelled:    "Отменено.",
	ansFailed:       "Что-то пошло не так, попробуйте позже.",
	errForbidden:    "Это действие вам недоступно.",
	errWrongState:   "Это дело уже решено или ждёт другого шага, так что это действие больше не нужно.",
	errTextRequired: "Для этой причины нужно пояснение текстом.",
	errNotFound:     "Дело не найдено.",
	errConflict:     "Дело только что изменилось, попробуйте ещё раз.",
	cmdStart:        "Начать работу с ботом",
	cmdHelp:         "Как пользоваться ботом",
	cmdPending:      "Дела, ждущие решения менеджера",
	cmdCase:         "Дело по номеру: /case 12",
	cmdStats:        "Сводка за сегодня",

	// A reversal while VK is asked.
	ansReversing:       "Снимаем бан… Результат появится в сообщении о деле.",
	ansReversingDel:    "Восстанавливаем… Результат появится в сообщении о деле.",
	errReversing:       "Это уже отменяется в VK: результат появится в сообщении о деле.",
	reversingReview:    "⏳ %s снимает бан: ждём ответа VK…",
	reversingReviewDel: "⏳ %s восстанавливает сообщение: ждём ответа VK…",

	delIn:                "🗑 Удаление в сообществе «%s»",
	reviewTitleDel:       "🔎 На проверку: удаление в «%s»",
	chooseReasonDel:      "Укажите, пожалуйста, причину удаления:",
	askTextDel:           "✍️ Ответьте на это сообщение пояснением к удалению сообщения %s в «%s».",
	reminderDel:          "⏰ Напоминание: до %s нужно указать причину удаления сообщения %s в «%s». Кнопки — в сообщении выше.",
	outcomeTitleDel:      "📋 Решение по удалению сообщения %s в «%s»",
	undoPendingReviewDel: "↩️ %s решил(а) восстановить сообщение, но modwatch не смог сделать это сам: %s. Восстановите его вручную в VK; дело закроется, когда VK это подтвердит.",
	undoTitleDel:         "↩️ Восстановите вручную: сообщение %s в «%s»",
	undoStepsDel:         "Откройте %s и восстановите сообщение, если VK это ещё позволяет; иначе попросите автора написать снова. Текст — в деле: %s.",
	outcomesDel: map[justify.Resolution]string{
		justify.ResolutionApproved:       "%s оставил(а) удаление в силе (%s).",
		justify.ResolutionRestored:       "%s вернул(а) сообщение, оно восстановлено (%s).",
		justify.ResolutionRestoredByHand: "%s решил(а) вернуть сообщение, оно восстановлено вручную в VK (%s).",
		justify.ResolutionRestoredInVK:   "Сообщение восстановлено в VK без решения в modwatch (%[2]s).",
	},
	btnKeepDeleted: "Оставить удалённым", btnRestore: "Восстановить", btnRetryRestore: "Попробовать восстановить снова",
	btnConfirmRestore: "Да, восстановить",
	ansApprovedDel:    "Удаление оставлено в силе.",
	ansReversedDel:    "Сообщение восстановлено.",
	ansByHandDel:      "Восстановить автоматически не удалось: инструкция в чате.",
	ansConfirmDel:     "Точно восстановить сообщение?",

	severe:            "❗ <b>Удалён запрос клиента, на который никто не ответил</b>",
	author:            "Автор",
	written:           "Написано",
	answer:            "Ответ",
	notAnswered:       "❗ нет ответа",
	answeredBy:        "дал(а) %s, %s",
	answeredAt:        "был, %s",
	attachments:       "Вложения",
	link:              "Ссылка",
	openInVK:          "открыть в VK",
	text:              "Текст",
	textUnknown:       "Текст неизвестен: modwatch не видел, как это было написано.",
	textForgotten:     "Текст стёрт по правилам хранения.",
	deletedBy:         "Удалил(а)",
	deletedVanished:   "❔ Неизвестно, кто удалил: автор или администратор. Запись пропала, а VK не сообщает, кто удаляет записи на стене.",
	deletedNoActor:    "неизвестно: VK не сообщил, кто удалил",
	unknownAdminShort: "⚠️ неизвестный администратор %s",
	userTickets:       "Обращения пользователя",
	noTickets:         "Обращений пользователя не сохранено.",
	ticketDeleted:     "удалено",
	attachmentKinds: map[string]string{
		"photo": "фото", "video": "видео", "doc": "документ", "audio": "аудио", "link": "ссылка",
		"sticker": "стикер", "poll": "опрос", "market": "товар", "wall": "запись", "audio_message": "голосовое",
	},
	ago:     func(d string) string { return d + " назад" },
	minutes: func(n int) string { return fmt.Sprintf("%d мин", n) },
	hours:   func(n int) string { return fmt.Sprintf("%d ч", n) },
	days:    func(n int) string { return fmt.Sprintf("%d дн.", n) },
	unanswered: func(open, total int) string {
		return fmt.Sprintf("%d %s без ответа из %d", open, ruPlural(open, "вопрос", "вопроса", "вопросов"), total)
	},

	alertTitles: map[justify.AlertKind]string{
		justify.AlertWave:           "🌊 <b>Волна действий одного администратора</b>",
		justify.AlertDeletedRequest: "❗ <b>Удалён запрос клиента без ответа</b>",
		justify.AlertUnknownAdmin:   "⚠️ <b>Действует неизвестный администратор</b>",
		justify.AlertOfficers:       "👥 <b>Изменился состав администраторов</b>",
		justify.AlertToken:          "🔑 <b>Токен VK не работает</b>",
		justify.AlertUnreachable:    "📵 <b>Бот не может написать человеку</b>",
		justify.AlertQuarantined:    "🧩 <b>Событие VK не удалось прочитать; оно сохранено в карантине</b>",
	},
	alertCommunity:       "Сообщество",
	alertWho:             "Кто",
	alertDetail:          "Подробности",
	alertCase:            "Дело",
	alertUnreachableHint: "Он(а) не нажал(а) Start в боте или заблокировал(а) его. Попросите открыть бота и нажать Start, иначе сообщения ему не дойдут.",
	repeated: func(n int, window string) string {
		return fmt.Sprintf("Повторилось %d %s %s.", n, ruPlural(n, "раз", "раза", "раз"), window)
	},
	waveBans: func(n int) string {
		return fmt.Sprintf("%d %s подряд", n, ruPlural(n, "бан", "бана", "банов"))
	},
	waveDeletions: func(n int) string {
		return fmt.Sprintf("%d %s подряд", n, ruPlural(n, "удаление", "удаления", "удалений"))
	},
	lastHour: "за последний час",
	within:   func(d string) string { return "за последние " + d },

	pendingTitle: "⏳ <b>Ждут решения менеджера: %d</b>",
	pendingNone:  "Нет дел, ждущих решения.",
	caseTitle:    "<b>Дело %d</b> — %s",
	caseTrail:    "<b>История</b>",
	statsNA:      "Сводка пока недоступна.",
	usageCase:    "Укажите номер дела: /case 12",
	managersOnly: "Эта команда — только для менеджеров и владельцев.",
	ownCasesOnly: "Модератору видны только его собственные дела.",
	states: map[justify.State]string{
		justify.StateAwaitingReason: "⏳ ждёт причину от модератора",
		justify.StateAwaitingReview: "⏳ ждёт решения менеджера",
		justify.StateReversing:      "↩️ отменяется в VK",
		justify.StateUndoPending:    "↩️ ждёт отмены вручную в VK",
		justify.StateClosed:         "закрыто",
	},
	actions: map[justify.Action]string{
		justify.ActionOpened: "открыто", justify.ActionReminded: "напоминание", justify.ActionOverdue: "просрочено",
		justify.ActionJustified: "причина", justify.ActionExplained: "пояснение", justify.ActionApproved: "оставлено в силе",
		justify.ActionReverseStarted: "начата отмена", justify.ActionReversed: "отменено",
		justify.ActionUndoRequested: "нужна отмена вручную", justify.ActionUndoneInVK: "отменено в VK",
		justify.ActionUnbatched: "разбирается по одному", justify.ActionSevere: "признано серьёзным",
	},
	commandsHelp: "Команды: /pending — дела, ждущие решения; /case N — дело по номеру; /stats — сводка за сегодня.",
}

var en = catalog{
	batch: &enBatch, self: &enSelf, closed: &enClosed, vanished: &enVanished,
	timeLayout: "2006-01-02 15:04",
	forever:    "forever",
	reasons: map[justify.Reason]string{
		justify.ReasonSpam: "Spam", justify.ReasonAbuse: "Abuse or insults", justify.ReasonLanguage: "Strong language",
		justify.ReasonFlood: "Flood or off-topic", justify.ReasonOther: "Other",
	},
	vkReasons: map[justify.BanReason]string{
		justify.BanOther: "other", justify.BanSpam: "spam", justify.BanAbuse: "verbal abuse",
		justify.BanLanguage: "strong language", justify.BanFlood: "off-topic messages",
	},
	banIn: "🚫 Ban in «%s»", user: "User", when: "When", until: "Until",
	vkReason: "Reason in VK", vkComment: "Comment", deadline: "Answer by",
	chooseReason:    "Please choose the reason for this ban:",
	recorded:        "✅ Reason recorded: %s",
	recordedLate:    "✅ Reason recorded late: %s",
	explanation:     "Explanation",
	waitingManagers: "Managers have not decided yet.",
	undoPendingOp:   "A manager decided to lift the ban; waiting for it to be lifted in VK.",
	btnExplain:      "Add explanation",
	askText:         "✍️ Reply to this message with your explanation of the ban of %s in «%s».",
	reminder:        "⏰ Reminder: please give the reason for banning %[2]s in «%[3]s» by %[1]s. The buttons are in the message above.",
	reviewTitle:     "🔎 For review: ban in «%s»",
	operator:        "Operator",
	unknownAdmin:    "⚠️ <b>Unknown admin</b> %s — not on the list of operators",
	overdue:         "⏰ <b>Overdue:</b> the operator gave no reason by the deadline",
	noReasonYet:     "No reason given yet.",
	btnApprove:      "Keep ban", btnReverse: "Lift ban", btnRetry: "Try unban again",
	btnConfirm: "Yes, unban", btnCancel: "Cancel",
	undoPendingReview: "↩️ %s decided to lift the ban, but modwatch could not do it: %s. Lift it by hand in VK; the case closes when VK confirms.",
	outcomeTitle:      "📋 Decision on the ban of %s in «%s»",
	outcomes: map[justify.Resolution]string{
		justify.ResolutionApproved:       "%s approved the ban (%s).",
		justify.ResolutionReversed:       "%s reversed the ban; the user is unbanned (%s).",
		justify.ResolutionReversedByHand: "%s reversed the ban; it was lifted by hand in VK (%s).",
		justify.ResolutionReversedInVK:   "The ban was lifted in VK without a decision in modwatch (%[2]s).",
		justify.ResolutionExpired:        "The ban expired before managers decided (%[2]s).",
	},
	undoTitle: "↩️ Lift the ban by hand: %s in «%s»",
	undoWhy:   "modwatch could not lift it: %s",
	undoProblems: map[justify.UndoProblem]string{
		justify.UndoNoToken:      "no token that VK accepts for this is configured",
		justify.UndoTokenInvalid: "the token is no longer valid and must be issued again",
		justify.UndoNoRights:     "the token lacks the right to do this",
		justify.UndoNotPossible:  "VK cannot bring back a deleted wall post",
		justify.UndoUnreachable:  "VK did not answer, try again later",
		justify.UndoRefused:      "VK refused (%s)",
		justify.UndoInterrupted:  "modwatch stopped while waiting for VK: check VK, then try again",
		justify.UndoFailed:       "modwatch failed while asking VK: check VK, then try again",
	},
	undoSteps:   "Open the community: %s → Manage → Members → Blacklist, find %s and remove them from the list. The case closes when VK reports the unban.",
	refusal:     "This bot serves a moderation team only. If you are on the team, send your manager your Telegram ID <code>%d</code> so they can add you.",
	refusalTeam: "This bot serves the moderation team of %s only. If you are on the team, send your manager your Telegram ID <code>%d</code> so they can add you.",
	greeting: map[justify.Role]string{
		justify.RoleOperator: "Hello, %s! You are an operator. When you ban someone or delete someone's words in a community, I will ask you for the reason, and managers will review it.",
		justify.RoleManager:  "Hello, %s! You are a manager. I will send you bans and deletions to review: approve them or reverse them. Commands: /pending, /stats, /case N.",
		justify.RoleOwner:    "Hello, %s! You are an owner. Digests and important alerts will come here.",
	},
	help:            "I write when I need your decision. Answer with the buttons under my messages; I expect a text only when I ask for one.",
	thanks:          "Thank you, recorded.",
	ansInvalid:      "This button is no longer valid.",
	ansNotForYou:    "This button is not for you.",
	ansRecorded:     "Recorded: %s",
	ansAskReply:     "Please reply to the message with your explanation.",
	ansApproved:     "The ban stands.",
	ansReversed:     "The ban is lifted; the user is unbanned.",
	ansByHand:       "Could not unban automatically: see the instructions in the chat.",
	ansConfirm:      "Really lift the ban?",
	ansCancelled:    "Cancelled.",
	ansFailed:       "Something went wrong, please try again later.",
	errForbidden:    "You are not allowed to do this.",
	errWrongState:   "This case is already decided or waits for another step, so this is no longer needed.",
	errTextRequired: "This reason needs a text explanation.",
	errNotFound:     "Case not found.",
	errConflict:     "The case just changed; please try again.",
	cmdStart:        "Start using the bot",
	cmdHelp:         "How to use the bot",
	cmdPending:      "Cases waiting for a manager",
	cmdCase:         "A case by number: /case 12",
	cmdStats:        "Today so far",

	// A reversal while VK is asked.
	ansReversing:       "Lifting the ban… The result will appear in the case's message.",
	ansReversingDel:    "Restoring… The result will appear in the case's message.",
	errReversing:       "This is already being undone in VK; the result will appear in the case's message.",
	reversingReview:    "⏳ %s is lifting the ban; waiting for VK…",
	reversingReviewDel: "⏳ %s is restoring the message; waiting for VK…",

	delIn:                "🗑 Deletion in «%s»",
	reviewTitleDel:       "🔎 For review: deletion in «%s»",
	chooseReasonDel:      "Please choose the reason for this deletion:",
	askTextDel:           "✍️ Reply to this message with your explanation of deleting the words of %s in «%s».",
	reminderDel:          "⏰ Reminder: please give the reason for deleting the words of %[2]s in «%[3]s» by %[1]s. The buttons are in the message above.",
	outcomeTitleDel:      "📋 Decision on the deleted words of %s in «%s»",
	undoPendingReviewDel: "↩️ %s decided to restore the deleted words, but modwatch could not do it: %s. Restore them by hand in VK; the case closes when VK confirms.",
	undoTitleDel:         "↩️ Restore by hand: the words of %s in «%s»",
	undoStepsDel:         "Open %s and restore the item if VK still allows it; otherwise ask the author to write again. The text is in the case: %s.",
	outcomesDel: map[justify.Resolution]string{
		justify.ResolutionApproved:       "%s let the deletion stand (%s).",
		justify.ResolutionRestored:       "%s restored it; it is back in VK (%s).",
		justify.ResolutionRestoredByHand: "%s decided to restore it; it was restored by hand in VK (%s).",
		justify.ResolutionRestoredInVK:   "It was restored in VK without a decision in modwatch (%[2]s).",
	},
	btnKeepDeleted: "Keep deleted", btnRestore: "Restore", btnRetryRestore: "Try restoring again",
	btnConfirmRestore: "Yes, restore",
	ansApprovedDel:    "The deletion stands.",
	ansReversedDel:    "Restored.",
	ansByHandDel:      "Could not restore automatically: see the instructions in the chat.",
	ansConfirmDel:     "Really restore it?",

	severe:            "❗ <b>Deleted unanswered request</b>: nobody had answered the customer",
	author:            "Author",
	written:           "Written",
	answer:            "Answer",
	notAnswered:       "❗ none",
	answeredBy:        "by %s, %s",
	answeredAt:        "given, %s",
	attachments:       "Attachments",
	link:              "Link",
	openInVK:          "open in VK",
	text:              "Text",
	textUnknown:       "Text unknown: modwatch never saw it written.",
	textForgotten:     "The text was erased under the retention rules.",
	deletedBy:         "Deleted by",
	deletedVanished:   "❔ Unknown who deleted it: the author or an admin. The post vanished, and VK does not say who deletes wall posts.",
	deletedNoActor:    "unknown: VK did not say who deleted it",
	unknownAdminShort: "⚠️ unknown admin %s",
	userTickets:       "The user's requests",
	noTickets:         "No requests from this user on record.",
	ticketDeleted:     "deleted",
	attachmentKinds: map[string]string{
		"photo": "photo", "video": "video", "doc": "document", "audio": "audio", "link": "link",
		"sticker": "sticker", "poll": "poll", "market": "product", "wall": "post", "audio_message": "voice message",
	},
	ago:     func(d string) string { return d + " ago" },
	minutes: func(n int) string { return fmt.Sprintf("%d min", n) },
	hours:   func(n int) string { return fmt.Sprintf("%d h", n) },
	days:    func(n int) string { return fmt.Sprintf("%d d", n) },
	unanswered: func(open, total int) string {
		return fmt.Sprintf("%d unanswered %s of %d", open, enPlural(open, "question", "questions"), total)
	},

	alertTitles: map[justify.AlertKind]string{
		justify.AlertWave:           "🌊 <b>A wave of actions by one admin</b>",
		justify.AlertDeletedRequest: "❗ <b>A customer's unanswered request was deleted</b>",
		justify.AlertUnknownAdmin:   "⚠️ <b>An unknown admin is acting</b>",
		justify.AlertOfficers:       "👥 <b>The community's admins changed</b>",
		justify.AlertToken:          "🔑 <b>A VK token stopped working</b>",
		justify.AlertUnreachable:    "📵 <b>The bot cannot write to a person</b>",
		justify.AlertQuarantined:    "🧩 <b>A VK event could not be read; it is kept in quarantine</b>",
	},
	alertCommunity:       "Community",
	alertWho:             "Who",
	alertDetail:          "Details",
	alertCase:            "Case",
	alertUnreachableHint: "They never pressed Start in the bot, or blocked it. Ask them to open the bot and press Start, or messages will not reach them.",
	repeated:             func(n int, window string) string { return fmt.Sprintf("Repeated %d times %s.", n, window) },
	waveBans:             func(n int) string { return fmt.Sprintf("%d %s in a row", n, enPlural(n, "ban", "bans")) },
	waveDeletions:        func(n int) string { return fmt.Sprintf("%d %s in a row", n, enPlural(n, "deletion", "deletions")) },
	lastHour:             "in the last hour",
	within:               func(d string) string { return "in the last " + d },

	pendingTitle: "⏳ <b>Waiting for a manager: %d</b>",
	pendingNone:  "No cases are waiting.",
	caseTitle:    "<b>Case %d</b> — %s",
	caseTrail:    "<b>History</b>",
	statsNA:      "Stats are not available.",
	usageCase:    "Give the case number: /case 12",
	managersOnly: "This command is for managers and owners only.",
	ownCasesOnly: "An operator sees only their own cases.",
	states: map[justify.State]string{
		justify.StateAwaitingReason: "⏳ waiting for the operator's reason",
		justify.StateAwaitingReview: "⏳ waiting for a manager",
		justify.StateReversing:      "↩️ being undone in VK",
		justify.StateUndoPending:    "↩️ waiting to be undone by hand in VK",
		justify.StateClosed:         "closed",
	},
	actions: map[justify.Action]string{
		justify.ActionOpened: "opened", justify.ActionReminded: "reminded", justify.ActionOverdue: "overdue",
		justify.ActionJustified: "reason", justify.ActionExplained: "explanation", justify.ActionApproved: "approved",
		justify.ActionReverseStarted: "reversal started", justify.ActionReversed: "reversed",
		justify.ActionUndoRequested: "undo by hand requested", justify.ActionUndoneInVK: "undone in VK",
		justify.ActionUnbatched: "taken one by one", justify.ActionSevere: "made severe",
	},
	commandsHelp: "Commands: /pending — cases waiting for a decision; /case N — a case by number; /stats — today so far.",
}

// ruPlural picks the Russian form for n: 1 вопрос, 2 вопроса, 5 вопросов.
func ruPlural(n int, one, few, many string) string {
	n %= 100
	switch {
	case n >= 11 && n <= 14:
		return many
	case n%10 == 1:
		return one
	case n%10 >= 2 && n%10 <= 4:
		return few
	}
	return many
}

func enPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
