package sysfs

import (
	"errors"
	"io/fs"
	"testing"
)

func TestReadSession(t *testing.T) {
	tests := []struct {
		scenario string
		sid      int
		want     Session
		wantErr  bool
	}{
		{"one-session-two-luns", 1, Session{SID: 1, Target: "iqn.2026-11.test:data", TPGT: 1, Address: "10.0.2.100", Port: 3260,
			Transport: "tcp", Host: 0, State: "LOGGED_IN", RecoveryTmo: 120}, false},
		{"two-sessions", 2, Session{SID: 2, Target: "iqn.2026-11.test:root", TPGT: 1, Address: "10.0.2.100", Port: 3260,
			Transport: "tcp", Host: 3, State: "FAILED", RecoveryTmo: 120}, false},
		{"two-sessions", 3, Session{SID: 3, Target: "iqn.2026-11.test:many", TPGT: 2, Address: "fd00::100", Port: 3260,
			Transport: "tcp", Host: 4, State: "LOGGED_IN", RecoveryTmo: -1}, false},
		{"two-sessions", 1, Session{SID: 1, Host: -1}, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			got, err := roots[tt.scenario].ReadSession(tt.sid)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ReadSession(%d) = %+v, %v, want %+v, error %v", tt.sid, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestConnection(t *testing.T) {
	tests := []struct {
		scenario string
		sid      int
		want     Connection
		notExist bool
	}{
		{"one-session-two-luns", 1, Connection{SID: 1, PersistentAddress: "10.0.2.100", PersistentPort: 3260,
			Address: "10.0.2.100", Port: 3260, State: "up"}, false},
		{"two-sessions", 2, Connection{SID: 2, PersistentAddress: "10.0.2.100", PersistentPort: 3260, State: "failed"}, false},
		{"two-sessions", 3, Connection{SID: 3, PersistentAddress: "fd00::100", PersistentPort: 3260,
			Address: "fd00::100", Port: 3260, State: "up"}, false},
		{"no-transport", 1, Connection{SID: 1}, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			got, err := roots[tt.scenario].Connection(tt.sid, 0)
			if got != tt.want || errors.Is(err, fs.ErrNotExist) != tt.notExist || (err != nil) != tt.notExist {
				t.Errorf("Connection(%d, 0) = %+v, %v, want %+v, not exist %v", tt.sid, got, err, tt.want, tt.notExist)
			}
		})
	}
}

func TestParseTmo(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"120", 120}, {"0", 0}, {"off", -1}, {"", 0}, {"junk", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseTmo(tt.in); got != tt.want {
				t.Errorf("parseTmo(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}
