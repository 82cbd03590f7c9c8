package sysfs

import (
	"errors"
	"io/fs"
	"testing"
)

func TestHost(t *testing.T) {
	tests := []struct {
		scenario string
		host     int
		want     Host
		notExist bool
	}{
		{"one-session-two-luns", 0, Host{No: 0, IPAddress: "10.0.2.15", ProcName: "iscsi_tcp", State: "running"}, false},
		{"two-sessions", 3, Host{No: 3, ProcName: "iscsi_tcp", State: "running"}, false},
		{"two-sessions", 4, Host{No: 4, IPAddress: "fd00::15", ProcName: "iscsi_tcp", State: "running"}, false},
		{"two-sessions", 0, Host{No: 0}, true},
		{"no-transport", 0, Host{No: 0}, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			got, err := roots[tt.scenario].Host(tt.host)
			if got != tt.want || (err != nil) != tt.notExist || errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Errorf("Host(%d) = %+v, %v, want %+v, not exist %v", tt.host, got, err, tt.want, tt.notExist)
			}
		})
	}
	if got, err := tree(t, "one-session-two-luns").Host(-1); err == nil {
		t.Errorf("Host(-1) = %+v, nil, want an error", got)
	}
}
