package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

// allowedUpdates is explicit: the library sends a nil list as null, and Telegram would then
// keep whatever list an earlier client set. my_chat_member tells when the bot is removed
// from a team chat or loses the right to write there.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// pollLoop sets the command menu, then receives updates until ctx ends. The offset is
// saved after each update is handled, so a crash redelivers at most the update being
// handled, and a restart resumes.
func (b *Bot) pollLoop(ctx context.Context) error {
	b.pollCtx.Store(&ctx)
	if err := b.setCommands(ctx); err != nil {
		b.log.Warn().Err(err).Msg("set command menu")
	}
	var offset int
	load := supervise.Loop{Log: b.log, What: "load update offset", Decide: func(context.Context, error, int) supervise.Decision {
		// The store, not Telegram, failed: someone has to look.
		return supervise.Decision{Delay: 5 * time.Second, Severe: true}
	}}
	err := load.Retry(ctx, 0, func(ctx context.Context) (err error) {
		offset, err = b.loadOffset(ctx)
		return err
	})
	if err != nil {
		return err
	}
	poll := supervise.Loop{Log: b.log, What: "get updates", Decide: func(_ context.Context, err error, _ int) supervise.Decision {
		// A rate-limited poll waits what Telegram asked; anything else backs off.
		var failed *apiError
		if errors.As(err, &failed) {
			return supervise.Decision{Delay: failed.r.retryAfter}
		}
		return supervise.Decision{}
	}}
	return poll.Run(ctx, func(ctx context.Context) error {
		ups, r := b.api.GetUpdates(ctx, offset, b.cfg.PollTimeout, allowedUpdates)
		if !r.ok() {
			return r.err()
		}
		for _, u := range ups {
			b.handleSafely(ctx, u)
			offset = u.UpdateID + 1
			if err := b.saveOffset(context.WithoutCancel(ctx), offset); err != nil {
				// The next save covers this one; at worst the update is handled again.
				b.log.Error().Err(err).Int("update_id", u.UpdateID).Msg("save update offset")
			}
		}
		return nil
	})
}

func (b *Bot) loadOffset(ctx context.Context) (int, error) {
	v, err := b.deps.Cursors.Cursor(ctx, OffsetCursor)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("parse saved offset %q: %w", v, err)
	}
	return n, nil
}

func (b *Bot) saveOffset(ctx context.Context, offset int) error {
	return b.deps.Cursors.SaveCursor(ctx, OffsetCursor, strconv.Itoa(offset))
}

// handleSafely handles one update; a panic is logged and the update skipped, so one bad
// update cannot stop the bot or be retried forever.
func (b *Bot) handleSafely(ctx context.Context, u tgbotapi.Update) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error().Int("update_id", u.UpdateID).Str("panic", fmt.Sprint(p)).Msg("update handler panicked; update skipped")
		}
	}()
	switch {
	case u.CallbackQuery != nil:
		b.onCallback(ctx, u.CallbackQuery)
	case u.Message != nil:
		b.onMessage(ctx, u.Message)
	case u.MyChatMember != nil:
		b.onMyChatMember(ctx, u.MyChatMember) // teamchat.go
	}
}

func (b *Bot) onMessage(ctx context.Context, m *tgbotapi.Message) {
	if m.Chat == nil || m.From == nil {
		return
	}
	log := b.log.With().Int64("chat_id", m.Chat.ID).Int64("telegram_id", m.From.ID).Logger()
	if b.onMigration(ctx, m) { // teamchat.go
		return
	}
	if !m.Chat.IsPrivate() {
		log.Info().Str("chat_type", m.Chat.Type).Msg("ignored a message outside a private chat")
		return
	}
	p, ok := b.people().ByTelegram(m.From.ID)
	if !ok {
		told := b.refused.heard(m.From.ID)
		log.Info().Bool("already_told", told).Msg("refused a stranger")
		if !told {
			// The config needs the person's numeric id, which Telegram does not show them.
			text := fmt.Sprintf(b.r.cat.refusal, m.From.ID)
			if b.cfg.Team != "" {
				text = fmt.Sprintf(b.r.cat.refusalTeam, esc(b.cfg.Team, maxName), m.From.ID)
			}
			b.reply(m.Chat.ID, text)
		}
		return
	}
	log = log.With().Str("person", p.Name).Logger()
	if m.IsCommand() {
		b.command(ctx, m, p, log)
		return
	}
	if m.Text == "" {
		b.reply(m.Chat.ID, b.r.cat.help)
		return
	}
	if b.spotReply(ctx, m, log) { // spotcheck.go: a comment on a spot check
		return
	}
	c, err := b.deps.Service.Text(ctx, m.From.ID, m.Text)
	switch {
	case err == nil:
		log.Info().Int64("case_id", int64(c.ID)).Msg("text recorded")
		b.Wake()
		b.reply(m.Chat.ID, b.r.cat.thanks)
	case errors.Is(err, justify.ErrNoPendingInput):
		b.reply(m.Chat.ID, b.r.cat.help)
	default:
		b.reply(m.Chat.ID, b.errText(err, log))
	}
}

