package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// Presses in a team chat. A review there carries buttons any member of the chat can
// press (Button.TelegramID 0); the service decides at each press whether the presser is
// one of the case's deciders (Directory.MayDecide), and a refusal changes nothing. A
// reversal is confirmed in the presser's private chat with the bot, so that the team chat
// keeps its review buttons for the others and a confirmation is nobody else's to press.

// Button actions of a reversal's private confirmation.
const (
	actTeamConfirm = "team_confirm" // reverse for real, then close the confirmation
	actTeamCancel  = "team_cancel"  // close the confirmation; the review stays as it was
)

// teamCatalog holds the texts of team chats and scopes, in one language.
type teamCatalog struct {
	// notInTeam answers a press in a team chat by someone who is not in the config.
	notInTeam string
	// errOutOfScope and errNotDecider answer a press or command the person may not make:
	// about a community outside their scope, or a case they do not decide.
	errOutOfScope, errNotDecider string
	// caseOutOfScope answers /case about a community outside the person's scope.
	caseOutOfScope string
	// confirmSent answers a Lift ban (Restore) press in a team chat; startFirst when the
	// bot cannot write to the presser.
	confirmSent, startFirst string
	// confirm and confirmDel ask, privately, to confirm a reversal pressed in a team chat:
	// user, community, case.
	confirm, confirmDel func(user, community string, id justify.CaseID) string
	// chatLostTitle and chatLostHint tell managers the bot cannot write to a team chat.
	chatLostTitle, chatLostHint, chat string
}

var ruTeam = teamCatalog{
	notInTeam:      "Решения здесь принимают только менеджеры команды. Ничего не изменилось.",
	errOutOfScope:  "Это сообщество не входит в ваши: действовать по нему вы не можете. Ничего не изменилось.",
	errNotDecider:  "Решение по этому делу принимают менеджеры его сообщества, не вы. Ничего не изменилось.",
	caseOutOfScope: "Это дело другого сообщества, не из ваших.",
	confirmSent:    "Подтвердите в личном чате с ботом.",
	startFirst:     "Откройте бота в личном чате и нажмите «Старт», затем нажмите кнопку снова.",
	confirm: func(user, cm string, id justify.CaseID) string {
		return fmt.Sprintf("Снять бан с %s в «%s» (дело %d)? Бан будет снят в VK, общий чат увидит, кто решил.", user, cm, id)
	},
	confirmDel: func(user, cm string, id justify.CaseID) string {
		return fmt.Sprintf("Восстановить удалённое у %s в «%s» (дело %d)? Оно будет восстановлено в VK, общий чат увидит, кто решил.", user, cm, id)
	},
	chatLostTitle: "🔕 <b>Бот не может писать в общий чат</b>",
	chatLostHint:  "Проверки и оповещения пока приходят каждому лично. Верните бота в чат с правом писать, и они снова пойдут туда.",
	chat:          "Чат",
}

var enTeam = teamCatalog{
	notInTeam:      "Only the team's managers decide here. Nothing was changed.",
	errOutOfScope:  "This community is not among yours: you cannot act on it. Nothing was changed.",
	errNotDecider:  "This case is decided by its community's managers, not by you. Nothing was changed.",
	caseOutOfScope: "This case is another community's, not one of yours.",
	confirmSent:    "Confirm in your private chat with the bot.",
	startFirst:     "Open the bot in a private chat and press Start, then press the button again.",
	confirm: func(user, cm string, id justify.CaseID) string {
		return fmt.Sprintf("Lift the ban of %s in «%s» (case %d)? The ban is lifted in VK, and the team chat will see who decided.", user, cm, id)
	},
	confirmDel: func(user, cm string, id justify.CaseID) string {
		return fmt.Sprintf("Restore what %s wrote in «%s» (case %d)? It is restored in VK, and the team chat will see who decided.", user, cm, id)
	},
	chatLostTitle: "🔕 <b>The bot cannot write to the team chat</b>",
	chatLostHint:  "Reviews and alerts go to each of you privately meanwhile. Add the bot back to the chat, with the right to write, and they go there again.",
	chat:          "Chat",
}

var teamCatalogs = map[string]*teamCatalog{"ru": &ruTeam, "en": &enTeam}

// buttonHolder is who may press a button issued in chat: that person, or, in a team
// chat, anyone the service finds to be a decider at the press (0).
func buttonHolder(chat int64) int64 {
	if isGroup(chat) {
		return 0
	}
	return chat
}

