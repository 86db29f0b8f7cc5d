package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

const (
	forgotten = 42 // the customer who asks to be forgotten
	bystander = 43
)

// words are what the customer wrote; none of them may survive an erasure.
var words = []string{"мой заказ потерян", "первый вариант", "Тема жалобы", "Анна Кузнецова", "грубил в комментариях", banComment}

// banComment is the admin's comment on the customer's ban.
const banComment = "бан за оскорбления"

// erasureWorld stores a customer's tickets (one edited, one deleted as an unanswered
// request with its alert), a ban case with the admin's comment, and a bystander's ticket.
// It returns the deletion case and the ban case.
func erasureWorld(t *testing.T, db *DB) (deletion, ban justify.CaseID) {
	t.Helper()
	item := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 9}
	update(t, db, func(tx justify.Tx) error {
		tk := justify.Ticket{Key: item.Key(), Ref: item, AuthorVKID: forgotten, AuthorName: words[3], Text: words[4],
			CreatedAt: t0.Add(-time.Hour)}
		if _, err := tx.UpsertTicket(&tk); err != nil {
			return err
		}
		edited := justify.Ticket{Key: "vk:1:message:42_0_1", Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: forgotten, ItemID: 1},
			AuthorVKID: forgotten, AuthorName: words[3], Text: words[1], CreatedAt: t0.Add(-time.Hour)}
		if _, err := tx.UpsertTicket(&edited); err != nil {
			return err
		}
		if _, err := tx.EditTicket(edited.Key, words[0], t0); err != nil {
			return err
		}
		if _, err := tx.UpsertTicket(&justify.Ticket{Key: "vk:1:message:43_0_2", Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: bystander, ItemID: 2},
			AuthorVKID: bystander, AuthorName: "Борис", Text: "где скидка?", CreatedAt: t0.Add(-time.Hour)}); err != nil {
			return err
		}
		if _, err := tx.UpsertTicket(&justify.Ticket{Key: "import:77", Ref: justify.Ref{Place: justify.PlaceHelpDesk}, AuthorVKID: forgotten,
			Subject: words[2], Text: words[0], ExternalID: "77", CreatedAt: t0.Add(-time.Hour)}); err != nil {
			return err
		}

		del := justify.Case{GroupID: 1, EventKey: "del", Kind: justify.EventDelete, ActorVKID: 11, Operator: "Ivan",
			UserVKID: forgotten, UserName: words[3], Item: item, Severe: true, State: justify.StateAwaitingReason, OpenedAt: t0}
		if err := tx.CreateCase(&del); err != nil {
			return err
		}
		b := justify.Case{GroupID: 1, EventKey: "ban", Kind: justify.EventBan, ActorVKID: 11, Operator: "Ivan",
			UserVKID: forgotten, UserName: words[3], VKComment: banComment, State: justify.StateClosed,
			Resolution: justify.ResolutionApproved, Reason: justify.ReasonAbuse, OpenedAt: t0}
		if err := tx.CreateCase(&b); err != nil {
			return err
		}
		other := justify.Case{GroupID: 1, EventKey: "ban2", Kind: justify.EventBan, ActorVKID: 11, UserVKID: bystander,
			UserName: "Борис", State: justify.StateAwaitingReview, OpenedAt: t0}
		if err := tx.CreateCase(&other); err != nil {
			return err
		}
		deletion, ban = del.ID, b.ID
		for _, d := range []justify.Decision{
			{CaseID: ban, Action: justify.ActionOpened, Actor: "modwatch", At: t0, Detail: "operator Ivan"},
			{CaseID: ban, Action: justify.ActionApproved, Actor: "Olga", TelegramID: 201, At: t0},
		} {
			if err := tx.AddDecision(d); err != nil {
				return err
			}
		}
		if _, err := tx.InsertEvent(justify.Event{Key: "ban", GroupID: 1, Kind: justify.EventBan, ActorVKID: 11,
			UserVKID: forgotten, UserName: words[3], Comment: banComment, At: t0}); err != nil {
			return err
		}
		a := justify.Alert{Kind: justify.AlertDeletedRequest, GroupID: 1, Key: fmt.Sprintf("deleted_request:%d", del.ID),
			Subject: "Ivan", ActorVKID: 11, CaseID: del.ID, Detail: words[4], At: t0}
		if _, _, err := tx.NoteAlert(a, time.Hour); err != nil {
			return err
		}
		unknown := justify.Alert{Kind: justify.AlertUnknownAdmin, GroupID: 1, Key: "unknown_admin:1:11", CaseID: del.ID, Detail: "delete", At: t0}
		if _, _, err := tx.NoteAlert(unknown, time.Hour); err != nil {
			return err
		}
		for _, p := range []justify.Alert{a, unknown} {
			if _, err := tx.Enqueue(justify.Message{ChatID: 201, Kind: justify.MsgAlert, Created: t0, Payload: p.Payload()}); err != nil {
				return err
			}
		}
		return nil
	})
	return deletion, ban
}

