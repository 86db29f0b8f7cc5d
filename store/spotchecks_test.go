package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestSpotChecks: a dialog is a candidate until spot-checked, and is spot-checked once;
// a spot check is found by the message that shows it; verdicts are read by their time;
// the trail keeps its order; old spot checks' buttons are pruned, others' kept.
func TestSpotChecks(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dialog := func(conv string, by int64, at time.Time) justify.Dialog {
		return justify.Dialog{GroupID: 1, Conv: conv, Place: justify.PlaceMessage, CustomerVKID: 5001, Link: "https://vk.com/gim1?sel=5001",
			StartedAt: at, LastAt: at.Add(time.Minute), Messages: 2, FirstTouchBy: by, FirstTouchAt: at.Add(time.Second)}
	}
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		for _, d := range []justify.Dialog{dialog("m:1:5001", 111, t0), dialog("m:1:5002", 111, t0.Add(time.Hour)),
			dialog("m:1:5003", 112, t0), dialog("m:1:5004", 111, t0.Add(-time.Hour))} {
			if err := tx.ReplaceDialogs(d.Conv, d.StartedAt, []justify.Dialog{d}, nil); err != nil {
				return err
			}
		}
		return nil
	}))
	candidates := func() []string {
		var out []string
		require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
			ds, err := tx.SpotCandidates(111, t0, t0.Add(24*time.Hour))
			for _, d := range ds {
				out = append(out, d.Conv)
			}
			return err
		}))
		return out
	}
	assert.Equal(t, []string{"m:1:5001", "m:1:5002"}, candidates(), "Ivan's dialogs of the period, oldest first")

	sc := justify.SpotCheck{RoundAt: t0.Add(24 * time.Hour), GroupID: 1, Conv: "m:1:5001", Place: justify.PlaceMessage, CustomerVKID: 5001,
		StartedAt: t0, LastAt: t0.Add(time.Minute), OperatorVKID: 111, Operator: "Ivan", Manager: "Olga", ManagerTG: 2001, Created: t0}
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		if err := tx.CreateSpotCheck(&sc); err != nil {
			return err
		}
		return tx.AddSpotCheckEntry(justify.SpotCheckEntry{SpotCheckID: sc.ID, Action: justify.SpotSent, Actor: "modwatch", At: t0})
	}))
	assert.Equal(t, []string{"m:1:5002"}, candidates(), "a dialog spot-checked is no candidate any more")
	again := sc
	err := db.Update(ctx, func(tx justify.Tx) error { return tx.CreateSpotCheck(&again) })
	assert.ErrorIs(t, err, justify.ErrConflict, "never the same dialog twice")

	sc.ChatID, sc.TelegramMessageID = 2001, 42
	sc.Verdict, sc.VerdictBy, sc.VerdictTG, sc.VerdictAt, sc.Comment = justify.VerdictBad, "Olga", 2001, t0.Add(2*time.Hour), "rude"
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		if err := tx.SaveSpotCheck(sc); err != nil {
			return err
		}
		return tx.AddSpotCheckEntry(justify.SpotCheckEntry{SpotCheckID: sc.ID, Action: justify.SpotGraded, Actor: "Olga",
			TelegramID: 2001, At: t0.Add(2 * time.Hour), Detail: "bad"})
	}))
	require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
		got, err := tx.SpotCheckAt(2001, 42)
		require.NoError(t, err)
		assert.Equal(t, sc, got)
		_, err = tx.SpotCheckAt(2001, 43)
		assert.ErrorIs(t, err, justify.ErrNotFound)
		_, err = tx.SpotCheck(sc.ID + 1)
		assert.ErrorIs(t, err, justify.ErrNotFound)
		trail, err := tx.SpotCheckTrail(sc.ID)
		require.NoError(t, err)
		require.Len(t, trail, 2)
		assert.Equal(t, justify.SpotGraded, trail[1].Action)
		return nil
	}))

	graded, err := db.SpotChecksGraded(ctx, t0.Add(time.Hour), t0.Add(3*time.Hour))
	require.NoError(t, err)
	assert.Len(t, graded, 1)
	graded, err = db.SpotChecksGraded(ctx, t0.Add(3*time.Hour), t0.Add(4*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, graded, "a verdict counts when it was given")

	sent, trails, err := db.SpotChecksSent(ctx, t0.Add(-time.Hour), 0)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	assert.Len(t, trails[sc.ID], 2)

	require.NoError(t, db.SaveButtons(ctx, []justify.Button{
		{Token: "old-good", SpotCheckID: sc.ID, TelegramID: 2001, Action: "qa_good", Created: t0},
		{Token: "new-bad", SpotCheckID: sc.ID, TelegramID: 2001, Action: "qa_bad", Created: t0.Add(48 * time.Hour)},
		{Token: "case", CaseID: 7, TelegramID: 2001, Action: "approve", Created: t0},
	}))
	b, err := db.Button(ctx, "old-good")
	require.NoError(t, err)
	assert.Equal(t, sc.ID, b.SpotCheckID)
	n, err := db.PruneSpotCheckButtons(ctx, t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = db.Button(ctx, "old-good")
	assert.ErrorIs(t, err, justify.ErrNotFound)
	for _, tok := range []string{"new-bad", "case"} {
		_, err = db.Button(ctx, tok)
		assert.NoError(t, err, tok)
	}
}
