package sysfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestTransport(t *testing.T) {
	tests := []struct {
		scenario, name string
		want           Transport
		notExist       bool
		wantErr        bool
	}{
		{"one-session-two-luns", "tcp", Transport{Name: "tcp", Handle: 18446744072102589056, Caps: 0x39}, false, false},
		{"two-sessions", "tcp", Transport{Name: "tcp", Handle: 18446744072102589056, Caps: 0x39}, false, false},
		{"one-session-two-luns", "iser", Transport{Name: "iser"}, true, true},
		{"no-transport", "tcp", Transport{Name: "tcp"}, true, true},
		{"missing", "tcp", Transport{Name: "tcp"}, true, true},
		{"one-session-two-luns", "../iscsi_host", Transport{Name: "../iscsi_host"}, false, true},
		{"one-session-two-luns", "", Transport{}, false, true},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.name, func(t *testing.T) {
			got, err := roots[tt.scenario].Transport(tt.name)
			if got != tt.want || (err != nil) != tt.wantErr || errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Errorf("Transport(%q) = %+v, %v, want %+v, error %v (not exist %v)", tt.name, got, err, tt.want, tt.wantErr, tt.notExist)
			}
		})
	}
}

func TestTransportMalformed(t *testing.T) {
	tests := []struct{ name, handle, caps string }{
		{"hex handle", "0xffffffffa037b280\n", "0x39\n"},
		{"negative handle", "-1\n", "0x39\n"},
		{"decimal caps", "18446744072102589056\n", "57\n"},
		{"empty caps", "18446744072102589056\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tree(t, "one-session-two-luns")
			dir := r.path("devices/virtual/iscsi_transport/tcp")
			for file, v := range map[string]string{"handle": tt.handle, "caps": tt.caps} {
				if err := os.WriteFile(filepath.Join(dir, file), []byte(v), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := r.Transport("tcp"); err == nil {
				t.Errorf("Transport(%q) = %+v, nil, want an error", "tcp", got)
			}
		})
	}
}
