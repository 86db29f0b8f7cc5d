package vk

import (
	"net/http"
	"testing"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/stretchr/testify/assert"
)

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
	assert.Equal(t, api.LimitUserToken, a.Limit)
}
