package telegram

import (
	"container/list"
	"sync"
)

// DefaultRememberStrangers is how many refused strangers the bot remembers when Config
// leaves it unset: far more than ever write to a team's bot, few enough to cost under a
// megabyte.
const DefaultRememberStrangers = 10000

// strangers remembers the people outside the team the bot has already refused, so that a
// stranger writing again gets no second answer and cannot make the bot chat. It holds at
// most max of them and forgets the one heard from least recently first: anyone can write
// to a bot, and a list that grew with every new account would be memory anyone could
// fill. A stranger forgotten and writing again is simply told again.
type strangers struct {
	mu    sync.Mutex
	max   int
	order *list.List              // of int64 Telegram ids, the most recently heard from first
	at    map[int64]*list.Element // id → its place in order
}

func newStrangers(max int) *strangers {
	if max <= 0 {
		max = DefaultRememberStrangers
	}
	return &strangers{max: max, order: list.New(), at: map[int64]*list.Element{}}
}

// heard records that a stranger wrote and reports whether they had been told already.
func (s *strangers) heard(id int64) (told bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.at[id]; ok {
		s.order.MoveToFront(e)
		return true
	}
	s.at[id] = s.order.PushFront(id)
	if s.order.Len() > s.max {
		oldest := s.order.Back()
		s.order.Remove(oldest)
		delete(s.at, oldest.Value.(int64))
	}
	return false
}

// len is how many strangers are remembered.
func (s *strangers) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}