// dump returns every text column of every table, to look for leftover words.
func dump(t *testing.T, db *DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT key || author_name || text || subject FROM tickets",
		"SELECT text FROM ticket_edits",
		"SELECT user_name || vk_comment || reason_text FROM cases",
		"SELECT user_name || comment FROM events",
		"SELECT alert FROM alerts",
		"SELECT payload FROM outbox",
		"SELECT detail FROM decisions",
		"SELECT CAST(event AS TEXT) FROM inbox",
	} {
		b.WriteString(texts(t, db, q))
	}
	return b.String()
}

// texts returns the one text column a query reads, a line a row.
func texts(t *testing.T, db *DB, query string) string {
	t.Helper()
	var b strings.Builder
	rows, err := db.read.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		b.WriteString(s + "\n")
	}
	require.NoError(t, rows.Err())
	return b.String()
}

func TestForgetPerson(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	deletion, ban := erasureWorld(t, db)
	before := dump(t, db)
	for _, w := range words {
		require.Contains(t, before, w, "the world must hold the words first")
	}
	var stale justify.Case
	view(t, db, func(tx justify.Tx) error { var err error; stale, err = tx.Case(deletion); return err })

	e, err := db.ForgetPersonDetail(ctx, forgotten)
	require.NoError(t, err)
	assert.Equal(t, Erasure{Tickets: 3, Edits: 1, Cases: 2, Events: 1, Alerts: 2}, e)

	after := dump(t, db)
	for _, w := range words {
		assert.NotContains(t, after, w)
	}
	assert.Contains(t, after, "где скидка?", "a bystander keeps their words")
	assert.Contains(t, after, "Борис")
	assert.Contains(t, after, `"Detail":"delete"`, "alerts that quote nobody keep their detail")

	// The facts stay: the outcome, the audit trail, the ticket's place and times.
	c, err := db.Case(ctx, ban)
	require.NoError(t, err)
	assert.Equal(t, justify.ResolutionApproved, c.Resolution)
	assert.Equal(t, justify.ReasonAbuse, c.Reason)
	assert.Equal(t, int64(forgotten), c.UserVKID)
	assert.Empty(t, c.UserName)
	assert.Empty(t, c.VKComment)
	ds, err := db.Decisions(ctx, ban)
	require.NoError(t, err)
	assert.Len(t, ds, 2)
	var tk justify.Ticket
	view(t, db, func(tx justify.Tx) error {
		var err error
		tk, err = tx.Ticket("vk:1:message:42_0_1")
		return err
	})
	assert.True(t, tk.Forgotten)
	assert.Equal(t, t0.Add(-time.Hour), tk.CreatedAt)
	assert.Equal(t, int64(forgotten), tk.AuthorVKID)

	// A copy loaded before the erasure cannot write the name back.
	err = db.Update(ctx, func(tx justify.Tx) error { return tx.SaveCase(&stale) })
	require.ErrorIs(t, err, justify.ErrConflict)

	// Nor can VK redelivering the ticket or an edit of it.
	update(t, db, func(tx justify.Tx) error {
		if _, err := tx.UpsertTicket(&justify.Ticket{Key: "vk:1:message:42_0_1", AuthorVKID: forgotten, Text: words[1]}); err != nil {
			return err
		}
		_, err := tx.EditTicket("vk:1:message:42_0_1", words[0], t0.Add(time.Hour))
		return err
	})
	assert.NotContains(t, dump(t, db), words[0])

	again, err := db.ForgetPersonDetail(ctx, forgotten)
	require.NoError(t, err)
	assert.Equal(t, Erasure{}, again, "a second request finds nothing left")
}

