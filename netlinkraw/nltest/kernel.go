package nltest

import (
	"maps"
	"slices"
	"sync"

	"github.com/goiscsi/goiscsi/netlinkraw"
)

// Kernel is a small model of scsi_transport_iscsi with iscsi_tcp. It
// creates sessions (sids from 1, host numbers from 0) and connections,
// binds, sets parameters, starts, stops and destroys them, refusing
// what the kernel refuses with the kernel's errors, records every
// request and every PDU sent, and can hand PDUs and connection errors
// up as events. Set the exported fields before Dial.
type Kernel struct {
	// Handle, when non-zero, is the only transport handle accepted;
	// others fail with EINVAL, as for an unknown transport.
	Handle uint64
	// Fail, when set, sees every request first; a non-nil error fails
	// it as a Handler's error does (IfError(errno): an IF_ERROR reply).
	Fail func(req netlinkraw.Uevent) error
	// OnSendPDU, when set, sees every PDU sent (header, then the data
	// segment as padded); the PDUs it returns are handed up as RECV_PDU
	// events on the same connection after the reply, like a target's
	// answers. It may call the Kernel's methods.
	OnSendPDU func(sid, cid uint32, pdu []byte) [][]byte

	mu       sync.Mutex
	sock     *Socket
	sessions map[uint32]*Session
	nextSid  uint32
	nextHost uint32
	requests []netlinkraw.Uevent
}

// Session is the model's view of a kernel session.
type Session struct {
	Sid, HostNo uint32
	Unbound     bool // UNBIND_SESSION was asked
	Conns       map[uint32]*Connection
}

// Connection is the model's view of a kernel connection.
type Connection struct {
	Sid, Cid uint32
	Bound    bool
	Leading  bool
	Fd       uint64 // the transport_eph of BIND_CONN
	Started  bool
	Stopped  netlinkraw.StopFlag // the last STOP_CONN flag, 0 if none
	Params   map[netlinkraw.Param]string
	PDUs     [][]byte // every SEND_PDU payload: header, padded data
}

// NewKernel returns a Kernel with no sessions.
func NewKernel() *Kernel {
	return &Kernel{sessions: map[uint32]*Session{}}
}

// Dial returns a Conn to this kernel.
func (k *Kernel) Dial() *netlinkraw.Conn {
	s := NewSocket(k.Answer)
	k.mu.Lock()
	k.sock = s
	k.mu.Unlock()
	return netlinkraw.NewConn(s)
}

// Requests returns every request received so far, in order.
func (k *Kernel) Requests() []netlinkraw.Uevent {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.requests)
}

// Sids returns the sids of the sessions that exist, in order.
func (k *Kernel) Sids() []uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Sorted(maps.Keys(k.sessions))
}

// Session returns a copy of session sid.
func (k *Kernel) Session(sid uint32) (Session, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.sessions[sid]
	if !ok {
		return Session{}, false
	}
	out := *s
	out.Conns = map[uint32]*Connection{}
	for cid, c := range s.Conns {
		cc := c.clone()
		out.Conns[cid] = &cc
	}
	return out, true
}

// Conn returns a copy of connection cid of session sid.
func (k *Kernel) Conn(sid, cid uint32) (Connection, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.connLocked(sid, cid)
	if c == nil {
		return Connection{}, false
	}
	return c.clone(), true
}

// SentPDUs returns the payloads of the SEND_PDU requests on a
// connection, header then padded data.
func (k *Kernel) SentPDUs(sid, cid uint32) [][]byte {
	c, _ := k.Conn(sid, cid)
	return c.PDUs
}

func (c *Connection) clone() Connection {
	out := *c
	out.Params = maps.Clone(c.Params)
	out.PDUs = make([][]byte, len(c.PDUs))
	for i, p := range c.PDUs {
		out.PDUs[i] = slices.Clone(p)
	}
	return out
}

func (k *Kernel) connLocked(sid, cid uint32) *Connection {
	if s := k.sessions[sid]; s != nil {
		return s.Conns[cid]
	}
	return nil
}

// InjectRecvPDU hands pdu up on a connection as the kernel does: a
// RECV_PDU event whose payload is padded with zeros to 4 bytes.
func (k *Kernel) InjectRecvPDU(sid, cid uint32, pdu []byte) error {
	return k.Inject(RecvPDU(sid, cid, pdu))
}

// InjectConnError reports a connection error event.
func (k *Kernel) InjectConnError(sid, cid uint32, code netlinkraw.ConnError) error {
	return k.Inject(netlinkraw.Uevent{Type: netlinkraw.KeventConnError,
		Reply: netlinkraw.Reply{Sid: sid, Cid: cid, Error: code}})
}

// Inject multicasts events on the socket of the last Dial.
func (k *Kernel) Inject(events ...netlinkraw.Uevent) error {
	k.mu.Lock()
	s := k.sock
	k.mu.Unlock()
	if s == nil {
		return netlinkraw.ErrClosed
	}
	for i := range events {
		if events[i].TransportHandle == 0 {
			events[i].TransportHandle = k.Handle
		}
	}
	return s.Inject(events...)
}

// RecvPDU builds the RECV_PDU event that hands pdu up.
func RecvPDU(sid, cid uint32, pdu []byte) netlinkraw.Uevent {
	payload := append(slices.Clone(pdu), make([]byte, (4-len(pdu)%4)%4)...)
	return netlinkraw.Uevent{Type: netlinkraw.KeventRecvPDU,
		Reply: netlinkraw.Reply{Sid: sid, Cid: cid}, Payload: payload}
}
