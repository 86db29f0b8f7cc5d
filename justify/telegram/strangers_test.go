package telegram

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The list of refused strangers keeps the ones heard from most recently, never more than
// its bound: a stranger it forgot is told again, one it remembers is not.
func TestStrangersAreBounded(t *testing.T) {
	s := newStrangers(2)
	steps := []struct {
		id   int64
		told bool
	}{
		{1, false}, {2, false}, {1, true}, // 1 heard again: now the most recent
		{3, false}, // over the bound: 2, heard from least recently, is forgotten
		{1, true}, {2, false}, {3, false}, {2, true},
	}
	for i, st := range steps {
		assert.Equal(t, st.told, s.heard(st.id), "step %d: stranger %d", i, st.id)
		assert.LessOrEqual(t, s.len(), 2, "step %d", i)
	}
	assert.Equal(t, DefaultRememberStrangers, newStrangers(0).max, "unset takes the default")
}

// However many strangers write at once, the list stays within its bound.
func TestStrangersUnderLoad(t *testing.T) {
	s := newStrangers(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				s.heard(int64(g*5000 + i))
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 100, s.len())
	assert.Len(t, s.at, 100, "the index and the order agree")
}
