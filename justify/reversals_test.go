package justify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// fakeReverser answers for VK with its function fields.
type fakeReverser struct {
	unban   func(ctx context.Context, groupID, userVKID int64) error
	restore func(ctx context.Context, item justify.Ref) error
}

func (f fakeReverser) Unban(ctx context.Context, groupID, userVKID int64) error {
	return f.unban(ctx, groupID, userVKID)
}

func (f fakeReverser) Restore(ctx context.Context, item justify.Ref) error {
	return f.restore(ctx, item)
}

// fakeChecker answers for VK's state with its function fields; a nil field fails the test.
type fakeChecker struct {
	t       *testing.T
	banned  func(groupID, userVKID int64) (bool, error)
	deleted func(item justify.Ref) (bool, error)
}

func (f fakeChecker) Banned(_ context.Context, groupID, userVKID int64) (bool, error) {
	if f.banned == nil {
		f.t.Error("VK's ban list must not be looked up")
		return true, nil
	}
	return f.banned(groupID, userVKID)
}

func (f fakeChecker) Deleted(_ context.Context, item justify.Ref) (bool, error) {
	if f.deleted == nil {
		f.t.Error("VK's comment must not be looked up")
		return true, nil
	}
	return f.deleted(item)
}

// showsBanned is a VK whose ban list shows the user banned (true) or not.
func showsBanned(t *testing.T, banned bool) fakeChecker {
	return fakeChecker{t: t, banned: func(int64, int64) (bool, error) { return banned, nil }}
}

// reversalService is the test service with a user token in communities 1 and 2, whose
// reversals report to the returned channel.
func reversalService(t *testing.T, rev justify.Reverser) (*justify.Service, *store.DB, chan justify.ReversalResult) {
	t.Helper()
	svc, db := testService(t)
	svc.Communities = map[int64]justify.Community{1: {GroupID: 1, CanReverse: true}, 2: {GroupID: 2, CanReverse: true}}
	svc.Reverser = rev
	results := make(chan justify.ReversalResult, 100)
	svc.OnReversal = func(r justify.ReversalResult) { results <- r }
	return svc, db, results
}

// runReversals runs the service's reversals until the returned stop is called.
func runReversals(t *testing.T, svc *justify.Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.RunReversals(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Error("RunReversals did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// unknownAdminBan ingests a ban of user in group by an admin unknown to the config, which
// goes to the managers at once, and returns its case.
func unknownAdminBan(t *testing.T, svc *justify.Service, group, user int64) justify.CaseID {
	t.Helper()
	res, err := svc.Ingest(context.Background(), []justify.Event{{Key: fmt.Sprintf("vk:%d:ban:%d", group, user), GroupID: group,
		Kind: justify.EventBan, ActorVKID: 999, UserVKID: user, At: t0, Source: justify.SourceLongPoll}}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Opened, 1)
	return res.Opened[0]
}

// unknownAdminDeletion ingests a deletion of item by an admin unknown to the config.
func unknownAdminDeletion(t *testing.T, svc *justify.Service, item justify.Ref) justify.CaseID {
	t.Helper()
	res, err := svc.Ingest(context.Background(), []justify.Event{{Key: "vk:1:delete:" + item.Key(), GroupID: item.GroupID,
		Kind: justify.EventDelete, ActorVKID: 999, UserVKID: 5, At: t0, Source: justify.SourceLongPoll, Item: item}}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Opened, 1)
	return res.Opened[0]
}

func waitResult(t *testing.T, results <-chan justify.ReversalResult) justify.ReversalResult {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reversal result")
		return justify.ReversalResult{}
	}
}

func caseNow(t *testing.T, svc *justify.Service, id justify.CaseID) (justify.Case, []justify.Action) {
	t.Helper()
	c, ds, err := svc.Case(context.Background(), id)
	require.NoError(t, err)
	var as []justify.Action
	for _, d := range ds {
		as = append(as, d.Action)
	}
	return c, as
}

// Reverse returns with the case reversing, before VK is asked; RunReversals asks VK and
// saves its answer.
func TestReverseReturnsBeforeVK(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var calls atomic.Int32
	svc, db, results := reversalService(t, fakeReverser{unban: func(ctx context.Context, _, _ int64) error {
		calls.Add(1)
		<-release
		return nil
	}})
	id := unknownAdminBan(t, svc, 1, 5)
	runReversals(t, svc)

	c, err := svc.Reverse(ctx, olgaTG, id)
	require.NoError(t, err)
	assert.Equal(t, justify.StateReversing, c.State)
	assert.Equal(t, "Olga", c.ResolvedBy)
	_, actions := caseNow(t, svc, id)
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionReverseStarted}, actions)
	// The managers' reviews are edited to show the reversal under way.
	due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	edits := 0
	for _, m := range due {
		if m.Kind == justify.MsgReview && m.EditOf != 0 {
			edits++
		}
	}
	assert.Equal(t, 1, edits, "Olga's review is edited")

	// A second press while VK is asked is refused plainly.
	_, err = svc.Reverse(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrReversing)
	assert.ErrorIs(t, err, justify.ErrWrongState, "callers that only know ErrWrongState still understand it")
	_, err = svc.Approve(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrReversing)

	close(release)
	r := waitResult(t, results)
	assert.Equal(t, justify.ReversalResult{CaseID: id, GroupID: 1}, r)
	c, actions = caseNow(t, svc, id)
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionReverseStarted, justify.ActionReversed}, actions)
	assert.Equal(t, int32(1), calls.Load())
}

