package vk

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the VK jobs of every community see. A nil *Metrics counts nothing.
type Metrics struct {
	errors      *prometheus.CounterVec
	quarantines *prometheus.CounterVec
}

// NewMetrics creates the VK metrics and registers them with reg (nil: not registered, for
// tests). Call it once per registry and give the result to every watcher, reconciler and
// post checker.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{errors: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "modwatch_vk_errors_total", Help: "VK API errors by community and error code (0: network or HTTP).",
	}, []string{"community", "code"}),
		quarantines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modwatch_vk_quarantined_updates_total",
			Help: "Long-poll updates that could not be decoded and were kept aside (modwatch events quarantined), by community.",
		}, []string{"community"})}
	if reg != nil {
		reg.MustRegister(m.errors, m.quarantines)
	}
	return m
}

// quarantined counts n updates of a community newly kept aside.
func (m *Metrics) quarantined(groupID int64, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.quarantines.WithLabelValues(strconv.FormatInt(groupID, 10)).Add(float64(n))
}

// failed counts one failed run of a community's VK work by VK's error code, 0 when the
// failure is not VK's answer (network, HTTP, format, or the store).
func (m *Metrics) failed(groupID int64, err error) {
	if m == nil {
		return
	}
	m.errors.WithLabelValues(strconv.FormatInt(groupID, 10), strconv.Itoa(int(vkCode(err)))).Inc()
}
