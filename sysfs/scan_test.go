package sysfs

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

func TestScanHost(t *testing.T) {
	tests := []struct {
		scenario string
		host     int
		file     string // the scan file written, "" when none may be
		notExist bool
	}{
		{"one-session-two-luns", 0, "devices/platform/host0/scsi_host/host0/scan", false},
		{"two-sessions", 4, "devices/platform/host4/scsi_host/host4/scan", false},
		{"two-sessions", 0, "", true},
		{"no-transport", 7, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			r := tree(t, tt.scenario)
			err := r.ScanHost(tt.host)
			if (err != nil) != tt.notExist || errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Fatalf("ScanHost(%d) = %v, want not exist %v", tt.host, err, tt.notExist)
			}
			if tt.file == "" {
				return
			}
			if got, err := os.ReadFile(r.path(tt.file)); string(got) != "- - -" || err != nil {
				t.Errorf("ScanHost(%d) wrote %q, %v, want %q", tt.host, got, err, "- - -")
			}
		})
	}
	if err := tree(t, "one-session-two-luns").ScanHost(-1); err == nil {
		t.Errorf("ScanHost(-1) = nil, want an error")
	}
}

// ScanHost never creates a file: a host that is not there stays absent.
func TestScanHostCreatesNothing(t *testing.T) {
	r := tree(t, "one-session-two-luns")
	if err := os.MkdirAll(r.path("class/scsi_host/host9"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.ScanHost(9); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ScanHost(9) = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(r.path("class/scsi_host/host9/scan")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ScanHost(9) created the scan file: stat = %v", err)
	}
}
