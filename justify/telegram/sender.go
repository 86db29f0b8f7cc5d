package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

const (
	// sendBatch is how many due messages one round looks at; more than a paced chat can
	// take, so that one busy chat does not hold back the others.
	sendBatch = 100
	// maxPages bounds how many pages past held chats one round reads.
	maxPages = 10
	// waitForOriginal is how long an edit waits when the message it edits is not sent yet.
	waitForOriginal = 2 * time.Second
)

// sendBackoff paces a message's retries after a network error or a Telegram failure: 2s
// doubled per attempt up to 10 minutes. No jitter: one sender retries, so nothing
// needs spreading, and the next attempt stored in the outbox is the one that happens.
var sendBackoff = supervise.Backoff{Min: 2 * time.Second, Max: 10 * time.Minute, NoJitter: true}

// sendLoop delivers due outbox messages every SendInterval, or at once when woken, until
// ctx ends. A failed round is retried at the next tick: the outbox keeps what is due.
func (b *Bot) sendLoop(ctx context.Context) error {
	t := time.NewTicker(b.cfg.SendInterval)
	defer t.Stop()
	failures := 0
	paced := time.NewTimer(time.Hour)
	defer paced.Stop()
	// What was handed to Telegram is recorded even as the loop stops.
	o := b.newOutgoing(context.WithoutCancel(ctx))
	defer func() {
		if err := o.wait(); err != nil {
			b.log.Error().Err(b.redact(err)).Msg("deliver outbox")
		}
	}()
	for {
		again, err := b.sendDue(ctx, o)
		if err != nil && ctx.Err() == nil {
			failures++
			b.log.Error().Err(b.redact(err)).Int("consecutive_errors", failures).Msg("deliver outbox")
		} else if failures > 0 && err == nil {
			b.log.Info().Int("consecutive_errors", failures).Msg("deliver outbox recovered")
			failures = 0
		}
		if err == nil && again >= 0 {
			// A chat had to wait for its pace, or the round was full: go on as soon as
			// the pace allows, not at the next tick.
			paced.Reset(again)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-b.wake:
		case <-paced.C:
		}
	}
}

// sendDue delivers what is due and the pace allows. It returns when to look again for
// what it held back (negative: nothing held back).
//
// A chat that must wait skips its later messages too, so that they keep their order, and
// the next page of due messages leaves the held chats out: a manager with a backlog of
// reviews must not hold back an operator's prompt queued behind it. What the pace admits
// of a page is rendered, and each chat's part handed to a sender of its own (sendpage.go):
// chats whose messages are still in flight are left out of the pages until they are
// recorded, and their sender's end wakes the loop for what comes next.
func (b *Bot) sendDue(ctx context.Context, o *outgoing) (time.Duration, error) {
	if err := o.failure(); err != nil {
		return -1, err
	}
	again := time.Duration(-1)
	held := map[int64]bool{}
	var except []int64
	for page := 0; page < maxPages; page++ {
		// The chats whose messages are in flight are left out: what they were handed is
		// still unsent in the outbox, and what comes after waits for it.
		due, err := b.deps.Outbox.DueMessages(ctx, b.deps.Now(), sendBatch, append(o.busyChats(), except...)...)
		if err != nil {
			return -1, fmt.Errorf("list due messages: %w", err)
		}
		var admitted []justify.Message
		inPage := map[int64]bool{}
		newlyHeld, stop := 0, false
		for _, m := range due {
			if held[m.ChatID] {
				continue
			}
			if m.EditOf != 0 && inPage[m.EditOf] {
				// Its original goes out in this page, and the edit needs the message Telegram
				// makes of it: the edit, and the chat's later messages, go in the next round.
				held[m.ChatID] = true
				except = append(except, m.ChatID)
				newlyHeld++
				again = 0
				continue
			}
			if ok, wait := b.pace.take(m.ChatID); !ok {
				if w := b.pace.overall(); w > 0 {
					// Nobody may be written to for now: no point reading further.
					again, stop = positive(again, w), true
					break
				}
				held[m.ChatID] = true
				except = append(except, m.ChatID)
				newlyHeld++
				again = positive(again, wait)
				continue
			}
			admitted = append(admitted, m)
			inPage[m.ID] = true
		}
		if err := b.deliverPage(ctx, o, admitted); err != nil {
			return -1, err
		}
		if ctx.Err() != nil {
			return -1, nil
		}
		if stop || len(due) < sendBatch {
			return again, nil
		}
		if len(admitted) > 0 && newlyHeld == 0 {
			// A full page went out: more is due at once.
			return 0, nil
		}
	}
	return again, nil
}

// positive returns the smaller of two waits, ignoring a negative (unset) first one.
func positive(cur, w time.Duration) time.Duration {
	if cur < 0 || w < cur {
		return w
	}
	return cur
}

// transmit edits message editID to show v (or sends v anew when editID is 0, or when the
// message to edit is gone).
func (b *Bot) transmit(ctx context.Context, m justify.Message, editID int, v view, kb keyboard, log zerolog.Logger) result {
	asked := b.deps.Now()
	if editID != 0 {
		r := b.api.EditText(ctx, m.ChatID, editID, v.text, kb)
		if !r.messageGone() {
			r.asked = asked
			return r
		}
		// Deleted by the person, or too old to edit: show the current state anew.
		log.Info().Msg("message to edit is gone; sending it anew")
		asked = b.deps.Now()
	}
	r := b.sendOut(ctx, m, v, kb)
	r.asked = asked
	return r
}

