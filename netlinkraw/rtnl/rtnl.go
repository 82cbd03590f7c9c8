// Package rtnl owns goiscsi's few rtnetlink (NETLINK_ROUTE) requests:
// it builds messages and attributes and runs a socket that sends one
// request at a time and returns the kernel's answer. The callers (boot's
// interface set-up, iscsid's neighbour re-probe) build the bodies.
package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// maxAnswer bounds one answer datagram; the requests made here are
// answered with an ack or one route.
const maxAnswer = 8192

// Attr is one struct rtattr holding data, padded to 4 bytes.
func Attr(typ uint16, data []byte) []byte {
	n := unix.SizeofRtAttr + len(data)
	a := make([]byte, (n+3)&^3)
	binary.NativeEndian.PutUint16(a[0:], uint16(n))
	binary.NativeEndian.PutUint16(a[2:], typ)
	copy(a[unix.SizeofRtAttr:], data)
	return a
}

// Message is a netlink message of type typ with flags and body; the
// sequence number and port id are left 0 (Conn.Request sets them).
func Message(typ, flags uint16, body []byte) []byte {
	m := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	m = append(m, body...)
	binary.NativeEndian.PutUint32(m[0:], uint32(len(m)))
	binary.NativeEndian.PutUint16(m[4:], typ)
	binary.NativeEndian.PutUint16(m[6:], flags)
	return m
}

// ErrMalformed is an answer that is not a whole netlink message.
var ErrMalformed = errors.New("rtnetlink: malformed answer")

// Type returns the type of the netlink message m, which must hold at
// least its header.
func Type(m []byte) (uint16, error) {
	if len(m) < unix.SizeofNlMsghdr {
		return 0, ErrMalformed
	}
	return binary.NativeEndian.Uint16(m[4:]), nil
}

// Ack returns the errno of an NLMSG_ERROR answer, nil for 0; any other
// answer is an error.
func Ack(m []byte) error {
	typ, err := Type(m)
	if err != nil {
		return err
	}
	if typ != unix.NLMSG_ERROR || len(m) < unix.SizeofNlMsghdr+4 {
		return fmt.Errorf("rtnetlink: answer of type %d where an acknowledgement was due", typ)
	}
	if e := int32(binary.NativeEndian.Uint32(m[unix.SizeofNlMsghdr:])); e != 0 {
		return unix.Errno(-e)
	}
	return nil
}

// Conn is a NETLINK_ROUTE socket for one request at a time.
type Conn struct {
	fd  int
	seq uint32
}

// Dial opens a NETLINK_ROUTE socket.
func Dial() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("rtnetlink bind: %w", err)
	}
	return &Conn{fd: fd}, nil
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// Request sends msg (built by Message) under the next sequence number
// and returns the first message of the kernel's answer. The answer is
// checked to be whole, nothing more: Ack or the caller reads it.
func (c *Conn) Request(msg []byte) ([]byte, error) {
	if len(msg) < unix.SizeofNlMsghdr {
		return nil, errors.New("rtnetlink: request shorter than its header")
	}
	c.seq++
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("rtnetlink send: %w", err)
	}
	buf := make([]byte, maxAnswer)
	n, _, err := unix.Recvfrom(c.fd, buf, 0)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink receive: %w", err)
	}
	return first(buf[:n])
}

// Exec sends msg and returns the kernel's acknowledgement as an error
// (nil for success); msg must ask for one (NLM_F_ACK).
func (c *Conn) Exec(msg []byte) error {
	ans, err := c.Request(msg)
	if err != nil {
		return err
	}
	return Ack(ans)
}

// first returns the first whole message of a datagram.
func first(d []byte) ([]byte, error) {
	if len(d) < unix.SizeofNlMsghdr {
		return nil, ErrMalformed
	}
	n := binary.NativeEndian.Uint32(d[0:])
	if n < unix.SizeofNlMsghdr || uint64(n) > uint64(len(d)) {
		return nil, ErrMalformed
	}
	return d[:n], nil
}
