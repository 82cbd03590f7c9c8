package admin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runFW(t *testing.T, scenario string, args ...string) (string, string, int) {
	t.Helper()
	env := Env{
		ConfigDir: t.TempDir(), LockDir: t.TempDir(),
		SysfsRoot:    filepath.Join("..", "sysfs", "testdata", scenario),
		DaemonSocket: fmt.Sprintf("goiscsi-test/fw-%d-none", os.Getpid()),
	}
	var stdout, stderr bytes.Buffer
	st := Run(context.Background(), env, append([]string{"iscsiadm", "-m", "fw"}, args...), nil, &stdout, &stderr)
	return stdout.String(), stderr.String(), st
}

const fwRecordHead = `# BEGIN RECORD 2.1.8
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

func TestFWPrint(t *testing.T) {
	tests := []struct{ scenario, want string }{
		{"ibft-noauth", fwRecordHead + "node.boot_lun = 01000000\n# END RECORD\n"},
		{"ibft-mutual", fwRecordHead + `node.session.auth.username = tbuser
node.session.auth.password = tbsecret12345
node.session.auth.username_in = tbtarget
node.session.auth.password_in = tbmutual67890
node.boot_lun = 01000000
# END RECORD
`},
	}
	for _, tt := range tests {
		stdout, stderr, st := runFW(t, tt.scenario)
		if stdout != tt.want || stderr != "" || st != 0 {
			t.Errorf("iscsiadm -m fw (%s) = %d %q %q, want 0 %q \"\"", tt.scenario, st, stdout, stderr, tt.want)
		}
	}
}

func TestFWErrors(t *testing.T) {
	const noTargets = "iscsiadm: Could not get list of targets from firmware. (err 21)\n"
	portal := "[iface: default, target: iqn.2026-11.test:root, portal: 10.0.2.100,3260]"
	tests := []struct {
		name, scenario string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"no iBFT", "missing", nil, 21, "", noTargets},
		{"no iBFT login", "missing", []string{"-l"}, 21, "", noTargets},
		{"hostile iBFT", "ibft-hostile", nil, 21, "",
			"iscsiadm: sysfs: iBFT target0/target-name: \"iqn.2026-11.test:a/../../evil\" contains '/' or \"..\"\n" + noTargets},
		{"login without iscsid", "ibft-noauth", []string{"-l"}, 20, "Logging in to " + portal + "\n",
			"iscsiadm: can not connect to iSCSI daemon (111)!\niscsiadm: Could not login to " + portal + ".\n" +
				"iscsiadm: initiator reported error (20 - could not connect to iscsid)\n"},
		{"bad option", "ibft-noauth", []string{"-T", "x"}, 7, "", "iscsiadm: fw mode: option '-T' is not allowed/supported\n"},
	}
	for _, tt := range tests {
		stdout, stderr, st := runFW(t, tt.scenario, tt.args...)
		if st != tt.code || stdout != tt.stdout || stderr != tt.stderr {
			t.Errorf("iscsiadm -m fw %s (%s) = %d %q %q, want %d %q %q", strings.Join(tt.args, " "), tt.name, st, stdout, stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}
