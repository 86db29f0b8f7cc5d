package loadrun

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk"
)

// underLoad is the daemon a run measures: in this process (*daemon.Daemon) or a
// `modwatch run` of its own (*child). The bench reads the database through it.
type underLoad interface {
	Service() *justify.Service
	Store() *store.DB
	Stop() error
}

// child is the real modwatch binary running `modwatch run --config` in a process of its
// own, against the fake servers of this process. The bench reads its database through a
// store of its own: WAL lets it read beside the daemon's writer.
type child struct {
	cmd     *exec.Cmd
	db      *store.DB
	svc     *justify.Service
	health  string // the daemon's health address, for /metrics
	logFile *os.File
	exited  chan struct{}
	waitErr error
}

// freeAddr returns a loopback address nothing listens on, for the child's health port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for the daemon's metrics: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChild starts bin as the daemon of cfgPath, with env added to this process's
// environment, and returns once every community has a saved long-poll position, as
// daemon.Start does. The database is opened (and migrated) here first, so that the two
// processes never race to create it.
func startChild(ctx context.Context, bin, dir, cfgPath, dbPath, health string, env map[string]string, groups int) (_ *child, err error) {
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, fmt.Errorf("open the daemon's database: %w", err)
	}
	defer func() {
		if err != nil {
			_ = db.Close()
		}
	}()
	logFile, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		return nil, fmt.Errorf("create the daemon's log: %w", err)
	}
	cmd := exec.Command(bin, "run", "--config", cfgPath)
	cmd.Env = os.Environ()
	if _, set := os.LookupEnv("GODEBUG"); !set {
		// As the image and the systemd unit run it; a GODEBUG of the bench's own (even
		// empty) is passed on instead, to measure without.
		cmd.Env = append(cmd.Env, "GODEBUG="+daemon.StackGODEBUG)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s run: %w", bin, err)
	}
	c := &child{cmd: cmd, db: db, svc: &justify.Service{Store: db}, health: health, logFile: logFile, exited: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	if err := c.waitReady(ctx, groups); err != nil {
		c.kill()
		return nil, err
	}
	return c, nil
}

// waitReady waits until every community's long-poll position is saved.
func (c *child) waitReady(ctx context.Context, groups int) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for g := int64(1); g <= int64(groups); g++ {
		for {
			if ts, err := c.svc.Cursor(ctx, vk.CursorKey(g)); err == nil && ts != "" {
				break
			}
			select {
			case <-c.exited:
				return fmt.Errorf("the daemon exited before it was ready (%v); its log is %s", c.waitErr, c.logFile.Name())
			case <-ctx.Done():
				return fmt.Errorf("wait for the daemon to watch community %d: %w", g, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}

func (c *child) Service() *justify.Service { return c.svc }
func (c *child) Store() *store.DB          { return c.db }
func (c *child) PID() int                  { return c.cmd.Process.Pid }

// Stop ends the daemon as systemd does, with SIGTERM, and waits for it to exit.
func (c *child) Stop() error {
	defer c.logFile.Close()
	defer c.db.Close()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.kill()
		return fmt.Errorf("stop the daemon: %w", err)
	}
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.kill()
		return errors.New("the daemon did not stop within 30s of SIGTERM")
	}
	if c.waitErr != nil {
		return fmt.Errorf("the daemon exited with %v; its log is %s", c.waitErr, c.logFile.Name())
	}
	return nil
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}
