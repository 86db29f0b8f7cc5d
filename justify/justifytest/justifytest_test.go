package justifytest

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestClock(t *testing.T) {
	tests := []struct {
		name string
		move func(*Clock)
		want time.Time
	}{
		{"reads the start until moved", func(*Clock) {}, t0},
		{"add moves forward", func(c *Clock) { c.Add(90 * time.Second) }, t0.Add(90 * time.Second)},
		{"adds add up", func(c *Clock) { c.Add(time.Hour); c.Add(time.Minute) }, t0.Add(time.Hour + time.Minute)},
		{"a negative add moves back", func(c *Clock) { c.Add(-time.Hour) }, t0.Add(-time.Hour)},
		{"set puts it anywhere", func(c *Clock) { c.Add(time.Hour); c.Set(t0.AddDate(1, 0, 0)) }, t0.AddDate(1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClock(t0)
			tt.move(c)
			assert.Equal(t, tt.want, c.Now())
		})
	}
	assert.Equal(t, t0.Add(time.Second), NewClock(t0).Add(time.Second), "Add returns the new time")
	var zero Clock
	assert.True(t, zero.Now().IsZero(), "the zero clock reads the zero time")
}

// Readers and movers in several goroutines: the race detector would catch a missing lock.
func TestClockIsSafeForConcurrentUse(t *testing.T) {
	c := NewClock(t0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Add(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, t0.Add(800*time.Second), c.Now())
}

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	assert.Empty(t, b.String(), "the zero buffer is empty")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				n, err := fmt.Fprintf(&b, "line %d.%d\n", i, j)
				assert.NoError(t, err)
				assert.Positive(t, n)
				_ = b.String() // read while others write
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	assert.Len(t, lines, 8*50, "no write is lost or torn")
	assert.Contains(t, lines, "line 7.49")
}

// recorder stands for a test that Run reports to.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(fn func()) { r.cleanups = append(r.cleanups, fn) }

func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		returns error
		wantErr bool
	}{
		{"a clean stop", nil, false},
		{"the context's error is a clean stop", context.Canceled, false},
		{"a wrapped context error too", fmt.Errorf("poll: %w", context.Canceled), false},
		{"another error fails the test", errors.New("database is locked"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			started, returned := make(chan struct{}), make(chan struct{})
			stop := Run(rec, func(ctx context.Context) error {
				close(started)
				<-ctx.Done()
				defer close(returned)
				return tt.returns
			})
			<-started
			select {
			case <-returned:
				t.Fatal("fn returned before stop")
			default:
			}
			stop()
			select {
			case <-returned:
			default:
				t.Fatal("stop did not wait for fn to return")
			}
			stop()
			rec.end() // the test's end stops it again
			if tt.wantErr {
				require.Len(t, rec.errs, 1, "reported once, however often stopped")
				assert.Contains(t, rec.errs[0], "database is locked")
			} else {
				assert.Empty(t, rec.errs)
			}
		})
	}
}

func TestRunStopsAtTheEndOfTheTest(t *testing.T) {
	rec := &recorder{TB: t}
	stopped := make(chan struct{})
	Run(rec, func(ctx context.Context) error {
		<-ctx.Done()
		close(stopped)
		return nil
	})
	rec.end()
	select {
	case <-stopped:
	default:
		t.Fatal("the test ended and fn still runs")
	}
}

// The package is for tests only: a non-test file that imported it would put fakes in the
// daemon.
func TestOnlyTestsImportThisPackage(t *testing.T) {
	self := reflect.TypeFor[Clock]().PkgPath()
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		require.NotEqual(t, root, parent, "no go.mod above the package")
		root = parent
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == self {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s imports %s, which is for tests only", rel, self)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 10, "the walk found the module's files")
}
