// Package nltest owns the in-memory kernel side of NETLINK_ISCSI for
// tests: a netlinkraw.Socket whose replies and events come from a Go
// function (Dial, NewSocket), helpers to check requests and fail them
// as the kernel does (CheckRequest, IfError, Reply), and Kernel, a
// small model of scsi_transport_iscsi with iscsi_tcp that keeps
// sessions and connections, records sent PDUs and injects events. None
// of it needs root or kernel modules.
package nltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"golang.org/x/sys/unix"
)

// PortID is the nlmsg_pid the fake socket reports, open-iscsi's pid in
// the reference trace.
const PortID = 111

// Handler answers one request. It returns the messages the kernel would
// send back, in order: a uevent of a kernel event type (ISCSI_KEVENT_*
// but IF_ERROR) is multicast with nlmsg_type 0; any other is the reply,
// sent with nlmsg_type = the request type (multicast for GET_STATS, as
// the kernel does). A reply's Request and TransportHandle, if left
// zero, repeat the request's, as the kernel's do; Reply(req) builds one.
// Returning no reply leaves the call waiting, like a lost reply. An
// error made by IfError (or any unix.Errno) becomes an IF_ERROR reply;
// any other error fails the send itself.
type Handler func(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error)

// Socket is an in-memory netlinkraw.Socket backed by a Handler.
type Socket struct {
	fn     Handler
	mu     sync.Mutex
	queue  [][]byte
	sent   [][]byte
	closed bool
	ready  chan struct{} // signalled when queue grows or closed is set
}

// NewSocket returns a Socket that answers with fn.
func NewSocket(fn Handler) *Socket {
	return &Socket{fn: fn, ready: make(chan struct{}, 1)}
}

// Dial returns a netlinkraw.Conn over NewSocket(fn).
func Dial(fn Handler) *netlinkraw.Conn { return netlinkraw.NewConn(NewSocket(fn)) }

// PortID implements the optional port-id method of netlinkraw.Socket.
func (s *Socket) PortID() uint32 { return PortID }

// Sent returns copies of the datagrams sent so far.
func (s *Socket) Sent() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.sent))
	for i, d := range s.sent {
		out[i] = append([]byte(nil), d...)
	}
	return out
}

// Send hands each request in msg to the Handler and queues what it
// returns.
func (s *Socket) Send(msg []byte) error {
	s.mu.Lock()
	closed := s.closed
	s.sent = append(s.sent, append([]byte(nil), msg...))
	s.mu.Unlock()
	if closed {
		return netlinkraw.ErrClosed
	}
	msgs, err := netlinkraw.ParseMessages(msg)
	if err != nil {
		return fmt.Errorf("nltest: %w", err)
	}
	for _, m := range msgs {
		if err := s.answer(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Socket) answer(m netlinkraw.Message) error {
	var req netlinkraw.Uevent
	if err := req.UnmarshalBinary(m.Data); err != nil {
		return fmt.Errorf("nltest: request: %w", err)
	}
	if netlinkraw.UeventType(m.Type) != req.Type {
		return fmt.Errorf("nltest: nlmsg_type %d carries a %v uevent", m.Type, req.Type)
	}
	out, err := s.fn(req)
	if err != nil {
		var errno unix.Errno
		if !errors.As(err, &errno) {
			return err
		}
		return s.push(m.Type, ifErrorReply(m.Data, errno))
	}
	for _, u := range out {
		typ, body, err := frame(req, u)
		if err != nil {
			return err
		}
		if err := s.push(typ, body); err != nil {
			return err
		}
	}
	return nil
}

// frame gives the nlmsg_type and bytes of one answer to req.
func frame(req, u netlinkraw.Uevent) (uint16, []byte, error) {
	if u.Type.IsKernelEvent() && u.Type != netlinkraw.KeventIfError {
		b, err := u.MarshalBinary()
		return 0, b, err
	}
	if u.TransportHandle == 0 {
		u.TransportHandle = req.TransportHandle
	}
	if u.Type == req.Type && u.Request == (netlinkraw.Request{}) {
		u.Request = req.Request
	}
	b, err := u.MarshalBinary()
	switch u.Type {
	case netlinkraw.UeventGetStats, netlinkraw.UeventGetChap, netlinkraw.UeventGetHostStats:
		return 0, b, err
	}
	return uint16(req.Type), b, err
}

// ifErrorReply is the kernel's answer to a failed request: the request
// uevent with type IF_ERROR and iferror = -errno.
func ifErrorReply(req []byte, errno unix.Errno) []byte {
	b := append([]byte(nil), req[:netlinkraw.UeventLen]...)
	binary.NativeEndian.PutUint32(b[0:], uint32(netlinkraw.KeventIfError))
	binary.NativeEndian.PutUint32(b[4:], uint32(-int32(errno)))
	return b
}

// Inject queues kernel events (or any uevents) as multicast messages,
// nlmsg_type 0.
func (s *Socket) Inject(events ...netlinkraw.Uevent) error {
	for _, u := range events {
		b, err := u.MarshalBinary()
		if err != nil {
			return err
		}
		if err := s.push(0, b); err != nil {
			return err
		}
	}
	return nil
}

// InjectDatagram queues raw bytes as one datagram from the kernel.
func (s *Socket) InjectDatagram(d []byte) error {
	return s.enqueue(append([]byte(nil), d...))
}

func (s *Socket) push(typ uint16, body []byte) error {
	d, err := netlinkraw.Message{Type: typ, Data: body}.Append(nil)
	if err != nil {
		return err
	}
	return s.enqueue(d)
}

func (s *Socket) enqueue(d []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return netlinkraw.ErrClosed
	}
	s.queue = append(s.queue, d)
	s.signal()
	return nil
}

func (s *Socket) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Receive returns the next queued datagram, blocking until there is one
// or the socket is closed.
func (s *Socket) Receive() ([]byte, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, netlinkraw.ErrClosed
		}
		if len(s.queue) > 0 {
			d := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return d, nil
		}
		s.mu.Unlock()
		<-s.ready
	}
}

// Close makes Receive and Send fail.
func (s *Socket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.signal()
	return nil
}
