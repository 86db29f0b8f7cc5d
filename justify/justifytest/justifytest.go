// Package justifytest holds the fakes that modwatch's tests share across packages: a
// settable clock, a buffer several goroutines can log to, and a way to run a component
// until the test ends. Like net/http/httptest it is for tests only: no non-test code
// imports it (TestOnlyTestsImportThisPackage checks).
package justifytest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Clock is a time source that moves only when the test moves it. It is safe for
// concurrent use, so the code under test may read it from its own goroutines; the zero
// Clock reads the zero time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads now until it is moved.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the clock's time. Pass the method value (c.Now) where a func() time.Time is
// wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d (backwards when d is negative) and returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// SyncBuffer is a bytes.Buffer for output written from several goroutines, such as a
// component's log, and read by the test while they run. The zero SyncBuffer is empty and
// ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it never fails.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Run runs fn in its own goroutine until stop is called or the test ends, whichever comes
// first. stop cancels fn's context and waits for fn to return; it may be called more than
// once. An error from fn other than context.Canceled fails the test: a component asked to
// stop should stop cleanly.
func Run(t testing.TB, fn func(context.Context) error) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("stop a component run by the test: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}
