package sysfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWaitBlockDevicesReady(t *testing.T) {
	tests := []struct {
		scenario string
		sid      int
		want     []string
	}{
		{"one-session-two-luns", 1, []string{"", "sdb"}},
		{"two-sessions", 2, []string{"", "sda"}},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			luns, err := roots[tt.scenario].WaitBlockDevices(ctx, tt.sid, time.Millisecond)
			if got := blocks(luns); !slices.Equal(got, tt.want) || err != nil {
				t.Errorf("WaitBlockDevices(%d) = %q, %v, want %q, nil", tt.sid, got, err, tt.want)
			}
		})
	}
}

func blocks(luns []LUN) []string {
	var out []string
	for _, l := range luns {
		out = append(out, l.Block)
	}
	return out
}

// The disk's block directory appears some polls after the wait begins.
func TestWaitBlockDevicesDelayed(t *testing.T) {
	r := tree(t, "one-session-two-luns")
	lun := r.path("devices/platform/host0/session1/target0:0:0/0:0:0:1")
	if err := os.RemoveAll(lun + "/block"); err != nil {
		t.Fatal(err)
	}
	appeared := make(chan error, 1)
	timer := time.AfterFunc(30*time.Millisecond, func() {
		appeared <- os.MkdirAll(lun+"/block/sdb", 0o755)
	})
	defer timer.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	luns, err := r.WaitBlockDevices(ctx, 1, 2*time.Millisecond)
	if got := blocks(luns); !slices.Equal(got, []string{"", "sdb"}) || err != nil {
		t.Errorf("WaitBlockDevices(1) = %q, %v, want %q, nil", got, err, []string{"", "sdb"})
	}
	if err := <-appeared; err != nil {
		t.Fatal(err)
	}
}

func TestWaitBlockDevicesTimeout(t *testing.T) {
	tests := []struct {
		name  string
		root  func(t *testing.T) Root
		sid   int
		seen  string
		count int
	}{
		{"a disk without block device", func(t *testing.T) Root { return tree(t, "two-sessions") }, 3,
			"4:0:0:3 no block device (running)", 4},
		{"no LUNs yet", func(t *testing.T) Root {
			r := tree(t, "one-session-two-luns")
			if err := os.RemoveAll(r.path("devices/platform/host0/session1/target0:0:0")); err != nil {
				t.Fatal(err)
			}
			return r
		}, 1, "no LUNs", 0},
		{"only the controller", func(t *testing.T) Root {
			r := tree(t, "one-session-two-luns")
			if err := os.RemoveAll(r.path("devices/platform/host0/session1/target0:0:0/0:0:0:1")); err != nil {
				t.Fatal(err)
			}
			return r
		}, 1, "0:0:0:0 type 12, no block device (running)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
			defer cancel()
			luns, err := tt.root(t).WaitBlockDevices(ctx, tt.sid, 5*time.Millisecond)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tt.seen) || len(luns) != tt.count {
				t.Errorf("WaitBlockDevices(%d) = %v, %v, want %d LUNs, context.DeadlineExceeded mentioning %q",
					tt.sid, luns, err, tt.count, tt.seen)
			}
		})
	}
}

// A session that does not exist fails at once, not at the deadline.
func TestWaitBlockDevicesNoSession(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	luns, err := tree(t, "two-sessions").WaitBlockDevices(ctx, 9, time.Hour)
	if !errors.Is(err, fs.ErrNotExist) || luns != nil {
		t.Errorf("WaitBlockDevices(9) = %v, %v, want nil, fs.ErrNotExist", luns, err)
	}
}

// A cancelled wait returns ctx's error even with a long poll interval.
func TestWaitBlockDevicesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err := tree(t, "two-sessions").WaitBlockDevices(ctx, 3, time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WaitBlockDevices(3) = %v, want context.Canceled", err)
	}
}
