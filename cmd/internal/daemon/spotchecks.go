package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// spotChecker runs the scheduled rounds of spot checks.
type spotChecker interface {
	// TickSpotChecks sends the round of spot checks when one is due.
	TickSpotChecks(ctx context.Context) (justify.SpotRound, error)
}

var _ spotChecker = (*justify.Service)(nil)

// spotChecks sends a round of spot checks when one is due, wakes the sender for it, and
// logs the communities whose dialogs no manager could take (the owners are alerted too).
func spotChecks(s spotChecker, wake func(), log zerolog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		r, err := s.TickSpotChecks(ctx)
		if err != nil {
			return err
		}
		if r.At.IsZero() {
			return nil
		}
		log.Info().Time("round", r.At).Int("dialogs", r.Sent).Msg("spot checks sent")
		for g, n := range r.Uncovered {
			log.Warn().Int64("group_id", g).Int("dialogs", n).Msg("no manager covers the community: its dialogs were not spot-checked")
		}
		if r.Sent > 0 || len(r.Uncovered) > 0 {
			wake()
		}
		return nil
	}
}

// spotButtonPruner deletes the buttons of old spot checks.
type spotButtonPruner interface {
	// PruneSpotCheckButtons deletes the buttons of spot checks sent before before.
	PruneSpotCheckButtons(ctx context.Context, before time.Time) (int, error)
}

var _ spotButtonPruner = (*store.DB)(nil)

// pruneSpotButtons deletes the Good and Bad buttons of spot checks sent longer than keep
// ago: like a closed case's, they are kept telegram.keep_sent. The verdicts stay.
func pruneSpotButtons(db spotButtonPruner, keep time.Duration, now func() time.Time, log zerolog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := db.PruneSpotCheckButtons(ctx, now().Add(-keep))
		if err != nil {
			return fmt.Errorf("prune spot check buttons: %w", err)
		}
		if n > 0 {
			log.Info().Int("buttons", n).Dur("keep_sent", keep).Msg("deleted old spot checks' buttons")
		}
		return nil
	}
}
