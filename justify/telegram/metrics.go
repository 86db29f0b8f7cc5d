package telegram

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the bot delivers. A nil *Metrics counts nothing.
type Metrics struct {
	messages *prometheus.CounterVec
	errors   *prometheus.CounterVec
}

// NewMetrics creates the bot's metrics and registers them with r (nil: not registered, for
// tests).
func NewMetrics(r prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modwatch_messages_total", Help: "Telegram messages by outcome: sent, retried, failed.",
		}, []string{"outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modwatch_telegram_errors_total", Help: "Telegram Bot API errors by HTTP-like code (0: network).",
		}, []string{"code"}),
	}
	if r != nil {
		r.MustRegister(m.messages, m.errors)
	}
	return m
}

// Outcomes of an outbox message, as counted.
const (
	outcomeSent    = "sent"
	outcomeRetried = "retried"
	outcomeFailed  = "failed"
)

// settled counts an outbox message's attempt by its outcome.
func (m *Metrics) settled(outcome string) {
	if m != nil {
		m.messages.WithLabelValues(outcome).Inc()
	}
}

// failed counts a request Telegram did not carry out, by its code.
func (m *Metrics) failed(r result) {
	if m != nil && !r.ok() {
		m.errors.WithLabelValues(strconv.Itoa(r.code)).Inc()
	}
}