// TestForgetErasesKeptEvents checks that a forget run while a burst waits in the inbox
// erases the person's words there too, so that deriving the events afterwards does not
// bring them back, and that a bystander's kept words stay.
func TestForgetErasesKeptEvents(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	erasureWorld(t, db)
	comment := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 11}
	dm := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: forgotten, ItemID: 2}
	stored := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 9} // erasureWorld's
	other := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 12}
	const (
		keptWords  = "ещё раз про заказ"
		replyWords = "Анна, ваш заказ 123 потерян"
		byWords    = "а мне всё понравилось"
		byReply    = "спасибо за отзыв, Борис"
	)
	kept := []justify.Event{
		{Key: "k1", GroupID: 1, Kind: justify.EventWrite, At: t0, Item: comment,
			Ticket: &justify.Ticket{Key: comment.Key(), Ref: comment, AuthorVKID: forgotten, AuthorName: words[3], Text: keptWords}},
		{Key: "k2", GroupID: 1, Kind: justify.EventAnswer, ActorVKID: 7, At: t0, Item: justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 13},
			ReplyTo: comment, Reply: &justify.Reply{Text: replyWords + " (1)"}},
		{Key: "k3", GroupID: 1, Kind: justify.EventAnswer, ActorVKID: 7, At: t0, Item: dm, Reply: &justify.Reply{Text: replyWords + " (2)"}},
		{Key: "k4", GroupID: 1, Kind: justify.EventAnswer, ActorVKID: 7, At: t0, Item: justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 14},
			ReplyTo: withoutGroup(stored), Reply: &justify.Reply{Text: replyWords + " (3)"}},
		{Key: "k5", GroupID: 1, Kind: justify.EventBan, ActorVKID: 7, UserVKID: forgotten, UserName: words[3], Comment: banComment, At: t0},
		{Key: "k6", GroupID: 1, Kind: justify.EventWrite, At: t0, Item: other,
			Ticket: &justify.Ticket{Key: other.Key(), Ref: other, AuthorVKID: bystander, AuthorName: "Борис", Text: byWords}},
		{Key: "k7", GroupID: 1, Kind: justify.EventAnswer, ActorVKID: 7, At: t0, Item: justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 5, ItemID: 15},
			ReplyTo: other, Reply: &justify.Reply{Text: byReply}},
	}
	update(t, db, func(tx justify.Tx) error { _, err := tx.AddToInbox(kept); return err })
	// A kept event this build cannot read, mentioning the person, and one mentioning nobody.
	_, err := db.write.Exec("INSERT INTO inbox (group_id, received_at, event) VALUES (1, 0, ?), (1, 0, ?)",
		`{"Kind":`+fmt.Sprint(forgotten)+`}`, `{"Kind":7}`)
	require.NoError(t, err)

	e, err := db.ForgetPersonDetail(ctx, forgotten)
	require.NoError(t, err)
	assert.Equal(t, 6, e.Inbox, "their comment, three replies to them, their ban, the unreadable one")

	after := dump(t, db)
	for _, w := range append(slices.Clone(words), keptWords, replyWords) {
		assert.NotContains(t, after, w)
	}
	assert.Contains(t, after, byWords, "a bystander keeps their words")
	assert.Contains(t, after, byReply)
	n := 0
	require.NoError(t, db.read.QueryRow("SELECT COUNT(*) FROM inbox").Scan(&n))
	assert.Equal(t, len(kept)+1, n, "only the unreadable event mentioning them is deleted")

	var evs []justify.InboxEvent
	view(t, db, func(tx justify.Tx) error { var err error; evs, err = tx.InboxAfter(0, 0); return err })
	require.NotEmpty(t, evs)
	require.NotNil(t, evs[0].Event.Ticket)
	assert.True(t, evs[0].Event.Ticket.Forgotten, "their kept ticket is recorded as forgotten")
	assert.Equal(t, int64(forgotten), evs[0].Event.Ticket.AuthorVKID, "the facts stay")

	again, err := db.ForgetPersonDetail(ctx, forgotten)
	require.NoError(t, err)
	assert.Zero(t, again.Inbox, "a second request finds nothing left")

	// Derived now, the kept events bring none of the words back.
	now := t0
	deriveAll(t, convService(db, &now))
	after = dump(t, db)
	convs := texts(t, db, "SELECT text FROM conv_messages")
	for _, w := range append(slices.Clone(words), keptWords, replyWords) {
		assert.NotContains(t, after, w)
		assert.NotContains(t, convs, w)
	}
	assert.Contains(t, after, byWords)
	assert.Contains(t, convs, byReply, "the bystander's conversation is whole")
	var tk justify.Ticket
	view(t, db, func(tx justify.Tx) error { var err error; tk, err = tx.Ticket(comment.Key()); return err })
	assert.True(t, tk.Forgotten, "their ticket derived from the inbox is marked forgotten")
	assert.Equal(t, int64(forgotten), tk.AuthorVKID)
}

