package netlinkraw

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket constants of scsi_transport_iscsi.
const (
	groupISCSID  = 1       // ISCSI_NL_GRP_ISCSID: events for the initiator daemon
	recvBufBytes = 1 << 20 // SO_RCVBUF we ask for, so event bursts fit
)

// netlinkSocket is the kernel's NETLINK_ISCSI socket, non-blocking and
// run by the Go poller so that Close interrupts a blocked Receive.
type netlinkSocket struct {
	f   *os.File
	rc  syscall.RawConn
	pid uint32
}

// Dial opens a NETLINK_ISCSI socket joined to the initiator's
// multicast group and returns a Conn over it. It needs CAP_SYS_ADMIN
// (CAP_NET_ADMIN to join the group); without scsi_transport_iscsi the
// error wraps ErrNotSupported.
func Dial() (*Conn, error) {
	s, err := openSocket()
	if err != nil {
		return nil, err
	}
	return NewConn(s), nil
}

func openSocket() (*netlinkSocket, error) {
	return openNetlink(unix.NETLINK_ISCSI, 1<<(groupISCSID-1))
}

// openNetlink opens a netlink socket of protocol proto joined to the
// multicast groups in the bit mask groups.
func openNetlink(proto int, groups uint32) (*netlinkSocket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if errors.Is(err, unix.EPROTONOSUPPORT) && proto == unix.NETLINK_ISCSI {
		return nil, fmt.Errorf("%w (socket: %w)", ErrNotSupported, err)
	}
	if err != nil {
		return nil, fmt.Errorf("netlinkraw: socket(NETLINK_ISCSI): %w", err)
	}
	s, err := setUp(fd, groups)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

func setUp(fd int, groups uint32) (*netlinkSocket, error) {
	// Best effort: a smaller buffer only makes overruns likelier.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, recvBufBytes)
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}
	if err := unix.Bind(fd, sa); err != nil {
		return nil, fmt.Errorf("netlinkraw: bind netlink groups %#x: %w", groups, err)
	}
	name, err := unix.Getsockname(fd)
	if err != nil {
		return nil, fmt.Errorf("netlinkraw: getsockname: %w", err)
	}
	nl, ok := name.(*unix.SockaddrNetlink)
	if !ok {
		return nil, fmt.Errorf("netlinkraw: getsockname: not a netlink address: %T", name)
	}
	f := os.NewFile(uintptr(fd), "netlink-iscsi")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("netlinkraw: %w", err)
	}
	return &netlinkSocket{f: f, rc: rc, pid: nl.Pid}, nil
}

// PortID is the socket's netlink port id, put in nlmsg_pid.
func (s *netlinkSocket) PortID() uint32 { return s.pid }

func (s *netlinkSocket) Close() error { return s.f.Close() }

// Send sends one datagram to the kernel (port 0).
func (s *netlinkSocket) Send(msg []byte) error {
	if len(msg) > MaxDatagram {
		return fmt.Errorf("netlinkraw: datagram of %d bytes: %w", len(msg), ErrTooLong)
	}
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	var serr error
	err := s.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), msg, 0, to)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

// Receive returns the next datagram from the kernel. It learns the
// size with a peek, so large RECV_PDU messages arrive whole; datagrams
// over MaxDatagram, or from a port other than the kernel's, are
// discarded.
func (s *netlinkSocket) Receive() ([]byte, error) {
	for {
		d, from, err := s.recv()
		if err != nil {
			return nil, err
		}
		if d != nil && from == 0 {
			return d, nil
		}
	}
}

// recv reads one datagram; d is nil when it was too large.
func (s *netlinkSocket) recv() (d []byte, from uint32, err error) {
	var rerr error
	err = s.rc.Read(func(fd uintptr) bool {
		var probe [1]byte
		n, _, e := recvfrom(fd, probe[:], unix.MSG_PEEK|unix.MSG_TRUNC)
		if e == unix.EAGAIN {
			return false
		}
		if e != nil {
			rerr = e
			return true
		}
		tooLarge := n > MaxDatagram
		buf := probe[:]
		if !tooLarge {
			buf = make([]byte, max(n, 1))
		}
		n, port, e := recvfrom(fd, buf, 0)
		switch {
		case e == unix.EAGAIN:
			return false
		case e != nil:
			rerr = e
		case tooLarge:
			d = nil // dropped
		default:
			d = buf[:n]
			from = port
		}
		return true
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, 0, fmt.Errorf("netlinkraw: receive: %w", err)
	}
	return d, from, nil
}

// recvfrom is recvfrom(2) with the sender's address on the stack (the
// x/sys/unix wrapper allocates it, twice per datagram here). port is
// the sender's netlink port id; a sender that is not a netlink socket
// gets one no kernel message has.
func recvfrom(fd uintptr, b []byte, flags int) (n int, port uint32, err error) {
	var sa unix.RawSockaddrNetlink
	salen := uint32(unix.SizeofSockaddrNetlink)
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_RECVFROM, fd, uintptr(p), uintptr(len(b)), uintptr(flags),
		uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&salen)))
	if e != 0 {
		return 0, 0, e
	}
	if sa.Family != unix.AF_NETLINK {
		return int(r), ^uint32(0), nil
	}
	return int(r), sa.Pid, nil
}
