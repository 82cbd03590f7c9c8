package sysfs

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"
)

func TestSessionHost(t *testing.T) {
	tests := []struct {
		scenario      string
		sid, want     int
		wantErr, gone bool
	}{
		{"one-session-two-luns", 1, 0, false, false},
		{"two-sessions", 2, 3, false, false},
		{"two-sessions", 3, 4, false, false},
		{"two-sessions", 1, -1, true, true},
		{"no-transport", 1, -1, true, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			got, err := roots[tt.scenario].SessionHost(tt.sid)
			if got != tt.want || (err != nil) != tt.wantErr || errors.Is(err, fs.ErrNotExist) != tt.gone {
				t.Errorf("SessionHost(%d) = %d, %v, want %d, error %v", tt.sid, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSessionLUNs(t *testing.T) {
	tests := []struct {
		scenario string
		sid      int
		want     []LUN
		gone     bool
	}{
		{"one-session-two-luns", 1, []LUN{
			{Host: 0, LUN: 0, Type: 12, State: "running"},
			{Host: 0, LUN: 1, Type: 0, State: "running", Block: "sdb"},
		}, false},
		{"two-sessions", 2, []LUN{
			{Host: 3, LUN: 0, Type: 12, State: "running"},
			{Host: 3, LUN: 1, Type: 0, State: "transport-offline", Block: "sda"},
		}, false},
		// LUN 10 sorts after LUN 3, though "4:0:0:10" < "4:0:0:3".
		{"two-sessions", 3, []LUN{
			{Host: 4, LUN: 0, Type: 12, State: "running"},
			{Host: 4, LUN: 2, Type: 0, State: "running", Block: "sdc"},
			{Host: 4, LUN: 3, Type: 0, State: "running"},
			{Host: 4, LUN: 10, Type: 0, State: "offline", Block: "sdd"},
		}, false},
		{"two-sessions", 7, nil, true},
		{"no-transport", 1, nil, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			got, err := roots[tt.scenario].SessionLUNs(tt.sid)
			if !slices.Equal(got, tt.want) || (err != nil) != tt.gone || errors.Is(err, fs.ErrNotExist) != tt.gone {
				t.Errorf("SessionLUNs(%d) = %v, %v, want %v, not exist %v", tt.sid, got, err, tt.want, tt.gone)
			}
		})
	}
}

// A session whose scan has found nothing yet has no target directory.
func TestSessionLUNsBeforeScan(t *testing.T) {
	r := tree(t, "one-session-two-luns")
	if err := os.RemoveAll(r.path("devices/platform/host0/session1/target0:0:0")); err != nil {
		t.Fatal(err)
	}
	if got, err := r.SessionLUNs(1); len(got) != 0 || err != nil {
		t.Errorf("SessionLUNs(1) = %v, %v, want [], nil", got, err)
	}
}

func TestParseHCTL(t *testing.T) {
	tests := []struct {
		name string
		want LUN
		ok   bool
	}{
		{"0:0:0:1", LUN{LUN: 1}, true},
		{"12:3:4:18446744073709551615", LUN{Host: 12, Channel: 3, Target: 4, LUN: 18446744073709551615}, true},
		{"target0:0:0", LUN{}, false},
		{"0:0:0", LUN{}, false},
		{"0:0:0:x", LUN{}, false},
		{"-1:0:0:0", LUN{}, false},
		{"power", LUN{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := parseHCTL(tt.name); got != tt.want || ok != tt.ok {
				t.Errorf("parseHCTL(%q) = %+v, %v, want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLUNString(t *testing.T) {
	tests := []struct {
		lun        LUN
		want       string
		wantsBlock bool
	}{
		{LUN{Host: 4, LUN: 2, Type: 0, State: "running", Block: "sdc"}, "4:0:0:2 sdc (running)", true},
		{LUN{Host: 4, LUN: 3, Type: 0, State: "running"}, "4:0:0:3 no block device (running)", true},
		{LUN{LUN: 0, Type: 12, State: "running"}, "0:0:0:0 type 12, no block device (running)", false},
		{LUN{LUN: 1, Type: 5, State: "offline", Block: "sr0"}, "0:0:0:1 sr0 (offline)", true},
		{LUN{LUN: 1, Type: -1}, "0:0:0:1 no block device (state unknown)", true},
		{LUN{LUN: 1, Type: 1, State: "running"}, "0:0:0:1 type 1, no block device (running)", false},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.lun.String(); got != tt.want {
				t.Errorf("LUN.String() = %q, want %q", got, tt.want)
			}
			if got := tt.lun.WantsBlock(); got != tt.wantsBlock {
				t.Errorf("LUN{Type: %d}.WantsBlock() = %v, want %v", tt.lun.Type, got, tt.wantsBlock)
			}
		})
	}
}
