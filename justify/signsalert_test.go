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

// signsService records conversations with scoped people: Ivan works in community 1, Petr
// in 2; Olga manages 1, Pavel 2, Max both.
func signsService(t *testing.T, perDay int) (*justify.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return signsServiceOn(db, perDay, t0), db
}

// signsServiceOn is signsService on a database already open, at a time: a restart.
func signsServiceOn(db *store.DB, perDay int, now time.Time) *justify.Service {
	return &justify.Service{Store: db, Now: func() time.Time { return now }, Deadline: time.Hour, AlertWindow: time.Hour,
		People:      justify.NewDirectory([]justify.Person{scIvan, scPetr, scOlga, scPavel, scMax}),
		Communities: map[int64]justify.Community{1: {GroupID: 1, Name: "One"}, 2: {GroupID: 2, Name: "Two"}},
		Conversations: &justify.Conversations{Lexicon: justify.NewLexicon(justify.LexiconWords{}), IdleAfter: time.Hour,
			Rules: justify.DialogRules{AnswerWithin: time.Hour, StallAfter: 2 * time.Hour, RepeatWithin: 48 * time.Hour,
				NewDialogAfter: time.Hour}},
		SignsPerDay: perDay}
}

// oneWordReplies has an operator answer n new customers with one word each, an hour before t0.
func oneWordReplies(t *testing.T, svc *justify.Service, groupID, admin int64, from, n int) {
	t.Helper()
	var evs []justify.Event
	for i := from; i < from+n; i++ {
		customer := int64(5000 + i)
		at := t0.Add(-time.Hour).Add(time.Duration(i) * time.Minute)
		ref := justify.Ref{GroupID: groupID, Place: justify.PlaceMessage, OwnerID: customer, ItemID: int64(2 * i)}
		evs = append(evs, justify.Event{Key: fmt.Sprintf("in%d:%d", groupID, i), GroupID: groupID, Kind: justify.EventWrite, Item: ref,
			At: at, UserVKID: customer, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, Text: "Картой можно?", CreatedAt: at}})
		reply := ref
		reply.ItemID++
		evs = append(evs, justify.Event{Key: fmt.Sprintf("out%d:%d", groupID, i), GroupID: groupID, Kind: justify.EventAnswer, Item: reply,
			ActorVKID: admin, At: at.Add(time.Minute), Reply: &justify.Reply{Text: "Да", WrittenAt: at.Add(time.Minute)}})
	}
	_, err := svc.Ingest(context.Background(), evs, "", "")
	require.NoError(t, err)
}

// signsAlerts are the alert messages queued about signs: originals by chat, and how many
// times the alert was noted (its Count, grown by every alert that edited it).
func signsAlerts(t *testing.T, db *store.DB) (originals map[int64]justify.Alert, notes int) {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(1000*time.Hour), 0)
	require.NoError(t, err)
	originals = map[int64]justify.Alert{}
	for _, m := range due {
		if m.Kind != justify.MsgAlert {
			continue
		}
		a, err := justify.ParseAlert(m.Payload)
		require.NoError(t, err)
		if a.Kind != justify.AlertSigns {
			continue
		}
		notes = max(notes, a.Count)
		if m.EditOf != 0 {
			continue
		}
		originals[m.ChatID] = a
	}
	return originals, notes
}

func TestSignsPerDayAlert(t *testing.T) {
	t.Run("not at the threshold, at one more", func(t *testing.T) {
		svc, db := signsService(t, 3)
		oneWordReplies(t, svc, 1, scIvan.VKID, 0, 3)
		got, _ := signsAlerts(t, db)
		assert.Empty(t, got, "three signs are not past three")
		oneWordReplies(t, svc, 1, scIvan.VKID, 3, 1)
		got, notes := signsAlerts(t, db)
		assert.Equal(t, 1, notes)
		require.Contains(t, got, scOlga.TelegramID)
		require.Contains(t, got, scMax.TelegramID)
		assert.NotContains(t, got, scPavel.TelegramID, "Pavel does not cover community 1")
		assert.Len(t, got, 2)
		a := got[scOlga.TelegramID]
		assert.Equal(t, "Ivan", a.Subject)
		assert.Equal(t, map[justify.SignKind]int{justify.SignOneWord: 4}, a.Signs)
		assert.Equal(t, "2026-11-23", a.Day)
		assert.Equal(t, "Да", a.Detail)
		assert.Equal(t, justify.SignOneWord, a.WorstKind)
		assert.NotEmpty(t, a.Link)
	})
	t.Run("more signs that day edit the alert", func(t *testing.T) {
		svc, db := signsService(t, 3)
		oneWordReplies(t, svc, 1, scIvan.VKID, 0, 4)
		oneWordReplies(t, svc, 1, scIvan.VKID, 4, 1)
		got, notes := signsAlerts(t, db)
		assert.Len(t, got, 2, "no new message")
		assert.Equal(t, 2, notes, "the alert is edited")
		// The same signs found again (a conversation rebuilt by a new message, in a
		// restarted service) alert nothing.
		restarted := signsServiceOn(db, 3, t0)
		require.NoError(t, restarted.TickConversations(context.Background()))
		ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5000, ItemID: 999}
		at := t0.Add(-10 * time.Minute)
		_, err := restarted.Ingest(context.Background(), []justify.Event{{Key: "again", GroupID: 1, Kind: justify.EventWrite,
			Item: ref, At: at, UserVKID: 5000, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: 5000,
				Text: "Спасибо", CreatedAt: at}}}, "", "")
		require.NoError(t, err)
		_, again := signsAlerts(t, db)
		assert.Equal(t, 2, again)
	})
	t.Run("scope: the other community's managers", func(t *testing.T) {
		svc, db := signsService(t, 3)
		oneWordReplies(t, svc, 2, scPetr.VKID, 0, 4)
		got, _ := signsAlerts(t, db)
		assert.Contains(t, got, scPavel.TelegramID)
		assert.Contains(t, got, scMax.TelegramID)
		assert.NotContains(t, got, scOlga.TelegramID)
	})
	t.Run("0 turns it off", func(t *testing.T) {
		svc, db := signsService(t, 0)
		oneWordReplies(t, svc, 1, scIvan.VKID, 0, 20)
		got, _ := signsAlerts(t, db)
		assert.Empty(t, got)
	})
	t.Run("a backfilled day does not alert", func(t *testing.T) {
		_, db := signsService(t, 3)
		oneWordReplies(t, signsServiceOn(db, 3, t0.Add(72*time.Hour)), 1, scIvan.VKID, 0, 5)
		got, _ := signsAlerts(t, db)
		assert.Empty(t, got)
	})
}
