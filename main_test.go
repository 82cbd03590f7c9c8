package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "iscsiadm")
	if err := os.Symlink("/nonexistent/goiscsi", link); err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(dir, "my-admin")
	if err := os.Symlink(link, chain); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stdout string
		code   int
	}{
		{"by name", []string{"iscsiadm", "--version"}, "iscsiadm version 2.1.8\n", 0},
		{"by path", []string{"/usr/sbin/iscsiadm", "-V"}, "iscsiadm version 2.1.8\n", 0},
		{"by symlink chain", []string{chain, "-V"}, "iscsiadm version 2.1.8\n", 0},
		{"as argument", []string{"goiscsi", "iscsiadm", "-V"}, "iscsiadm version 2.1.8\n", 0},
		{"iscsistart", []string{"/sbin/iscsistart", "-v"}, "iscsistart version 2.1.8\n", 0},
		{"iscsid", []string{"goiscsi", "iscsid", "--version"}, "iscsid version 2.1.8\n", 0},
		{"unknown", []string{"goiscsi", "frobnicate"}, "", 1},
		{"no role", []string{"goiscsi"}, "", 1},
		{"empty argv", nil, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), tt.args, nil, &stdout, &stderr)
			if code != tt.code || stdout.String() != tt.stdout {
				t.Errorf("dispatch(%q) = %d, %q; want %d, %q", tt.args, code, stdout.String(), tt.code, tt.stdout)
			}
			if tt.code == 1 && !strings.Contains(stderr.String(), "iscsiadm") {
				t.Errorf("unknown role: stderr does not list the roles: %q", stderr.String())
			}
		})
	}
}

func TestInameByName(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"iscsi-iname", "-g", "-p", "iqn.2001-04.com.example"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("iscsi-iname = %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "InitiatorName=iqn.2001-04.com.example:") {
		t.Errorf("iscsi-iname -g -p … printed %q", stdout.String())
	}
}
