package admin

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/internal/compat"
)

func runAdmin(t *testing.T, root string, args ...string) (string, string, int) {
	t.Helper()
	env := Env{ConfigDir: root, LockDir: filepath.Join(filepath.Dir(root), "lock"), SysfsRoot: t.TempDir()}
	var stdout, stderr bytes.Buffer
	st := Run(context.Background(), env, append([]string{"iscsiadm"}, args...), nil, &stdout, &stderr)
	return stdout.String(), stderr.String(), st
}

// TestHostileNames: names that could escape the record root or forge
// record lines are refused with exit 7 and nothing is written.
func TestHostileNames(t *testing.T) {
	tests := [][]string{
		{"-m", "node", "-o", "new", "-T", "../../evil", "-p", "10.0.2.100"},
		{"-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a/../../../evil", "-p", "10.0.2.100"},
		{"-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a\nnode.startup = automatic", "-p", "10.0.2.100"},
		{"-m", "node", "-o", "new", "-T", "iqn.2026-11.test:" + strings.Repeat("x", 300), "-p", "10.0.2.100"},
		{"-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a", "-p", "../../evil"},
		{"-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a", "-p", "10.0.2.100", "-I", "../evil"},
		{"-m", "node", "-T", "../../evil", "-o", "delete"},
		{"-m", "iface", "-I", "../../evil", "-o", "new"},
		{"-m", "discoverydb", "-t", "st", "-p", "../../evil", "-o", "new"},
	}
	for _, args := range tests {
		parent := t.TempDir()
		root := filepath.Join(parent, "iscsi")
		if err := os.Mkdir(root, 0o700); err != nil {
			t.Fatal(err)
		}
		_, stderr, st := runAdmin(t, root, args...)
		if st != 7 {
			t.Errorf("%q: exit %d, want 7 (%s)", args, st, stderr)
		}
		tree, err := compat.Tree(parent, "/")
		if err != nil {
			t.Fatal(err)
		}
		if tree != "d iscsi\n" && tree != "d iscsi\nd iscsi/ifaces\n" {
			t.Errorf("%q wrote something:\n%s", args, tree)
		}
	}
}

// TestLegacyRecord reads a record in the old nodes/<target>/<ip>,<port>
// layout, as written by open-iscsi 2.0.
func TestLegacyRecord(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "nodes", "iqn.2001-04.com.example:old")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rec := "node.name = iqn.2001-04.com.example:old\nnode.tpgt = 1\nnode.startup = automatic\n" +
		"node.conn[0].address = 192.0.2.7\nnode.conn[0].port = 3260\nnode.conn[0].timeo.active_timeout = 5\n"
	if err := os.WriteFile(filepath.Join(dir, "192.0.2.7,3260"), []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, st := runAdmin(t, root, "-m", "node")
	if st != 0 || out != "192.0.2.7:3260,1 iqn.2001-04.com.example:old\n" {
		t.Fatalf("list = %q, %d", out, st)
	}
	out, _, st = runAdmin(t, root, "-m", "node", "-T", "iqn.2001-04.com.example:old")
	if st != 0 || !strings.Contains(out, "node.startup = automatic\n") || !strings.Contains(out, "node.tpgt = 1\n") {
		t.Fatalf("show = %q, %d", out, st)
	}
	if _, e, st := runAdmin(t, root, "-m", "node", "-T", "iqn.2001-04.com.example:old", "-o", "update", "-n", "node.startup", "-v", "manual"); st != 0 {
		t.Fatalf("update: %d %s", st, e)
	}
	out, _, _ = runAdmin(t, root, "-m", "node", "-T", "iqn.2001-04.com.example:old", "-o", "show")
	if !strings.Contains(out, "node.startup = manual\n") {
		t.Errorf("update was lost: %s", out)
	}
}

func TestDaemonCommandsWithoutDaemon(t *testing.T) {
	root := t.TempDir()
	if _, e, st := runAdmin(t, root, "-m", "node", "-o", "new", "-T", "iqn.2026-11.test:a", "-p", "10.0.2.100"); st != 0 {
		t.Fatal(e)
	}
	env := Env{ConfigDir: root, LockDir: t.TempDir(), SysfsRoot: t.TempDir(), DaemonSocket: "goiscsi-test-none-" + filepath.Base(root)}
	var stdout, stderr bytes.Buffer
	st := Run(context.Background(), env, []string{"iscsiadm", "-m", "node", "-l"}, nil, &stdout, &stderr)
	wantOut := "Logging in to [iface: default, target: iqn.2026-11.test:a, portal: 10.0.2.100,3260]\n"
	wantErr := "iscsiadm: can not connect to iSCSI daemon (111)!\n" +
		"iscsiadm: Could not login to [iface: default, target: iqn.2026-11.test:a, portal: 10.0.2.100,3260].\n" +
		"iscsiadm: initiator reported error (20 - could not connect to iscsid)\n" +
		"iscsiadm: Could not log into all portals\n"
	if st != 20 || stdout.String() != wantOut || stderr.String() != wantErr {
		t.Errorf("login without iscsid = %d\n%s%s", st, stdout.String(), stderr.String())
	}
}
