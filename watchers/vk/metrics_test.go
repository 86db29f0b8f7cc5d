package vk

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// Every repeating VK job counts its failures under the one metric, by community and VK's
// error code, with the name and labels dashboards know.
func TestMetricsCountFailures(t *testing.T) {
	tests := []struct {
		name  string
		start func(t *testing.T, srv *vktest.Server, m *Metrics)
		fault func(srv *vktest.Server)
		code  string
	}{
		{
			name: "watcher",
			start: func(t *testing.T, srv *vktest.Server, m *Metrics) {
				startWatcher(t, srv, seeded(srv), func(c *WatcherConfig) { c.Metrics = m })
			},
			fault: func(srv *vktest.Server) {
				srv.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
			},
			code: "10",
		},
		{
			name: "reconciler",
			start: func(t *testing.T, srv *vktest.Server, m *Metrics) {
				r, _ := newTestReconciler(t, srv, newDomain(t).svc, func(c *ReconcilerConfig) { c.Metrics = m })
				justifytest.Run(t, r.Run)
			},
			fault: func(srv *vktest.Server) {
				srv.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(9, "Flood control"))
			},
			code: "9",
		},
		{
			name: "post checker",
			start: func(t *testing.T, srv *vktest.Server, m *Metrics) {
				d := newDomain(t)
				capturePosts(t, srv, d, 501)
				c, _ := newTestPostChecker(t, srv, d.svc, func(c *PostCheckerConfig) { c.Metrics = m })
				justifytest.Run(t, c.Run)
			},
			fault: func(srv *vktest.Server) { srv.FailNext("wall.getById", 0, "") },
			code:  "0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newBanVK(t)
			tt.fault(srv)
			reg := prometheus.NewRegistry()
			tt.start(t, srv, NewMetrics(reg))
			want := `
# HELP modwatch_vk_errors_total VK API errors by community and error code (0: network or HTTP).
# TYPE modwatch_vk_errors_total counter
modwatch_vk_errors_total{code="` + tt.code + `",community="1"} 1
`
			require.Eventually(t, func() bool {
				return testutil.GatherAndCompare(reg, strings.NewReader(want), "modwatch_vk_errors_total") == nil
			}, 5*time.Second, 5*time.Millisecond)
		})
	}
}

func TestNilMetricsCountNothing(t *testing.T) {
	var m *Metrics
	assert.NotPanics(t, func() { m.failed(testGroup, context.Canceled) })
}
