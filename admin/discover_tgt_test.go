package admin

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/compat"
	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// referencePortal is where the target was when open-iscsi's transcript
// in testdata/discovery/tgt.golden was captured: open-iscsi 2.1.8 on a
// Debian 12 guest, tgt 1.0.85 serving iqn.2026-11.test:root (tid 1) and
// iqn.2026-11.test:data (tid 2) on 10.0.2.100:3260.
const referencePortal = "10.0.2.100"

// relocate rewrites the reference portal of a transcript line to tg's.
func relocate(s string, tg *tgttest.Target) string {
	port := strconv.Itoa(tg.Port)
	s = strings.ReplaceAll(s, referencePortal+":3260", tg.Addr+":"+port)
	s = strings.ReplaceAll(s, referencePortal+",3260", tg.Addr+","+port)
	s = strings.ReplaceAll(s, referencePortal, tg.Addr)
	for _, key := range []string{"discovery.sendtargets.port", "node.discovery_port", "node.conn[0].port"} {
		s = strings.ReplaceAll(s, key+" = 3260\n", key+" = "+port+"\n")
	}
	return s
}

// runResult runs goiscsi's iscsiadm on root.
func runResult(t *testing.T, root string, args []string) compat.Result {
	t.Helper()
	stdout, stderr, st := runAdmin(t, root, args[1:]...)
	return compat.Result{Stdout: stdout, Stderr: stderr, Status: st}
}

// TestTgtDiscoveryTranscript replays open-iscsi's captured discovery
// session (discover two targets on tgt, list the discovery and node
// records, show them) against a real tgt on loopback, and wants the same
// output and records, the portal aside.
func TestTgtDiscoveryTranscript(t *testing.T) {
	tg := tgttest.Start(t)
	tg.AddTarget(1, "iqn.2026-11.test:root")
	tg.AddTarget(2, "iqn.2026-11.test:data")
	data, err := os.ReadFile("testdata/discovery/tgt.golden")
	if err != nil {
		t.Fatal(err)
	}
	want, err := compat.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	root := newRoot(t)
	for i, w := range want {
		line := relocate(w.Line, tg)
		args, err := compat.SplitWords(line)
		if err != nil {
			t.Fatal(err)
		}
		got := runResult(t, root, args)
		w.Stdout, w.Stderr = relocate(w.Stdout, tg), relocate(w.Stderr, tg)
		if got.Status != w.Status || got.Stdout != w.Stdout || got.Stderr != w.Stderr {
			t.Errorf("step %d: $ %s\n- want:\n%s-  got:\n%s", i+1, line,
				compat.Format([]compat.Entry{{Line: line, Result: w.Result}}), compat.Format([]compat.Entry{{Line: line, Result: got}}))
		}
	}
}

// TestTgtDiscoveryTree checks -P 1 (open-iscsi's node tree) and that
// -o nonpersistent writes nothing.
func TestTgtDiscoveryTree(t *testing.T) {
	tg := tgttest.Start(t)
	tg.AddTarget(1, "iqn.2026-11.test:root")
	tg.AddTarget(2, "iqn.2026-11.test:data")
	root := newRoot(t)
	got := runResult(t, root, []string{"iscsiadm", "-m", "discovery", "-t", "st", "-p", tg.Portal(), "-P", "1", "-o", "nonpersistent"})
	var want strings.Builder
	for _, name := range []string{"root", "data"} {
		fmt.Fprintf(&want, "Target: iqn.2026-11.test:%s\n\tPortal: %s,1\n\t\tIface Name: default\n", name, tg.Portal())
	}
	if got.Status != 0 || got.Stdout != want.String() {
		t.Errorf("discovery -P 1 = %d %q, want 0 %q", got.Status, got.Stdout, want.String())
	}
	if _, err := os.Stat(filepath.Join(root, "nodes")); !os.IsNotExist(err) {
		t.Errorf("-o nonpersistent wrote node records (stat: %v)", err)
	}
}

// TestTgtDiscoveryScale discovers 3 targets, then 600, whose SendTargets
// answer spans several text responses, and discovers again after tgt
// dropped some: the records follow (new, updated, deleted) as open-iscsi's
// do.
func TestTgtDiscoveryScale(t *testing.T) {
	for _, n := range []int{3, 600} {
		t.Run(strconv.Itoa(n), func(t *testing.T) { discoverMany(t, n) })
	}
}

func discoverMany(t *testing.T, n int) {
	tg := tgttest.Start(t)
	name := func(i int) string { return fmt.Sprintf("iqn.2026-11.test:scale-%04d", i) }
	for i := 1; i <= n; i++ {
		tg.AddTarget(i, name(i))
	}
	root := newRoot(t)
	portal := tg.Portal()
	var want strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&want, "%s,1 %s\n", portal, name(i))
	}
	start := time.Now()
	got := runResult(t, root, []string{"iscsiadm", "-m", "discovery", "-t", "st", "-p", portal})
	t.Logf("discovery of %d targets: %v", n, time.Since(start))
	if got.Status != 0 || got.Stdout != want.String() || got.Stderr != "" {
		t.Fatalf("discovery of %d targets: status %d, stderr %q, %d stdout lines, want %d lines as tgt sent them",
			n, got.Status, got.Stderr, strings.Count(got.Stdout, "\n"), n)
	}
	if nodes := countNodes(t, root); nodes != n {
		t.Fatalf("%d node records after discovery, want %d", nodes, n)
	}

	// tgt drops every third target; discovering again deletes their records.
	kept := 0
	for i := 1; i <= n; i++ {
		if i%3 == 0 {
			tg.Adm("--mode", "target", "--op", "delete", "--tid", strconv.Itoa(i))
		} else {
			kept++
		}
	}
	got = runResult(t, root, []string{"iscsiadm", "-m", "discovery", "-t", "st", "-p", portal})
	if got.Status != 0 || strings.Count(got.Stdout, "\n") != kept {
		t.Fatalf("rediscovery: status %d, %d lines, want 0 and %d", got.Status, strings.Count(got.Stdout, "\n"), kept)
	}
	if nodes := countNodes(t, root); nodes != kept {
		t.Fatalf("%d node records after rediscovery, want %d", nodes, kept)
	}
	if _, err := os.Stat(filepath.Join(root, "nodes", name(3))); !os.IsNotExist(err) {
		t.Errorf("record of dropped target %s still there (stat: %v)", name(3), err)
	}
}

// countNodes counts node record files below root/nodes.
func countNodes(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(root, "nodes"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
