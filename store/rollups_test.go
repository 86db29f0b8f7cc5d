package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestPackRoundTrip(t *testing.T) {
	hour := hourOf(t0)
	at := fromMS(hour + 1234)
	ds := []justify.DialogStat{
		{GroupID: 7, StartedAt: at, Touched: true, FirstTouchBy: 111, FirstTouch: 90 * time.Second, Answered: true,
			FirstAnswerBy: -7, FirstAnswer: time.Hour, Messages: 5,
			Reactions: []justify.Reaction{{By: 111, Wait: time.Minute}, {By: 0, Wait: 0}}},
		{GroupID: 7, StartedAt: fromMS(hour + hourMS - 1), Messages: 1},
	}
	got, err := unpackDialogs(7, hour, packDialogs(hour, ds), nil)
	require.NoError(t, err)
	assert.Equal(t, ds, got)

	ss := []justify.SignFact{
		{GroupID: 7, Kind: justify.SignClosedWithoutReply, OnShift: []int64{111, 112}, Primary: true, At: at},
		{GroupID: 7, Kind: justify.SignIdle, OperatorVKID: 112, Minutes: 95, At: at},
		{GroupID: 7, Kind: justify.SignSkipped, OperatorVKID: 112, At: at},
	}
	gotS, err := unpackSigns(7, hour, packSigns(hour, ss), nil)
	require.NoError(t, err)
	assert.Equal(t, ss, gotS)

	rs := []justify.ReplyFact{{GroupID: 7, OperatorVKID: 111, Hash: math.MinInt64 + 1, CustomerVKID: 5001, At: at, WroteAfter: true},
		{GroupID: 7, Hash: math.MaxInt64, CustomerVKID: 1, At: at}}
	gotR, err := unpackReplies(7, hour, packReplies(hour, rs), nil)
	require.NoError(t, err)
	assert.Equal(t, rs, gotR)

	_, err = unpackDialogs(7, hour, packDialogs(hour, ds)[:5], nil)
	assert.Error(t, err, "a cut blob is an error, not a guess")
}

// convService records conversations in db as the daemon does.
func convService(db *DB, now *time.Time) *justify.Service {
	return &justify.Service{Store: db, People: justify.NewDirectory(nil), Deadline: time.Hour,
		Communities: map[int64]justify.Community{1: {GroupID: 1}, 2: {GroupID: 2}},
		Now:         func() time.Time { return *now },
		Conversations: &justify.Conversations{Lexicon: justify.NewLexicon(justify.LexiconWords{}), IdleAfter: time.Hour,
			Rules: justify.DialogRules{AnswerWithin: time.Hour, StallAfter: 2 * time.Hour, RepeatWithin: 48 * time.Hour,
				NewDialogAfter: time.Hour}}}
}

// sortedFacts orders facts so that two reads of the same can be compared.
func sortedFacts(f justify.ConversationFacts) justify.ConversationFacts {
	sort.Slice(f.Dialogs, func(i, j int) bool {
		return fmt.Sprint(f.Dialogs[i].StartedAt.UnixNano(), f.Dialogs[i].GroupID) < fmt.Sprint(f.Dialogs[j].StartedAt.UnixNano(), f.Dialogs[j].GroupID)
	})
	sort.Slice(f.Signs, func(i, j int) bool { return fmt.Sprint(f.Signs[i]) < fmt.Sprint(f.Signs[j]) })
	sort.Slice(f.Replies, func(i, j int) bool { return fmt.Sprint(f.Replies[i]) < fmt.Sprint(f.Replies[j]) })
	return f
}

