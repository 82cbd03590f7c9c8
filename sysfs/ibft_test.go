package sysfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func referenceNIC() IBFTNIC {
	return IBFTNIC{
		Index: 0, Flags: 7, Origin: 1, PrefixLen: 24, IPAddr: "10.0.2.15", SubnetMask: "255.255.255.0",
		Gateway: "10.0.2.2", VLAN: "0", MAC: "52:54:00:12:34:56", NetDev: "eth0", DevLinked: true,
	}
}

func referenceTarget() IBFTTarget {
	return IBFTTarget{
		Flags: 3, Port: 3260, HasNICAssoc: true, IPAddr: "10.0.2.100", LUN: "01000000",
		Name: "iqn.2026-11.test:root",
	}
}

func TestIBFT(t *testing.T) {
	mutual := referenceTarget()
	mutual.ChapType, mutual.ChapName, mutual.ChapSecret = 2, "tbuser", "tbsecret12345"
	mutual.RevChapName, mutual.RevChapSecret = "tbtarget", "tbmutual67890"
	wrong := referenceTarget()
	wrong.ChapType, wrong.ChapName, wrong.ChapSecret = 1, "tbuser", "wrong-secret-1"
	ini := IBFTInitiator{Name: "iqn.2026-11.test:guest", Flags: 3}
	tests := []struct {
		scenario string
		want     IBFT
	}{
		{"ibft-noauth", IBFT{ini, []IBFTNIC{referenceNIC()}, []IBFTTarget{referenceTarget()}}},
		{"ibft-mutual", IBFT{ini, []IBFTNIC{referenceNIC()}, []IBFTTarget{mutual}}},
		{"ibft-wrongsecret", IBFT{ini, []IBFTNIC{referenceNIC()}, []IBFTTarget{wrong}}},
	}
	for _, tt := range tests {
		got, err := tree(t, tt.scenario).IBFT()
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("IBFT(%s) = %+v, %v, want %+v", tt.scenario, got, err, tt.want)
		}
	}
}

func TestIBFTMissing(t *testing.T) {
	for _, scenario := range []string{"missing", "no-transport"} {
		_, err := tree(t, scenario).IBFT()
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("IBFT(%s) = %v, want an error wrapping fs.ErrNotExist", scenario, err)
		}
	}
}

// TestIBFTHostile: values firmware could use to escape a directory or
// forge record lines are refused, and secrets never reach the error.
func TestIBFTHostile(t *testing.T) {
	if _, err := tree(t, "ibft-hostile").IBFT(); err == nil || !strings.Contains(err.Error(), "target-name") {
		t.Errorf("IBFT(ibft-hostile) = %v, want a target-name error", err)
	}
	tests := []struct{ file, value, want string }{
		{"target0/target-name", "iqn.2026-11.test:root\nnode.startup = automatic", "target-name"},
		{"target0/target-name", "../../evil", "target-name"},
		{"target0/target-name", "iqn." + strings.Repeat("x", 230), "target-name"},
		{"target0/ip-addr", "10.0.2.100; rm -rf /", "ip-addr"},
		{"target0/port", "70000", "port"},
		{"ethernet0/mac", "52:54:00", "mac"},
		{"ethernet0/gateway", "gw", "gateway"},
		{"ethernet0/vlan", "5000", "vlan"},
		{"initiator/initiator-name", "iqn.2026-11.test:a/../b", "initiator-name"},
		{"target0/chap-secret", "hunter2\x01", "chap-secret"},
	}
	for _, tt := range tests {
		r := tree(t, "ibft-noauth")
		if err := os.WriteFile(filepath.Join(r.Dir, "firmware", "ibft", tt.file), []byte(tt.value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := r.IBFT()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("IBFT(%s = %q) = %v, want an error naming %s", tt.file, tt.value, err, tt.want)
		}
	}
}

func TestIBFTTargetStringMasks(t *testing.T) {
	tgt := referenceTarget()
	tgt.ChapName, tgt.ChapSecret, tgt.RevChapName, tgt.RevChapSecret = "u", "s3cret", "ui", "m0tual"
	for _, s := range []string{tgt.String(), fmt.Sprint(tgt), fmt.Sprintf("%v", []IBFTTarget{tgt})} {
		if strings.Contains(s, "s3cret") || strings.Contains(s, "m0tual") || !strings.Contains(s, "********") {
			t.Errorf("IBFTTarget.String() = %q, want secrets masked", s)
		}
	}
}

func TestIBFTEntries(t *testing.T) {
	noauth, err := tree(t, "ibft-noauth").IBFT()
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{
		{"iface.initiatorname", "iqn.2026-11.test:guest"}, {"iface.transport_name", "tcp"},
		{"iface.hwaddress", "52:54:00:12:34:56"}, {"iface.bootproto", "STATIC"},
		{"iface.ipaddress", "10.0.2.15"}, {"iface.prefix_len", "24"}, {"iface.subnet_mask", "255.255.255.0"},
		{"iface.gateway", "10.0.2.2"}, {"iface.vlan_id", "0"}, {"iface.net_ifacename", "eth0"},
		{"node.name", "iqn.2026-11.test:root"}, {"node.conn[0].address", "10.0.2.100"},
		{"node.conn[0].port", "3260"}, {"node.boot_lun", "01000000"},
	}
	entries := noauth.Entries()
	if len(entries) != 1 || !reflect.DeepEqual(entries[0].Fields(), want) {
		t.Errorf("Entries() = %+v, want one entry with %v", entries, want)
	}
	if e, ok := noauth.Boot(); !ok || e.Target.Name != "iqn.2026-11.test:root" || e.NIC.NetDev != "eth0" {
		t.Errorf("Boot() = %+v, %v, want target0 on eth0", e, ok)
	}

	// Skipped: a target without flags, one whose nic-assoc names no NIC,
	// and a NIC whose device has no interface.
	tests := []struct {
		name   string
		change func(*IBFT)
	}{
		{"target flags 0", func(b *IBFT) { b.Targets[0].Flags = 0 }},
		{"nic-assoc unknown", func(b *IBFT) { b.Targets[0].NICAssoc = 4 }},
		{"nic flags 0", func(b *IBFT) { b.NICs[0].Flags = 0 }},
		{"device without netdev", func(b *IBFT) { b.NICs[0].NetDev = "" }},
	}
	for _, tt := range tests {
		b, _ := tree(t, "ibft-noauth").IBFT()
		tt.change(&b)
		if got := b.Entries(); len(got) != 0 {
			t.Errorf("Entries() with %s = %+v, want none", tt.name, got)
		}
	}
	b, _ := tree(t, "ibft-noauth").IBFT()
	b.Targets[0].Flags = 1
	if e, ok := b.Boot(); ok {
		t.Errorf("Boot() without boot-selected target = %+v, true, want false", e)
	}
}

// A NIC whose device has no net/ is found by its MAC in class/net.
func TestIBFTNetDevByMAC(t *testing.T) {
	r := tree(t, "ibft-noauth")
	dev := filepath.Join(r.Dir, "devices", "pci0000:00", "0000:00:02.0")
	if err := os.RemoveAll(filepath.Join(dev, "net")); err != nil {
		t.Fatal(err)
	}
	cls := filepath.Join(r.Dir, "class", "net", "ens3")
	if err := os.MkdirAll(cls, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cls, "address"), []byte("52:54:00:12:34:56\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := r.IBFT()
	if err != nil || b.NICs[0].NetDev != "ens3" {
		t.Errorf("IBFT().NICs[0].NetDev = %+v, %v, want ens3", b.NICs, err)
	}
}
