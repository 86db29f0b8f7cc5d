package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// LockedError means another daemon holds the database's lock: two daemons on one database
// would each ask operators about the same ban and each send every message.
type LockedError struct {
	// Database is the database file, Lock the lock file beside it.
	Database, Lock string
	// PID is the process that holds the lock, as it wrote it in the lock file; 0 when it
	// could not be read.
	PID int
}

func (e *LockedError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("database %s is in use by another modwatch daemon (%s, lock file %s): "+
		"stop that one first, or give this one another database", e.Database, pid, e.Lock)
}

// LockPath is the lock file of a database: beside it, so that it names the same file for
// every process whatever its working directory.
func LockPath(database string) string { return database + ".lock" }

// dbLock is a held lock on a database; Release lets the next daemon in.
type dbLock struct{ f *os.File }

// lockDatabase takes the exclusive lock on database's lock file, without waiting, and
// writes this process's PID into it. The operating system drops the lock when the process
// ends, however it ends, so a killed daemon never leaves a stale lock behind.
func lockDatabase(database string) (*dbLock, error) {
	path := LockPath(database)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := tryLock(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, &LockedError{Database: database, Lock: path, PID: holderPID(path)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The file is left in place on release: removing it would let a daemon starting at
	// that instant lock a file the next one no longer sees.
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write pid to %s: %w", path, err)
	}
	return &dbLock{f: f}, nil
}

// holderPID reads the PID the holder wrote. The holder writes it just after locking, so
// an empty file is read again for a moment before giving up.
func holderPID(path string) int {
	for range 20 {
		if b, err := readSmall(path); err == nil {
			if pid, err := strconv.Atoi(string(bytes.TrimSpace(b))); err == nil && pid > 0 {
				return pid
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return 0
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 32))
}

// Release drops the lock; calling it again does nothing.
func (l *dbLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Closing the file drops the lock.
	if err := f.Close(); err != nil {
		return fmt.Errorf("release database lock: %w", err)
	}
	return nil
}
