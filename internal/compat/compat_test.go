package compat

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	steps, err := ParseScript([]byte("# comment\n\niscsiadm -m node -T 'a b' -v \"x'y\"\n~iscsiadm -m discovery\n!@tree\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{
		{Line: `iscsiadm -m node -T 'a b' -v "x'y"`, Args: []string{"iscsiadm", "-m", "node", "-T", "a b", "-v", "x'y"}},
		{Line: "~iscsiadm -m discovery", Args: []string{"iscsiadm", "-m", "discovery"}, Unordered: true},
		{Line: "!@tree", Args: []string{"@tree"}, Divergent: true},
	}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("ParseScript = %+v, want %+v", steps, want)
	}
	if _, err := ParseScript([]byte("iscsiadm 'open\n")); err == nil {
		t.Errorf("an unterminated quote was accepted")
	}
}

func TestTree(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "nodes/t/p"), 0o700))
	must(t, os.WriteFile(filepath.Join(root, "nodes/t/p/default"), []byte("a = b\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(root, "iscsid.conf"), []byte("x"), 0o600))
	must(t, os.Symlink(filepath.Join(root, "nodes/t/p"), filepath.Join(root, "link")))
	got, err := Tree(root, "/etc/iscsi")
	must(t, err)
	want := "l link -> /etc/iscsi/nodes/t/p\nd nodes\nd nodes/t\nd nodes/t/p\nf nodes/t/p/default\n  | a = b\n"
	if got != want {
		t.Errorf("Tree =\n%s\nwant\n%s", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzParseScript: a transcript written by Format reads back to the same
// entries, and a script never makes the parser panic.
func FuzzParseScript(f *testing.F) {
	f.Add("iscsiadm -m node", "out\n", "err\n", 21)
	f.Add("~iscsiadm 'a b'", "", "", 0)
	f.Fuzz(func(t *testing.T, line, stdout, stderr string, status int) {
		_, _ = ParseScript([]byte(line))
		if strings.ContainsAny(line, "\n") || (stdout != "" && !strings.HasSuffix(stdout, "\n")) ||
			(stderr != "" && !strings.HasSuffix(stderr, "\n")) {
			return
		}
		for _, l := range strings.SplitAfter(stdout+stderr, "\n") {
			if strings.HasPrefix(l, "### ") || strings.HasPrefix(l, "--- ") {
				return // would be read as transcript structure
			}
		}
		in := []Entry{{Line: line, Result: Result{Stdout: stdout, Stderr: stderr, Status: status}}}
		out, err := Parse(Format(in))
		if err != nil {
			if strings.Contains(line, " $ ") || line == "" {
				return
			}
			t.Fatalf("Parse(Format(%+v)): %v", in, err)
		}
		if !bytes.Equal(Format(out), Format(in)) {
			t.Fatalf("round trip changed %+v into %+v", in, out)
		}
	})
}
