package vk

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify/supervise"
)

// A refused token is reported once per outage and per distinct error; a token that worked
// in between starts a new outage.
func TestScheduleReportsEachTokenProblemOnce(t *testing.T) {
	refused := func(code api.ErrorType) error {
		return fmt.Errorf("list bans: %w", &api.Error{Code: code, Message: "refused"})
	}
	transient := errors.New("connection reset")
	tests := []struct {
		name    string
		results []error // what each run of the work returns, in order
		want    []api.ErrorType
	}{
		{name: "one outage", results: []error{refused(5), refused(5), refused(5)}, want: []api.ErrorType{5}},
		{name: "the error changes", results: []error{refused(5), refused(15), refused(15)}, want: []api.ErrorType{5, 15}},
		{name: "a transient failure in between", results: []error{refused(27), transient, refused(27)}, want: []api.ErrorType{27}},
		{name: "the token worked in between", results: []error{refused(5), nil, refused(5)}, want: []api.ErrorType{5, 5}},
		{name: "transient failures only", results: []error{transient, transient}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var reported []api.ErrorType
			metrics := NewMetrics(nil)
			s := schedule{
				groupID: testGroup, backoff: supervise.Backoff{Min: time.Millisecond, Max: time.Millisecond},
				authRetry: time.Millisecond, log: zerolog.Nop(), what: "test",
				onTokenProblem: func(_ context.Context, g int64, err error) {
					assert.Equal(t, testGroup, g)
					reported = append(reported, vkCode(err))
				},
				metrics: metrics,
			}
			runs := 0
			s.run(ctx, func(context.Context) error {
				runs++
				if runs > len(tt.results) {
					cancel()
					return nil
				}
				return tt.results[runs-1]
			})
			assert.NotErrorIs(t, ctx.Err(), context.DeadlineExceeded, "the schedule ran every result without waiting long")
			assert.Equal(t, tt.want, reported)
			wantFailures := map[api.ErrorType]float64{}
			for _, err := range tt.results {
				if err != nil {
					wantFailures[vkCode(err)]++
				}
			}
			for code, n := range wantFailures {
				got := testutil.ToFloat64(metrics.errors.WithLabelValues("1", strconv.Itoa(int(code))))
				assert.Equal(t, n, got, "every failure with code %d is counted", code)
			}
		})
	}
}
