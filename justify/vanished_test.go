package justify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

const author = 5001

var (
	post    = justify.Ref{GroupID: 1, Place: justify.PlaceWallPost, OwnerID: author, ItemID: 70}
	comment = justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 9, ItemID: 80}
)

// written is a customer's ticket of ref, written at at.
func written(ref justify.Ref, at time.Time) justify.Event {
	return justify.Event{Key: "w:" + ref.Key(), GroupID: 1, Kind: justify.EventWrite, At: at, Source: justify.SourceLongPoll,
		Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: author, AuthorName: "Maria", Text: "Where is my refund?", CreatedAt: at}}
}

func answeredBy(ref justify.Ref, at time.Time) justify.Event {
	reply := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: ref.OwnerID, ParentID: ref.ItemID, ItemID: 999}
	return justify.Event{Key: "a:" + ref.Key(), GroupID: 1, Kind: justify.EventAnswer, ActorVKID: 111, Item: reply, ReplyTo: ref, At: at}
}

func deletedBy(ref justify.Ref, actor int64, at time.Time) justify.Event {
	return justify.Event{Key: fmt.Sprintf("d:%s:%d", ref.Key(), actor), GroupID: 1, Kind: justify.EventDelete, ActorVKID: actor,
		Item: ref, At: at, Source: justify.SourceLongPoll}
}

// vanishedAt is what the post checker records when the post is found gone at at.
func vanishedAt(at time.Time) justify.Event {
	return justify.Event{Key: "vanished:" + post.Key(), GroupID: 1, Kind: justify.EventVanished, Item: post,
		UserVKID: author, At: at, Source: justify.SourceReconcile}
}

// alertsAbout lists the deleted-request alerts queued about case id.
func alertsAbout(t *testing.T, db *store.DB, id justify.CaseID) []justify.Alert {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(time.Hour), 0)
	require.NoError(t, err)
	var out []justify.Alert
	for _, m := range due {
		if m.Kind != justify.MsgAlert {
			continue
		}
		a, err := justify.ParseAlert(m.Payload)
		require.NoError(t, err)
		if a.Kind == justify.AlertDeletedRequest && a.CaseID == id {
			out = append(out, a)
		}
	}
	return out
}

// VK cannot say who deleted a wall post. A customer's post found gone is a case for the
// managers that says so; it is severe, with an alert, only when it was unanswered and an
// admin banned its author, or deleted another of their comments, within a day of it.
func TestVanishedPostIsSevereOnlyNearAnAdminsAction(t *testing.T) {
	found := t0 // the post checker finds the post gone
	tests := []struct {
		name   string
		before []justify.Event // besides the post being written
		after  []justify.Event // after it was found gone
		severe bool
	}{
		{name: "nothing else happened"},
		{name: "the author was banned that morning", before: []justify.Event{longPollBan("b1", author, found.Add(-3*time.Hour))}, severe: true},
		{name: "a ban recorded first, dated a little after", before: []justify.Event{longPollBan("b1", author, found.Add(10*time.Minute))}, severe: true},
		{name: "the author was banned two days before", before: []justify.Event{longPollBan("b1", author, found.Add(-48*time.Hour))}},
		{name: "another customer was banned", before: []justify.Event{longPollBan("b1", author+1, found.Add(-time.Hour))}},
		{name: "an admin deleted the author's comment", before: []justify.Event{written(comment, found.Add(-5*time.Hour)),
			deletedBy(comment, 111, found.Add(-time.Hour))}, severe: true},
		{name: "the author deleted their own comment", before: []justify.Event{written(comment, found.Add(-5*time.Hour)),
			deletedBy(comment, author, found.Add(-time.Hour))}},
		{name: "the post had been answered", before: []justify.Event{answeredBy(post, found.Add(-40*time.Hour)),
			longPollBan("b1", author, found.Add(-time.Hour))}},
		{name: "the author is banned after", after: []justify.Event{longPollBan("b1", author, found.Add(2*time.Hour))}, severe: true},
		{name: "an admin deletes their comment after", before: []justify.Event{written(comment, found.Add(-5*time.Hour))},
			after: []justify.Event{deletedBy(comment, 111, found.Add(time.Hour))}, severe: true},
		{name: "the author is banned days after", after: []justify.Event{longPollBan("b1", author, found.Add(30*time.Hour))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, db := testService(t)
			svc.Wave = justify.WaveRule{} // one ban is no wave; keep the alerts to the point
			for _, evs := range [][]justify.Event{{written(post, found.Add(-48*time.Hour))}, tt.before, {vanishedAt(found)}, tt.after} {
				_, err := svc.Ingest(ctx, evs, "", "")
				require.NoError(t, err)
			}
			var c justify.Case
			cs, err := db.ListCases(ctx, 0)
			require.NoError(t, err)
			for _, x := range cs {
				if x.Kind == justify.EventVanished {
					c = x
				}
			}
			require.NotZero(t, c.ID, "the vanished post is a case")
			assert.Equal(t, justify.StateAwaitingReview, c.State, "managers see it at once: nobody to ask")
			assert.Empty(t, c.Operator, "nobody is blamed")
			assert.Equal(t, tt.severe, c.Severe)

			trail, err := db.Decisions(ctx, c.ID)
			require.NoError(t, err)
			assert.Contains(t, trail[0].Detail, "unknown who deleted it: the author or an admin")
			alerts := alertsAbout(t, db, c.ID)
			if !tt.severe {
				assert.Empty(t, alerts, "no alert: the author may well have deleted it")
				return
			}
			require.Len(t, alerts, 2, "Olga and Anna are alerted")
			assert.True(t, alerts[0].Vanished, "the alert says nobody knows who deleted it")
			if len(tt.after) > 0 {
				last := trail[len(trail)-1]
				assert.Equal(t, justify.ActionSevere, last.Action, "the trail says why it became severe")
				assert.Contains(t, last.Detail, "an admin acted on the author")
			}
		})
	}
}
