package sysfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goiscsi/goiscsi/sysfs/sysfstest"
)

// tree returns a fresh copy of a captured scenario (see sysfstest); an
// unknown scenario is a Root whose directory does not exist.
func tree(t *testing.T, scenario string) Root {
	t.Helper()
	return Root{Dir: sysfstest.Copy(t, filepath.Join("testdata", scenario))}
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
					t.Errorf("%s: name has ':'; store it as %q", path, sysfstest.Colon)
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