// TestRollupReadsWhatTheTablesSay checks that the facts read through the hourly roll-up
// are those of the tables, whether hours are packed, changed since, or at the period's ends.
func TestRollupReadsWhatTheTablesSay(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := t0.Add(3 * 24 * time.Hour)
	svc := convService(db, &now)
	var evs []justify.Event
	for i := range 60 {
		g, customer := int64(1+i%2), int64(5000+i%7)
		at := t0.Add(time.Duration(i) * 53 * time.Minute)
		ref := justify.Ref{GroupID: g, Place: justify.PlaceMessage, OwnerID: customer, ItemID: int64(2 * i)}
		evs = append(evs, justify.Event{Key: fmt.Sprintf("in%d", i), GroupID: g, Kind: justify.EventWrite, Item: ref, At: at,
			UserVKID: customer, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, Text: "Где заказ?", CreatedAt: at}})
		if i%5 == 4 {
			continue // left unanswered
		}
		text := []string{"Спасибо за отзыв!", "Здравствуйте!", "Да", "Заказ отправлен вчера", "Уточняю"}[i%5]
		reply := ref
		reply.ItemID++
		evs = append(evs, justify.Event{Key: fmt.Sprintf("out%d", i), GroupID: g, Kind: justify.EventAnswer, Item: reply,
			ActorVKID: 111, At: at.Add(7 * time.Minute), Reply: &justify.Reply{Text: text, WrittenAt: at.Add(7 * time.Minute)}})
	}
	_, err := svc.Ingest(ctx, evs, "", "")
	require.NoError(t, err)

	periods := [][2]time.Time{
		{t0.Add(-time.Hour), now}, // everything
		{t0.Add(17 * time.Minute), t0.Add(29*time.Hour + 3*time.Minute)}, // ends inside hours
		{t0.Add(2 * time.Hour), t0.Add(2*time.Hour + 30*time.Minute)},    // within one hour
	}
	raw := func(from, to time.Time) justify.ConversationFacts {
		var f justify.ConversationFacts
		require.NoError(t, rawFacts(ctx, db.read, 0, true, from, to, &f))
		return sortedFacts(f)
	}
	rawTickets := func(since time.Time) []justify.AnsweredTicket {
		var ts []justify.AnsweredTicket
		require.NoError(t, rawAnswered(ctx, db.read, 0, true, since, time.Time{}, &ts))
		sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
		return ts
	}
	check := func(stage string) {
		for _, p := range periods {
			got, err := db.ConversationFacts(ctx, p[0], p[1])
			require.NoError(t, err)
			assert.Equal(t, raw(p[0], p[1]), sortedFacts(got), "%s, %s to %s", stage, p[0], p[1])
			ts, err := db.AnsweredTickets(ctx, p[0])
			require.NoError(t, err)
			sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
			assert.Equal(t, rawTickets(p[0]), ts, "answered tickets, %s, since %s", stage, p[0])
		}
	}
	whole, err := db.ConversationFacts(ctx, periods[0][0], periods[0][1])
	require.NoError(t, err)
	require.NotEmpty(t, whole.Dialogs)
	require.NotEmpty(t, whole.Signs)
	require.NotEmpty(t, whole.Replies)
	require.NotEmpty(t, rawTickets(periods[0][0]))
	check("nothing packed yet")

	n, err := db.PackReportHours(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "a limit")
	check("some hours packed")
	_, err = db.PackReportHours(ctx, 100_000)
	require.NoError(t, err)
	assert.Zero(t, count(t, db, "report_hours_dirty"))
	check("every hour packed")

	// A late answer changes a packed hour: it is read from the tables until packed again.
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5004, ItemID: 9999}
	at := t0.Add(4*53*time.Minute + 10*time.Minute)
	_, err = svc.Ingest(ctx, []justify.Event{{Key: "late", GroupID: 1, Kind: justify.EventAnswer, Item: ref, ActorVKID: 112,
		At: at, Reply: &justify.Reply{Text: "Заказ у курьера", WrittenAt: at}}}, "", "")
	require.NoError(t, err)
	assert.Positive(t, count(t, db, "report_hours_dirty"))
	check("changed after packing")
	_, err = db.PackReportHours(ctx, 100_000)
	require.NoError(t, err)
	// A deleted answered ticket changes what its hour holds.
	update(t, db, func(tx justify.Tx) error {
		return tx.MarkDeleted(justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5000, ItemID: 0}.Key(), 5000, now)
	})
	check("deleted after packing")
	_, err = db.PackReportHours(ctx, 100_000)
	require.NoError(t, err)
	check("packed again")
	assert.Zero(t, count(t, db, "report_hours_dirty"))
}