func (b *Bot) send(ctx context.Context, chatID int64, v view, kb keyboard) result {
	return b.api.SendText(ctx, chatID, v.text, kb, v.forceReply)
}

// renderError means a message can never be rendered: retrying would not help.
type renderError struct{ err error }

func (e *renderError) Error() string { return e.err.Error() }
func (e *renderError) Unwrap() error { return e.err }

// subject is what an outbox message shows, as loaded to render it: a case, a batch (with
// the first of its cases) or an alert. The short form is rendered from it too.
type subject struct {
	c       *justify.Case
	batch   *justify.Batch
	members []justify.Case
	alert   *justify.Alert
	spot    *justify.SpotCheckView
}

// caseID is the case the message's buttons are bound to; 0 for a batch or an alert.
func (s subject) caseID() justify.CaseID {
	if s.c == nil {
		return 0
	}
	return s.c.ID
}

// view renders an outbox message as things are now: a case's message from the case and
// its evidence, an alert from its payload.
func (b *Bot) view(ctx context.Context, m justify.Message) (view, subject, error) {
	if m.BatchID != 0 {
		return b.batchView(ctx, m)
	}
	if m.Kind == justify.MsgSpotCheck {
		return b.spotView(ctx, m) // spotcheck.go
	}
	if m.Kind == justify.MsgAlert {
		a, err := justify.ParseAlert(m.Payload)
		if err != nil {
			return view{}, subject{}, &renderError{err}
		}
		return b.r.get().alert(a), subject{alert: &a}, nil
	}
	c, _, err := b.deps.Service.Case(ctx, m.CaseID)
	if errors.Is(err, justify.ErrNotFound) {
		return view{}, subject{}, &renderError{fmt.Errorf("case %d not found", m.CaseID)}
	}
	if err != nil {
		return view{}, subject{}, fmt.Errorf("load case %d: %w", m.CaseID, err)
	}
	var ev justify.Evidence
	switch m.Kind {
	case justify.MsgPrompt, justify.MsgReview, justify.MsgUndoByHand:
		if ev, err = b.deps.Service.Evidence(ctx, c); err != nil {
			return view{}, subject{}, err
		}
	}
	v, err := b.r.get().render(m.Kind, c, ev)
	if err != nil {
		return view{}, subject{}, &renderError{err}
	}
	return v, subject{c: &c}, nil
}

// settleFailure decides whether a message that failed is retried or given up. refusal is
// why Telegram refused the message's full form, when r is the answer to its short form.
//
// A retry (a 429, a 5xx, the network) tries the full form again next time. Given up,
// the message is told to the service, which records it in the case's trail, sends a
// prompt's case to the managers and alerts them: nothing is dropped silently.
func (b *Bot) settleFailure(ctx context.Context, m justify.Message, r result, refusal string, log zerolog.Logger) error {
	b.deps.Metrics.failed(r)
	if done, err := b.teamChatFailure(ctx, m, r, log); done { // teamchat.go
		return err
	}
	now := b.deps.Now()
	switch {
	case r.status == retry && r.code == http.StatusTooManyRequests:
		log.Warn().Int("retry_after", int(r.retryAfter/time.Second)).Msg("rate limited by telegram")
		return b.markRetry(ctx, m.ID, r.description, now.Add(max(r.retryAfter, time.Second)))
	case r.status == retry:
		next := now.Add(sendBackoff.Delay(m.Attempts + 1))
		log.Warn().Err(r.err()).Int("attempts", m.Attempts+1).Time("next_attempt", next).Msg("send failed; will retry")
		return b.markRetry(ctx, m.ID, r.description, next)
	}
	p, _ := b.people().ByTelegram(m.ChatID)
	d := justify.Delivery{Message: m, To: p.Name, At: now, Refused: r.description, Lost: true}
	switch {
	case r.code == http.StatusForbidden:
		log.Warn().Str("person", p.Name).Str("error", r.description).Msg("person cannot be messaged: never pressed Start or blocked the bot")
		d.Unreachable = true
	case refusal != "":
		log.Error().Str("error", refusal).Str("short_form_error", r.description).Msg("telegram refused the message and its short form; giving up")
		d.Refused = refusal
		if r.description != refusal {
			d.Refused += "; short form: " + r.description
		}
	default:
		log.Error().Err(r.err()).Msg("telegram refused the message; giving up")
	}
	if err := b.deps.Service.Delivered(ctx, d); err != nil {
		return err
	}
	if err := b.markFailed(ctx, m.ID, r.description); err != nil {
		return err
	}
	// The alert, and the reviews of a case whose operator could not be asked, leave now.
	b.Wake()
	return nil
}

// markSent, markRetry and markFailed settle a message in the outbox and
// count the outcome.
func (b *Bot) markSent(ctx context.Context, id int64, tgID int, at time.Time) error {
	b.deps.Metrics.settled(outcomeSent)
	return b.deps.Outbox.MarkSent(ctx, id, tgID, at)
}

func (b *Bot) markRetry(ctx context.Context, id int64, why string, next time.Time) error {
	b.deps.Metrics.settled(outcomeRetried)
	return b.deps.Outbox.MarkRetry(ctx, id, why, next)
}

func (b *Bot) markFailed(ctx context.Context, id int64, why string) error {
	b.deps.Metrics.settled(outcomeFailed)
	return b.deps.Outbox.MarkFailed(ctx, id, why)
}
