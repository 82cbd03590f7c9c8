// Package sysfs owns every read of the kernel's iSCSI state in sysfs:
// /sys/class/iscsi_session, iscsi_connection, iscsi_host, scsi_host and,
// later, the devices below them and /sys/firmware/ibft. All paths are
// built here from a Root, so tests run against captured trees.
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

// Root is a sysfs mount point ("/sys", or a captured tree in tests).
type Root struct {
	Dir string
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
		if n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), prefix)); err == nil && strings.HasPrefix(e.Name(), prefix) {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// Sessions returns the ids of the iSCSI sessions the kernel has.
func (r Root) Sessions() ([]int, error) { return r.numbered("class/iscsi_session", "session") }

// Hosts returns the numbers of the iSCSI hosts the kernel has.
func (r Root) Hosts() ([]int, error) { return r.numbered("class/iscsi_host", "host") }

// Attr reads one attribute file, without its trailing newline.
func (r Root) Attr(parts ...string) (string, error) {
	f, err := os.Open(r.path(parts...))
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, maxAttr)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return "", fmt.Errorf("read %s: %w", filepath.Join(parts...), err)
	}
	return strings.TrimRight(string(buf[:n]), "\n"), nil
}

// Session is what sysfs says about one session and its first connection.
type Session struct {
	SID       int
	Target    string
	TPGT      int
	Address   string
	Port      int
	Transport string
}

// ReadSession reads session sid.
func (r Root) ReadSession(sid int) (Session, error) {
	s := Session{SID: sid}
	dir := "session" + strconv.Itoa(sid)
	var err error
	if s.Target, err = r.Attr("class/iscsi_session", dir, "targetname"); err != nil {
		return s, err
	}
	tpgt, _ := r.Attr("class/iscsi_session", dir, "tpgt")
	s.TPGT, _ = strconv.Atoi(tpgt)
	conn := "connection" + strconv.Itoa(sid) + ":0"
	s.Address, _ = r.Attr("class/iscsi_connection", conn, "persistent_address")
	port, _ := r.Attr("class/iscsi_connection", conn, "persistent_port")
	s.Port, _ = strconv.Atoi(port)
	s.Transport = r.sessionTransport(dir)
	return s, nil
}

// sessionTransport finds the transport through the SCSI host the session
// hangs under: its proc_name is "iscsi_<transport>" for software iSCSI.
func (r Root) sessionTransport(dir string) string {
	target, err := filepath.EvalSymlinks(r.path("class/iscsi_session", dir))
	if err != nil {
		return "tcp"
	}
	for _, part := range strings.Split(target, string(filepath.Separator)) {
		if strings.HasPrefix(part, "host") {
			name, err := r.Attr("class/scsi_host", part, "proc_name")
			if err == nil {
				return strings.TrimPrefix(name, "iscsi_")
			}
		}
	}
	return "tcp"
}