// Every way a reversal can end leaves the case closed or waiting to be undone by hand,
// never reversing.
func TestReversalOutcomes(t *testing.T) {
	wallPost := justify.Ref{GroupID: 1, Place: justify.PlaceWallPost, OwnerID: -1, ItemID: 7}
	comment := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: 8}
	tests := []struct {
		name     string
		unban    func(ctx context.Context, groupID, userVKID int64) error
		restore  func(ctx context.Context, item justify.Ref) error
		noToken  bool
		item     justify.Ref // a deletion case when set, else a ban
		checker  func(t *testing.T) justify.UndoChecker
		detail   string // the last decision's detail, when set
		state    justify.State
		res      justify.Resolution
		problem  justify.UndoProblem
		viaQueue bool // VK is asked, so RunReversals reports the result
	}{
		{name: "VK unbans", unban: func(context.Context, int64, int64) error { return nil },
			state: justify.StateClosed, res: justify.ResolutionReversed, viaQueue: true},
		{name: "VK restores", restore: func(context.Context, justify.Ref) error { return nil }, item: comment,
			state: justify.StateClosed, res: justify.ResolutionRestored, viaQueue: true},
		{name: "VK refuses", unban: func(context.Context, int64, int64) error {
			return &justify.UndoError{Problem: justify.UndoNoRights, Err: errors.New("access denied")}
		}, state: justify.StateUndoPending, problem: justify.UndoNoRights, viaQueue: true},
		{name: "the call panics", unban: func(context.Context, int64, int64) error { panic("nil map") },
			state: justify.StateUndoPending, problem: justify.UndoFailed, viaQueue: true},
		{name: "the call panics after VK unbanned: VK's ban list decides",
			unban:   func(context.Context, int64, int64) error { panic("nil reader") },
			checker: func(t *testing.T) justify.UndoChecker { return showsBanned(t, false) },
			detail:  "VK's answer was lost; VK shows it undone",
			state:   justify.StateClosed, res: justify.ResolutionReversed, viaQueue: true},
		{name: "VK's answer is lost and the user is still banned",
			unban: func(context.Context, int64, int64) error {
				return &justify.UndoError{Problem: justify.UndoUnreachable, Err: errors.New("timeout")}
			},
			checker: func(t *testing.T) justify.UndoChecker { return showsBanned(t, true) },
			state:   justify.StateUndoPending, problem: justify.UndoUnreachable, viaQueue: true},
		{name: "a lost restore: the comment decides",
			restore: func(context.Context, justify.Ref) error {
				return &justify.UndoError{Problem: justify.UndoFailed, Err: errors.New("unreadable answer")}
			},
			item: comment,
			checker: func(t *testing.T) justify.UndoChecker {
				return fakeChecker{t: t, deleted: func(justify.Ref) (bool, error) { return false, nil }}
			},
			state: justify.StateClosed, res: justify.ResolutionRestored, viaQueue: true},
		{name: "a refusal is not looked up in VK", unban: func(context.Context, int64, int64) error {
			return &justify.UndoError{Problem: justify.UndoNoRights, Err: errors.New("access denied")}
		}, checker: func(t *testing.T) justify.UndoChecker { return fakeChecker{t: t} },
			state: justify.StateUndoPending, problem: justify.UndoNoRights, viaQueue: true},
		{name: "no token: by hand at once", noToken: true,
			state: justify.StateUndoPending, problem: justify.UndoNoToken},
		{name: "a wall post: by hand at once", item: wallPost,
			state: justify.StateUndoPending, problem: justify.UndoNotPossible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			fail := func(string) { t.Error("VK must not be asked") }
			rev := fakeReverser{unban: tt.unban, restore: tt.restore}
			if rev.unban == nil {
				rev.unban = func(context.Context, int64, int64) error { fail("unban"); return nil }
			}
			if rev.restore == nil {
				rev.restore = func(context.Context, justify.Ref) error { fail("restore"); return nil }
			}
			svc, db, results := reversalService(t, rev)
			if tt.noToken {
				svc.Communities[1] = justify.Community{GroupID: 1}
			}
			if tt.checker != nil {
				svc.Checker = tt.checker(t)
			}
			runReversals(t, svc)
			id := justify.CaseID(0)
			if tt.item.Place != "" {
				id = unknownAdminDeletion(t, svc, tt.item)
			} else {
				id = unknownAdminBan(t, svc, 1, 5)
			}

			c, err := svc.Reverse(ctx, olgaTG, id)
			require.NoError(t, err)
			if tt.viaQueue {
				assert.Equal(t, justify.StateReversing, c.State)
				r := waitResult(t, results)
				require.NoError(t, r.Err)
				assert.Equal(t, tt.problem != "", r.Undo != nil)
			}
			c, actions := caseNow(t, svc, id)
			assert.Equal(t, tt.state, c.State)
			assert.Equal(t, tt.res, c.Resolution)
			assert.Equal(t, tt.problem, c.UndoProblem)
			if tt.detail != "" {
				_, ds, err := svc.Case(ctx, id)
				require.NoError(t, err)
				assert.Equal(t, tt.detail, ds[len(ds)-1].Detail)
			}
			if tt.state == justify.StateUndoPending {
				assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionReverseStarted, justify.ActionUndoRequested}, actions)
				due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
				require.NoError(t, err)
				var told []int64
				for _, m := range due {
					if m.Kind == justify.MsgUndoByHand {
						told = append(told, m.ChatID)
					}
				}
				assert.Equal(t, []int64{olgaTG}, told, "the manager is told what to undo by hand")
			}
		})
	}
}

