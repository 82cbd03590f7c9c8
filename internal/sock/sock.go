// Package sock is goiscsi's stream sockets: TCP connections to portals
// and the Unix sockets of iscsid's IPC, made with socket(2) and served by
// the Go runtime's poller through os.File, plus the little name
// resolution a portal's host name needs. It stands in for package net,
// which would be a tenth of the binary for these few calls.
package sock

import (
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Conn is a connected stream socket. Its reads and writes block the
// calling goroutine, not its thread, and honour deadlines; its file
// descriptor is reachable through SyscallConn (the kernel's iSCSI
// initiator takes over a logged-in TCP socket by descriptor).
type Conn struct {
	f *os.File
}

// newConn wraps fd, which must be non-blocking; name is for errors. A
// descriptor below 3 (stdio was closed) is moved up first: os.File
// takes 1 and 2 for stdout and stderr, and a broken pipe on those kills
// the process. On error fd is closed.
func newConn(fd int, name string) (*Conn, error) {
	if fd < 3 {
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		unix.Close(fd)
		if err != nil {
			return nil, err
		}
		fd = nfd
	}
	return &Conn{f: os.NewFile(uintptr(fd), name)}, nil
}

// Read reads from the socket; a closed peer is io.EOF.
func (c *Conn) Read(b []byte) (int, error) { return c.f.Read(b) }

// Write writes all of b unless an error or deadline stops it.
func (c *Conn) Write(b []byte) (int, error) { return c.f.Write(b) }

// Close closes the socket; blocked reads and writes return.
func (c *Conn) Close() error { return c.f.Close() }

// SetDeadline sets the read and write deadlines; zero is none.
func (c *Conn) SetDeadline(t time.Time) error { return c.f.SetDeadline(t) }

// SetReadDeadline sets the read deadline; zero is none.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.f.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline; zero is none.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.f.SetWriteDeadline(t) }

// SyscallConn gives access to the socket's file descriptor.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return c.f.SyscallConn() }

// OpError is a failed socket operation: Op is what was tried ("dial
// tcp", "listen unix"), Addr on what.
type OpError struct {
	Op, Addr string
	Err      error
}

func (e *OpError) Error() string { return e.Op + " " + e.Addr + ": " + e.Err.Error() }
func (e *OpError) Unwrap() error { return e.Err }

// Timeout reports whether the operation ran out of time.
func (e *OpError) Timeout() bool { return IsTimeout(e.Err) }

// IsTimeout reports whether err is, or wraps, a timeout: a deadline
// that passed, a context deadline, ETIMEDOUT.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
