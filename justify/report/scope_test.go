package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// A scoped person's report has their communities only, with the hourly activity of those
// alone; an operator is listed only in the communities of their scope.
func TestReportWithinAScope(t *testing.T) {
	people := []justify.Person{
		{Name: "Ivan", Role: justify.RoleOperator, VKID: 101, TelegramID: 1, Communities: []int64{1}},
		{Name: "Petr", Role: justify.RoleOperator, VKID: 102, TelegramID: 2, Communities: []int64{2}},
		{Name: "Max", Role: justify.RoleOperator, VKID: 103, TelegramID: 3},
	}
	r := Compute(Input{
		From: dayFrom, To: dayTo, People: people,
		Communities: []justify.Community{{GroupID: 1, Name: "A"}, {GroupID: 2, Name: "B"}},
		Cases: []justify.Case{
			caseAt(1, 1, justify.EventBan, "Ivan", 101, "2026-11-23T07:00:00Z"),
			caseAt(2, 2, justify.EventBan, "Petr", 102, "2026-11-23T08:00:00Z"),
			caseAt(3, 2, justify.EventBan, "Max", 103, "2026-11-23T08:00:00Z"),
		},
	})
	rows := func(c CommunityReport) []string {
		var out []string
		for _, o := range c.Operators {
			out = append(out, o.Operator)
		}
		return out
	}
	require.Len(t, r.Communities, 2)
	assert.Equal(t, []string{"Ivan", "Max"}, rows(r.Communities[0]), "Petr works for B only")
	assert.Equal(t, []string{"Max", "Petr"}, rows(r.Communities[1]), "Ivan works for A only")

	b := r.Within([]int64{2})
	require.Len(t, b.Communities, 1)
	assert.Equal(t, "B", b.Communities[0].Name)
	assert.Equal(t, map[string][24]int{"Petr": hourAt(8), "Max": hourAt(8)}, b.Activity, "B's activity only")
	assert.Equal(t, r, r.Within(nil), "no scope: everything")
	assert.Empty(t, r.Within([]int64{3}).Communities)
}

func hourAt(h int) [24]int {
	var a [24]int
	a[h] = 1
	return a
}