// At most ReversalsPerCommunity VK calls run at once for a community, and a community
// whose VK is slow does not hold up another's reversals.
func TestReversalsAreBoundedPerCommunity(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var mu sync.Mutex
	inFlight, most := map[int64]int{}, map[int64]int{}
	calls := map[int64][]int64{}
	svc, _, results := reversalService(t, fakeReverser{unban: func(ctx context.Context, group, user int64) error {
		mu.Lock()
		inFlight[group]++
		most[group] = max(most[group], inFlight[group])
		calls[group] = append(calls[group], user)
		mu.Unlock()
		if group == 1 {
			<-release // community 1's VK is slow
		}
		mu.Lock()
		inFlight[group]--
		mu.Unlock()
		return nil
	}})
	svc.ReversalsPerCommunity = 2
	slow := []justify.CaseID{unknownAdminBan(t, svc, 1, 5), unknownAdminBan(t, svc, 1, 6), unknownAdminBan(t, svc, 1, 7)}
	fast := unknownAdminBan(t, svc, 2, 8)
	runReversals(t, svc)

	for _, id := range slow {
		_, err := svc.Reverse(ctx, olgaTG, id)
		require.NoError(t, err)
	}
	_, err := svc.Reverse(ctx, olgaTG, fast)
	require.NoError(t, err)
	// Community 2's reversal, queued last, is done while community 1's wait for VK.
	assert.Equal(t, fast, waitResult(t, results).CaseID)
	c, _ := caseNow(t, svc, fast)
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return inFlight[1] == 2 }, 10*time.Second, time.Millisecond)
	mu.Lock()
	assert.Len(t, calls[1], 2, "the third waits for a free slot")
	mu.Unlock()

	close(release)
	for range slow {
		require.NoError(t, waitResult(t, results).Err)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 2, most[1])
	assert.ElementsMatch(t, []int64{5, 6, 7}, calls[1])
}

