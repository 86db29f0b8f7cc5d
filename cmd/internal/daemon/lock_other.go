//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package daemon

import (
	"errors"
	"os"
)

// errLockHeld means another open file holds the lock.
var errLockHeld = errors.New("lock held")

// tryLock does not lock on systems without flock: modwatch is built and tested for Linux,
// and elsewhere one daemon per database is left to the operator. The PID is still written,
// so the lock file says who runs.
func tryLock(*os.File) error { return nil }
