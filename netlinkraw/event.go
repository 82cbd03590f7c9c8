package netlinkraw

// Event is a message from the kernel that answered no call of ours:
// the kernel's multicast events, and replies nobody waits for (a late
// reply to a call whose context ended, another process's GET_STATS).
// The fields a type does not use are zero; Raw is the whole uevent.
// Events are small (Raw is a pointer) because Conn queues hundreds of
// them: a queue of pointer-holding values over 32 kB is cleared page by
// page when it is made, resident memory a short-lived process pays.
type Event struct {
	Type     UeventType
	Sid, Cid uint32
	Error    uint32 // CONN_ERROR: the iscsi_err code (see ConnError)
	State    uint32 // CONN_LOGIN_STATE: the state (see ConnState)
	HostNo   uint32 // CREATE_SESSION, DESTROY_SESSION, UNBIND_SESSION, IF_DOWN, PATH_REQ
	// PDU is, for RECV_PDU, the PDU as the kernel hands it up: the
	// 48-byte header, the data segment, and the zero to three bytes of
	// padding that round the netlink message up to 4 bytes.
	PDU []byte
	Raw *Uevent
	// Order is the event's place among all the messages its Conn read,
	// replies included, counting from 1 (see Conn.Order); 0 when the
	// event did not come from a Conn.
	Order uint64
}

// EventOf extracts an Event from a uevent the kernel sent; its Raw is u.
func EventOf(u *Uevent) Event {
	ev := Event{Type: u.Type, Raw: u}
	r := &u.Reply
	switch u.Type {
	case KeventRecvPDU:
		ev.Sid, ev.Cid, ev.PDU = r.Sid, r.Cid, u.Payload
	case KeventConnError:
		ev.Sid, ev.Cid, ev.Error = r.Sid, r.Cid, uint32(r.Error)
	case KeventConnLoginState:
		ev.Sid, ev.Cid, ev.State = r.Sid, r.Cid, uint32(r.State)
	case KeventCreateSession, KeventDestroySession, KeventUnbindSession:
		ev.Sid, ev.HostNo = r.Sid, r.HostNo
	case KeventIfDown, KeventPathReq:
		ev.HostNo = r.HostNo
	case UeventCreateSession, UeventCreateBoundSession:
		ev.Sid, ev.HostNo = r.Sid, r.HostNo
	default:
		// A stray reply names its object in the echoed request.
		ev.Sid, ev.Cid = u.Request.Sid, u.Request.Cid
	}
	return ev
}
