package daemon

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	tests := []struct {
		name  string
		env   map[string]string
		start int64 // the limit the runtime has, as if it had read GOMEMLIMIT at start
		want  int64
	}{
		{name: "no GOMEMLIMIT takes the default", env: map[string]string{}, start: math.MaxInt64, want: DefaultMemoryLimit},
		{name: "an empty GOMEMLIMIT takes the default", env: map[string]string{"GOMEMLIMIT": ""}, start: math.MaxInt64, want: DefaultMemoryLimit},
		{name: "the user's GOMEMLIMIT is kept", env: map[string]string{"GOMEMLIMIT": "100MiB"}, start: 100 << 20, want: 100 << 20},
		{name: "GOMEMLIMIT=off is kept", env: map[string]string{"GOMEMLIMIT": "off"}, start: math.MaxInt64, want: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.start)
			got := LimitMemory(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, debug.SetMemoryLimit(-1), "the limit in force")
		})
	}
}
