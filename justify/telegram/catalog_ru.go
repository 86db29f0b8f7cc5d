package telegram

import (
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

// ru is every text the bot shows in Russian, its default language.
var ru = catalog{
	batch: &ruBatch, self: &ruSelf, closed: &ruClosed, vanished: &ruVanished, delivery: &ruDelivery,
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
		justify.UndoStuck:        "VK не ответил за несколько минут: проверьте в VK и попробуйте снова",
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
		justify.AlertUndelivered:    "📵 <b>Сообщение не дошло</b>",
		justify.AlertSetup:          "🛠 <b>VK или Telegram настроены не до конца</b>",
		justify.AlertConfig:         "🛠 <b>Новая конфигурация отклонена</b>",
		justify.AlertSigns:          "🥱 <b>Много признаков отлынивания за день</b>",
	},
	alertCommunity:       "Сообщество",
	alertWho:             "Кто",
	alertDetail:          "Подробности",
	alertCase:            "Дело",
	alertUnreachableHint: "Он(а) не нажал(а) Start в боте или заблокировал(а) его. Попросите открыть бота и нажать Start, иначе сообщения ему не дойдут.",
	alertSetupHint:       "Подробности и исправление: <code>modwatch config check --online --fix</code>",
	alertConfigHint:      "modwatch работает с прежней конфигурацией. Исправьте файл (<code>modwatch config check</code> проверит его) и перезагрузите снова.",
	repeated: func(n int, window string) string {
		return fmt.Sprintf("Повторилось %d %s %s.", n, ruPlural(n, "раз", "раза", "раз"), window)
	},
	waveBans: func(n int) string {
		return fmt.Sprintf("%d %s подряд", n, ruPlural(n, "бан", "бана", "банов"))
	},
	waveDeletions: func(n int) string {
		return fmt.Sprintf("%d %s подряд", n, ruPlural(n, "удаление", "удаления", "удалений"))
	},
	signKinds: map[justify.SignKind]string{justify.SignBareGreeting: "пустые приветствия",
		justify.SignStall: "«уточняю» без продолжения", justify.SignTemplate: "шаблоны",
		justify.SignOneWord: "ответы в одно слово", justify.SignSkipped: "пропущенные обращения",
		justify.SignClosedWithoutReply: "закрыты без ответа", justify.SignRepeatContact: "повторные обращения",
		justify.SignIdle: "простои"},
	signsOfDay: func(day string, n int) string { return fmt.Sprintf("Признаков за %s: %d", day, n) },
	signsWorst: "Худший пример",
	lastHour:   "за последний час",
	within:     func(d string) string { return "за последние " + d },

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
		justify.ActionReverseStarted: "начата отмена", justify.ActionReverseRetried: "отмена начата повторно", justify.ActionReversed: "отменено",
		justify.ActionUndoRequested: "нужна отмена вручную", justify.ActionUndoneInVK: "отменено в VK",
		justify.ActionUnbatched: "разбирается по одному", justify.ActionSevere: "признано серьёзным",
		justify.ActionShortForm: "показано кратко", justify.ActionUndelivered: "не доставлено", justify.ActionNotAsked: "модератора не удалось спросить",
	},
	commandsHelp: "Команды: /pending — дела, ждущие решения; /case N — дело по номеру; /stats — сводка за сегодня.",
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
