package vk

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// budgetOf finds the budget behind a client made by newClient.
func budgetOf(t *testing.T, vk *api.VK) *budget {
	t.Helper()
	budgets.Lock()
	defer budgets.Unlock()
	for _, b := range budgets.byKey {
		if b.vk == vk {
			return b
		}
	}
	require.FailNow(t, "the client has no budget")
	return nil
}

// VK counts requests per token: everything that uses one token shares one client and so
// one limiter, whichever community or component it works for.
func TestOneBudgetPerToken(t *testing.T) {
	const url = "http://vk.test/method/"
	a := newClient("budget-token-a", url, nil, api.LimitUserToken)
	assert.Same(t, a, newClient("budget-token-a", url, nil, api.LimitUserToken), "the same token shares its client")
	assert.NotSame(t, a, newClient("budget-token-b", url, nil, api.LimitUserToken), "another token has its own")
	assert.NotSame(t, a, newClient("budget-token-a", url, &http.Client{}, api.LimitUserToken), "a caller's own HTTP client gets its own")

	r := NewReverser(url, map[int64]string{1: "budget-token-a", 2: "budget-token-a"}, nil)
	assert.Same(t, a, r.clients[1], "reversals spend the same budget as the post checks")
	assert.Same(t, r.clients[1], r.clients[2])
	assert.Equal(t, rate.Limit(api.LimitUserToken), budgetOf(t, a).limiter.Limit())
	assert.Zero(t, a.Limit, "vksdk's own limiter, which ignores the context, is off")
}

// newBudgetVK starts a fake VK and returns it with a client of a fresh token's budget.
func newBudgetVK(t *testing.T, limit int) (*vktest.Server, *api.VK) {
	t.Helper()
	srv := newVK(t)
	return srv, newClient(communityToken, srv.URL(), nil, limit)
}

func usersGet(ctx context.Context, vk *api.VK) error {
	_, err := vk.UsersGet(api.Params{"user_ids": "222"}.WithContext(ctx))
	return err
}

func TestBudgetSpacesCalls(t *testing.T) {
	srv, vk := newBudgetVK(t, api.LimitGroupToken)
	start := time.Now()
	for range 6 {
		require.NoError(t, usersGet(context.Background(), vk))
	}
	// Twenty a second: the first call at once, the other five 50 ms apart.
	assert.GreaterOrEqual(t, time.Since(start), 240*time.Millisecond)
	assert.Equal(t, 6, srv.Calls("users.get"))
}

// A call waiting for the budget gives up when its context ends, without being sent.
func TestBudgetWaitEndsWithContext(t *testing.T) {
	srv, vk := newBudgetVK(t, 1)
	require.NoError(t, usersGet(context.Background(), vk))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := usersGet(ctx, vk)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "the next free moment is a second away")
	assert.Equal(t, 1, srv.Calls("users.get"))
}

// VK's "too many requests" is asked again within the budget, as many times as the token
// may call in a second.
func TestBudgetRetriesTooManyRequests(t *testing.T) {
	tests := []struct {
		name      string
		refusals  int
		wantErr   bool
		wantCalls int
	}{
		{name: "refused once", refusals: 1, wantCalls: 2},
		{name: "refused as often as it may try", refusals: api.LimitUserToken, wantErr: true, wantCalls: api.LimitUserToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, vk := newBudgetVK(t, api.LimitUserToken)
			for range tt.refusals {
				srv.FailNext("users.get", http.StatusOK, vktest.ErrorBody(6, "Too many requests per second"))
			}
			err := usersGet(context.Background(), vk)
			if tt.wantErr {
				assert.Equal(t, api.ErrTooMany, vkCode(err))
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.wantCalls, srv.Calls("users.get"))
		})
	}
}
