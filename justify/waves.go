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

// checkWave alerts managers and owners when one admin's actions of a kind pile up. In a
// batch the check waits for its end (waveLater), when it is made once per admin and kind.
func (s *Service) checkWave(tx Tx, ev Event) error {
	set := s.settings()
	if set.Wave.Count <= 0 || ev.ActorVKID == 0 {
		return nil
	}
	if b, ok := tx.(*batchTx); ok {
		b.waveLater(ev)
		return nil
	}
	_, err := s.waveAt(tx, ev)
	return err
}

// waveAt alerts when the admin's actions of ev's kind up to ev are a wave, and reports
// whether they were.
func (s *Service) waveAt(tx Tx, ev Event) (bool, error) {
	set := s.settings()
	n, err := tx.RecentActions(ev.GroupID, ev.ActorVKID, ev.Kind, ev.At.Add(-set.Wave.Within))
	if err != nil || n < set.Wave.Count {
		return false, err
	}
	subject := fmt.Sprintf("vk%d", ev.ActorVKID)
	if op, ok := set.People.ByVK(ev.ActorVKID); ok {
		subject = op.Name
	}
	return true, s.alert(tx, Alert{Kind: AlertWave, GroupID: ev.GroupID, Key: fmt.Sprintf("wave:%d:%d:%s", ev.GroupID, ev.ActorVKID, ev.Kind),
		Subject: subject, ActorVKID: ev.ActorVKID, Count: n, Detail: string(ev.Kind), At: ev.At})
}

// wavesOfBatch checks, once a batch is recorded, each admin's actions of each kind it
// held: at the last one, which counts all the batch's before it, so that a wave of a
// hundred bans in one answer is one alert with its count rather than a hundred edits.
// When the last is no longer a wave (the batch spans more than the rule's window), each
// is checked in turn, as one at a time would have.
func (s *Service) wavesOfBatch(b *batchTx) error {
	for _, evs := range b.waves {
		wave, err := s.waveAt(b.Tx, evs[len(evs)-1])
		if err != nil || wave {
			return err
		}
		for _, ev := range evs[:len(evs)-1] {
			if _, err := s.waveAt(b.Tx, ev); err != nil {
				return err
			}
		}
	}
	b.waves = nil
	return nil
}
