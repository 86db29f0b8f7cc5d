package daemon

import "runtime/debug"

// DefaultMemoryLimit is the Go runtime's soft memory limit of a `modwatch run` whose
// environment sets no GOMEMLIMIT. Watching 100 communities, the daemon's Go heap holds
// about 8 MiB live and the runtime about 30 MiB in all (goroutine stacks, GC metadata,
// the heap's slack); a burst of long-poll answers lifted it to 70 MiB of RSS, because the
// GC lets the heap grow to twice what is live before collecting. Under this limit the GC
// collects sooner instead: the same burst peaked at 57 MiB with no change in ingest rate
// (BENCHMARKS.md, "Memory"), while 24 MiB halved the ingest rate with the GC running
// all the time. It is soft: past it the GC works harder (at most half the CPU), it never
// fails an allocation, so a big report still runs, more slowly.
const DefaultMemoryLimit = 32 << 20

// LimitMemory sets DefaultMemoryLimit as the Go runtime's soft memory limit unless the
// environment's GOMEMLIMIT already set one (the runtime read it at start), and returns
// the limit in force. Only a daemon in a process of its own calls it: the limit is the
// whole process's, so the demo, the load run and tests, which share their process with
// the fake servers, leave it alone.
func LimitMemory(lookupEnv func(string) (string, bool)) int64 {
	if v, set := lookupEnv("GOMEMLIMIT"); set && v != "" {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	debug.SetMemoryLimit(DefaultMemoryLimit)
	return DefaultMemoryLimit
}
