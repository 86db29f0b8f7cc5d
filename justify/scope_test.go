package justify_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// Two brands served by one agency: group 1 (Ivan, Olga, Anna) and group 2 (Petr, Pavel,
// Boris); Max manages both.
var (
	scIvan  = justify.Person{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: 1001, Communities: []int64{1}}
	scPetr  = justify.Person{Name: "Petr", Role: justify.RoleOperator, VKID: 112, TelegramID: 1002, Communities: []int64{2}}
	scOlga  = justify.Person{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001, Communities: []int64{1}}
	scPavel = justify.Person{Name: "Pavel", Role: justify.RoleManager, TelegramID: 2002, Communities: []int64{2}}
	scAnna  = justify.Person{Name: "Anna", Role: justify.RoleOwner, TelegramID: 3001, Communities: []int64{1}}
	scBoris = justify.Person{Name: "Boris", Role: justify.RoleOwner, TelegramID: 3002, Communities: []int64{2}}
	scMax   = justify.Person{Name: "Max", Role: justify.RoleManager, TelegramID: 2003}
)

func TestScopeRules(t *testing.T) {
	d := justify.NewDirectory([]justify.Person{scIvan, scPetr, scOlga, scPavel, scAnna, scBoris})
	names := func(ps []justify.Person) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	assert.Equal(t, []string{"Olga"}, names(d.Deciders(1, "Ivan", 111)))
	assert.Equal(t, []string{"Pavel"}, names(d.Deciders(2, "Petr", 112)))
	assert.Equal(t, []string{"Anna", "Olga"}, names(d.InScope(1, justify.RoleManager, justify.RoleOwner)))
	assert.Equal(t, []string{"Anna", "Ivan", "Olga"}, names(d.InScope(1)))

	_, ok := d.ActorIn(2, 111)
	assert.False(t, ok, "Ivan acting in group 2 is not its operator")
	p, ok := d.ActorIn(1, 111)
	assert.True(t, ok)
	assert.Equal(t, "Ivan", p.Name)

	tests := []struct {
		name    string
		p       justify.Person
		groupID int64
		actor   string
		actorVK int64
		want    error
	}{
		{name: "the community's manager", p: scOlga, groupID: 1, actor: "Ivan", actorVK: 111},
		{name: "another brand's manager", p: scPavel, groupID: 1, actor: "Ivan", actorVK: 111, want: justify.ErrOutOfScope},
		{name: "an operator", p: scIvan, groupID: 1, actor: "", actorVK: 999, want: justify.ErrNotDecider},
		{name: "the owner while a manager decides", p: scAnna, groupID: 1, actor: "Ivan", actorVK: 111, want: justify.ErrNotDecider},
		{name: "the actor", p: scIvan, groupID: 1, actor: "Ivan", actorVK: 111, want: justify.ErrOwnAction},
		{name: "another brand's owner", p: scBoris, groupID: 1, actor: "Ivan", actorVK: 111, want: justify.ErrOutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.MayDecide(tt.p, tt.groupID, tt.actor, tt.actorVK)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, err, justify.ErrForbidden, "every refusal is a forbidden action")
		})
	}

	// The only manager of group 1 moderating there is decided by its owner, not by the
	// other brand's manager.
	olgaVK := scOlga
	olgaVK.VKID = 500
	d = justify.NewDirectory([]justify.Person{scIvan, olgaVK, scPavel, scAnna})
	assert.Equal(t, []string{"Anna"}, names(d.Deciders(1, "Olga", 500)))

	assert.True(t, scMax.SharesScope(scIvan))
	assert.True(t, scIvan.SharesScope(scMax))
	assert.False(t, scIvan.SharesScope(scPavel))
	assert.True(t, scIvan.SharesScope(scOlga))
}

// Each brand's prompts, reviews and alerts reach its own people only, and nobody acts on
// the other brand's cases.
func TestScopesLimitWhoIsToldAndWhoDecides(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	svc.People = justify.NewDirectory([]justify.Person{scIvan, scPetr, scOlga, scPavel, scAnna, scBoris})
	svc.Communities = map[int64]justify.Community{1: {GroupID: 1, Name: "Brand A"}, 2: {GroupID: 2, Name: "Brand B"}}
	svc.Wave = justify.WaveRule{}

	res, err := svc.Ingest(ctx, []justify.Event{{Key: "vk:1:b1", GroupID: 1, Kind: justify.EventBan, ActorVKID: 111, UserVKID: 5, At: t0, Source: justify.SourceLongPoll}}, "", "")
	require.NoError(t, err)
	id := res.Opened[0]
	assert.Equal(t, map[int64]int{1001: 1}, outbox(t, db, justify.MsgPrompt, true))
	_, err = svc.Justify(ctx, 1002, id, justify.ReasonSpam, "")
	assert.ErrorIs(t, err, justify.ErrForbidden, "Petr justifies nothing of Ivan's")
	_, err = svc.Justify(ctx, 1001, id, justify.ReasonSpam, "")
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{2001: 1}, outbox(t, db, justify.MsgReview, true), "Olga alone reviews brand A")

	before := snap(t, svc, db, id)
	for _, tg := range []int64{2002, 3002} {
		_, err = svc.Approve(ctx, tg, id)
		assert.ErrorIs(t, err, justify.ErrOutOfScope)
		_, err = svc.Reverse(ctx, tg, id)
		assert.ErrorIs(t, err, justify.ErrOutOfScope)
	}
	assert.Equal(t, before, snap(t, svc, db, id), "refused presses change nothing")

	// An unknown admin in brand B alerts brand B's people only; Ivan acting in brand B,
	// outside his scope, is an admin brand B does not know.
	res, err = svc.Ingest(ctx, []justify.Event{
		{Key: "vk:2:b1", GroupID: 2, Kind: justify.EventBan, ActorVKID: 999, UserVKID: 6, At: t0, Source: justify.SourceLongPoll},
		{Key: "vk:2:b2", GroupID: 2, Kind: justify.EventBan, ActorVKID: 111, UserVKID: 7, At: t0, Source: justify.SourceLongPoll},
	}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Opened, 2)
	alerts, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	got := map[int64]int{}
	for _, m := range alerts {
		if m.Kind == justify.MsgAlert {
			got[m.ChatID]++
		}
	}
	assert.Equal(t, map[int64]int{2002: 2, 3002: 2}, got, "brand B's manager and owner, once per admin")
	c, ds, err := svc.Case(ctx, res.Opened[1])
	require.NoError(t, err)
	assert.True(t, c.UnknownAdmin())
	assert.Contains(t, ds[0].Detail, "Ivan, acting outside their communities")
	assert.Equal(t, map[int64]int{1001: 1}, outbox(t, db, justify.MsgPrompt, true), "Ivan is not asked about brand B")
	assert.Equal(t, map[int64]int{2001: 1, 2002: 2}, outbox(t, db, justify.MsgReview, true))

	// Who the bot cannot reach is told to those who share a community with them.
	require.NoError(t, svc.Alert(ctx, justify.Alert{Kind: justify.AlertUnreachable, Key: "unreachable:1002", Subject: "Petr", Count: 1}))
	var told []int64
	due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	for _, m := range due {
		if a, err := justify.ParseAlert(m.Payload); err == nil && a.Kind == justify.AlertUnreachable {
			told = append(told, m.ChatID)
		}
	}
	assert.ElementsMatch(t, []int64{2002, 3002}, told)
}