// A reversal cut short by a stop stays reversing. At the next start Recover takes it up:
// VK is asked what it shows, nothing is undone again, and the case closes or goes back to
// the manager who reversed it.
func TestStoppedReversalIsRecovered(t *testing.T) {
	tests := []struct {
		name    string
		checker func(t *testing.T) justify.UndoChecker
		state   justify.State
		problem justify.UndoProblem
		detail  string
	}{
		{name: "VK shows the user unbanned: reversed",
			checker: func(t *testing.T) justify.UndoChecker { return showsBanned(t, false) },
			state:   justify.StateClosed, detail: "modwatch stopped while asking VK; VK shows it undone"},
		{name: "VK shows the user banned: back to the manager",
			checker: func(t *testing.T) justify.UndoChecker { return showsBanned(t, true) },
			state:   justify.StateUndoPending, problem: justify.UndoInterrupted,
			detail: "modwatch stopped while asking VK; VK shows it still in place"},
		{name: "VK cannot be asked: back to the manager",
			checker: func(t *testing.T) justify.UndoChecker {
				return fakeChecker{t: t, banned: func(int64, int64) (bool, error) { return false, errors.New("VK is down") }}
			},
			state: justify.StateUndoPending, problem: justify.UndoInterrupted,
			detail: "modwatch stopped while asking VK; VK could not be checked: VK is down"},
		{name: "no way to look VK up: back to the manager",
			state: justify.StateUndoPending, problem: justify.UndoInterrupted,
			detail: "modwatch stopped while asking VK; VK could not be checked: modwatch has no way to look VK up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			asked := make(chan struct{})
			svc, db, results := reversalService(t, fakeReverser{unban: func(ctx context.Context, _, _ int64) error {
				close(asked)
				<-ctx.Done() // VK never answers before the stop
				return ctx.Err()
			}})
			id := unknownAdminBan(t, svc, 1, 5)
			stop := runReversals(t, svc)
			_, err := svc.Reverse(ctx, olgaTG, id)
			require.NoError(t, err)
			<-asked
			stop()
			assert.Empty(t, results, "nothing is saved for a call the stop cut short")
			c, _ := caseNow(t, svc, id)
			require.Equal(t, justify.StateReversing, c.State)

			// The next start: a new service over the same database.
			unbans := 0
			next := &justify.Service{Store: db, People: svc.People, Communities: svc.Communities, Now: svc.Now,
				Reverser: fakeReverser{unban: func(context.Context, int64, int64) error { unbans++; return nil }}}
			if tt.checker != nil {
				next.Checker = tt.checker(t)
			}
			results = make(chan justify.ReversalResult, 10)
			next.OnReversal = func(r justify.ReversalResult) { results <- r }
			require.NoError(t, next.Recover(ctx))
			runReversals(t, next)
			require.NoError(t, waitResult(t, results).Err)

			c, actions := caseNow(t, next, id)
			assert.Equal(t, tt.state, c.State)
			assert.Equal(t, tt.problem, c.UndoProblem)
			_, ds, err := next.Case(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, tt.detail, ds[len(ds)-1].Detail)
			assert.Equal(t, "Olga", ds[len(ds)-1].Actor, "the outcome is the manager's reversal")
			assert.Zero(t, unbans, "nothing is undone again without the manager")
			if tt.state == justify.StateUndoPending {
				assert.Equal(t, justify.ActionUndoRequested, actions[len(actions)-1])
				assert.Equal(t, []int64{olgaTG}, undoByHandTo(t, db), "the manager is told, with a button to try again")
			}
		})
	}
}

// undoByHandTo lists who was told to undo something by hand.
func undoByHandTo(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(24*time.Hour), 0)
	require.NoError(t, err)
	var told []int64
	for _, m := range due {
		if m.Kind == justify.MsgUndoByHand {
			told = append(told, m.ChatID)
		}
	}
	return told
}

// flakyStore fails the next fails write transactions, as a busy database would.
type flakyStore struct {
	justify.Store
	fails atomic.Int32
}

func (f *flakyStore) Update(ctx context.Context, fn func(justify.Tx) error) error {
	if f.fails.Add(-1) >= 0 {
		return errors.New("database is locked")
	}
	return f.Store.Update(ctx, fn)
}

// VK's answer is saved even if the first tries to save it fail.
func TestReversalResultIsSavedAgain(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	svc, db, results := reversalService(t, fakeReverser{unban: func(context.Context, int64, int64) error {
		<-release
		return nil
	}})
	flaky := &flakyStore{Store: db}
	svc.Store = flaky
	id := unknownAdminBan(t, svc, 1, 5)
	runReversals(t, svc)
	_, err := svc.Reverse(ctx, olgaTG, id)
	require.NoError(t, err)

	flaky.fails.Store(2)
	close(release)
	for range 2 {
		r := waitResult(t, results)
		assert.ErrorContains(t, r.Err, "database is locked")
	}
	assert.NoError(t, waitResult(t, results).Err)
	c, _ := caseNow(t, svc, id)
	assert.Equal(t, justify.ResolutionReversed, c.Resolution)
}
