package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// A page of due messages goes out in three steps, so that a backlog costs a few outbox
// transactions a page rather than three a message, and Telegram's round trips to different
// chats overlap:
//  1. the messages are rendered side by side (reads only);
//  2. the buttons of the whole page are saved in one transaction, before any is shown;
//  3. each chat's messages are handed to a sender of their own, at most sendWorkers chats
//     at once, which sends them in order, one at a time; what Telegram answered is
//     recorded as it comes, whatever came since the last record in one transaction (the
//     message marked sent in the transaction that tells its case).
//
// A chat stays busy until all it was handed is recorded, and the next pages leave it out,
// so that a message is never read while in flight and one chat's messages keep their
// order; the other chats do not wait for it: an operator's prompts do not queue behind a
// manager's long backlog of reviews.
//
// A chat's sender waits for a message's record before it sends the next, so that a crash
// re-sends at most one message per chat being sent to (the one Telegram took just before
// it), as it re-sent the one message in flight before; the records of the chats being
// sent to are still taken together.
const (
	// sendWorkers bounds how many chats are sent to at once.
	sendWorkers = 8
	// maxUnrecorded bounds how many answers wait for the recorder: one per chat sender.
	maxUnrecorded = sendWorkers
)

// outgoing is what the send loop has handed to chat senders and not yet seen recorded.
type outgoing struct {
	b     *Bot
	rec   *recorder
	slots chan struct{}
	wg    sync.WaitGroup
	errs  errList

	mu       sync.Mutex
	busy     map[int64]int // a chat's jobs handed out and not yet recorded
	panicked any
}

// newOutgoing starts what a send loop hands chats to; settle is the context that records
// what Telegram answered, which must outlive the loop's.
func (b *Bot) newOutgoing(settle context.Context) *outgoing {
	o := &outgoing{b: b, slots: make(chan struct{}, sendWorkers), busy: map[int64]int{}}
	o.rec = b.newRecorder(settle, o.done, &o.errs)
	return o
}

// busyChats lists the chats whose messages are in flight.
func (o *outgoing) busyChats() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]int64, 0, len(o.busy))
	for c := range o.busy {
		out = append(out, c)
	}
	return out
}

// done counts a chat's job as settled (recorded, or not sent after all); the last one
// frees the chat and wakes the send loop for what is due to it next.
func (o *outgoing) done(chat int64) {
	o.mu.Lock()
	o.busy[chat]--
	free := o.busy[chat] <= 0
	if free {
		delete(o.busy, chat)
	}
	o.mu.Unlock()
	if free {
		o.b.Wake()
	}
}

// failure returns (and forgets) what went wrong in the chat senders and the recorder
// since the last call, and raises again a panic of theirs here, in the send loop, whose
// supervisor restarts it rather than have it take the daemon down from a goroutine.
func (o *outgoing) failure() error {
	o.mu.Lock()
	p := o.panicked
	o.mu.Unlock()
	if p == nil {
		p = o.rec.panic()
	}
	if p != nil {
		panic(p)
	}
	return o.errs.take()
}

// wait waits until every chat sender is done and what they sent is recorded.
func (o *outgoing) wait() error {
	o.wg.Wait()
	o.rec.close()
	return o.failure()
}

// hand starts a sender for one chat's jobs, waiting for a free one. ctx ending stops it
// before the next message.
func (o *outgoing) hand(ctx context.Context, js []*job) {
	var send []*job
	for _, j := range js {
		if !j.skip {
			send = append(send, j)
		}
	}
	if len(send) == 0 {
		return
	}
	chat := send[0].m.ChatID
	o.mu.Lock()
	o.busy[chat] += len(send)
	o.mu.Unlock()
	o.slots <- struct{}{}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		defer func() { <-o.slots }()
		left := send
		defer func() {
			if p := recover(); p != nil {
				o.mu.Lock()
				if o.panicked == nil {
					o.panicked = p
				}
				o.mu.Unlock()
			}
			for range left {
				o.done(chat)
			}
		}()
		for len(left) > 0 && ctx.Err() == nil {
			j := left[0]
			if j.m.Kind == justify.MsgDigest {
				// A digest goes in parts and keeps its own progress (digest.go).
				err := o.b.deliverDigest(ctx, j.m, j.log)
				left = left[1:]
				o.done(chat)
				if err != nil {
					o.errs.add(fmt.Errorf("deliver message %d: %w", j.m.ID, err))
					return
				}
				continue
			}
			o.b.transmitJob(ctx, j)
			j.at = o.b.deps.Now()
			left = left[1:]
			j.recorded = make(chan struct{})
			o.rec.put(j)
			// The next message waits for this one's record: a crash then sends again at
			// most one message per chat, the one Telegram took just before it.
			<-j.recorded
			if j.r.status == retry && j.r.code == http.StatusTooManyRequests {
				// Telegram wants the chat left alone for a while: its later messages wait.
				return
			}
		}
	}()
}

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
	// recorded is closed once the recorder settled the job.
	recorded chan struct{}
	// at is when Telegram answered: a prompt's deadline runs from it, however long the
	// answer then waits to be recorded.
	at time.Time
}

// deliverPage renders a page of messages that the pace admitted, saves their buttons and
// hands each chat's messages to its sender. It returns an error only when the outbox
// itself fails; Telegram's refusals are settled.
func (b *Bot) deliverPage(ctx context.Context, o *outgoing, page []justify.Message) error {
	if len(page) == 0 {
		return nil
	}
	// Settling must survive shutdown.
	settle := context.WithoutCancel(ctx)
	var errs errList
	all := b.jobs(page)
	chats := byChat(all)

	// A message that cannot be rendered for now holds back its chat's later ones, to keep
	// their order.
	each(all, func(j *job) {
		if err := b.prepare(ctx, settle, j); err != nil {
			errs.add(fmt.Errorf("deliver message %d: %w", j.m.ID, err))
			j.failed = true
		}
	})
	var buttons []justify.Button
	for _, js := range chats {
		for i, j := range js {
			if j.failed {
				for _, later := range js[i:] {
					later.skip = true
				}
				break
			}
			if !j.skip {
				buttons = append(buttons, j.buttons...)
			}
		}
	}
	if err := b.deps.Buttons.SaveButtons(ctx, buttons); err != nil {
		// Nothing was sent: the page is due again at the next round.
		errs.add(fmt.Errorf("save the buttons of %d messages: %w", len(page), err))
		return errs.take()
	}
	for _, js := range chats {
		if ctx.Err() != nil {
			break
		}
		o.hand(ctx, js)
	}
	return errs.take()
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

// take returns the errors collected, joined, and forgets them.
func (e *errList) take() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := errors.Join(e.errs...)
	e.errs = nil
	return err
}
