package netlinkraw

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrNotSupported is wrapped by Dial when the kernel has no
// NETLINK_ISCSI, that is when scsi_transport_iscsi is not loaded.
var ErrNotSupported = errors.New("NETLINK_ISCSI not supported: load scsi_transport_iscsi (CONFIG_SCSI_ISCSI_ATTRS)")

// ErrClosed is returned by calls on a closed Conn, and wrapped when the
// socket failed under a call.
var ErrClosed = errors.New("netlinkraw: connection closed")

// IfError is a request the kernel refused: iferror of an
// ISCSI_KEVENT_IF_ERROR reply (Retcode false), or a non-zero r.retcode
// from the transport (Retcode true, returned by the Conn methods that
// read retcode). errors.Is(err, unix.EINVAL) looks at Errno.
type IfError struct {
	Type    UeventType // the request
	Errno   unix.Errno
	Retcode bool
}

func (e *IfError) Error() string {
	src := "kernel"
	if e.Retcode {
		src = "transport"
	}
	name := unix.ErrnoName(e.Errno)
	if name == "" {
		name = fmt.Sprintf("errno %d", uint64(e.Errno))
	}
	return fmt.Sprintf("%v: %s error %s: %v", e.Type, src, name, e.Errno)
}

// Unwrap returns the errno.
func (e *IfError) Unwrap() error { return e.Errno }

// errnoOf turns a kernel error number, negative as the kernel writes
// it (or positive), into an Errno.
func errnoOf(v int32) unix.Errno {
	if v < 0 {
		return unix.Errno(-int64(v))
	}
	return unix.Errno(v)
}
