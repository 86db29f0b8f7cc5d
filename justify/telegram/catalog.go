package telegram

import "github.com/modwatch/modwatch/justify"

// catalog holds every text the bot shows, in one language. Strings with verbs are
// fmt formats; their arguments are already HTML-escaped.
type catalog struct {
	timeLayout string
	forever    string

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

	outcomeTitle string
	outcomes     map[justify.Resolution]string

	undoTitle, undoWhy, undoSteps string

	refusal, refusalTeam string
	greeting             map[justify.Role]string
	help                 string
	thanks               string

	ansInvalid, ansNotForYou, ansRecorded, ansAskReply, ansApproved string
	ansReversed, ansByHand, ansConfirm, ansCancelled, ansFailed     string
	errForbidden, errWrongState, errTextRequired, errNotFound       string
	errConflict                                                     string

	cmdStart, cmdHelp string
}

var catalogs = map[string]*catalog{"ru": &ru, "en": &en}

var ru = catalog{
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
	undoTitle:   "↩️ Снимите бан вручную: %s в «%s»",
	undoWhy:     "modwatch не смог снять бан сам: %s",
	undoSteps:   "Откройте сообщество: %s → Управление → Участники → Чёрный список, найдите пользователя %s и нажмите «Удалить из списка». Дело закроется, когда VK сообщит о разбане.",
	refusal:     "Этот бот работает только для команды модераторов. Если вы в команде, попросите менеджера добавить вас.",
	refusalTeam: "Этот бот работает только для команды модераторов %s. Если вы в команде, попросите менеджера добавить вас.",
	greeting: map[justify.Role]string{
		justify.RoleOperator: "Здравствуйте, %s! Вы — модератор. Когда вы забаните кого-то в сообществе, я попрошу указать причину, а менеджеры её проверят.",
		justify.RoleManager:  "Здравствуйте, %s! Вы — менеджер. Я буду присылать баны на проверку: оставить бан или снять его.",
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
	errWrongState:   "По этому делу уже принято решение, или оно этого больше не ждёт.",
	errTextRequired: "Для этой причины нужно пояснение текстом.",
	errNotFound:     "Дело не найдено.",
	errConflict:     "Дело только что изменилось, попробуйте ещё раз.",
	cmdStart:        "Начать работу с ботом",
	cmdHelp:         "Как пользоваться ботом",
}

var en = catalog{
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
	unknownAdmin:    "⚠️ <b>Unknown admin</b> %s — not a configured operator",
	overdue:         "⏰ <b>Overdue:</b> the operator gave no reason by the deadline",
	noReasonYet:     "No reason given yet.",
	btnApprove:      "Approve", btnReverse: "Reverse", btnRetry: "Try unban again",
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
	undoTitle:   "↩️ Lift the ban by hand: %s in «%s»",
	undoWhy:     "modwatch could not lift it: %s",
	undoSteps:   "Open the community: %s → Manage → Members → Blacklist, find %s and remove them from the list. The case closes when VK reports the unban.",
	refusal:     "This bot serves a moderation team only. If you are on the team, ask your manager to add you.",
	refusalTeam: "This bot serves the moderation team of %s only. If you are on the team, ask your manager to add you.",
	greeting: map[justify.Role]string{
		justify.RoleOperator: "Hello, %s! You are an operator. When you ban someone in a community, I will ask you for the reason, and managers will review it.",
		justify.RoleManager:  "Hello, %s! You are a manager. I will send you bans to review: approve them or reverse them.",
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
	errWrongState:   "This case is already decided, or no longer waits for this.",
	errTextRequired: "This reason needs a text explanation.",
	errNotFound:     "Case not found.",
	errConflict:     "The case just changed; please try again.",
	cmdStart:        "Start using the bot",
	cmdHelp:         "How to use the bot",
}