// errText says a domain error in the person's language; other errors are logged and
// shown as a generic failure.
func (b *Bot) errText(err error, log zerolog.Logger) string {
	switch {
	case errors.Is(err, justify.ErrOwnAction):
		return b.r.cat.self.errOwnAction
	case b.scopeErrText(err) != "":
		return b.scopeErrText(err)
	case errors.Is(err, justify.ErrForbidden):
		return b.r.cat.errForbidden
	case errors.Is(err, justify.ErrReversing):
		return b.r.cat.errReversing
	case errors.Is(err, justify.ErrWrongState):
		return b.r.cat.errWrongState
	case errors.Is(err, justify.ErrTextRequired):
		return b.r.cat.errTextRequired
	case errors.Is(err, justify.ErrNotFound):
		return b.r.cat.errNotFound
	case errors.Is(err, justify.ErrConflict):
		return b.r.cat.errConflict
	}
	log.Error().Err(b.redact(err)).Msg("handle a person's action")
	return b.r.cat.ansFailed
}

// reply sends a direct answer. These are answers to what a person just did, so they skip
// the outbox: if one is lost, the person simply asks again.
func (b *Bot) reply(chatID int64, text string) {
	// A person is waiting for this answer: it goes at once, and the outbox makes up for it.
	b.pace.spend(chatID)
	r := b.api.SendText(b.handlerContext(), chatID, text, nil, false)
	if r.status == refused && r.code != http.StatusForbidden {
		// The answer quotes words Telegram will not take (a /case card, say): tell the
		// person so rather than leave them with nothing.
		b.deps.Metrics.failed(r)
		b.log.Warn().Err(r.err()).Int64("chat_id", chatID).Msg("telegram refused a reply; saying so instead")
		b.pace.spend(chatID)
		r = b.api.SendText(b.handlerContext(), chatID, b.r.cat.delivery.replyRefused, nil, false)
	}
	if !r.ok() {
		b.log.Warn().Err(r.err()).Int64("chat_id", chatID).Msg("send reply")
	}
}

func (b *Bot) answer(q *tgbotapi.CallbackQuery, text string) {
	if r := b.api.AnswerCallback(b.handlerContext(), q.ID, clip(text, 200)); !r.ok() {
		b.log.Warn().Err(r.err()).Int64("telegram_id", q.From.ID).Msg("answer callback query")
	}
}

func (b *Bot) onCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.From == nil {
		return
	}
	log := b.log.With().Int64("telegram_id", q.From.ID).Logger()
	tok, ok := parseToken(q.Data)
	if !ok {
		log.Info().Msg("refused malformed button data")
		b.answer(q, b.r.cat.ansInvalid)
		return
	}
	btn, err := b.deps.Buttons.Button(ctx, tok)
	if errors.Is(err, justify.ErrNotFound) {
		log.Info().Msg("refused an unknown button")
		b.answer(q, b.r.cat.ansInvalid)
		return
	}
	if err != nil {
		b.answer(q, b.errText(fmt.Errorf("look up button: %w", err), log))
		return
	}
	log = log.With().Int64("case_id", int64(btn.CaseID)).Int64("batch_id", int64(btn.BatchID)).Str("action", btn.Action).Logger()
	if !b.mayPress(q, btn, log) { // teampress.go
		return
	}
	if btn.SpotCheckID != 0 {
		b.onSpotPress(ctx, q, btn, log) // spotcheck.go
		return
	}
	closed, ok, err := b.closedAnswer(ctx, btn)
	if err != nil {
		b.answer(q, b.errText(err, log))
		return
	}
	if ok {
		log.Info().Msg("button of a closed case pressed")
		b.answer(q, closed)
		return
	}
	text, err := b.act(ctx, q, btn)
	if err != nil {
		text = b.errText(err, log)
		log.Info().Err(err).Msg("button refused")
	} else {
		log.Info().Msg("button handled")
		b.Wake()
	}
	b.answer(q, text)
}

