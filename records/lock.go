package records

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	f.Close()
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		err := os.Link(write, lock)
		if err == nil {
			return func() { _ = os.Remove(lock) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock: %s is held (remove it if no iscsiadm or iscsid is running): %w", lock, ctx.Err())
		case <-tick.C:
		}
	}
}
