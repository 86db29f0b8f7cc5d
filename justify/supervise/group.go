package supervise

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/rs/zerolog"
)

// ErrStopped is Group.Add's error once the group's context has ended.
var ErrStopped = errors.New("the supervisor has stopped")

// Group supervises a set of named components that may change while it runs: a reload of
// the config adds a community's watcher, or stops one, without touching the others. Each
// component is supervised as Supervise does: restarted with back-off after an error or a
// panic, done once it returns nil. Its methods are safe for concurrent use.
type Group struct {
	s   Supervisor
	ctx context.Context
	log zerolog.Logger

	mu      sync.Mutex
	members map[string]*member
	closed  bool // set once ctx ended and Wait began: nothing may join any more
	wg      sync.WaitGroup
}

// member is one running component.
type member struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once the component returned for good
}

// Group returns an empty group whose components run until ctx ends or they are removed.
func (s Supervisor) Group(ctx context.Context, log zerolog.Logger) *Group {
	return &Group{s: s, ctx: ctx, log: log, members: map[string]*member{}}
}

// Add starts supervising run under name. It fails when a component of that name is
// running, and with ErrStopped once the group's context has ended. A component that
// returned nil (done) is no longer running: its name may be added again.
func (g *Group) Add(name string, run func(context.Context) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.ctx.Err() != nil {
		return fmt.Errorf("start %s: %w", name, ErrStopped)
	}
	if _, ok := g.members[name]; ok {
		return fmt.Errorf("start %s: a component of that name is running", name)
	}
	ctx, cancel := context.WithCancel(g.ctx)
	m := &member{cancel: cancel, done: make(chan struct{})}
	g.members[name] = m
	g.wg.Go(func() {
		defer close(m.done)
		defer cancel()
		g.s.Supervise(ctx, name, g.log, run)
		g.mu.Lock()
		if g.members[name] == m {
			delete(g.members, name)
		}
		g.mu.Unlock()
	})
	return nil
}

// Remove stops the component name and waits until it has returned, so that whatever it
// held (a connection, a long poll) is released when Remove returns. It reports whether
// such a component was running.
func (g *Group) Remove(name string) bool {
	g.mu.Lock()
	m, ok := g.members[name]
	if ok {
		delete(g.members, name)
	}
	g.mu.Unlock()
	if !ok {
		return false
	}
	m.cancel()
	<-m.done
	return true
}

// Names lists the running components, sorted.
func (g *Group) Names() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, 0, len(g.members))
	for name := range g.members {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Running reports whether a component of that name is running.
func (g *Group) Running(name string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.members[name]
	return ok
}

// Wait blocks until the group's context has ended and every component has returned.
func (g *Group) Wait() {
	<-g.ctx.Done()
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}
