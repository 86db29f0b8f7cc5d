package daemon

import "runtime/debug"

// The Go runtime's soft memory limit of a `modwatch run` whose environment sets no
// GOMEMLIMIT: BaseMemoryLimit, and MemoryPerCommunity more for each community past the
// first hundred.
//
// Watching 100 communities, the daemon's Go heap holds about 8 MiB live and the runtime
// about 30 MiB in all (goroutine stacks, GC metadata, the heap's slack); a burst of
// long-poll answers lifted it to 70 MiB of RSS, because the GC lets the heap grow to twice
// what is live before collecting. Under a 32 MiB limit it collects sooner instead: the
// same burst peaked at 57 MiB with no change in ingest rate, while 24 MiB halved the
// ingest rate with the GC running all the time (BENCHMARKS.md, "The daemon's memory").
// Each community adds five goroutines and a connection, about 80 KiB of runtime memory:
// 1,000 communities under a flat 32 MiB limit kept the GC busy, a third of a core while
// idle, where 116 MiB cost what no limit costs (2.6% against 2.1%) and kept the peak at
// 136 MB instead of 188 MB.
//
// The limit is soft: past it the GC works harder (at most half the CPU) and never fails an
// allocation, so a big report still runs, more slowly.
const (
	BaseMemoryLimit    = 32 << 20
	MemoryPerCommunity = 96 << 10
)

// StackGODEBUG is the Go runtime setting the image (Dockerfile) and the systemd unit run
// modwatch with, and the load run gives a daemon it starts: new goroutines start with the
// smallest stack instead of the average size of the stacks the collector last scanned.
// That average is inflated by the few goroutines that run SQLite's deep frames, while a
// daemon watching 100 communities has about 540 goroutines, most of them asleep (watchers,
// reconciliation and post-check loops, the long polls' connections). Started small, they
// leave the collector room under the memory limit: over eight pairs of load runs (100
// communities, the daemon in its own process) ingest went from 0.17-0.32 to 0.24-0.40 of
// the baseline, at the same or a lower peak RSS (BENCHMARKS.md, "The stream round"). Only the
// environment can set it: `//go:debug` refuses runtime settings.
const StackGODEBUG = "adaptivestackstart=0"

// MemoryLimitFor is the default soft memory limit of a daemon watching communities.
func MemoryLimitFor(communities int) int64 {
	return BaseMemoryLimit + MemoryPerCommunity*int64(max(communities-100, 0))
}

// LimitMemory sets MemoryLimitFor(communities) as the Go runtime's soft memory limit
// unless the environment's GOMEMLIMIT already set one (the runtime read it at start), and
// returns the limit in force. Only a daemon in a process of its own calls it, at start and
// after a reload: the limit is the whole process's, so the demo, the load run and tests,
// which share their process with the fake servers, leave it alone.
func LimitMemory(lookupEnv func(string) (string, bool), communities int) int64 {
	if v, set := lookupEnv("GOMEMLIMIT"); set && v != "" {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	limit := MemoryLimitFor(communities)
	debug.SetMemoryLimit(limit)
	return limit
}

// Communities is how many communities the daemon watches under the config in force.
func (d *Daemon) Communities() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.cfg.VK.Communities)
}
