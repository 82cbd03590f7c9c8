package sysfs

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNetDevs(t *testing.T) {
	dir := t.TempDir()
	for name, attrs := range map[string]map[string]string{
		"lo":   {"ifindex": "1", "address": "00:00:00:00:00:00", "flags": "0x9"},
		"eth1": {"ifindex": "3", "address": "52:54:00:12:34:57", "flags": "0x1003"},
		"eth0": {"ifindex": "2", "address": "52:54:00:12:34:56", "flags": "0x1003"},
		"tun0": {"ifindex": "4", "flags": "0x1091"},
		"bad":  {"ifindex": "x"},
	} {
		d := filepath.Join(dir, "class", "net", name)
		os.MkdirAll(d, 0o755)
		for k, v := range attrs {
			os.WriteFile(filepath.Join(d, k), []byte(v+"\n"), 0o644)
		}
	}
	r := Root{Dir: dir}
	devs, err := r.NetDevs()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range devs {
		names = append(names, d.Name)
	}
	if got := filepath.Join(names...); got != "lo/eth0/eth1/tun0" {
		t.Errorf("NetDevs = %v, want lo, eth0, eth1, tun0 by index", names)
	}
	eth0, err := r.NetDev("eth0")
	if err != nil || eth0.Index != 2 || eth0.Loopback || !bytes.Equal(eth0.MAC, []byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}) {
		t.Errorf("NetDev(eth0) = %+v, %v", eth0, err)
	}
	if lo, _ := r.NetDev("lo"); !lo.Loopback {
		t.Errorf("lo is not loopback: %+v", lo)
	}
	if tun, _ := r.NetDev("tun0"); tun.MAC != nil {
		t.Errorf("tun0 has a MAC: %+v", tun)
	}
	for _, bad := range []string{"", "..", "eth0/../lo", "missing", "bad"} {
		if _, err := r.NetDev(bad); err == nil {
			t.Errorf("NetDev(%q) succeeded", bad)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for _, tt := range []struct {
		in, out string
	}{
		{"52:54:00:12:34:56", "52:54:00:12:34:56"},
		{"52-54-00-AB-cd-EF", "52:54:00:ab:cd:ef"},
		{"02:00:5e:10:00:00:00:01", "02:00:5e:10:00:00:00:01"},
		{"52:54:00:12:34", ""},
		{"52:54:00:12:34:5", ""},
		{"52:54:00:12:34:zz", ""},
		{"525400123456", ""},
		{"", ""},
	} {
		mac, err := ParseMAC(tt.in)
		if tt.out == "" {
			if err == nil {
				t.Errorf("ParseMAC(%q) = %v, want an error", tt.in, mac)
			}
			continue
		}
		if err != nil || formatMAC(mac) != tt.out {
			t.Errorf("ParseMAC(%q) = %s, %v; want %s", tt.in, formatMAC(mac), err, tt.out)
		}
	}
}

// formatMAC writes mac as lower-case hex pairs separated by ':'.
func formatMAC(mac []byte) string {
	parts := make([]string, len(mac))
	for i, c := range mac {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, ":")
}
