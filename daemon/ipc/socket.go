package ipc

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// Conn is one connection to iscsid: a *sock.Conn, or in tests any
// connection with deadlines.
type Conn interface {
	io.ReadWriteCloser
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// Listen listens on the abstract unix stream socket "@"+name.
func Listen(name string) (*sock.Listener, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	ln, err := sock.ListenUnix("@" + name)
	if err != nil {
		return nil, fmt.Errorf("ipc: listen on @%s: %w", name, err)
	}
	return ln, nil
}

func checkName(name string) error {
	if name == "" || strings.ContainsRune(name, 0) {
		return fmt.Errorf("ipc: invalid socket name %q", name)
	}
	return nil
}

// peerUID returns the uid of the process at the other end of a unix
// socket connection, from SO_PEERCRED.
func peerUID(c Conn) (uint32, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, fmt.Errorf("peer credentials: %T is not a socket", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *syscall.Ucred
	var credErr error
	err = raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err = errors.Join(err, credErr); err != nil {
		return 0, fmt.Errorf("peer credentials: SO_PEERCRED: %w", err)
	}
	return cred.Uid, nil
}
