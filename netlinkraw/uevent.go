package netlinkraw

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes and offsets of struct iscsi_uevent (LP64).
const (
	UeventLen   = 56 // sizeof(struct iscsi_uevent)
	RequestLen  = 24 // the request union u
	ReplyLen    = 16 // the reply union r
	offType     = 0
	offIfError  = 4
	offHandle   = 8
	offRequest  = 16
	offReply    = offRequest + RequestLen
	MaxPayload  = 16 << 20 // bytes after the uevent we accept or send
	bhsLen      = 48       // an iSCSI basic header segment
	maxAHSBytes = 255 * 4  // TotalAHSLength is counted in words
)

// ErrShort is wrapped by UnmarshalBinary when the input is shorter
// than a uevent.
var ErrShort = errors.New("shorter than struct iscsi_uevent")

// ErrTooLong is wrapped when a payload exceeds MaxPayload.
var ErrTooLong = errors.New("payload longer than allowed")

// Uevent is struct iscsi_uevent and the bytes that follow it in the
// netlink message: the SET_PARAM value, the SEND_PDU header and data,
// the RECV_PDU PDU, the GET_STATS counters.
type Uevent struct {
	Type            UeventType
	IfError         int32 // a negative errno, or 0
	TransportHandle uint64
	Request         Request // the union u
	Reply           Reply   // the union r
	Payload         []byte
}

// Request is the request union u. Only the fields of the member that
// Uevent.Type selects are encoded and decoded (offsets within u):
//
//	CREATE_SESSION                    InitialCmdSN +0, CmdsMax +4, QueueDepth +6
//	CREATE_CONN, DESTROY_CONN,
//	START_CONN, GET_STATS             Sid +0, Cid +4
//	DESTROY_SESSION(_ASYNC),
//	UNBIND_SESSION                    Sid +0
//	BIND_CONN                         Sid, Cid, TransportEph +8, IsLeading +16
//	SET_PARAM                         Sid, Cid, Param +8, Len +12
//	SEND_PDU                          Sid, Cid, HdrSize +8, DataSize +12
//	STOP_CONN                         Sid, Cid, ConnHandle +8, Flag +16
//	any other type                    Raw, the 24 bytes as they are
//
// Kernel events and IF_ERROR replies therefore keep u in Raw.
type Request struct {
	Sid, Cid            uint32
	InitialCmdSN        uint32
	CmdsMax, QueueDepth uint16
	TransportEph        uint64 // the TCP socket's descriptor, for iscsi_tcp
	IsLeading           uint32
	HdrSize, DataSize   uint32
	Param               Param
	Len                 uint32 // SET_PARAM value length, NUL included
	ConnHandle          uint64
	Flag                StopFlag
	Raw                 [RequestLen]byte
}

// Reply is the reply union r. As with Request, the type selects the
// member (offsets within r):
//
//	CREATE_SESSION, CREATE_BOUND_SESSION,
//	KEVENT_CREATE_SESSION,
//	KEVENT_UNBIND_SESSION             Sid +0, HostNo +4
//	KEVENT_DESTROY_SESSION            HostNo +0, Sid +4
//	CREATE_CONN                       Sid +0, Cid +4
//	KEVENT_RECV_PDU                   Sid, Cid, RecvHandle +8
//	KEVENT_CONN_ERROR                 Sid, Cid, Error +8
//	KEVENT_CONN_LOGIN_STATE           Sid, Cid, State +8
//	KEVENT_PATH_REQ, KEVENT_IF_DOWN   HostNo +0
//	other requests (their replies)    Retcode +0
//	any other type                    Raw
type Reply struct {
	Retcode    int32 // a negative errno from the transport, or 0
	Sid, Cid   uint32
	HostNo     uint32
	RecvHandle uint64
	Error      ConnError
	State      ConnState
	Raw        [ReplyLen]byte
}

// MarshalBinary encodes the uevent and its payload, without nlmsghdr.
func (u *Uevent) MarshalBinary() ([]byte, error) {
	return u.AppendBinary(make([]byte, 0, UeventLen+len(u.Payload)))
}

// AppendBinary appends the encoding MarshalBinary returns to b.
func (u *Uevent) AppendBinary(b []byte) ([]byte, error) {
	if len(u.Payload) > MaxPayload {
		return b, fmt.Errorf("%v: %w: %d bytes, at most %d", u.Type, ErrTooLong, len(u.Payload), MaxPayload)
	}
	start := len(b)
	b = append(b, make([]byte, UeventLen)...)
	e := b[start:]
	ne := binary.NativeEndian
	ne.PutUint32(e[offType:], uint32(u.Type))
	ne.PutUint32(e[offIfError:], uint32(u.IfError))
	ne.PutUint64(e[offHandle:], u.TransportHandle)
	encodeRequest(u.Type, &u.Request, e[offRequest:offReply])
	encodeReply(u.Type, &u.Reply, e[offReply:UeventLen])
	return append(b, u.Payload...), nil
}

// UnmarshalBinary decodes a uevent and its payload (no nlmsghdr). It
// copies the payload, so b may be reused.
func (u *Uevent) UnmarshalBinary(b []byte) error {
	if len(b) < UeventLen {
		return fmt.Errorf("uevent of %d bytes: %w (%d)", len(b), ErrShort, UeventLen)
	}
	if len(b)-UeventLen > MaxPayload {
		return fmt.Errorf("uevent: %w: %d bytes, at most %d", ErrTooLong, len(b)-UeventLen, MaxPayload)
	}
	ne := binary.NativeEndian
	*u = Uevent{
		Type:            UeventType(ne.Uint32(b[offType:])),
		IfError:         int32(ne.Uint32(b[offIfError:])),
		TransportHandle: ne.Uint64(b[offHandle:]),
	}
	u.Request = decodeRequest(u.Type, b[offRequest:offReply])
	u.Reply = decodeReply(u.Type, b[offReply:UeventLen])
	if len(b) > UeventLen {
		u.Payload = append([]byte(nil), b[UeventLen:]...)
	}
	return nil
}
