// Package sysfs owns every access to the kernel's iSCSI state in sysfs:
// the iscsi_transport, iscsi_host, scsi_host, iscsi_session and
// iscsi_connection classes, the SCSI devices and block devices below a
// session, and the one write the initiator makes there (a host scan).
// Every path is built here from a Root, so tests run against captured
// trees under testdata/ and callers never spell "/sys/..." themselves.
// The boot firmware table (firmware/ibft) is read by IBFT.
package sysfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxAttr bounds how much of one attribute file is read.
const maxAttr = 4096

// DefaultDir is where sysfs is mounted when $SYSFS_PATH does not say.
const DefaultDir = "/sys"

// Root is a sysfs mount point ("/sys", or a captured tree in tests).
type Root struct {
	Dir string
}

// FromEnv returns the Root named by $SYSFS_PATH, without trailing
// slashes, or DefaultDir when the variable is unset or empty.
func FromEnv() Root { return rootFrom(os.Getenv("SYSFS_PATH")) }

func rootFrom(v string) Root {
	if v == "" {
		return Root{Dir: DefaultDir}
	}
	dir := strings.TrimRight(v, "/")
	if dir == "" {
		dir = "/"
	}
	return Root{Dir: dir}
}

func (r Root) path(parts ...string) string {
	return filepath.Join(append([]string{r.Dir}, parts...)...)
}

// numbered lists the N of entries named prefix<N> in dir, sorted.
func (r Root) numbered(dir, prefix string) ([]int, error) {
	entries, err := os.ReadDir(r.path(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		if n, ok := suffixNumber(e.Name(), prefix); ok {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// suffixNumber parses name as prefix followed by a decimal number.
func suffixNumber(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// Sessions returns the ids of the iSCSI sessions the kernel has.
func (r Root) Sessions() ([]int, error) { return r.numbered("class/iscsi_session", "session") }

// Hosts returns the numbers of the iSCSI hosts the kernel has.
func (r Root) Hosts() ([]int, error) { return r.numbered("class/iscsi_host", "host") }

// Attr reads one attribute file, without its trailing newline.
func (r Root) Attr(parts ...string) (string, error) { return readAttr(r.path(parts...)) }

// readAttr reads the attribute file at path, without its trailing newline.
func readAttr(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, maxAttr)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimRight(string(buf[:n]), "\n"), nil
}

// optAttr reads an attribute that a transport may not expose or may fail
// to read (the kernel answers ENOTCONN, for one): any failure reads as "".
// The kernel prints an unset string parameter as "(null)"; that is "" too.
func (r Root) optAttr(parts ...string) string {
	v, err := r.Attr(parts...)
	if err != nil || v == "(null)" {
		return ""
	}
	return v
}

// optInt is optAttr for a decimal attribute; absent or malformed is 0.
func (r Root) optInt(parts ...string) int {
	n, _ := strconv.Atoi(r.optAttr(parts...))
	return n
}

// stat describes a file or directory of the tree, following symlinks.
func (r Root) stat(parts ...string) (fs.FileInfo, error) { return os.Stat(r.path(parts...)) }
