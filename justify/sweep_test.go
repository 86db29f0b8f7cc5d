package justify_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/store"
)

// heldVK is a VK whose unbans wait until released, then succeed.
type heldVK struct {
	release chan struct{}
	calls   atomic.Int32
	first   atomic.Int64 // the user of the first unban asked for
}

func newHeldVK() *heldVK { return &heldVK{release: make(chan struct{})} }

func (h *heldVK) reverser() fakeReverser {
	return fakeReverser{unban: func(ctx context.Context, _, user int64) error {
		h.first.CompareAndSwap(0, user)
		h.calls.Add(1)
		select {
		case <-h.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
}

// sweepService is a reversal service on a clock the test moves.
func sweepService(t *testing.T, rev justify.Reverser, checker justify.UndoChecker) (*justify.Service, *store.DB, *justifytest.Clock, chan justify.ReversalResult) {
	t.Helper()
	svc, db, results := reversalService(t, rev)
	clock := justifytest.NewClock(t0)
	svc.Now, svc.Checker, svc.ReversalTimeout = clock.Now, checker, 5*time.Minute
	return svc, db, clock, results
}

func lastDecision(t *testing.T, svc *justify.Service, id justify.CaseID) justify.Decision {
	t.Helper()
	_, ds, err := svc.Case(context.Background(), id)
	require.NoError(t, err)
	return ds[len(ds)-1]
}

// A reversal whose VK call never answers is settled once ReversalTimeout has passed, by
// what VK shows: still banned goes back to the manager, unbanned closes the case.
func TestSweepSettlesAReversalVKNeverAnswered(t *testing.T) {
	tests := []struct {
		name    string
		banned  bool
		state   justify.State
		problem justify.UndoProblem
		detail  string
	}{
		{name: "still banned: back to the manager", banned: true, state: justify.StateUndoPending, problem: justify.UndoStuck,
			detail: "VK did not answer within 5m0s; VK shows it still in place"},
		{name: "unbanned meanwhile: reversed", banned: false, state: justify.StateClosed,
			detail: "VK did not answer within 5m0s; VK shows it undone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			vk := newHeldVK()
			svc, db, clock, results := sweepService(t, vk.reverser(), showsBanned(t, tt.banned))
			id := unknownAdminBan(t, svc, 1, 5)
			runReversals(t, svc)
			_, err := svc.Reverse(ctx, olgaTG, id)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return vk.calls.Load() == 1 }, 10*time.Second, time.Millisecond)

			clock.Add(5*time.Minute - time.Second)
			require.NoError(t, svc.SweepReversals(ctx))
			c, _ := caseNow(t, svc, id)
			assert.Equal(t, justify.StateReversing, c.State, "not stuck yet")

			clock.Add(time.Second)
			require.NoError(t, svc.SweepReversals(ctx))
			r := waitResult(t, results)
			assert.Equal(t, 5*time.Minute, r.Waited)
			c, _ = caseNow(t, svc, id)
			assert.Equal(t, tt.state, c.State)
			assert.Equal(t, tt.problem, c.UndoProblem)
			assert.Equal(t, tt.detail, lastDecision(t, svc, id).Detail)
			if tt.state == justify.StateUndoPending {
				assert.Equal(t, []int64{olgaTG}, undoByHandTo(t, db), "the manager is told, with a button to try again")
			}

			// VK's late answer that it unbanned closes a case that went back to the manager.
			close(vk.release)
			c = waitCase(t, svc, id, func(c justify.Case) bool { return !c.Open() })
			assert.Equal(t, justify.ResolutionReversed, c.Resolution)
			assert.Equal(t, "Olga", c.ResolvedBy)
		})
	}
}

