package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// A page of due messages goes out in three steps, so that a backlog costs a few outbox
// transactions a page rather than three a message, and Telegram's round trips to different
// chats overlap:
//  1. each message is rendered (reads only), its chat's messages in order;
//  2. the buttons of the whole page are saved in one transaction, before any is shown;
//  3. the chats are sent to at once, at most sendWorkers of them, each chat's messages in
//     order, one at a time; what Telegram answered is recorded as it comes, whatever has
//     come since the last record in one transaction (the case told first, then the
//     message marked sent, as one message at a time did).
//
// A crash re-sends what Telegram took but the outbox had not recorded yet, as it re-sent
// the one message in flight before: at most maxUnrecorded twice over plus sendWorkers
// messages, since a sender blocks while that many wait to be recorded.
const (
	// sendWorkers bounds how many chats a page sends to at once.
	sendWorkers = 8
	// maxUnrecorded bounds how many answers wait for the recorder before the senders wait.
	maxUnrecorded = 16
)

// job is one message of a page, from its rendering to what Telegram answered.
type job struct {
	m   justify.Message
	log zerolog.Logger

	v       view
	subj    subject
	editID  int  // the Telegram message to edit; 0 sends anew
	short   bool // goes in its short form at once (its original did)
	kb      keyboard
	buttons []justify.Button

	// skip leaves the message for a later round: it was settled while rendered, or it
	// could not be rendered for now, or an earlier message of its chat could not.
	skip bool
	// failed is set when the message could not be rendered for now.
	failed bool

	r       result
	refusal string // why Telegram refused the full form, when r answers the short one
}

// deliverPage delivers a page of messages that the pace admitted. It returns an error only
// when the outbox itself fails; Telegram's refusals are settled. Whatever happens, the
// messages Telegram took are recorded.
func (b *Bot) deliverPage(ctx context.Context, page []justify.Message) (err error) {
	if len(page) == 0 {
		return nil
	}
	// Settling must survive shutdown: the message may already be in Telegram.
	settle := context.WithoutCancel(ctx)
	var errs errList
	defer func() {
	}()
	all := b.jobs(page)
	chats := byChat(all)

	// Rendering only reads, so a busy chat's messages are rendered side by side too. A
	// message that cannot be rendered for now holds back its chat's later ones, to keep
	// their order.
	each(all, func(j *job) {
		if err := b.prepare(ctx, settle, j); err != nil {
			errs.add(fmt.Errorf("deliver message %d: %w", j.m.ID, err))
			j.failed = true
		}
	})
	for _, js := range chats {
		for i, j := range js {
			if j.failed {
				for _, later := range js[i:] {
					later.skip = true
				}
				break
			}
		}
	}

	var buttons []justify.Button
	for _, js := range chats {
		for _, j := range js {
			if !j.skip {
				buttons = append(buttons, j.buttons...)
			}
		}
	}
	if err := b.deps.Buttons.SaveButtons(ctx, buttons); err != nil {
		// Nothing was sent: the page is due again at the next round.
		return errors.Join(append(errs.list(), fmt.Errorf("save the buttons of %d messages: %w", len(page), err))...)
	}

	rec := b.newRecorder(settle)
	// What Telegram took is recorded even when a sender panics.
	defer func() {
		errs.add(rec.close())
		err = errors.Join(errs.list()...)
	}()
	eachChat(chats, func(js []*job) {
		for _, j := range js {
			if j.skip || ctx.Err() != nil {
				continue
			}
			if j.m.Kind == justify.MsgDigest {
				// A digest goes in parts and keeps its own progress (digest.go).
				if err := b.deliverDigest(ctx, j.m, j.log); err != nil {
					errs.add(fmt.Errorf("deliver message %d: %w", j.m.ID, err))
					return
				}
				continue
			}
			b.transmitJob(ctx, j)
			rec.put(j)
			if j.r.status == retry && j.r.code == http.StatusTooManyRequests {
				// Telegram wants the chat left alone for a while: its later messages wait.
				return
			}
		}
	})
	return nil
}

