package netlinkraw

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Limits the request builders enforce before anything is sent.
const (
	// MaxParamLen bounds a SET_PARAM value with its NUL: the kernel
	// refuses more than a page.
	MaxParamLen = 4096
	// MaxDataSegment is the largest iSCSI data segment (24-bit length).
	MaxDataSegment = 1<<24 - 1
)

// ErrBadRequest is wrapped by the builders for arguments the kernel
// would refuse or misread.
var ErrBadRequest = errors.New("bad request")

func nativeUint32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }

// NewCreateSession builds CREATE_SESSION.
func NewCreateSession(handle uint64, initialCmdSN uint32, cmdsMax, queueDepth uint16) *Uevent {
	return &Uevent{Type: UeventCreateSession, TransportHandle: handle, Request: Request{
		InitialCmdSN: initialCmdSN, CmdsMax: cmdsMax, QueueDepth: queueDepth}}
}

// NewConnRequest builds a request that names a connection: CREATE_CONN,
// DESTROY_CONN, START_CONN or GET_STATS.
func NewConnRequest(t UeventType, handle uint64, sid, cid uint32) *Uevent {
	return &Uevent{Type: t, TransportHandle: handle, Request: Request{Sid: sid, Cid: cid}}
}

// NewSessionRequest builds a request that names a session:
// DESTROY_SESSION, DESTROY_SESSION_ASYNC or UNBIND_SESSION.
func NewSessionRequest(t UeventType, handle uint64, sid uint32) *Uevent {
	return &Uevent{Type: t, TransportHandle: handle, Request: Request{Sid: sid}}
}

// NewBindConn builds BIND_CONN; for iscsi_tcp the endpoint is the
// descriptor of the connected TCP socket, in this process.
func NewBindConn(handle uint64, sid, cid uint32, fd int, leading bool) (*Uevent, error) {
	if fd < 0 {
		return nil, fmt.Errorf("%v: %w: descriptor %d", UeventBindConn, ErrBadRequest, fd)
	}
	var lead uint32
	if leading {
		lead = 1
	}
	return &Uevent{Type: UeventBindConn, TransportHandle: handle, Request: Request{
		Sid: sid, Cid: cid, TransportEph: uint64(fd), IsLeading: lead}}, nil
}

// NewSetParam builds SET_PARAM: the value travels NUL-terminated and
// Len counts the NUL.
func NewSetParam(handle uint64, sid, cid uint32, p Param, value string) (*Uevent, error) {
	u, err := setParam(handle, sid, cid, p, value)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// setParam is NewSetParam by value, so that Conn.SetParam's request,
// the one a login sends most often, stays off the heap.
func setParam(handle uint64, sid, cid uint32, p Param, value string) (Uevent, error) {
	if strings.IndexByte(value, 0) >= 0 {
		return Uevent{}, fmt.Errorf("%v %v: %w: value contains NUL", UeventSetParam, p, ErrBadRequest)
	}
	if len(value)+1 > MaxParamLen {
		return Uevent{}, fmt.Errorf("%v %v: %w: value of %d bytes (at most %d)", UeventSetParam, p, ErrBadRequest, len(value), MaxParamLen-1)
	}
	payload := append([]byte(value), 0)
	return Uevent{Type: UeventSetParam, TransportHandle: handle, Payload: payload, Request: Request{
		Sid: sid, Cid: cid, Param: p, Len: uint32(len(payload))}}, nil
}

// NewStopConn builds STOP_CONN.
func NewStopConn(handle uint64, sid, cid uint32, flag StopFlag) *Uevent {
	return &Uevent{Type: UeventStopConn, TransportHandle: handle, Request: Request{Sid: sid, Cid: cid, Flag: flag}}
}

// NewSendPDU builds SEND_PDU: the header (48 bytes, plus any AHS), then
// the data segment padded with zeros to a multiple of 4, as open-iscsi
// sends it (data_size counts the padding; the kernel transmits the
// length the header gives).
func NewSendPDU(handle uint64, sid, cid uint32, hdr, data []byte) (*Uevent, error) {
	if len(hdr) < bhsLen || len(hdr) > bhsLen+maxAHSBytes || len(hdr)%4 != 0 {
		return nil, fmt.Errorf("%v: %w: header of %d bytes", UeventSendPDU, ErrBadRequest, len(hdr))
	}
	if len(data) > MaxDataSegment+3 {
		return nil, fmt.Errorf("%v: %w: data segment of %d bytes", UeventSendPDU, ErrBadRequest, len(data))
	}
	pad := (4 - len(data)%4) % 4
	payload := make([]byte, 0, len(hdr)+len(data)+pad)
	payload = append(append(payload, hdr...), data...)
	payload = append(payload, make([]byte, pad)...)
	return &Uevent{Type: UeventSendPDU, TransportHandle: handle, Payload: payload, Request: Request{
		Sid: sid, Cid: cid, HdrSize: uint32(len(hdr)), DataSize: uint32(len(data) + pad)}}, nil
}
