package sysfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestValue(t *testing.T) {
	r := tree(t, "guest-two-targets")
	conn := filepath.Join(r.Dir, "class/iscsi_connection/connection1:0")
	if err := os.Remove(filepath.Join(conn, "port")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(conn, "port"), 0o755); err != nil { // reads fail, like ENOTCONN
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  Value
		want Value
	}{
		{"string", r.SessionValue(1, "targetname"), Value{Text: "iqn.2026-11.test:data"}},
		{"(null)", r.SessionValue(1, "username"), Value{}},
		{"missing", r.SessionValue(1, "nonesuch"), Value{Missing: true}},
		{"no session", r.SessionValue(7, "targetname"), Value{Missing: true}},
		{"unreadable", r.ConnValue(1, "port"), Value{Failed: true}},
		{"conn", r.ConnValue(2, "persistent_port"), Value{Text: "3260"}},
		{"iscsi_host", r.HostValue(1, "ipaddress"), Value{Text: "10.0.2.15"}},
		{"scsi_host", r.SCSIHostValue(0, "state"), Value{Text: "running"}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	if !r.SessionExists(2) || r.SessionExists(3) || !r.ConnExists(1) || r.ConnExists(3) {
		t.Error("SessionExists/ConnExists")
	}
	if !r.TransportLoaded("tcp") || r.TransportLoaded("iser") || r.TransportLoaded("../x") {
		t.Error("TransportLoaded")
	}
	if v, ok := r.TransportClassVersion(); !ok || v != "2.0-870" {
		t.Errorf("TransportClassVersion = %q, %v", v, ok)
	}
	if _, ok := tree(t, "two-sessions").TransportClassVersion(); ok {
		t.Error("two-sessions has no transport class version")
	}
}

func TestCInt(t *testing.T) {
	for in, want := range map[string]int{"120": 120, "off": 0, "": 0, " -1": -1, "12abc": 12, "99999999999": 1<<31 - 1, "-99999999999": -1 << 31} {
		if got := (Value{Text: in}).CInt(); got != want {
			t.Errorf("CInt(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestSessionFromPath(t *testing.T) {
	r := tree(t, "guest-two-targets")
	tests := []struct {
		path string
		sid  int
		err  error
	}{
		{"/sys/class/iscsi_session/session2", 2, nil},
		{"/sys/devices/platform/host0/session1", 1, nil},
		{"/sys/devices/platform/host0/session1/target0:0:0/0:0:0:1/block/sdb", 1, nil},
		{"/sys/class/block/sda", 2, nil},
		{"/sys/class/iscsi_host/host0", -1, errors.New("")},
		{"/sys/nowhere", -1, fs.ErrNotExist},
		{"/sys/class/iscsi_session/session1/targetname", -1, ErrNotDir},
		{filepath.Join(r.Dir, "class/iscsi_session/session1"), 1, nil},
	}
	for _, tt := range tests {
		sid, err := r.SessionFromPath(tt.path)
		switch {
		case sid != tt.sid, (err == nil) != (tt.err == nil):
			t.Errorf("%s: %d, %v; want %d, %v", tt.path, sid, err, tt.sid, tt.err)
		case tt.err == fs.ErrNotExist || tt.err == ErrNotDir:
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: %v, want %v", tt.path, err, tt.err)
			}
		}
	}
}