// jobs makes a page's jobs.
func (b *Bot) jobs(page []justify.Message) []*job {
	js := make([]*job, len(page))
	for i, m := range page {
		js[i] = &job{m: m, log: b.log.With().Int64("message_id", m.ID).Int64("case_id", int64(m.CaseID)).
			Str("kind", string(m.Kind)).Int64("chat_id", m.ChatID).Logger()}
	}
	return js
}

// byChat groups a page's jobs by chat, each chat's in the page's order (oldest first).
func byChat(js []*job) [][]*job {
	at := map[int64]int{}
	var chats [][]*job
	for _, j := range js {
		i, ok := at[j.m.ChatID]
		if !ok {
			i = len(chats)
			at[j.m.ChatID] = i
			chats = append(chats, nil)
		}
		chats[i] = append(chats[i], j)
	}
	return chats
}

// eachChat runs fn on every chat's jobs, at most sendWorkers chats at once, and returns
// when all are done.
func eachChat(chats [][]*job, fn func([]*job)) { each(chats, fn) }

// each runs fn on every item, at most sendWorkers at once, and returns when all are done.
// A panic in fn is raised again here, in the send loop, whose supervisor restarts it,
// rather than take the daemon down from a goroutine of its own.
func each[T any](items []T, fn func(T)) {
	next := make(chan T)
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	for range min(sendWorkers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { panicked = p })
					for range next { // the others finish the page
					}
				}
			}()
			for it := range next {
				fn(it)
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// prepare renders a job's message and makes its buttons, unsaved. A message that can
// never be rendered, or whose original cannot be edited (yet), is settled at once and
// skipped. An error means the store failed: the message is left for the next round.
func (b *Bot) prepare(ctx, settle context.Context, j *job) error {
	m := j.m
	if m.Kind == justify.MsgDigest {
		return nil
	}
	v, subj, err := b.view(ctx, m)
	var gone *renderError
	if errors.As(err, &gone) {
		j.log.Error().Err(err).Msg("cannot render message; giving up")
		j.skip = true
		return b.markFailed(settle, m.ID, err.Error())
	}
	if err != nil {
		return err
	}
	if m.EditOf != 0 {
		orig, err := b.deps.Outbox.Message(ctx, m.EditOf)
		if err != nil {
			return fmt.Errorf("load original message %d: %w", m.EditOf, err)
		}
		switch {
		case orig.Failed:
			j.skip = true
			return b.markFailed(settle, m.ID, "the message to edit was never delivered")
		case orig.SentAt.IsZero():
			j.skip = true
			return b.markRetry(settle, m.ID, "the message to edit is not sent yet", b.deps.Now().Add(waitForOriginal))
		}
		// Telegram refused what this message showed once: what it shows now goes short at
		// once rather than be refused again.
		j.editID, j.short = orig.TelegramMessageID, orig.Short
	}
	j.v, j.subj = v, subj
	j.kb, j.buttons, err = b.tokens(m.ChatID, subj.caseID(), m.BatchID, v.rows)
	return err
}

// transmitJob sends (or edits) a prepared message, in its short form when Telegram
// refuses the full one for what it says.
func (b *Bot) transmitJob(ctx context.Context, j *job) {
	m := j.m
	shortView := func() view {
		sv := b.r.get().short(m.Kind, j.subj)
		sv.forceReply = j.v.forceReply
		return sv
	}
	if j.short {
		j.r = b.transmit(ctx, m, j.editID, shortView(), j.kb, j.log)
		return
	}
	j.r = b.transmit(ctx, m, j.editID, j.v, j.kb, j.log)
	if j.r.status == refused && j.r.code != http.StatusForbidden && !(isGroup(m.ChatID) && lostChat(j.r)) {
		// Something in the message (a customer's words, most likely) is what Telegram
		// will not take: the short form, with the same buttons, lets the person act. (A team
		// chat the bot may no longer write to is settled as lost instead.)
		b.deps.Metrics.failed(j.r)
		j.refusal, j.short = j.r.description, true
		j.log.Warn().Str("error", j.r.description).Msg("telegram refused the message; sending its short form")
		b.pace.spend(m.ChatID)
		j.r = b.transmit(ctx, m, j.editID, shortView(), j.kb, j.log)
	}
}

// errList collects the errors of concurrent senders.
type errList struct {
	mu   sync.Mutex
	errs []error
}

func (e *errList) add(err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

func (e *errList) list() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}
