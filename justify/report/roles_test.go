package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// A manager who moderates too has a row of her own, named with her role in every
// rendering, and is credited with the tickets she answered; operators' rows stay as they were.
func TestManagerWhoModeratesHasARow(t *testing.T) {
	people := []justify.Person{
		{Name: "Анна", Role: justify.RoleOperator, VKID: 101, TelegramID: 1},
		{Name: "Ольга", Role: justify.RoleManager, VKID: 201, TelegramID: 2},
		{Name: "Павел", Role: justify.RoleManager, TelegramID: 3},
	}
	olgas := caseAt(1, 1, justify.EventBan, "Ольга", 201, "2026-11-23T07:05:00Z")
	olgas.ActorRole = justify.RoleManager
	olgas = resolved(justified(olgas, "2026-11-23T07:30:00Z"), justify.ResolutionApproved)
	annas := caseAt(2, 1, justify.EventBan, "Анна", 101, "2026-11-23T08:00:00Z")
	annas.ActorRole = justify.RoleOperator
	asked := answered(ticket(7, 1, "2026-11-23T06:00:00Z"), "2026-11-23T07:00:00Z", 201)
	r := Compute(Input{From: dayFrom, To: dayTo, People: people, Cases: []justify.Case{olgas, annas}, Tickets: []justify.Ticket{asked},
		Communities: []justify.Community{{GroupID: 1, Name: "Shop"}}})

	require.Len(t, r.Communities, 1)
	rows := map[string]OperatorFigures{}
	for _, o := range r.Communities[0].Operators {
		rows[o.Operator] = o
	}
	require.Contains(t, rows, "Ольга")
	assert.Equal(t, justify.RoleManager, rows["Ольга"].Role)
	assert.Equal(t, 1, rows["Ольга"].Current.Bans)
	assert.Equal(t, 1, rows["Ольга"].Current.JustifiedInTime)
	assert.Equal(t, 1, rows["Ольга"].Current.Answered, "her answers from her VK account are hers")
	assert.Empty(t, rows["Анна"].Role, "an operator's row needs no role")
	assert.NotContains(t, rows, "Павел", "a manager who did nothing in VK has no row")

	assert.Contains(t, RenderText(r, "en"), "Ольга (manager)")
	assert.Contains(t, RenderText(r, "ru"), "Ольга (менеджер)")
	var b bytes.Buffer
	require.NoError(t, WriteCSV(&b, r))
	recs, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	kinds := map[string]string{}
	for _, rec := range recs[1:] {
		kinds[rec[5]] = rec[4]
	}
	assert.Equal(t, "manager", kinds["Ольга"], "the kind of her CSV row")
	assert.Equal(t, RowOperator, kinds["Анна"])
	b.Reset()
	require.NoError(t, WriteJSON(&b, r))
	var back Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	for _, o := range back.Communities[0].Operators {
		assert.Equal(t, rows[o.Operator].Role, o.Role)
	}
}
