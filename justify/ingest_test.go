package justify

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestLanes checks which events of an answer are recorded first: bans and unbans, and
// deletions and restores with few dependencies, each with the earlier events it shares
// state with; everything else keeps its place.
func TestLanes(t *testing.T) {
	people := NewDirectory([]Person{{Name: "Ivan", Role: RoleOperator, VKID: 111, TelegramID: 1001}})
	post := func(p int64) Ref { return Ref{GroupID: 1, Place: PlaceWallComment, OwnerID: -1, ParentID: p} }
	comment := func(key string, author, p, id int64) Event {
		ref := post(p)
		ref.ItemID = id
		return Event{Key: key, GroupID: 1, Kind: EventWrite, UserVKID: author, Item: ref,
			Ticket: &Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: author}}
	}
	answer := func(key string, p, id, to int64) Event {
		ref := post(p)
		ref.ItemID = id
		ev := Event{Key: key, GroupID: 1, Kind: EventAnswer, Item: ref}
		if to != 0 {
			ev.ReplyTo = ref
			ev.ReplyTo.ItemID = to
		}
		return ev
	}
	del := func(key string, p, id, actor int64) Event {
		ref := post(p)
		ref.ItemID = id
		return Event{Key: key, GroupID: 1, Kind: EventDelete, Item: ref, ActorVKID: actor}
	}
	ban := func(key string, user, actor int64) Event {
		return Event{Key: key, GroupID: 1, Kind: EventBan, UserVKID: user, ActorVKID: actor}
	}
	// at sets an event's time, in seconds after t0: VK's times are whole seconds.
	at := func(ev Event, sec int) Event { ev.At = t0.Add(time.Duration(sec) * time.Second); return ev }
	keys := func(evs []Event) []string {
		out := []string{}
		for _, ev := range evs {
			out = append(out, ev.Key)
		}
		return out
	}
	// A thread whose many answers all come before a deletion: whether the deleted comment
	// was answered depends on each of them.
	busy := []Event{comment("c900", 7000, 9, 900)}
	for i := range bulkChunk + 1 {
		busy = append(busy, answer(fmt.Sprint("busy", i), 9, int64(1000+i), 0))
	}
	tests := []struct {
		name        string
		events      []Event
		first, rest []string
	}{
		{name: "a ban of someone who wrote nothing goes before the comments",
			events: []Event{comment("c1", 5001, 1, 11), comment("c2", 5002, 1, 12), ban("b", 6001, 111), comment("c3", 5003, 2, 21)},
			first:  []string{"b"}, rest: []string{"c1", "c2", "c3"}},
		{name: "a ban takes the customer's comment, not the others or the earlier answers of its thread",
			events: []Event{at(answer("a0", 2, 20, 0), 1), at(comment("other", 5001, 2, 21), 2), at(comment("spam", 6001, 2, 22), 3),
				at(answer("a1", 2, 23, 22), 4), at(ban("b", 6001, 111), 5)},
			first: []string{"spam", "b"}, rest: []string{"a0", "other", "a1"}},
		{name: "an answer from the same second as the comment goes first with it",
			events: []Event{at(answer("a0", 2, 20, 0), 3), at(comment("spam", 6001, 2, 22), 3), at(ban("b", 6001, 111), 5)},
			first:  []string{"a0", "spam", "b"}, rest: []string{}},
		{name: "a ban takes the customer's comments along, for the prompt to show them",
			events: []Event{comment("c1", 5001, 1, 11), comment("spam", 6001, 2, 21), ban("b", 6001, 111)},
			first:  []string{"spam", "b"}, rest: []string{"c1"}},
		{name: "a deletion takes its comment, the answers in its thread and what they answer",
			events: []Event{comment("c1", 5001, 1, 11), comment("c2", 5002, 1, 12), answer("a", 1, 13, 12), comment("other", 5003, 2, 21),
				del("d", 1, 11, 111)},
			first: []string{"c1", "c2", "a", "d"}, rest: []string{"other"}},
		{name: "a deletion in a thread too busy to go first waits in its place",
			events: append(append([]Event{ban("b", 6001, 111)}, busy...), del("d", 9, 900, 111), comment("after", 5001, 1, 11)),
			first:  []string{"b"}, rest: append(keys(busy), "d", "after")},
		{name: "nothing urgent: everything keeps its order",
			events: []Event{comment("c1", 5001, 1, 11), answer("a", 1, 12, 11)},
			first:  []string{}, rest: []string{"c1", "a"}},
		{name: "an event of a kind it does not know goes first when anything does, and keeps its place",
			events: []Event{{Key: "o", GroupID: 1, Kind: EventOfficers, UserVKID: 5}, comment("c1", 5001, 1, 11), ban("b", 6001, 111)},
			first:  []string{"o", "b"}, rest: []string{"c1"}},
		{name: "a later comment by a banned customer stays behind",
			events: []Event{ban("b", 6001, 111), comment("late", 6001, 1, 11)},
			first:  []string{"b"}, rest: []string{"late"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, rest := lanes(tc.events, people)
			assert.Equal(t, tc.first, keys(first))
			assert.Equal(t, tc.rest, keys(rest))
		})
	}
}

// A lane being derived is not worked out again for every ban added behind it (each time a
// pass over the whole plan): the bans added wait for it, and go first once it is derived,
// still ahead of the backlog.
func TestLaneBeingDerivedKeepsItsOrder(t *testing.T) {
	ban := func(id, user int64) planned {
		return planned{id: id, group: 1, kind: EventBan, access: []access{{key: stateKey(fmt.Sprint("c:1:", user)), mode: writes}}}
	}
	comment := func(id, user int64) planned {
		return planned{id: id, group: 1, kind: EventWrite, access: []access{{key: stateKey(fmt.Sprint("c:1:", user)), mode: writes}}}
	}
	var b inbox
	var burst []planned
	for i := range int64(400) {
		burst = append(burst, comment(2*i+1, 10_000+i), ban(2*i+2, 20_000+i))
	}
	b.add(burst)
	take := func() ([]int64, bool) {
		ids, first, _ := b.next(time.Hour)
		b.done(ids)
		return ids, first
	}

	ids, first := take()
	assert.True(t, first)
	assert.Len(t, ids, bulkChunk, "the first of the 400 bans")
	b.add([]planned{comment(1001, 30_000), ban(1002, 30_000), comment(1003, 10_001)})
	ids, first = take()
	assert.True(t, first)
	assert.Len(t, ids, 400-bulkChunk, "the rest of the lane, as it was worked out")
	assert.NotContains(t, ids, int64(1002))
	ids, first = take()
	assert.True(t, first)
	assert.Equal(t, []int64{1001, 1002}, ids, "the ban added, with the comment it depends on, ahead of the backlog")
	ids, first = take()
	assert.False(t, first)
	assert.Equal(t, int64(1), ids[0], "then the backlog in order")
}
