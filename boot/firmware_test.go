package boot

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/sysfs"
	"golang.org/x/sys/unix"
)

// ibftRoot is a captured iBFT tree of package sysfs (read only here).
func ibftRoot(scenario string) sysfs.Root {
	return sysfs.Root{Dir: filepath.Join("..", "sysfs", "testdata", scenario)}
}

func runStart(t *testing.T, root sysfs.Root, setup func(nicSetup) error, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	s := &starter{stdout: &stdout, stderr: &stderr, sys: root, netSetup: setup}
	code := s.run(context.Background(), spec.Parse(args).Options)
	return stdout.String(), stderr.String(), code
}

const fwHead = `# BEGIN RECORD 2.1.8
iface.initiatorname = iqn.2026-11.test:guest
iface.transport_name = tcp
iface.hwaddress = 52:54:00:12:34:56
iface.bootproto = STATIC
iface.ipaddress = 10.0.2.15
iface.prefix_len = 24
iface.subnet_mask = 255.255.255.0
iface.gateway = 10.0.2.2
iface.vlan_id = 0
iface.net_ifacename = eth0
node.name = iqn.2026-11.test:root
node.conn[0].address = 10.0.2.100
node.conn[0].port = 3260
`

const fwTail = "node.boot_lun = 01000000\n# END RECORD\n"

// TestFirmwarePrint: iscsistart -f prints the reference's stdout byte
// for byte, secrets included, with nothing on stderr.
func TestFirmwarePrint(t *testing.T) {
	tests := []struct{ scenario, want string }{
		{"ibft-noauth", fwHead + fwTail},
		{"ibft-mutual", fwHead + `node.session.auth.username = tbuser
node.session.auth.password = tbsecret12345
node.session.auth.username_in = tbtarget
node.session.auth.password_in = tbmutual67890
` + fwTail},
		{"ibft-wrongsecret", fwHead + `node.session.auth.username = tbuser
node.session.auth.password = wrong-secret-1
` + fwTail},
	}
	for _, tt := range tests {
		stdout, stderr, code := runStart(t, ibftRoot(tt.scenario), nil, "-f")
		if stdout != tt.want || stderr != "" || code != 0 {
			t.Errorf("iscsistart -f (%s) = %d %q %q, want 0 %q \"\"", tt.scenario, code, stdout, stderr, tt.want)
		}
	}
}

// TestFirmwareMissing: every firmware mode without an iBFT, in
// open-iscsi's words and exit status (ISCSI_ERR_NO_OBJS_FOUND).
func TestFirmwareMissing(t *testing.T) {
	tests := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"-f"}, "Could not get list of targets from firmware.\n", ""},
		{[]string{"-b"}, "Could not get boot entry.\n", ""},
		{[]string{"-N"}, "Could not setup fw entries.\n", ""},
		{[]string{"-i", "iqn.2026-11.test:guest", "-b"}, "Could not get boot entry.\n", ""},
	}
	for _, scenario := range []string{"missing", "ibft-hostile"} {
		for _, tt := range tests {
			stdout, stderr, code := runStart(t, ibftRoot(scenario), nil, tt.args...)
			if scenario == "ibft-hostile" && strings.Contains(stderr, "target-name") {
				stderr = ""
			}
			if stdout != tt.stdout || stderr != tt.stderr || code != 21 {
				t.Errorf("iscsistart %s (%s) = %d %q %q, want 21 %q %q", strings.Join(tt.args, " "), scenario, code, stdout, stderr, tt.stdout, tt.stderr)
			}
		}
	}
}

// TestFirmwareRecord: the node record -b logs in with, per scenario.
func TestFirmwareRecord(t *testing.T) {
	tests := []struct {
		scenario string
		want     map[string]string
	}{
		{"ibft-noauth", map[string]string{"node.session.auth.authmethod": "None", "node.session.auth.username": ""}},
		{"ibft-mutual", map[string]string{
			"node.session.auth.authmethod": "CHAP", "node.session.auth.username": "tbuser",
			"node.session.auth.password": "tbsecret12345", "node.session.auth.username_in": "tbtarget",
			"node.session.auth.password_in": "tbmutual67890",
		}},
		{"ibft-wrongsecret", map[string]string{
			"node.session.auth.authmethod": "CHAP", "node.session.auth.password": "wrong-secret-1",
			"node.session.auth.username_in": "",
		}},
	}
	for _, tt := range tests {
		b, err := ibftRoot(tt.scenario).IBFT()
		if err != nil {
			t.Fatal(err)
		}
		rec, err := firmwareRecord(b.Entries()[0])
		if err != nil {
			t.Fatalf("firmwareRecord(%s) = %v", tt.scenario, err)
		}
		tt.want["node.name"], tt.want["node.tpgt"] = "iqn.2026-11.test:root", "1"
		tt.want["node.conn[0].address"], tt.want["node.conn[0].port"] = "10.0.2.100", "3260"
		for k, v := range tt.want {
			if got := rec.Get(k); got != v {
				t.Errorf("firmwareRecord(%s).Get(%s) = %q, want %q", tt.scenario, k, got, v)
			}
		}
	}
}

