// Package sysfstest copies the sysfs trees captured under
// sysfs/testdata into temporary directories for tests.
//
// Captured trees keep sysfs' layout, but a ':' in a name (target0:0:0,
// 0:0:0:1, connection1:0) is stored as Colon: Go module zips refuse
// file names with ':'. A copy has the real names back, and each test
// owns a tree it may change.
package sysfstest

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Colon stands for ':' in the names of captured trees.
const Colon = "%3A"

func decodeName(s string) string { return strings.ReplaceAll(s, Colon, ":") }

// Copy copies the captured tree at src into a new temporary directory
// and returns the copy's root; a src that does not exist gives a root
// that does not exist either.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "sys")
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return dst
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
		t.Fatalf("copy %s: %v", src, err)
	}
	return dst
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
