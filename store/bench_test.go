package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// fillTickets writes n tickets by n/10 customers spread over 5 communities (every 20th an
// import of group 0), in transactions of 50,000 rows: the fast path for a large fixture,
// not the domain's one-by-one UpsertTicket.
func fillTickets(b *testing.B, db *DB, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 50_000
	for start := 0; start < n; start += batch {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.PrepareContext(ctx, insertTicket)
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < min(n, start+batch); i++ {
			author := int64(i%(n/10) + 1)
			tk := justify.Ticket{
				Key: fmt.Sprint("vk:", i), Ref: justify.Ref{GroupID: author%5 + 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: int64(i / 100), ItemID: int64(i)},
				AuthorVKID: author, Text: "где мой заказ? прошла уже неделя", CreatedAt: t0.Add(time.Duration(i) * time.Second),
			}
			if i%20 == 0 {
				tk.Ref = justify.Ref{Place: justify.PlaceHelpDesk}
				tk.Status = "open"
			}
			if i%3 == 0 {
				tk.AnsweredAt = tk.CreatedAt.Add(time.Hour)
			}
			if _, err := stmt.ExecContext(ctx, ticketValues(&tk)...); err != nil {
				b.Fatal(err)
			}
		}
		if err := stmt.Close(); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTicketsOf measures the lookup behind every ban prompt: a customer's ten most
// pressing tickets among a million. It builds its fixture once (b.Loop runs the function
// body once), which takes a while: it is skipped with -short.
func BenchmarkTicketsOf(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a million tickets")
	}
	benchTicketsOf(b, 1_000_000)
}

// BenchmarkTicketsOfSmall is BenchmarkTicketsOf among 10,000 tickets, quick enough for
// -short. Its compiles/op shows statements planned again on every run (stmtKey): about 4
// when they are, 0 when they keep their plans.
func BenchmarkTicketsOfSmall(b *testing.B) {
	benchTicketsOf(b, 10_000)
}

func benchTicketsOf(b *testing.B, n int) {
	db := openTest(b)
	fillTickets(b, db, n)
	ctx := context.Background()
	i := 0
	compiles := db.Compiles()
	for b.Loop() {
		author := int64(i*7919%(n/10) + 1)
		i++
		err := db.View(ctx, func(tx justify.Tx) error {
			ts, err := tx.TicketsOf(author%5+1, author, 10)
			if err == nil && len(ts) == 0 {
				err = fmt.Errorf("no tickets of %d", author)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(db.Compiles()-compiles)/float64(b.N), "compiles/op")
}

// BenchmarkIngestBatch measures a watcher's catch-up path: a batch of 100 new comments,
// each an event and its ticket, in one transaction.
func BenchmarkIngestBatch(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	const batch = 100
	seq := 0
	for b.Loop() {
		err := db.Update(ctx, func(tx justify.Tx) error {
			for range batch {
				seq++
				ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: int64(seq)}
				tk := &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: int64(seq % 1000), Text: "вопрос", CreatedAt: t0}
				ev := justify.Event{Key: fmt.Sprint("w", seq), GroupID: 1, Kind: justify.EventWrite, UserVKID: tk.AuthorVKID,
					Item: ref, Ticket: tk, At: t0, Source: justify.SourceLongPoll}
				if _, err := tx.InsertEvent(ev); err != nil {
					return err
				}
				if _, err := tx.UpsertTicket(tk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkInsertEvent measures the watcher's hot path: one transaction per new event.
func BenchmarkInsertEvent(b *testing.B) {
	benchmarks := []struct {
		name string
		// key gives the i-th event's key; a constant key measures redeliveries.
		key func(i int) string
	}{
		{"new", func(i int) string { return fmt.Sprint("e", i) }},
		{"redelivered", func(int) string { return "same" }},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			db := openTest(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				ev := justify.Event{Key: bm.key(i), GroupID: 1, Kind: justify.EventBan, UserVKID: int64(i), At: t0, Source: justify.SourceLongPoll}
				i++
				if err := db.Update(ctx, func(tx justify.Tx) error {
					_, err := tx.InsertEvent(ev)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKeptEvent measures what keeping a customer's comment in the inbox and reading
// it back costs in encoding alone, and reports the record's size.
func BenchmarkKeptEvent(b *testing.B) {
	ref := justify.Ref{GroupID: 123456, Place: justify.PlaceWallComment, OwnerID: -123456, ParentID: 77, ItemID: 12345}
	ev := justify.Event{Key: "vk:123456:wall_reply_new:12345", GroupID: 123456, Kind: justify.EventWrite, UserVKID: 5551234,
		At: t0, Source: justify.SourceLongPoll, Position: 99, Item: ref,
		Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: 5551234, Text: "Где мой заказ? Жду уже неделю.", CreatedAt: t0}}
	var size int
	for b.Loop() {
		raw, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
		var back justify.Event
		if err := json.Unmarshal(raw, &back); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "bytes")
}