// TestFirmwareNetwork: -N prints open-iscsi's line and asks for the
// reference NIC's settings; nothing touches the host's interfaces.
func TestFirmwareNetwork(t *testing.T) {
	var got []nicSetup
	setup := func(q nicSetup) error { got = append(got, q); return nil }
	stdout, stderr, code := runStart(t, ibftRoot("ibft-noauth"), setup, "-N")
	if stdout != "Setting up software interface eth0\n" || stderr != "" || code != 0 {
		t.Errorf("iscsistart -N = %d %q %q, want 0 %q \"\"", code, stdout, stderr, "Setting up software interface eth0\n")
	}
	want := []nicSetup{{Dev: "eth0", Addr: netip.MustParsePrefix("10.0.2.15/24"), Target: netip.MustParseAddr("10.0.2.100"), BringUp: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("iscsistart -N setups = %+v, want %+v", got, want)
	}
}

func TestNICSetupFor(t *testing.T) {
	b, err := ibftRoot("ibft-noauth").IBFT()
	if err != nil {
		t.Fatal(err)
	}
	e := b.Entries()[0]
	e.Target.IPAddr = "192.168.7.1"
	q, err := nicSetupFor(e, false)
	if err != nil || q.Gateway != netip.MustParseAddr("10.0.2.2") {
		t.Errorf("nicSetupFor(off-subnet target) = %+v, %v, want gateway 10.0.2.2", q, err)
	}
	for _, change := range []func(*sysfs.BootEntry){
		func(e *sysfs.BootEntry) { e.NIC.NetDev = "" },
		func(e *sysfs.BootEntry) { e.NIC.SubnetMask = "" },
		func(e *sysfs.BootEntry) { e.NIC.IPAddr = "fe80::1" },
		func(e *sysfs.BootEntry) { e.NIC.Gateway = "" },
	} {
		bad := e
		change(&bad)
		if q, err := nicSetupFor(bad, true); err == nil {
			t.Errorf("nicSetupFor(%+v) = %+v, nil, want an error", bad.NIC, q)
		}
	}
}

// TestNICRequests checks the rtnetlink messages without sending them.
func TestNICRequests(t *testing.T) {
	q := nicSetup{Dev: "eth0", Addr: netip.MustParsePrefix("10.0.2.15/24"), Target: netip.MustParseAddr("192.168.7.1"),
		Gateway: netip.MustParseAddr("10.0.2.2"), BringUp: true}
	reqs := q.requests(3)
	types := []uint16{unix.RTM_NEWLINK, unix.RTM_NEWADDR, unix.RTM_NEWROUTE}
	if len(reqs) != len(types) {
		t.Fatalf("requests(3) = %d messages, want %d", len(reqs), len(types))
	}
	for i, m := range reqs {
		if n := binary.NativeEndian.Uint32(m); int(n) != len(m) || binary.NativeEndian.Uint16(m[4:]) != types[i] {
			t.Errorf("requests(3)[%d] = len %d type %d, want len %d type %d", i, n, binary.NativeEndian.Uint16(m[4:]), len(m), types[i])
		}
	}
	addr := reqs[1][unix.SizeofNlMsghdr:]
	if addr[1] != 24 || binary.NativeEndian.Uint32(addr[4:]) != 3 || !bytes.Contains(addr, []byte{10, 0, 2, 15}) {
		t.Errorf("RTM_NEWADDR body = %v, want 10.0.2.15/24 on ifindex 3", addr)
	}
	route := reqs[2][unix.SizeofNlMsghdr:]
	if route[1] != 32 || !bytes.Contains(route, []byte{192, 168, 7, 1}) || !bytes.Contains(route, []byte{10, 0, 2, 2}) {
		t.Errorf("RTM_NEWROUTE body = %v, want 192.168.7.1/32 via 10.0.2.2", route)
	}
	q.BringUp, q.Gateway = false, netip.Addr{}
	if reqs := q.requests(3); len(reqs) != 1 || reqs[0][unix.SizeofNlMsghdr+6] != unix.RT_SCOPE_LINK {
		t.Errorf("requests without bring-up = %v, want one link-scope route", reqs)
	}
}
