package justify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// TestBurstsKeepTheirPlans records rounds of the load run's mix in two communities
// (customers' comments, the communities' replies, operators' deletions and bans, with
// conversations kept) and loads each ban's prompt evidence, as the bot does, and checks
// that once the first rounds have prepared the statements, the later ones compile none:
// SQLite used to plan some of them again on every run (store's stmtKey).
func TestBurstsKeepTheirPlans(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "plans.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	groups := []int64{200_001, 200_002}
	svc := &justify.Service{
		Store: db,
		People: justify.NewDirectory([]justify.Person{
			{Name: "Ivan", Role: justify.RoleOperator, VKID: benchOperator, TelegramID: 1001},
			{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001},
		}),
		Communities: map[int64]justify.Community{
			groups[0]: {GroupID: groups[0], Name: "Brand"}, groups[1]: {GroupID: groups[1], Name: "Brand 2"}},
		Now: time.Now, Deadline: 2 * time.Hour, RemindBefore: 30 * time.Minute,
		Wave:        justify.WaveRule{Count: 10, Within: 10 * time.Minute},
		AlertWindow: time.Hour,
		Conversations: &justify.Conversations{Lexicon: justify.NewLexicon(justify.LexiconWords{}),
			Rules: justify.DialogRules{AnswerWithin: 4 * time.Hour, StallAfter: 24 * time.Hour, RepeatWithin: 7 * 24 * time.Hour,
				NewDialogAfter: time.Hour}, IdleAfter: time.Hour},
	}
	ctx := context.Background()
	round := func(r int) {
		t.Helper()
		var evs []justify.Event
		for _, g := range groups {
			evs = append(evs, roundEvents(g, r)...)
		}
		res, err := svc.Ingest(ctx, evs, "vk:plans:ts", fmt.Sprint(r))
		require.NoError(t, err)
		require.Len(t, res.Opened, 2*len(groups), "a case per community's ban and deletion")
		for _, id := range res.Opened {
			c, _, err := svc.Case(ctx, id)
			require.NoError(t, err)
			ev, err := svc.Evidence(ctx, c)
			require.NoError(t, err)
			require.NotEmpty(t, ev.UserTickets, "the customer's tickets")
		}
	}
	// The first rounds prepare the statements; from the fifth, the dialogs that went
	// quiet are rebuilt too, by statements of their own.
	for r := range 6 {
		round(r)
	}
	prepared := db.Compiles()
	for r := 6; r < 16; r++ {
		round(r)
	}
	assert.Equal(t, prepared, db.Compiles(), "statements compiled again over 10 more rounds")
}

// roundEvents is one round's events in a community: ten customers' comments (the banned
// customer's among them), replies to three, the deletion of one and the ban.
func roundEvents(g int64, r int) []justify.Event {
	at := time.Now()
	var evs []justify.Event
	var refs []justify.Ref
	banned := 7_000_000 + int64(r)
	for i := range 10 {
		author := 5_000_000 + int64((r*10+i)%37)
		if i == 4 {
			author = banned
		}
		ref := justify.Ref{GroupID: g, Place: justify.PlaceWallComment, OwnerID: -g, ParentID: int64(i%3 + 1), ItemID: int64(r*100 + i + 1)}
		refs = append(refs, ref)
		evs = append(evs, justify.Event{Key: fmt.Sprintf("c:%d:%d:%d", g, r, i), GroupID: g, Kind: justify.EventWrite,
			UserVKID: author, At: at, Source: justify.SourceLongPoll, Item: ref,
			Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: author, AuthorName: "Maria",
				Text: "Где мой заказ? Оплачен неделю назад.", Link: ref.Link(), CreatedAt: at, UpdatedAt: at}})
	}
	for i := range 3 {
		to := refs[i*3]
		ref := justify.Ref{GroupID: g, Place: justify.PlaceWallComment, OwnerID: -g, ParentID: to.ParentID, ItemID: int64(r*100 + 50 + i)}
		evs = append(evs, justify.Event{Key: fmt.Sprintf("a:%d:%d:%d", g, r, i), GroupID: g, Kind: justify.EventAnswer,
			Item: ref, ReplyTo: to, At: at, Source: justify.SourceLongPoll,
			Reply: &justify.Reply{Text: "Здравствуйте! Передали в доставку.", WrittenAt: at}})
	}
	evs = append(evs,
		justify.Event{Key: fmt.Sprintf("d:%d:%d", g, r), GroupID: g, Kind: justify.EventDelete, ActorVKID: benchOperator,
			UserVKID: 5_000_000 + int64((r*10+1)%37), Item: refs[1], At: at, Source: justify.SourceLongPoll},
		justify.Event{Key: fmt.Sprintf("b:%d:%d", g, r), GroupID: g, Kind: justify.EventBan, ActorVKID: benchOperator,
			UserVKID: banned, UserName: "Maria", VKReason: justify.BanSpam, Comment: "links", At: at, Source: justify.SourceLongPoll})
	return evs
}
