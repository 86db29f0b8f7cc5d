package report

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func (f *fakeReader) SpotChecksGraded(_ context.Context, from, to time.Time) ([]justify.SpotCheck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == "SpotChecksGraded" {
		return nil, errRead
	}
	var out []justify.SpotCheck
	for _, sc := range f.spots {
		if sc.Graded() && within(sc.VerdictAt, from, to) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// TestSpotCheckVerdictsCountInTheFigures: each verdict counts once, in the period it was
// given in, for the operator whose dialog it was and for the community; the current
// period's are listed; a verdict outside both periods counts nowhere.
func TestSpotCheckVerdictsCountInTheFigures(t *testing.T) {
	to := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	from := to.Add(-24 * time.Hour)
	people := []justify.Person{{Name: "Ivan", Role: justify.RoleOperator, VKID: 111}, {Name: "Petr", Role: justify.RoleOperator, VKID: 112}}
	verdict := func(id int64, vk int64, v justify.Verdict, at time.Time) justify.SpotCheck {
		return justify.SpotCheck{ID: justify.SpotCheckID(id), GroupID: 10, OperatorVKID: vk, Verdict: v, VerdictBy: "Olga",
			VerdictAt: at, CustomerVKID: 5000 + id, Link: "https://vk.com/gim10?sel=5001", Comment: "rude"}
	}
	f := &fakeReader{spots: []justify.SpotCheck{
		verdict(1, 111, justify.VerdictBad, from.Add(time.Hour)),
		verdict(2, 111, justify.VerdictGood, from.Add(2*time.Hour)),
		verdict(3, 112, justify.VerdictGood, from.Add(3*time.Hour)),
		verdict(4, 999, justify.VerdictBad, from.Add(4*time.Hour)),              // an admin not in the config
		verdict(5, 111, justify.VerdictBad, from.Add(-time.Hour)),               // the previous day
		verdict(6, 111, justify.VerdictBad, from.Add(-30*time.Hour)),            // before both periods
		{ID: 7, GroupID: 10, OperatorVKID: 111, VerdictAt: from.Add(time.Hour)}, // not graded
	}}
	r, err := Load(context.Background(), f, Options{People: people, Communities: []justify.Community{{GroupID: 10, Name: "Brand"}}}, from, to)
	require.NoError(t, err)
	require.Len(t, r.Communities, 1)
	cr := r.Communities[0]
	rows := map[string]Figures{}
	for _, o := range cr.Operators {
		rows[o.Operator] = o.Figures
	}
	tests := []struct {
		name              string
		got               Counts
		wantGood, wantBad int
	}{
		{name: "community, current", got: cr.Total.Current, wantGood: 2, wantBad: 2},
		{name: "community, previous", got: cr.Total.Previous, wantBad: 1},
		{name: "Ivan, current", got: rows["Ivan"].Current, wantGood: 1, wantBad: 1},
		{name: "Ivan, previous", got: rows["Ivan"].Previous, wantBad: 1},
		{name: "Ivan, change", got: rows["Ivan"].Change, wantGood: 1},
		{name: "Petr", got: rows["Petr"].Current, wantGood: 1},
		{name: "unknown admin", got: rows[UnknownOperator].Current, wantBad: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantGood, tt.got.QAGood, "qa_good")
			assert.Equal(t, tt.wantBad, tt.got.QABad, "qa_bad")
		})
	}
	require.Len(t, cr.SpotChecks, 4, "the current period's verdicts are listed")
	assert.Equal(t, SpotCheckVerdict{ID: 1, Operator: "Ivan", CustomerVKID: 5001, Link: "https://vk.com/gim10?sel=5001",
		Verdict: "bad", By: "Olga", At: from.Add(time.Hour), Comment: "rude"}, cr.SpotChecks[0])

	f.fail = "SpotChecksGraded"
	_, err = Load(context.Background(), f, Options{People: people}, from, to)
	require.ErrorIs(t, err, errRead, "a failed read fails the report, never shows zeros")
}
