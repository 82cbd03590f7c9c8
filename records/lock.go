package records

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockTimeout is how long Lock waits for another holder, as open-iscsi.
const LockTimeout = 30 * time.Second

// Lock takes the database lock shared with open-iscsi's tools (see the
// package documentation) and returns the function that releases it.
func (s *Store) Lock(ctx context.Context) (unlock func(), err error) {
	dir := s.LockDir
	if dir == "" {
		dir = DefaultLockDir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	write := filepath.Join(dir, "lock.write")
	lock := filepath.Join(dir, "lock")
	f, err := os.OpenFile(write, os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	// goiscsi's processes queue on an flock of lock.write first, in the
	// kernel: a hundred iscsiadm polling the link below would starve the
	// one holding it of CPU on a small machine. open-iscsi's tools do not
	// take the flock; the link still excludes them.
	if err := flockContext(ctx, f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock: %s is held: %w", write, err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		err := os.Link(write, lock)
		if err == nil {
			return func() { _ = os.Remove(lock); f.Close() }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			f.Close()
			return nil, fmt.Errorf("lock: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock: %s is held (remove it if no iscsiadm or iscsid is running): %w", lock, ctx.Err())
		case <-tick.C:
		}
	}
}

// flockContext takes an exclusive flock of f, waiting in the kernel,
// until ctx ends. A wait that ctx ends goes on in the background and
// lets go of the lock as soon as it gets it.
func flockContext(ctx context.Context, f *os.File) error {
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		return nil
	}
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return err
	}
	got := make(chan error, 1)
	abandon := make(chan struct{})
	go func() {
		defer syscall.Close(fd)
		err := syscall.Flock(fd, syscall.LOCK_EX)
		select {
		case got <- err:
		case <-abandon:
			if err == nil {
				_ = syscall.Flock(fd, syscall.LOCK_UN)
			}
		}
	}()
	select {
	case err := <-got:
		return err
	case <-ctx.Done():
		close(abandon)
		select {
		case err := <-got: // it came just now
			if err == nil {
				return nil
			}
		default:
		}
		return ctx.Err()
	}
}
