package justify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

const (
	benchGroup    = 1
	benchOperator = 111
)

// benchService is the workflow over a real SQLite store in a temporary folder.
func benchService(b *testing.B) (*justify.Service, *store.DB) {
	b.Helper()
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return &justify.Service{
		Store: db,
		People: justify.NewDirectory([]justify.Person{
			{Name: "Ivan", Role: justify.RoleOperator, VKID: benchOperator, TelegramID: 1001},
			{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001},
		}),
		Communities:  map[int64]justify.Community{benchGroup: {GroupID: benchGroup, Name: "Brand"}},
		Now:          time.Now,
		Deadline:     2 * time.Hour,
		RemindBefore: 30 * time.Minute,
		Wave:         justify.WaveRule{Count: 10, Within: 10 * time.Minute},
		AlertWindow:  time.Hour,
	}, db
}

// benchEvent makes the n-th event of a stream: a customer's comment, or every tenth event
// (with bans) a ban by an operator, which opens a case and queues a prompt.
func benchEvent(n int, bans bool) justify.Event {
	now := time.Now()
	if bans && n%10 == 9 {
		return justify.Event{
			Key: fmt.Sprintf("vk:%d:ban-%d", benchGroup, n), GroupID: benchGroup, Kind: justify.EventBan,
			ActorVKID: benchOperator, UserVKID: 7_000_000 + int64(n), UserName: "Maria Ivanova",
			VKReason: justify.BanSpam, Comment: "links", At: now, Source: justify.SourceLongPoll,
		}
	}
	ref := justify.Ref{GroupID: benchGroup, Place: justify.PlaceWallComment, OwnerID: -benchGroup, ParentID: int64(n%50 + 1), ItemID: int64(n + 1)}
	return justify.Event{
		Key: fmt.Sprintf("vk:%d:comment-%d", benchGroup, n), GroupID: benchGroup, Kind: justify.EventWrite,
		UserVKID: 5_000_000 + int64(n%1000), At: now, Source: justify.SourceLongPoll, Item: ref,
		Ticket: &justify.Ticket{
			Key: ref.Key(), Ref: ref, AuthorVKID: 5_000_000 + int64(n%1000), AuthorName: "Maria Ivanova",
			Text: "Здравствуйте! Заказ оплачен неделю назад, а статус всё ещё «в обработке». Когда отправите?",
			Link: ref.Link(), CreatedAt: now, UpdatedAt: now,
		},
	}
}

