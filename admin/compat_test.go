package admin

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/internal/compat"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/compat/*.golden from open-iscsi's iscsiadm (root)")

// scripts returns the compatibility scripts under testdata/compat.
func scripts(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob("testdata/compat/*.cmds")
	if err != nil || len(m) == 0 {
		t.Fatalf("no compatibility scripts: %v", err)
	}
	return m
}

// newRoot makes an empty record root holding the project's default
// iscsid.conf and a fixed initiator name.
func newRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	conf, err := os.ReadFile("../dist/iscsid.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "iscsid.conf"), conf, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "initiatorname.iscsi"), []byte("InitiatorName=iqn.2026-11.test:guest\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return root
}

// replay runs a script step by step with run doing the tool invocations.
func replay(t *testing.T, script, root string, run func(args []string) compat.Result) []compat.Entry {
	entries, _ := replaySteps(t, script, root, run)
	return entries
}

func replaySteps(t *testing.T, script, root string, run func(args []string) compat.Result) ([]compat.Entry, []compat.Step) {
	t.Helper()
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := compat.ParseScript(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []compat.Entry
	for _, s := range steps {
		var r compat.Result
		switch s.Args[0] {
		case "@tree":
			tree, err := compat.Tree(root, "/etc/iscsi")
			if err != nil {
				t.Fatal(err)
			}
			r.Stdout = tree
		case "iscsiadm":
			r = run(s.Args)
		default:
			t.Fatalf("%s: unknown step %q", script, s.Line)
		}
		out = append(out, compat.Entry{Line: s.Line, Result: r})
	}
	return out, steps
}

// TestCompat replays every script against goiscsi's iscsiadm and compares
// with open-iscsi's transcript: stdout and exit status always, stderr
// when the command failed, and the record tree at every @tree.
func TestCompat(t *testing.T) {
	for _, script := range scripts(t) {
		name := strings.TrimSuffix(filepath.Base(script), ".cmds")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden, err := os.ReadFile(strings.TrimSuffix(script, ".cmds") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			want, err := compat.Parse(golden)
			if err != nil {
				t.Fatal(err)
			}
			root := newRoot(t)
			env := Env{ConfigDir: root, LockDir: t.TempDir(), SysfsRoot: t.TempDir()}
			got, steps := replaySteps(t, script, root, func(args []string) compat.Result {
				var stdout, stderr bytes.Buffer
				st := Run(context.Background(), env, args, nil, &stdout, &stderr)
				// Messages name the record root; the transcripts name /etc/iscsi.
				errs := strings.ReplaceAll(stderr.String(), root, "/etc/iscsi")
				return compat.Result{Stdout: stdout.String(), Stderr: errs, Status: st}
			})
			if len(got) != len(want) {
				t.Fatalf("%d steps, golden has %d: regenerate with -update-golden", len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if g.Line != w.Line {
					t.Fatalf("step %d is %q, golden has %q", i+1, g.Line, w.Line)
				}
				if steps[i].Divergent {
					continue
				}
				if steps[i].Unordered {
					g.Stdout, w.Stdout = compat.SortedLines(g.Stdout), compat.SortedLines(w.Stdout)
					g.Stderr, w.Stderr = compat.SortedLines(g.Stderr), compat.SortedLines(w.Stderr)
				}
				if g.Status != w.Status || g.Stdout != w.Stdout || (w.Status != 0 && g.Stderr != w.Stderr) {
					t.Errorf("step %d: $ %s\n- want:\n%s-  got:\n%s", i+1, g.Line,
						compat.Format([]compat.Entry{w}), compat.Format([]compat.Entry{g}))
				}
			}
		})
	}
}

// environmentNoise matches stderr lines open-iscsi prints because the
// machine has no iscsid running and no iSCSI kernel modules; they say
// nothing about the command and are left out of the transcripts.
func environmentNoise(line string) bool {
	for _, s := range []string{
		"iscsid is not running.",
		"libkmod:",
		"Could not scan /sys/class/iscsi_transport",
		"Could not insert module",
	} {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// runOpenISCSI runs open-iscsi's iscsiadm with /etc/iscsi bound to root,
// inside a private mount namespace whose /etc is an empty tmpfs, so that
// hostile names cannot reach the machine's own files.
func runOpenISCSI(t *testing.T, root string, args []string) compat.Result {
	t.Helper()
	const sh = `mount -t tmpfs tmpfs /etc && mkdir /etc/iscsi && mount --bind "$0" /etc/iscsi && ` +
		`mount -t tmpfs tmpfs /run/lock && exec iscsiadm "$@"`
	cmd := exec.Command("unshare", append([]string{"-m", "sh", "-c", sh, root}, args[1:]...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(stderr.String(), "\n") {
		if l != "" && !environmentNoise(l) {
			kept = append(kept, l)
		}
	}
	return compat.Result{Stdout: stdout.String(), Stderr: strings.Join(kept, ""), Status: status}
}

// TestOpenISCSIGoldens checks that the committed transcripts are what
// open-iscsi's own iscsiadm prints today (or rewrites them with
// -update-golden). It needs root and Debian's open-iscsi package.
func TestOpenISCSIGoldens(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("host tier: needs root to run open-iscsi's iscsiadm in a mount namespace")
	}
	if _, err := os.Stat("/sbin/iscsiadm"); err != nil {
		t.Skip("host tier: open-iscsi is not installed (apt-get install open-iscsi)")
	}
	if out, _ := exec.Command("/sbin/iscsiadm", "--version").Output(); string(out) != "iscsiadm version 2.1.8\n" {
		t.Skipf("host tier: /sbin/iscsiadm is %q, the transcripts are of 2.1.8", out)
	}
	for _, script := range scripts(t) {
		root := newRoot(t)
		got := compat.Format(replay(t, script, root, func(args []string) compat.Result {
			return runOpenISCSI(t, root, args)
		}))
		golden := strings.TrimSuffix(script, ".cmds") + ".golden"
		if *updateGolden {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: open-iscsi's output differs from the transcript; rerun with -update-golden and review", golden)
		}
	}
}