// act does what a button stands for and returns the answer to show.
func (b *Bot) act(ctx context.Context, q *tgbotapi.CallbackQuery, btn justify.Button) (string, error) {
	from := q.From.ID
	if text, ok, err := b.actTeam(ctx, q, btn); ok { // teampress.go
		return text, err
	}
	if btn.BatchID != 0 {
		return b.actBatch(ctx, q, btn)
	}
	switch btn.Action {
	case actReason:
		if btn.Reason == justify.ReasonOther {
			return b.r.cat.ansAskReply, b.deps.Service.AskText(ctx, from, btn.CaseID, btn.Reason)
		}
		_, err := b.deps.Service.Justify(ctx, from, btn.CaseID, btn.Reason, "")
		return fmt.Sprintf(b.r.cat.ansRecorded, b.r.get().reasonName(btn.Reason)), err
	case actExplain:
		return b.r.cat.ansAskReply, b.deps.Service.AskText(ctx, from, btn.CaseID, "")
	case actApprove:
		c, err := b.deps.Service.Approve(ctx, from, btn.CaseID)
		return pick(c, b.r.cat.ansApproved, b.r.cat.ansApprovedDel), err
	case actReverse:
		// Nothing happens yet: a reversal unbans a real person, so it is confirmed first.
		c, _, err := b.deps.Service.Case(ctx, btn.CaseID)
		if err != nil {
			return "", err
		}
		people := b.people()
		p, _ := people.ByTelegram(from)
		if err := c.CanReverse(p, people); err != nil {
			return "", err
		}
		return pick(c, b.r.cat.ansConfirm, b.r.cat.ansConfirmDel), b.setButtons(ctx, q, c.ID, b.r.get().confirmRows(c))
	case actConfirmReverse:
		c, err := b.deps.Service.Reverse(ctx, from, btn.CaseID)
		if err != nil {
			return "", err
		}
		switch c.State {
		case justify.StateReversing:
			// VK is asked in the background; the review shows its answer when it comes.
			return pick(c, b.r.cat.ansReversing, b.r.cat.ansReversingDel), nil
		case justify.StateUndoPending:
			return pick(c, b.r.cat.ansByHand, b.r.cat.ansByHandDel), nil
		}
		return pick(c, b.r.cat.ansReversed, b.r.cat.ansReversedDel), nil
	case actCancel:
		c, _, err := b.deps.Service.Case(ctx, btn.CaseID)
		if err != nil {
			return "", err
		}
		// Only a decider was shown the confirmation: anyone else's press (a button that
		// reached them anyway) leaves the message as it is.
		people := b.people()
		p, _ := people.ByTelegram(from)
		if err := c.MayDecide(p, people); err != nil {
			return "", err
		}
		return b.r.cat.ansCancelled, b.setButtons(ctx, q, c.ID, b.r.get().reviewRows(c))
	}
	return "", fmt.Errorf("button action %q: %w", btn.Action, justify.ErrNotFound)
}

// setButtons replaces the buttons of the message that was pressed.
func (b *Bot) setButtons(ctx context.Context, q *tgbotapi.CallbackQuery, id justify.CaseID, rows [][]btnSpec) error {
	if q.Message == nil || q.Message.Chat == nil {
		return fmt.Errorf("edit buttons of case %d: the press carries no message", id)
	}
	kb, err := b.issue(ctx, q.From.ID, id, 0, rows)
	if err != nil {
		return err
	}
	b.pace.spend(q.Message.Chat.ID)
	if r := b.api.EditButtons(ctx, q.Message.Chat.ID, q.Message.MessageID, kb); !r.ok() {
		return fmt.Errorf("edit buttons of case %d: %w", id, r.err())
	}
	return nil
}

// issue gives each button a fresh token, stores what it means (for case id, or for batch
// when not 0), and builds the keyboard. It returns nil when there are no buttons.
func (b *Bot) issue(ctx context.Context, chatID int64, id justify.CaseID, batch justify.BatchID, rows [][]btnSpec) (keyboard, error) {
	kb, saved, err := b.tokens(chatID, id, batch, rows)
	if err != nil {
		return nil, err
	}
	if err := b.deps.Buttons.SaveButtons(ctx, saved); err != nil {
		return nil, fmt.Errorf("save buttons of case %d: %w", id, err)
	}
	return kb, nil
}

// tokens makes a keyboard's buttons with fresh tokens, and the buttons to save before the
// keyboard is shown.
func (b *Bot) tokens(chatID int64, id justify.CaseID, batch justify.BatchID, rows [][]btnSpec) (keyboard, []justify.Button, error) {
	if len(rows) == 0 {
		return nil, nil, nil
	}
	now := b.deps.Now()
	var saved []justify.Button
	kb := keyboard{}
	for _, row := range rows {
		var out []button
		for _, s := range row {
			tok, err := newToken()
			if err != nil {
				return nil, nil, err
			}
			saved = append(saved, justify.Button{Token: tok, CaseID: id, BatchID: batch, TelegramID: buttonHolder(chatID), Action: s.action,
				Reason: s.reason, SpotCheckID: s.spot, Created: now})
			out = append(out, button{text: s.label, data: tok})
		}
		kb = append(kb, out)
	}
	return kb, saved, nil
}
