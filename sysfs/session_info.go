package sysfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Value is one attribute file as a reader finds it. iscsiadm's listings
// tell the three cases apart: an attribute the kernel does not have, one
// it refuses to print (it answers ENOTCONN for the address of a
// connection that is down) and one it prints.
type Value struct {
	// Text is the attribute without its trailing newline. The kernel
	// prints an unset string as "(null)"; that reads as "".
	Text    string
	Missing bool // there is no such file
	Failed  bool // the file is there, reading it failed
}

// OK reports whether the attribute was read.
func (v Value) OK() bool { return !v.Missing && !v.Failed }

// value reads one attribute file into a Value.
func (r Root) value(parts ...string) Value {
	f, err := os.Open(r.path(parts...))
	if errors.Is(err, fs.ErrNotExist) {
		return Value{Missing: true}
	}
	if err != nil {
		return Value{Failed: true}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAttr))
	if err != nil {
		return Value{Failed: true}
	}
	t := strings.TrimSuffix(string(b), "\n")
	if t == "(null)" {
		t = ""
	}
	return Value{Text: t}
}

// SessionValue reads attribute name of session sid (iscsi_session class).
func (r Root) SessionValue(sid int, name string) Value {
	return r.value("class/iscsi_session", sessionDir(sid), name)
}

// ConnValue reads attribute name of connection sid:0 (iscsi_connection
// class), the session's first connection.
func (r Root) ConnValue(sid int, name string) Value {
	return r.value("class/iscsi_connection", connDir(sid, 0), name)
}

// HostValue reads attribute name of iSCSI host hostNo (iscsi_host class).
func (r Root) HostValue(hostNo int, name string) Value {
	return r.value("class/iscsi_host", hostDir(hostNo), name)
}

// SCSIHostValue reads attribute name of SCSI host hostNo (scsi_host
// class): proc_name, state, ...
func (r Root) SCSIHostValue(hostNo int, name string) Value {
	return r.value("class/scsi_host", hostDir(hostNo), name)
}

// SessionExists reports whether the kernel shows session sid.
func (r Root) SessionExists(sid int) bool {
	_, err := r.stat("class/iscsi_session", sessionDir(sid))
	return err == nil
}

// ConnExists reports whether the kernel shows connection sid:0.
func (r Root) ConnExists(sid int) bool {
	_, err := r.stat("class/iscsi_connection", connDir(sid, 0))
	return err == nil
}

// TransportLoaded reports whether the iSCSI transport name ("tcp",
// "iser") is registered: class/iscsi_transport/<name> with a handle.
func (r Root) TransportLoaded(name string) bool {
	if name == "" || strings.Contains(name, "/") {
		return false
	}
	// Only the directory is looked at: the kernel lets root alone read
	// the handle, and a listing by another user is still a listing.
	fi, err := r.stat("class/iscsi_transport", name)
	return err == nil && fi.IsDir()
}

// TransportClassVersion is the version of scsi_transport_iscsi
// ("2.0-870"), from its module directory; false when the kernel does
// not show it.
func (r Root) TransportClassVersion() (string, bool) {
	v := r.value("module/scsi_transport_iscsi/version")
	return v.Text, v.OK()
}

// ErrNotDir is SessionFromPath's error for a path that is neither a
// directory nor a symlink.
var ErrNotDir = errors.New("sysfs: not a directory")

// SessionFromPath finds the session a sysfs path names: a session
// directory or anything below one (a target, a SCSI device, a class
// entry). A path under /sys is read inside the Root. It is an error
// wrapping fs.ErrNotExist when the path does not exist, ErrNotDir when
// it is a plain file, and another error when no part of it is a
// session.
func (r Root) SessionFromPath(p string) (int, error) {
	local := p
	if rest, ok := strings.CutPrefix(p, "/sys"); ok && (rest == "" || rest[0] == '/') {
		local = r.path(rest)
	}
	fi, err := os.Lstat(local)
	if err != nil {
		return -1, err
	}
	if !fi.IsDir() && fi.Mode()&fs.ModeSymlink == 0 {
		return -1, ErrNotDir
	}
	resolved, err := filepath.EvalSymlinks(local)
	if err != nil {
		return -1, err
	}
	for dir := resolved; ; dir = filepath.Dir(dir) {
		if rest, ok := strings.CutPrefix(filepath.Base(dir), "session"); ok {
			return atoiC(rest), nil
		}
		if dir == filepath.Dir(dir) || dir == r.Dir {
			return -1, errors.New("sysfs: no session in path " + p)
		}
	}
}

// atoiC converts like C's atoi: optional blanks and sign, then digits;
// 0 when there are none. Values past int32 saturate, as strtol does
// before the int conversion in the callers that matter here.
func atoiC(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 32)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(s, "-") {
				return -1 << 31
			}
			return 1<<31 - 1
		}
		return 0
	}
	return int(n)
}

// CInt reads v as open-iscsi reads an integer attribute: the leading
// number of the text (strtol/atoi), 0 when there is none.
func (v Value) CInt() int { return atoiC(v.Text) }
