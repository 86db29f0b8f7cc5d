package telegram

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/modwatch/modwatch/justify"
)

// recorder records what Telegram answered to the messages of a send loop as the answers
// come: it takes whatever came while it recorded the previous ones, so that the outbox
// costs a transaction per handful of messages under a backlog and one per message when
// they trickle in.
type recorder struct {
	b       *Bot
	ctx     context.Context
	in      chan *job
	done    chan struct{}
	settled func(chat int64) // told of each job once recorded
	errs    *errList

	mu       sync.Mutex
	panicked any
}

// newRecorder starts a recorder that settles with ctx, tells settled of each job it
// recorded, and adds what fails to errs.
func (b *Bot) newRecorder(ctx context.Context, settled func(chat int64), errs *errList) *recorder {
	r := &recorder{b: b, ctx: ctx, in: make(chan *job, maxUnrecorded), done: make(chan struct{}),
		settled: settled, errs: errs}
	go r.run()
	return r
}

// put hands a job Telegram answered to the recorder, which closes j.recorded once it is
// settled; it waits while maxUnrecorded others wait to be recorded.
func (r *recorder) put(j *job) { r.in <- j }

// close waits until everything put was recorded; nothing may be put after.
func (r *recorder) close() {
	close(r.in)
	<-r.done
}

// panic is what the recorder panicked with, if it did, for the send loop to raise again.
func (r *recorder) panic() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.panicked
}

func (r *recorder) run() {
	defer close(r.done)
	var batch []*job
	finish := func(js []*job) {
		for _, j := range js {
			r.settled(j.m.ChatID)
			close(j.recorded)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			r.mu.Lock()
			r.panicked = p
			r.mu.Unlock()
			// Let the senders finish; nothing more is recorded.
			finish(batch)
			for j := range r.in {
				finish([]*job{j})
			}
		}
	}()
	for j := range r.in {
		batch = []*job{j}
	more:
		for {
			select {
			case j, ok := <-r.in:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		r.errs.add(r.b.record(r.ctx, batch))
		finish(batch)
		batch = nil
	}
}

// record settles jobs Telegram answered. Failures are settled one by one, as they are
// few and each decides its own fate (retry, give up, follow a team chat); the messages
// Telegram took are marked sent and told to the service in one transaction.
func (b *Bot) record(ctx context.Context, batch []*job) error {
	var errs []error
	var took []*job
	for _, j := range batch {
		if j.r.ok() {
			took = append(took, j)
			continue
		}
		if err := b.settleFailure(ctx, j.m, j.r, j.refusal, j.log); err != nil {
			errs = append(errs, fmt.Errorf("deliver message %d: %w", j.m.ID, err))
		}
	}
	if len(took) == 0 {
		return errors.Join(errs...)
	}
	ds := make([]justify.Delivery, len(took))
	for i, j := range took {
		j.log.Debug().Int("telegram_message_id", j.r.messageID).Bool("short", j.short).Msg("message delivered")
		p, _ := b.people().ByTelegram(j.m.ChatID)
		ds[i] = justify.Delivery{Message: j.m, To: p.Name, At: j.at, Refused: j.refusal, TelegramMessageID: j.r.messageID, Short: j.short}
	}
	// Each message is marked sent in the transaction that tells its case, so that neither
	// happens without the other.
	missing, err := b.deps.Service.SentAll(ctx, ds)
	told := took
	if err != nil {
		// One message the service cannot take must not hold back the others: each is
		// recorded on its own, and one that still fails stays unsent, to be sent again.
		told, missing = nil, nil
		for i, j := range took {
			gone, err := b.deps.Service.SentAll(ctx, ds[i:i+1])
			if err != nil {
				errs = append(errs, fmt.Errorf("deliver message %d: %w", j.m.ID, err))
				continue
			}
			told, missing = append(told, j), append(missing, gone...)
		}
	}
	for _, j := range told {
		b.deps.Metrics.settled(outcomeSent)
		if !slices.Contains(missing, j.m.ID) {
			continue
		}
		if j.m.EditOf != 0 {
			// A newer edit of the same message replaced this one while it was sent.
			j.log.Debug().Msg("edit superseded while sent")
			continue
		}
		errs = append(errs, fmt.Errorf("record message %d sent: %w", j.m.ID, justify.ErrNotFound))
	}
	return errors.Join(errs...)
}
