package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
)

// An operator whose prompt never reached them was not asked: their case counts as
// neither justified nor never justified; an overdue one does.
func TestNotAskedIsNotNeverJustified(t *testing.T) {
	c := caseAt(1, 1, justify.EventBan, "Анна", 101, "2026-11-23T07:05:00Z")
	var notAsked, late Counts
	c.State, c.NotAsked = justify.StateAwaitingReview, true
	countCase(&notAsked, c)
	countCase(&late, overdue(caseAt(2, 1, justify.EventBan, "Анна", 101, "2026-11-23T07:05:00Z")))
	assert.Equal(t, Counts{Bans: 1}, notAsked)
	assert.Equal(t, 1, late.NeverJustified)
}
