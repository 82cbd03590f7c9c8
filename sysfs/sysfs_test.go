package sysfs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRootFrom(t *testing.T) {
	tests := []struct{ env, want string }{
		{"", "/sys"},
		{"/sys", "/sys"},
		{"/x///", "/x"},
		{"/tmp/sys/", "/tmp/sys"},
		{"relative/dir/", "relative/dir"},
		{"/", "/"},
		{"///", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			if got := rootFrom(tt.env); got.Dir != tt.want {
				t.Errorf("rootFrom(%q) = %q, want %q", tt.env, got.Dir, tt.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name, env, want string
		set             bool
	}{
		{name: "trailing slashes", env: "/x///", want: "/x", set: true},
		{name: "empty", env: "", want: "/sys", set: true},
		{name: "unset", want: "/sys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SYSFS_PATH", tt.env)
			if !tt.set {
				os.Unsetenv("SYSFS_PATH")
			}
			if got := FromEnv(); got.Dir != tt.want {
				t.Errorf("FromEnv() with SYSFS_PATH=%q = %q, want %q", tt.env, got.Dir, tt.want)
			}
		})
	}
}

func TestSessionsAndHosts(t *testing.T) {
	tests := []struct {
		scenario        string
		sessions, hosts []int
	}{
		{"one-session-two-luns", []int{1}, []int{0}},
		{"two-sessions", []int{2, 3}, []int{3, 4}},
		{"no-transport", nil, nil},
		{"missing", nil, nil},
	}
	roots := trees(t)
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			r := roots[tt.scenario]
			if got, err := r.Sessions(); err != nil || !slices.Equal(got, tt.sessions) {
				t.Errorf("Sessions() = %v, %v, want %v, nil", got, err, tt.sessions)
			}
			if got, err := r.Hosts(); err != nil || !slices.Equal(got, tt.hosts) {
				t.Errorf("Hosts() = %v, %v, want %v, nil", got, err, tt.hosts)
			}
		})
	}
}

func TestAttr(t *testing.T) {
	r := tree(t, "one-session-two-luns")
	tests := []struct {
		parts   []string
		want    string
		wantErr bool
	}{
		{[]string{"class/iscsi_session", "session1", "targetname"}, "iqn.2026-11.test:data", false},
		{[]string{"class/iscsi_host/host0/netdev"}, "(null)", false},
		{[]string{"class/scsi_host/host0/scan"}, "", true},
		{[]string{"class/iscsi_session/session9/targetname"}, "", true},
	}
	for _, tt := range tests {
		t.Run(filepath.Join(tt.parts...), func(t *testing.T) {
			got, err := r.Attr(tt.parts...)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("Attr(%q) = %q, %v, want %q, error %v", tt.parts, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
