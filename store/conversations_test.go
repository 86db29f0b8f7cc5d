package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestRepliesAreForgotten checks that the community's words to a customer go with the
// customer's on an erasure request, and with everyone's past retention: a reply can quote
// the customer, and a sign shows those words.
func TestRepliesAreForgotten(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := t0.Add(10 * time.Hour)
	svc := convService(db, &now)
	var evs []justify.Event
	for i, c := range []int64{5001, 5002} {
		at := t0.Add(time.Duration(i) * time.Hour)
		ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: c, ItemID: int64(10 * (i + 1))}
		evs = append(evs, justify.Event{Key: "in" + ref.Key(), GroupID: 1, Kind: justify.EventWrite, Item: ref, At: at,
			UserVKID: c, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: c, Text: "Можно вернуть?", CreatedAt: at}})
		reply := ref
		reply.ItemID++
		evs = append(evs, justify.Event{Key: "out" + reply.Key(), GroupID: 1, Kind: justify.EventAnswer, Item: reply,
			ActorVKID: 111, At: at.Add(time.Minute), Reply: &justify.Reply{Text: "Здравствуйте, Мария Иванова!", WrittenAt: at.Add(time.Minute)}})
	}
	_, err := svc.Ingest(ctx, evs, "", "")
	require.NoError(t, err)
	words := func() map[int64]string {
		signs, err := db.SignsBetween(ctx, t0.Add(-time.Hour), now)
		require.NoError(t, err)
		out := map[int64]string{}
		for _, s := range signs {
			if s.Kind == justify.SignBareGreeting {
				out[s.CustomerVKID] = s.Excerpt
			}
		}
		return out
	}
	require.Equal(t, map[int64]string{5001: "Здравствуйте, Мария Иванова!", 5002: "Здравствуйте, Мария Иванова!"}, words())

	e, err := db.ForgetPersonDetail(ctx, 5001)
	require.NoError(t, err)
	assert.Equal(t, 1, e.Replies)
	assert.Equal(t, map[int64]string{5001: "", 5002: "Здравствуйте, Мария Иванова!"}, words(), "the sign stays, its words go")

	e, err = db.PurgeTextsDetail(ctx, t0.Add(90*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, e.Replies)
	assert.Equal(t, map[int64]string{5001: "", 5002: ""}, words())
}
