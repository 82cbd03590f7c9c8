package netlinkraw

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/goiscsi/goiscsi/internal/growstack"
	"golang.org/x/sys/unix"
)

// Socket carries whole netlink datagrams, nlmsghdr included, between
// us and the kernel. Receive blocks until a datagram arrives; Close
// must make it return with an error, blocked or not. An error wrapping
// unix.ENOBUFS means the kernel dropped messages for us and reading
// may go on. A Socket that also has a method PortID() uint32 gives the
// nlmsg_pid put in requests; otherwise it is 0.
type Socket interface {
	Send(msg []byte) error
	Receive() ([]byte, error)
	Close() error
}

// EventQueueLen is the capacity of the Events channel.
const EventQueueLen = 256

// Stats counts what the reader could not deliver.
type Stats struct {
	Dropped   uint64 // events lost because the Events channel was full
	Malformed uint64 // datagrams or messages that did not decode
	Overruns  uint64 // ENOBUFS and NLMSG_OVERRUN: the kernel dropped messages
}

// Conn is a NETLINK_ISCSI connection. Call (and the methods built on
// it) runs one request at a time; a reader goroutine hands the reply to
// the waiting call and every other message to Events.
type Conn struct {
	sock   Socket
	pid    uint32
	events chan Event
	sem    chan struct{} // one outstanding call
	done   chan struct{} // closed when the reader has returned

	mu      sync.Mutex
	pending *pendingCall
	closed  bool
	readErr error

	closeOnce sync.Once
	closeErr  error

	dropped, malformed, overruns atomic.Uint64
	order                        atomic.Uint64 // messages read, for Event.Order
}

// NewConn starts a Conn over s, and its reader goroutine; Close stops
// both.
func NewConn(s Socket) *Conn {
	c := &Conn{
		sock:   s,
		events: make(chan Event, EventQueueLen),
		sem:    make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	if p, ok := s.(interface{ PortID() uint32 }); ok {
		c.pid = p.PortID()
	}
	go func() {
		growstack.Grow() // the reader lives as long as the process: grow once
		c.read()
	}()
	return c
}

// Events returns the kernel's asynchronous messages (RECV_PDU,
// CONN_ERROR, CONN_LOGIN_STATE, the session kevents…) and unclaimed
// replies. The channel holds EventQueueLen events; when it is full the
// reader drops the event and counts it in Stats().Dropped rather than
// stall replies to calls, so read it promptly. It is closed when the
// Conn is closed or its socket fails.
func (c *Conn) Events() <-chan Event { return c.events }

// Order is how many messages the reader has handed out so far, replies
// and events. Taken after a call returned, it is at least the order of
// that call's reply: an event whose Order is not above it reached the
// reader before the call was answered (or at the same time), and the
// kernel sent it before its answer.
func (c *Conn) Order() uint64 { return c.order.Load() }

// Stats returns the reader's counters.
func (c *Conn) Stats() Stats {
	return Stats{Dropped: c.dropped.Load(), Malformed: c.malformed.Load(), Overruns: c.overruns.Load()}
}

// Close closes the socket and waits for the reader to return. A call
// in progress fails with ErrClosed.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.closeErr = c.sock.Close()
		<-c.done
	})
	return c.closeErr
}

// read is the reader goroutine.
func (c *Conn) read() {
	defer close(c.done)
	defer close(c.events)
	for {
		d, err := c.sock.Receive()
		if errors.Is(err, unix.ENOBUFS) {
			c.overruns.Add(1)
			continue
		}
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		msgs, err := ParseMessages(d)
		if err != nil {
			c.malformed.Add(1)
		}
		for _, m := range msgs {
			c.dispatch(m)
		}
	}
}

// dispatch hands one message to the waiting call or to Events.
func (c *Conn) dispatch(m Message) {
	switch m.Type {
	case nlmsgNoop, nlmsgDone:
		return
	case nlmsgOverrun:
		c.overruns.Add(1)
		return
	case nlmsgError:
		c.netlinkError(m)
		return
	}
	var u Uevent
	if err := u.UnmarshalBinary(m.Data); err != nil {
		c.malformed.Add(1)
		return
	}
	order := c.order.Add(1)
	if c.claim(m, &u, nil) {
		return
	}
	ev := EventOf(&u)
	ev.Order = order
	select {
	case c.events <- ev:
	default:
		c.dropped.Add(1)
	}
}

// netlinkError fails the waiting call if netlink itself refused its
// request (an NLMSG_ERROR naming the request type); an acknowledgement
// (errno 0) or an error for another request is dropped.
func (c *Conn) netlinkError(m Message) {
	errno, typ, ok := nlError(m.Data)
	if !ok {
		c.malformed.Add(1)
		return
	}
	if errno == 0 {
		return
	}
	err := &IfError{Type: UeventType(typ), Errno: errnoOf(errno)}
	// The original request follows the errno, cut short if capped.
	c.claim(Message{Type: typ, Data: m.Data[4+NlmsgHdrLen:]}, nil, err)
}

// claim delivers a reply (or err) to the pending call if it is the
// reply that call waits for, and reports whether it did.
func (c *Conn) claim(m Message, u *Uevent, err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pending
	if p == nil || !p.matches(m) {
		return false
	}
	c.pending = nil
	p.result <- callResult{reply: u, err: err}
	return true
}
