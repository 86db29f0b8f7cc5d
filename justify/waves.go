package justify

import (
	"fmt"
	"time"
)

// WaveRule says when one admin's actions are a wave: Count or more within Within.
type WaveRule struct {
	Count  int
	Within time.Duration
}

// checkWave alerts managers and owners when one admin's actions of a kind pile up.
func (s *Service) checkWave(tx Tx, ev Event) error {
	set := s.settings()
	if set.Wave.Count <= 0 || ev.ActorVKID == 0 {
		return nil
	}
	n, err := tx.RecentActions(ev.GroupID, ev.ActorVKID, ev.Kind, ev.At.Add(-set.Wave.Within))
	if err != nil || n < set.Wave.Count {
		return err
	}
	subject := fmt.Sprintf("vk%d", ev.ActorVKID)
	if op, ok := set.People.ByVK(ev.ActorVKID); ok {
		subject = op.Name
	}
	return s.alert(tx, Alert{Kind: AlertWave, GroupID: ev.GroupID, Key: fmt.Sprintf("wave:%d:%d:%s", ev.GroupID, ev.ActorVKID, ev.Kind),
		Subject: subject, ActorVKID: ev.ActorVKID, Count: n, Detail: string(ev.Kind), At: ev.At})
}