// BenchmarkIngest records batches of 100 events with the watcher's cursor, one
// transaction a batch, as the VK watcher does.
func BenchmarkIngest(b *testing.B) {
	const batch = 100
	for _, bc := range []struct {
		name string
		bans bool
	}{
		{name: "comments", bans: false},
		{name: "comments_and_10pct_bans", bans: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			svc, _ := benchService(b)
			ctx := context.Background()
			b.ReportAllocs()
			n := 0
			evs := make([]justify.Event, batch)
			for b.Loop() {
				for i := range evs {
					evs[i] = benchEvent(n, bc.bans)
					n++
				}
				res, err := svc.Ingest(ctx, evs, "vk:1:ts", fmt.Sprint(n))
				if err != nil {
					b.Fatal(err)
				}
				if res.New != batch {
					b.Fatalf("recorded %d of %d events", res.New, batch)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkEvidence loads what a ban's prompt shows for a customer who wrote many times,
// among many other customers' tickets.
func BenchmarkEvidence(b *testing.B) {
	for _, bc := range []struct {
		name        string
		userTickets int
		others      int
	}{
		{name: "10_of_100k", userTickets: 10, others: 100_000},
		{name: "1000_of_100k", userTickets: 1000, others: 100_000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			svc, db := benchService(b)
			ctx := context.Background()
			const customer = 5_555_555
			created := time.Now().Add(-30 * 24 * time.Hour)
			total := bc.userTickets + bc.others
			for from := 0; from < total; from += 5000 {
				err := db.Update(ctx, func(tx justify.Tx) error {
					for i := from; i < min(from+5000, total); i++ {
						author := int64(6_000_000 + i%10_000)
						if i%(total/bc.userTickets) == 0 {
							author = customer
						}
						ref := justify.Ref{GroupID: benchGroup, Place: justify.PlaceWallComment, OwnerID: -benchGroup, ParentID: int64(i/100 + 1), ItemID: int64(i + 1)}
						t := justify.Ticket{Ref: ref, AuthorVKID: author, Text: "where is my order?", CreatedAt: created.Add(time.Duration(i) * time.Minute)}
						if i%2 == 0 {
							t.AnsweredAt = t.CreatedAt.Add(time.Hour)
						}
						if _, err := tx.UpsertTicket(&t); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatalf("store tickets: %v", err)
				}
			}
			c := justify.Case{ID: 1, GroupID: benchGroup, Kind: justify.EventBan, UserVKID: customer}
			for b.Loop() {
				ev, err := svc.Evidence(ctx, c)
				if err != nil {
					b.Fatal(err)
				}
				if len(ev.UserTickets) == 0 {
					b.Fatal("no tickets found")
				}
			}
		})
	}
}

// mixStream makes events shaped like the load run's (modwatch bench): customers'
// comments under 50 posts by 10,000 customers, the community's replies to them, operators'
// deletions of them and bans, 70% / 15% / 5% / 10%.
type mixStream struct {
	n        int
	comments []justify.Ref
	authors  map[justify.Ref]int64
}

func (m *mixStream) next(at time.Time) justify.Event {
	n := m.n
	m.n++
	kind := n % 10
	if len(m.comments) == 0 {
		kind = 0
	}
	switch {
	case kind == 9:
		return justify.Event{Key: fmt.Sprintf("mix:ban-%d", n), GroupID: benchGroup, Kind: justify.EventBan,
			ActorVKID: benchOperator, UserVKID: 7_000_000 + int64(n), VKReason: justify.BanSpam, At: at, Source: justify.SourceLongPoll}
	case kind == 8 && n%20 == 8:
		i := (n * 7919) % len(m.comments)
		ref := m.comments[i]
		m.comments[i] = m.comments[len(m.comments)-1]
		m.comments = m.comments[:len(m.comments)-1]
		return justify.Event{Key: fmt.Sprintf("mix:del-%d", n), GroupID: benchGroup, Kind: justify.EventDelete,
			ActorVKID: benchOperator, UserVKID: m.authors[ref], Item: ref, At: at, Source: justify.SourceLongPoll}
	case kind == 7 || kind == 8:
		to := m.comments[(n*104729)%len(m.comments)]
		ref := justify.Ref{GroupID: benchGroup, Place: justify.PlaceWallComment, OwnerID: -benchGroup, ParentID: to.ParentID, ItemID: int64(n + 1)}
		return justify.Event{Key: fmt.Sprintf("mix:reply-%d", n), GroupID: benchGroup, Kind: justify.EventAnswer,
			Item: ref, ReplyTo: to, At: at, Source: justify.SourceLongPoll,
			Reply: &justify.Reply{Text: "Здравствуйте! Передали ваш вопрос в службу доставки, ответим в течение дня.", WrittenAt: at}}
	}
	ev := benchEvent(n, false)
	ev.Key = fmt.Sprintf("mix:comment-%d", n)
	// Customers and posts as the load run spreads them: 10,000 customers, 50 posts.
	author := 5_000_000 + int64(n*7919%10_000)
	ev.UserVKID, ev.Ticket.AuthorVKID = author, author
	ev.Item.ParentID = int64(n*104729%50 + 1)
	ev.Ticket.Ref, ev.Ticket.Key = ev.Item, ev.Item.Key()
	if m.authors == nil {
		m.authors = map[justify.Ref]int64{}
	}
	m.comments = append(m.comments, ev.Ticket.Ref)
	m.authors[ev.Ticket.Ref] = ev.Ticket.AuthorVKID
	return ev
}

// BenchmarkIngestMix records the load run's mix with conversations kept, in long-poll
// answers of 1,000 events, one call each, as the VK watcher does under a burst.
func BenchmarkIngestMix(b *testing.B) {
	const batch = 1000
	svc, _ := benchService(b)
	svc.Conversations = &justify.Conversations{Lexicon: justify.NewLexicon(justify.LexiconWords{}),
		Rules: justify.DialogRules{AnswerWithin: 4 * time.Hour, StallAfter: 24 * time.Hour, RepeatWithin: 7 * 24 * time.Hour,
			NewDialogAfter: time.Hour}, IdleAfter: time.Hour}
	ctx := context.Background()
	var m mixStream
	evs := make([]justify.Event, batch)
	for b.Loop() {
		now := time.Now()
		for i := range evs {
			evs[i] = m.next(now)
		}
		if _, err := svc.Ingest(ctx, evs, "vk:1:ts", fmt.Sprint(m.n)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.n)/b.Elapsed().Seconds(), "events/s")
}
