package admin

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/internal/compat"
)

// crossSetup makes records of every kind.
var crossSetup = [][]string{
	{"iscsiadm", "-m", "iface", "-I", "if0", "-o", "new"},
	{"iscsiadm", "-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a", "-p", "10.0.2.100:3260,1"},
	{"iscsiadm", "-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a", "-p", "10.0.2.100:3260,1", "-I", "if0"},
	{"iscsiadm", "-m", "node", "-o", "new", "-T", "iqn.2026-11.test:b", "-p", "[fe80::1]:3261"},
	{"iscsiadm", "-m", "node", "-T", "iqn.2026-11.test:a", "-p", "10.0.2.100", "-o", "update",
		"-n", "node.session.auth.authmethod", "-v", "CHAP", "-n", "node.session.auth.username", "-v", "u",
		"-n", "node.session.auth.password", "-v", "secret1234567", "-n", "node.startup", "-v", "onboot"},
	{"iscsiadm", "-m", "discoverydb", "-t", "st", "-p", "10.0.2.100", "-o", "new"},
	{"iscsiadm", "-m", "discoverydb", "-t", "st", "-p", "10.0.2.100", "-o", "update", "-n", "discovery.sendtargets.auth.password", "-v", "dsecret"},
}

// crossReads are what the other tool must print identically.
var crossReads = [][]string{
	{"iscsiadm", "-m", "node"},
	{"iscsiadm", "-m", "node", "-P", "1"},
	{"iscsiadm", "-m", "node", "-T", "iqn.2026-11.test:a", "-S"},
	{"iscsiadm", "-m", "node", "-T", "iqn.2026-11.test:b"},
	{"iscsiadm", "-m", "iface"},
	{"iscsiadm", "-m", "iface", "-I", "if0"},
	{"iscsiadm", "-m", "discoverydb", "-t", "st", "-p", "10.0.2.100", "-S"},
}

// TestCrossRead checks that records written by goiscsi read the same in
// open-iscsi's iscsiadm and the other way round (host tier).
func TestCrossRead(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("host tier: needs root to run open-iscsi's iscsiadm in a mount namespace")
	}
	if _, err := exec.LookPath("/sbin/iscsiadm"); err != nil {
		t.Skip("host tier: open-iscsi is not installed")
	}
	ours := func(root string) func([]string) compat.Result {
		env := Env{ConfigDir: root, LockDir: t.TempDir(), SysfsRoot: t.TempDir()}
		return func(args []string) compat.Result {
			var stdout, stderr bytes.Buffer
			st := Run(context.Background(), env, args, nil, &stdout, &stderr)
			return compat.Result{Stdout: stdout.String(), Stderr: stderr.String(), Status: st}
		}
	}
	theirs := func(root string) func([]string) compat.Result {
		return func(args []string) compat.Result { return runOpenISCSI(t, root, args) }
	}
	for _, dir := range []struct {
		name           string
		writer, reader func(string) func([]string) compat.Result
	}{
		{"goiscsi writes, open-iscsi reads", ours, theirs},
		{"open-iscsi writes, goiscsi reads", theirs, ours},
	} {
		t.Run(dir.name, func(t *testing.T) {
			root := newRoot(t)
			write := dir.writer(root)
			for _, args := range crossSetup {
				if r := write(args); r.Status != 0 {
					t.Fatalf("%q: exit %d: %s", args, r.Status, r.Stderr)
				}
			}
			read, self := dir.reader(root), dir.writer(root)
			for _, args := range crossReads {
				got, want := read(args), self(args)
				if got.Status != want.Status || got.Stdout != want.Stdout {
					t.Errorf("%s: reader says\n%s(exit %d)\nwriter says\n%s(exit %d)",
						strings.Join(args, " "), got.Stdout, got.Status, want.Stdout, want.Status)
				}
			}
		})
	}
}
