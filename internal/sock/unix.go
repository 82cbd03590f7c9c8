package sock

import (
	"context"
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Listener accepts connections on a Unix stream socket.
type Listener struct {
	f      *os.File
	addr   string
	closed atomic.Bool
}

// ListenUnix listens on the Unix stream socket at path; a path that
// starts with "@" is in the abstract namespace.
func ListenUnix(path string) (*Listener, error) {
	fail := func(call string, err error) (*Listener, error) {
		return nil, &OpError{Op: "listen unix", Addr: path, Err: os.NewSyscallError(call, err)}
	}
	sa, err := unixAddr(path)
	if err != nil {
		return nil, &OpError{Op: "listen unix", Addr: path, Err: err}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail("socket", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return fail("bind", err)
	}
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		unix.Close(fd)
		return fail("listen", err)
	}
	return &Listener{f: os.NewFile(uintptr(fd), "unix:"+path), addr: path}, nil
}

// FileListener takes over the listening socket f (one systemd passed),
// which it duplicates: f stays the caller's to close.
func FileListener(f *os.File) (*Listener, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, &OpError{Op: "listen", Addr: f.Name(), Err: os.NewSyscallError("fcntl", err)}
	}
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || v == 0 {
		unix.Close(fd)
		if err == nil {
			err = unix.EINVAL
		}
		return nil, &OpError{Op: "listen", Addr: f.Name(), Err: os.NewSyscallError("getsockopt", err)}
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, &OpError{Op: "listen", Addr: f.Name(), Err: os.NewSyscallError("fcntl", err)}
	}
	return &Listener{f: os.NewFile(uintptr(fd), f.Name()), addr: f.Name()}, nil
}

// Addr is the path the listener was made with ("@name" when abstract).
func (l *Listener) Addr() string { return l.addr }

// Accept waits for a connection. After Close it returns an error
// (errors.Is os.ErrClosed).
func (l *Listener) Accept() (*Conn, error) {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var aerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			// A peer that gave up before the accept is not the listener's error.
			if aerr != unix.EINTR && aerr != unix.ECONNABORTED {
				return aerr != unix.EAGAIN
			}
		}
	})
	if err != nil {
		if l.closed.Load() {
			err = os.ErrClosed
		}
		return nil, &OpError{Op: "accept", Addr: l.addr, Err: err}
	}
	if aerr != nil {
		return nil, &OpError{Op: "accept", Addr: l.addr, Err: os.NewSyscallError("accept4", aerr)}
	}
	c, err := newConn(nfd, "unix:"+l.addr)
	if err != nil {
		return nil, &OpError{Op: "accept", Addr: l.addr, Err: os.NewSyscallError("fcntl", err)}
	}
	return c, nil
}

// Close stops the listener; a blocked Accept returns.
func (l *Listener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// DialUnix connects to the Unix stream socket at path ("@" for the
// abstract namespace), until ctx is done.
func DialUnix(ctx context.Context, path string) (*Conn, error) {
	sa, err := unixAddr(path)
	if err != nil {
		return nil, &OpError{Op: "dial unix", Addr: path, Err: err}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &OpError{Op: "dial unix", Addr: path, Err: os.NewSyscallError("socket", err)}
	}
	c, err := newConn(fd, "unix:"+path)
	if err != nil {
		return nil, &OpError{Op: "dial unix", Addr: path, Err: os.NewSyscallError("fcntl", err)}
	}
	if err := c.connect(ctx, sa); err != nil {
		c.Close()
		return nil, &OpError{Op: "dial unix", Addr: path, Err: err}
	}
	return c, nil
}

// SendDatagram sends msg as one datagram to the Unix datagram socket at
// path ("@" for the abstract namespace).
func SendDatagram(path string, msg []byte) error {
	sa, err := unixAddr(path)
	if err != nil {
		return &OpError{Op: "send unixgram", Addr: path, Err: err}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return &OpError{Op: "send unixgram", Addr: path, Err: os.NewSyscallError("socket", err)}
	}
	defer unix.Close(fd)
	// A reader that has stopped reading (a stalled journal) drops the
	// message rather than block the sender.
	if err := unix.Sendto(fd, msg, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, sa); err != nil {
		return &OpError{Op: "send unixgram", Addr: path, Err: os.NewSyscallError("sendto", err)}
	}
	return nil
}

// unixAddr is path as a socket address; a leading "@" (or NUL) puts
// it in the abstract namespace.
func unixAddr(path string) (*unix.SockaddrUnix, error) {
	if len(path) < 2 && (path == "" || path[0] == '@' || path[0] == 0) || len(path) > 107 {
		return nil, errors.New("invalid Unix socket path")
	}
	return &unix.SockaddrUnix{Name: path}, nil
}