// withoutGroup is r as VK's events may carry it: the community left to the event's.
func withoutGroup(r justify.Ref) justify.Ref {
	r.GroupID = 0
	return r
}

func TestForgetPersonRefusesNonPerson(t *testing.T) {
	db := openTest(t)
	for _, id := range []int64{0, -5} {
		_, err := db.ForgetPersonDetail(context.Background(), id)
		assert.ErrorContains(t, err, "is not a person's")
	}
}

func TestPurgeTexts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	deletion, _ := erasureWorld(t, db)
	// A newer ticket and digests sent before and after the cut, and one not sent yet.
	update(t, db, func(tx justify.Tx) error {
		if _, err := tx.UpsertTicket(&justify.Ticket{Key: "new", Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage},
			AuthorVKID: bystander, Text: "свежий текст", CreatedAt: t0.Add(time.Hour)}); err != nil {
			return err
		}
		for i, m := range []justify.Message{
			{Created: t0.Add(-2 * time.Hour), SentAt: t0.Add(-2 * time.Hour)},
			{Created: t0.Add(-2 * time.Hour)},
			{Created: t0.Add(2 * time.Hour), SentAt: t0.Add(2 * time.Hour)},
		} {
			m.ChatID, m.Kind = 301, justify.MsgDigest
			m.Payload = justify.Digest{Text: fmt.Sprint("digest ", i)}.Payload()
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})

	e, err := db.PurgeTextsDetail(ctx, t0)
	require.NoError(t, err)
	// Four tickets were written an hour before t0: three of the customer's, one bystander's.
	assert.Equal(t, Erasure{Tickets: 4, Edits: 1, Alerts: 2, Digests: 1}, e)
	after := dump(t, db)
	for _, w := range append(words[:5:5], "где скидка?", "digest 0") {
		if w == words[3] {
			continue
		}
		assert.NotContains(t, after, w)
	}
	for _, w := range []string{"свежий текст", "digest 1", "digest 2", words[3], banComment} {
		// Names on cases and events are not texts; unsent and newer digests stay.
		assert.Contains(t, after, w)
	}
	c, err := db.Case(ctx, deletion)
	require.NoError(t, err)
	assert.Equal(t, words[3], c.UserName)

	n, err := db.PurgeTexts(ctx, t0)
	require.NoError(t, err)
	assert.Zero(t, n, "already forgotten tickets are not counted again")
}
