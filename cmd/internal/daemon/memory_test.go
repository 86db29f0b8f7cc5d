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
		name        string
		env         map[string]string
		communities int
		start       int64 // the limit the runtime has, as if it had read GOMEMLIMIT at start
		want        int64
	}{
		{name: "no GOMEMLIMIT takes the default", env: map[string]string{}, communities: 10, start: math.MaxInt64, want: 32 << 20},
		{name: "up to 100 communities share the base", env: map[string]string{}, communities: 100, start: math.MaxInt64, want: 32 << 20},
		{name: "each community past 100 adds its share", env: map[string]string{}, communities: 1000, start: math.MaxInt64, want: 32<<20 + 900*96<<10},
		{name: "an empty GOMEMLIMIT takes the default", env: map[string]string{"GOMEMLIMIT": ""}, communities: 1, start: math.MaxInt64, want: 32 << 20},
		{name: "the user's GOMEMLIMIT is kept", env: map[string]string{"GOMEMLIMIT": "100MiB"}, communities: 1000, start: 100 << 20, want: 100 << 20},
		{name: "GOMEMLIMIT=off is kept", env: map[string]string{"GOMEMLIMIT": "off"}, communities: 10, start: math.MaxInt64, want: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.start)
			got := LimitMemory(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, tt.communities)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, debug.SetMemoryLimit(-1), "the limit in force")
		})
	}
}
