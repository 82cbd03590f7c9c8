package sysfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Captured trees keep sysfs' layout under testdata/<scenario>, but a
// ':' in a name (target0:0:0, 0:0:0:1, connection1:0) is stored as
// "%3A": Go module zips refuse file names with ':'. tree copies a
// scenario into a temporary directory with the real names back, so
// each test also owns a tree it may change.
const colon = "%3A"

func decodeName(s string) string { return strings.ReplaceAll(s, colon, ":") }

// tree returns a fresh copy of a captured scenario; an unknown scenario
// is a Root whose directory does not exist.
func tree(t *testing.T, scenario string) Root {
	t.Helper()
	src := filepath.Join("testdata", scenario)
	dst := filepath.Join(t.TempDir(), "sys")
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return Root{Dir: dst}
	}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return copyEntry(path, filepath.Join(dst, decodeName(rel)), d)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", scenario, err)
	}
	return Root{Dir: dst}
}

// copyEntry copies one directory, relative symlink or file.
func copyEntry(src, dst string, d fs.DirEntry) error {
	switch {
	case d.IsDir():
		return os.MkdirAll(dst, 0o755)
	case d.Type()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(decodeName(target), dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// The captured trees hold only relative symlinks that resolve inside
// the tree, and no name with a ':'.
func TestCapturedTrees(t *testing.T) {
	for _, scenario := range []string{"one-session-two-luns", "two-sessions", "no-transport", "guest-two-targets"} {
		t.Run(scenario, func(t *testing.T) {
			src := filepath.Join("testdata", scenario)
			err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if strings.Contains(d.Name(), ":") {
					t.Errorf("%s: name has ':'; store it as %q", path, colon)
				}
				if d.Type()&fs.ModeSymlink == 0 {
					return nil
				}
				target, _ := os.Readlink(path)
				resolved, err := filepath.EvalSymlinks(path)
				abs, _ := filepath.Abs(src)
				full, _ := filepath.Abs(resolved)
				if filepath.IsAbs(target) || err != nil || !strings.HasPrefix(full, abs+string(filepath.Separator)) {
					t.Errorf("symlink %s -> %s = %s, %v, want a relative link inside the tree", path, target, resolved, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// trees copies every captured scenario once, for a test whose subtests
// only read; "missing" names a tree that does not exist.
func trees(t *testing.T) map[string]Root {
	t.Helper()
	roots := map[string]Root{}
	for _, s := range []string{"one-session-two-luns", "two-sessions", "no-transport", "missing"} {
		roots[s] = tree(t, s)
	}
	return roots
}
