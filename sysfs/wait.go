package sysfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// defaultPoll is WaitBlockDevices' interval when the caller gives none.
const defaultPoll = 100 * time.Millisecond

// WaitBlockDevices polls session sid every poll (100ms when poll <= 0)
// until at least one of its LUNs has a block device and every LUN that
// takes one (see LUN.WantsBlock) has it, and returns those LUNs.
// If the session does not exist it fails at once, with an error
// wrapping fs.ErrNotExist. If ctx ends first it returns the LUNs it saw
// last and ctx's error, wrapped with a description of them.
func (r Root) WaitBlockDevices(ctx context.Context, sid int, poll time.Duration) ([]LUN, error) {
	if poll <= 0 {
		poll = defaultPoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		luns, err := r.SessionLUNs(sid)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, err
		case err == nil && blockReady(luns):
			return luns, nil
		}
		select {
		case <-ctx.Done():
			return luns, waitError(sid, luns, err, ctx.Err())
		case <-tick.C:
		}
	}
}

// blockReady: some LUN has a block device and none still lacks one.
func blockReady(luns []LUN) bool {
	some := false
	for _, l := range luns {
		if l.Block != "" {
			some = true
		} else if l.WantsBlock() {
			return false
		}
	}
	return some
}

func waitError(sid int, luns []LUN, last, cause error) error {
	seen := "no LUNs"
	if len(luns) > 0 {
		parts := make([]string, len(luns))
		for i, l := range luns {
			parts[i] = l.String()
		}
		seen = strings.Join(parts, ", ")
	}
	if last != nil {
		seen += fmt.Sprintf("; last read failed: %v", last)
	}
	return fmt.Errorf("sysfs: session %d: waiting for block devices, last seen %s: %w", sid, seen, cause)
}