// mayPress tells whether q may go on to the button's action, answering it when not: a
// button of a private chat only for its holder, a team chat's only for someone in the
// config (the service then checks they decide the case).
func (b *Bot) mayPress(q *tgbotapi.CallbackQuery, btn justify.Button, log zerolog.Logger) bool {
	switch {
	case btn.TelegramID != 0 && btn.TelegramID != q.From.ID:
		log.Warn().Int64("issued_to", btn.TelegramID).Msg("button pressed by another account")
		b.answer(q, b.r.cat.ansNotForYou)
		return false
	case btn.TelegramID == 0:
		if _, ok := b.people().ByTelegram(q.From.ID); !ok {
			log.Info().Msg("team chat button pressed by someone not in the config")
			b.answer(q, b.r.team.notInTeam)
			return false
		}
	}
	return true
}

// actTeam does what the buttons of team chats stand for where it differs from a private
// chat, and reports whether btn was one of those.
func (b *Bot) actTeam(ctx context.Context, q *tgbotapi.CallbackQuery, btn justify.Button) (string, bool, error) {
	switch {
	case btn.Action == actReverse && btn.TelegramID == 0 && btn.BatchID == 0:
		text, err := b.confirmPrivately(ctx, q, btn.CaseID)
		return text, true, err
	case btn.Action == actTeamConfirm:
		text, err := b.act(ctx, q, justify.Button{CaseID: btn.CaseID, TelegramID: btn.TelegramID, Action: actConfirmReverse})
		if err == nil {
			b.closeConfirmation(ctx, q)
		}
		return text, true, err
	case btn.Action == actTeamCancel:
		b.closeConfirmation(ctx, q)
		return b.r.cat.ansCancelled, true, nil
	}
	return "", false, nil
}

// confirmPrivately asks the presser of a team chat's Lift ban (or Restore) to confirm it
// in their private chat with the bot, once the service agrees they may reverse the case.
func (b *Bot) confirmPrivately(ctx context.Context, q *tgbotapi.CallbackQuery, id justify.CaseID) (string, error) {
	c, _, err := b.deps.Service.Case(ctx, id)
	if err != nil {
		return "", err
	}
	people := b.people()
	p, _ := people.ByTelegram(q.From.ID)
	if err := c.CanReverse(p, people); err != nil {
		return "", err
	}
	kb, err := b.issue(ctx, p.TelegramID, c.ID, 0, [][]btnSpec{{
		{label: pick(c, b.r.cat.btnConfirm, b.r.cat.btnConfirmRestore), action: actTeamConfirm},
		{label: b.r.cat.btnCancel, action: actTeamCancel},
	}})
	if err != nil {
		return "", err
	}
	r := b.r.get()
	text := pick(c, b.r.team.confirm(r.userLink(c), r.community(c), c.ID), b.r.team.confirmDel(r.userLink(c), r.community(c), c.ID))
	b.pace.spend(p.TelegramID)
	if r := b.api.SendText(ctx, p.TelegramID, text, kb, false); !r.ok() {
		b.log.Warn().Err(r.err()).Int64("telegram_id", p.TelegramID).Msg("send a private confirmation")
		if r.code == 403 {
			return b.r.team.startFirst, nil
		}
		return "", fmt.Errorf("send a confirmation of case %d: %w", c.ID, r.err())
	}
	return b.r.team.confirmSent, nil
}

// closeConfirmation takes the buttons off a private confirmation once it was answered.
func (b *Bot) closeConfirmation(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.Message == nil || q.Message.Chat == nil {
		return
	}
	b.pace.spend(q.Message.Chat.ID)
	if r := b.api.EditButtons(ctx, q.Message.Chat.ID, q.Message.MessageID, nil); !r.ok() {
		b.log.Warn().Err(r.err()).Int64("chat_id", q.Message.Chat.ID).Msg("close a private confirmation")
	}
}

// scopeErrText says a refusal of scope or role in the person's language; "" for any
// other error.
func (b *Bot) scopeErrText(err error) string {
	switch {
	case errors.Is(err, justify.ErrOutOfScope):
		return b.r.team.errOutOfScope
	case errors.Is(err, justify.ErrNotDecider):
		return b.r.team.errNotDecider
	}
	return ""
}

// chatLostAlert renders the alert that the bot cannot write to a team chat.
func (r renderer) chatLostAlert(b *strings.Builder, a justify.Alert) {
	b.WriteString(r.team.chatLostTitle + "\n")
	fmt.Fprintf(b, "%s: <code>%s</code>\n", r.team.chat, esc(a.Subject, maxName))
	if a.Detail != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.alertDetail, esc(a.Detail, maxText))
	}
	b.WriteString(r.team.chatLostHint + "\n")
}