// A reversal that never reached VK (queued behind a call VK holds) is started once more;
// if it still has not reached VK after another ReversalTimeout, it goes back to the
// manager. A reversal started again that gets through closes its case.
func TestSweepRetriesAReversalThatNeverReachedVK(t *testing.T) {
	tests := []struct {
		name        string
		releaseLate bool // VK answers only after the second timeout
		state       justify.State
		problem     justify.UndoProblem
	}{
		{name: "the retry gets through", state: justify.StateClosed},
		{name: "the retry never reaches VK either", releaseLate: true, state: justify.StateUndoPending, problem: justify.UndoStuck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			vk := newHeldVK()
			svc, _, clock, _ := sweepService(t, vk.reverser(), showsBanned(t, true))
			svc.ReversalsPerCommunity = 1
			ids := map[int64]justify.CaseID{5: unknownAdminBan(t, svc, 1, 5), 6: unknownAdminBan(t, svc, 1, 6)}
			runReversals(t, svc)
			for _, id := range ids {
				_, err := svc.Reverse(ctx, olgaTG, id)
				require.NoError(t, err)
			}
			require.Eventually(t, func() bool { return vk.calls.Load() == 1 }, 10*time.Second, time.Millisecond)
			// Whichever got the one slot first holds it while VK holds its call.
			first, queued := ids[5], ids[6]
			if vk.first.Load() == 6 {
				first, queued = queued, first
			}

			clock.Add(5 * time.Minute)
			require.NoError(t, svc.SweepReversals(ctx))
			c, actions := caseNow(t, svc, queued)
			assert.Equal(t, justify.StateReversing, c.State, "started again, not handed back")
			assert.Equal(t, justify.ActionReverseRetried, actions[len(actions)-1])
			c, _ = caseNow(t, svc, first)
			assert.Equal(t, justify.UndoStuck, c.UndoProblem, "VK was asked about the first: back to the manager")

			if !tt.releaseLate {
				close(vk.release)
			}
			clock.Add(time.Minute)
			require.NoError(t, svc.SweepReversals(ctx))
			if tt.releaseLate {
				clock.Add(4 * time.Minute)
				require.NoError(t, svc.SweepReversals(ctx))
				close(vk.release)
			}
			c = waitCase(t, svc, queued, func(c justify.Case) bool { return c.State == tt.state })
			assert.Equal(t, tt.problem, c.UndoProblem)
			if tt.releaseLate {
				assert.Contains(t, lastDecision(t, svc, queued).Detail, "VK was not asked within 5m0s, twice")
			}
		})
	}
}

// A reversing case no worker of this process holds (an earlier run's, not recovered) is
// settled by the sweep as interrupted.
func TestSweepSettlesAnUntrackedReversal(t *testing.T) {
	ctx := context.Background()
	vk := newHeldVK()
	svc, _, clock, _ := sweepService(t, vk.reverser(), showsBanned(t, true))
	id := unknownAdminBan(t, svc, 1, 5)
	_, err := svc.Reverse(ctx, olgaTG, id) // RunReversals is not running
	require.NoError(t, err)

	// Another process over the same database, which never heard of this reversal.
	other := &justify.Service{Store: svc.Store, People: svc.People, Communities: svc.Communities,
		Reverser: svc.Reverser, Checker: svc.Checker, Now: clock.Now}
	clock.Add(5 * time.Minute)
	require.NoError(t, other.SweepReversals(ctx))
	c, _ := caseNow(t, other, id)
	assert.Equal(t, justify.StateUndoPending, c.State)
	assert.Equal(t, justify.UndoInterrupted, c.UndoProblem)
	assert.Zero(t, vk.calls.Load(), "nothing was asked of VK but its ban list")
}

// waitCase waits until case id satisfies ok.
func waitCase(t *testing.T, svc *justify.Service, id justify.CaseID, ok func(justify.Case) bool) justify.Case {
	t.Helper()
	var c justify.Case
	require.Eventually(t, func() bool {
		c, _ = caseNow(t, svc, id)
		return ok(c)
	}, 10*time.Second, time.Millisecond)
	return c
}

// sweepKey marks the context of the test's own sweep.
type sweepKey struct{}

// workerFailingStore refuses every write but the sweep's, as a store that keeps failing
// the worker's second transaction.
type workerFailingStore struct{ justify.Store }

func (s workerFailingStore) Update(ctx context.Context, fn func(justify.Tx) error) error {
	if ctx.Value(sweepKey{}) == nil {
		return errors.New("disk I/O error")
	}
	return s.Store.Update(ctx, fn)
}

// VK's answer is known but its worker cannot save it: the sweep saves it.
func TestSweepSavesAnAnswerItsWorkerCouldNot(t *testing.T) {
	ctx := context.Background()
	vk := newHeldVK()
	svc, db, clock, results := sweepService(t, vk.reverser(), fakeChecker{t: t})
	id := unknownAdminBan(t, svc, 1, 5)
	runReversals(t, svc)
	_, err := svc.Reverse(ctx, olgaTG, id)
	require.NoError(t, err)
	svc.Store = workerFailingStore{db}
	close(vk.release)
	assert.ErrorContains(t, waitResult(t, results).Err, "disk I/O error")

	clock.Add(5 * time.Minute)
	require.NoError(t, svc.SweepReversals(context.WithValue(ctx, sweepKey{}, true)))
	var r justify.ReversalResult
	for r.Waited == 0 {
		r = waitResult(t, results) // the worker's further failures, then the sweep's result
	}
	require.NoError(t, r.Err)
	c, _ := caseNow(t, svc, id)
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, "undone through VK API", lastDecision(t, svc, id).Detail)
}
