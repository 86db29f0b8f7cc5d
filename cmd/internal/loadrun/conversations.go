package loadrun

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// The conversations of a load run: customers' community messages and the operators'
// replies over the sixty days before the run, stored through the domain's own Ingest (so
// dialogs and signs are built as the daemon builds them), then a report of the last
// thirty days timed as `modwatch report --since 30d` makes it.

const (
	benchCustomerMsgBase = 8_000_000 // customers who write community messages
	// benchConvDays is the span of the preloaded messages: a thirty-day report reads the
	// thirty days before it too, as its previous period.
	benchConvDays = 60
	convBatch     = 2000 // events per Ingest call: one transaction
)

// benchTemplates are the replies operators paste.
var benchTemplates = []string{
	"Спасибо за отзыв! Мы передадим его коллегам.", "Нам очень жаль, что вам не понравилось.",
	"Спасибо за обращение, ваш заказ уже в пути.", "Приносим извинения за неудобства.",
}

// convReply is a reply an operator gives, by what it is.
func convReply(r *rand.Rand, order int) string {
	switch x := r.IntN(100); {
	case x < 10:
		return benchTemplates[r.IntN(len(benchTemplates))]
	case x < 15:
		return "Здравствуйте!"
	case x < 20:
		return "Уточняю информацию, ожидайте"
	case x < 24:
		return []string{"Да", "Нет", "Не знаю", "Ок"}[r.IntN(4)]
	default:
		return fmt.Sprintf("Здравствуйте! Заказ %d передан курьеру, доставка %d ноября до 18:00.", order, 1+r.IntN(28))
	}
}

// preloadConversations stores about n messages through svc: dialogs of one to three
// exchanges, a few left unanswered, a few answered by a chat bot, customers coming back.
// It returns how many messages it stored.
func preloadConversations(ctx context.Context, svc *justify.Service, n, communities int, now time.Time, seed uint64) (int, error) {
	r := rand.New(rand.NewPCG(seed, 11))
	customers := max(n/10, 1)
	dialogs := max(n/4, 1)
	span := benchConvDays * 24 * time.Hour
	start := now.Add(-span)
	step := span / time.Duration(dialogs)
	var batch []justify.Event
	stored, id := 0, int64(0)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := svc.Ingest(ctx, batch, "", ""); err != nil {
			return fmt.Errorf("preload conversations: %w", err)
		}
		stored += len(batch)
		batch = batch[:0]
		return nil
	}
	for d := 0; stored+len(batch) < n; d++ {
		customer := benchCustomerMsgBase + int64(r.IntN(customers))
		g := 1 + customer%int64(communities)
		at := start.Add(time.Duration(d%dialogs)*step + time.Duration(r.IntN(int(step/time.Second)+1))*time.Second)
		if !at.Before(now) {
			at = now.Add(-time.Minute)
		}
		operator := int64(benchOperatorVK + r.IntN(benchOperators))
		for ex := 1 + r.IntN(3); ex > 0; ex-- {
			id++
			ref := justify.Ref{GroupID: g, Place: justify.PlaceMessage, OwnerID: customer, ItemID: id}
			batch = append(batch, justify.Event{Key: fmt.Sprintf("bench:msg:%d", id), GroupID: g, Kind: justify.EventWrite,
				Item: ref, UserVKID: customer, At: at, Source: justify.SourceLongPoll,
				Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, Text: fmt.Sprintf(benchTexts[r.IntN(3)], id),
					Link: ref.Link(), CreatedAt: at, UpdatedAt: at}})
			if r.IntN(100) < 6 {
				break // left unanswered
			}
			at = at.Add(time.Duration(30+r.IntN(3600)) * time.Second)
			admin, text := operator, convReply(r, int(id))
			if r.IntN(100) < 3 {
				admin, text = 0, "Спасибо за обращение! Мы ответим в течение дня." // a chat bot
			}
			id++
			reply := justify.Ref{GroupID: g, Place: justify.PlaceMessage, OwnerID: customer, ItemID: id}
			batch = append(batch, justify.Event{Key: fmt.Sprintf("bench:msg:%d", id), GroupID: g, Kind: justify.EventAnswer,
				Item: reply, ActorVKID: admin, At: at, Source: justify.SourceLongPoll,
				Reply: &justify.Reply{Text: text, WrittenAt: at}})
			at = at.Add(time.Duration(60+r.IntN(1800)) * time.Second)
		}
		if len(batch) >= convBatch {
			if err := flush(); err != nil {
				return stored, err
			}
		}
	}
	return stored, flush()
}

// reportTiming is one timed report.
type reportTiming struct {
	load, json time.Duration
	dialogs    int
	signs      int
}

// timeReport loads the report of the thirty days before now, as `modwatch report --since
// 30d` does, and writes it as JSON; each is timed.
func timeReport(ctx context.Context, db *store.DB, o report.Options, now time.Time) (reportTiming, error) {
	var t reportTiming
	start := time.Now()
	r, err := report.Load(ctx, db, o, now.Add(-30*24*time.Hour), now)
	if err != nil {
		return t, fmt.Errorf("time the 30-day report: %w", err)
	}
	t.load = time.Since(start)
	start = time.Now()
	if err := report.WriteJSON(io.Discard, r); err != nil {
		return t, fmt.Errorf("time the 30-day report: %w", err)
	}
	t.json = time.Since(start)
	for _, c := range r.Communities {
		t.dialogs += c.Total.Current.Dialogs + c.Total.Previous.Dialogs
		t.signs += len(c.Signs)
	}
	return t, nil
}
