package vk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/SevereCloud/vksdk/v2/api"
	"golang.org/x/time/rate"
)

// budget is one token's API client and the request budget VK gives the token.
type budget struct {
	vk      *api.VK
	limiter *rate.Limiter
	// tries bounds how often a call VK refused with "too many requests" is made: the
	// token's requests per second, as vksdk did.
	tries int
}

// budgets holds one budget per token: VK counts requests per token, so the watcher, the
// reconciler, the post checker, the backfill and the reverser of every community that
// shares a token must share its budget (20 requests a second for a community token, 3 for
// a user token).
var budgets = struct {
	sync.Mutex
	byKey map[string]*budget
}{byKey: map[string]*budget{}}

// newClient returns the API client of a token, whose calls wait for the request budget VK
// gives that kind of token (limit requests a second), with an HTTP client with apiTimeout
// when none is given. A caller that brings its own HTTP client (tests steering requests)
// gets a client and a budget of its own.
func newClient(token, apiURL string, client *http.Client, limit int) *api.VK {
	key := apiURL + "\x00" + token
	if client != nil {
		key += fmt.Sprintf("\x00%p", client)
	}
	budgets.Lock()
	defer budgets.Unlock()
	if b, ok := budgets.byKey[key]; ok {
		return b.vk
	}
	if client == nil {
		client = &http.Client{Timeout: apiTimeout}
	}
	// Calls are spaced evenly (a burst of one), so no second holds more than limit of them.
	b := &budget{vk: newAPI(token, apiURL, client), limiter: rate.NewLimiter(rate.Limit(limit), 1), tries: limit}
	// vksdk's own limiter sleeps without looking at the call's context, holding a lock that
	// every other caller of the token waits on; the budget waits with the context.
	b.vk.Limit = 0
	b.vk.Handler = b.call
	budgets.byKey[key] = b
	return b.vk
}

func newAPI(token, apiURL string, client *http.Client) *api.VK {
	vk := api.NewVK(token)
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		vk.MethodURL = apiURL
	}
	// Every answer is read within MaxAnswer: a runaway answer is an error, not memory.
	vk.Client = capClient(client)
	return vk
}

// call makes one API call within the token's budget. VK's "too many requests" (error 6)
// means others spent the token's budget too (VK counts every app that uses the token), so
// the call is made again at the budget's next free moment, a few times at most.
func (b *budget) call(method string, params ...api.Params) (api.Response, error) {
	ctx := callContext(params)
	for try := 1; ; try++ {
		if err := b.limiter.Wait(ctx); err != nil {
			return api.Response{}, fmt.Errorf("wait for the token's request budget: %w", err)
		}
		resp, err := b.attempt(method, params)
		if vkCode(err) != api.ErrTooMany || try >= b.tries {
			return resp, err
		}
	}
}

// errClientFailed means VK's answer could not be read: the VK client panicked on it, or
// the transport found it broken (labelled gzip but not gzip, an encoding nobody asked for,
// larger than MaxAnswer). The request reached VK, so what it asked for may have been done.
var errClientFailed = errors.New("the VK client failed on VK's answer")

// attempt makes one request. Every API call of every component goes through here, so this
// is where a panic of vksdk becomes an error: it dereferences a nil reader when an answer
// labelled gzip is not gzip, and a broken answer must not end the component that asked
// (the panic leaves that one answer's body unclosed).
func (b *budget) attempt(method string, params []api.Params) (resp api.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = api.Response{}, fmt.Errorf("%s: %w: %v", method, errClientFailed, p)
		}
	}()
	return b.vk.DefaultHandler(method, params...)
}

// callContext is the context a call was given with api.Params.WithContext, which vksdk
// keeps under the ":context" key (the last one wins, as in vksdk); Background when none.
func callContext(params []api.Params) context.Context {
	ctx := context.Background()
	for _, p := range params {
		if c, ok := p[":context"].(context.Context); ok {
			ctx = c
		}
	}
	return ctx
}
