package netlinkraw

import "encoding/binary"

// requestLayout names the member of u that a type uses.
type requestLayout int

const (
	reqRaw requestLayout = iota
	reqCreateSession
	reqSid     // sid
	reqSidCid  // sid, cid
	reqBind    // sid, cid, transport_eph, is_leading
	reqSetPDU  // sid, cid, two u32 (set_param, send_pdu)
	reqStopCon // sid, cid, conn_handle, flag
)

func requestLayoutOf(t UeventType) requestLayout {
	switch t {
	case UeventCreateSession:
		return reqCreateSession
	case UeventDestroySession, UeventDestroySessionAsync, UeventUnbindSession:
		return reqSid
	case UeventCreateConn, UeventDestroyConn, UeventStartConn, UeventGetStats:
		return reqSidCid
	case UeventBindConn:
		return reqBind
	case UeventSetParam, UeventSendPDU:
		return reqSetPDU
	case UeventStopConn:
		return reqStopCon
	}
	return reqRaw
}

// echoLen is how many leading bytes of u identify the object a request
// names (sid, then cid). The kernel sends u back unchanged in the
// reply, so these bytes must match for a reply to be ours.
func echoLen(t UeventType) int {
	switch requestLayoutOf(t) {
	case reqSid:
		return 4
	case reqSidCid, reqBind, reqSetPDU, reqStopCon:
		return 8
	}
	return 0
}

func encodeRequest(t UeventType, r *Request, b []byte) {
	ne := binary.NativeEndian
	layout := requestLayoutOf(t)
	switch layout {
	case reqRaw:
		copy(b, r.Raw[:])
		return
	case reqCreateSession:
		ne.PutUint32(b[0:], r.InitialCmdSN)
		ne.PutUint16(b[4:], r.CmdsMax)
		ne.PutUint16(b[6:], r.QueueDepth)
		return
	}
	ne.PutUint32(b[0:], r.Sid)
	if layout == reqSid {
		return
	}
	ne.PutUint32(b[4:], r.Cid)
	switch {
	case layout == reqBind:
		ne.PutUint64(b[8:], r.TransportEph)
		ne.PutUint32(b[16:], r.IsLeading)
	case layout == reqStopCon:
		ne.PutUint64(b[8:], r.ConnHandle)
		ne.PutUint32(b[16:], uint32(r.Flag))
	case layout == reqSetPDU && t == UeventSetParam:
		ne.PutUint32(b[8:], uint32(r.Param))
		ne.PutUint32(b[12:], r.Len)
	case layout == reqSetPDU:
		ne.PutUint32(b[8:], r.HdrSize)
		ne.PutUint32(b[12:], r.DataSize)
	}
}

func decodeRequest(t UeventType, b []byte) Request {
	ne := binary.NativeEndian
	var r Request
	layout := requestLayoutOf(t)
	switch layout {
	case reqRaw:
		copy(r.Raw[:], b)
		return r
	case reqCreateSession:
		r.InitialCmdSN = ne.Uint32(b[0:])
		r.CmdsMax = ne.Uint16(b[4:])
		r.QueueDepth = ne.Uint16(b[6:])
		return r
	}
	r.Sid = ne.Uint32(b[0:])
	if layout == reqSid {
		return r
	}
	r.Cid = ne.Uint32(b[4:])
	switch {
	case layout == reqBind:
		r.TransportEph = ne.Uint64(b[8:])
		r.IsLeading = ne.Uint32(b[16:])
	case layout == reqStopCon:
		r.ConnHandle = ne.Uint64(b[8:])
		r.Flag = StopFlag(ne.Uint32(b[16:]))
	case layout == reqSetPDU && t == UeventSetParam:
		r.Param = Param(ne.Uint32(b[8:]))
		r.Len = ne.Uint32(b[12:])
	case layout == reqSetPDU:
		r.HdrSize = ne.Uint32(b[8:])
		r.DataSize = ne.Uint32(b[12:])
	}
	return r
}

// replyLayout names the member of r that a type uses.
type replyLayout int

const (
	repRaw       replyLayout = iota
	repRetcode               // retcode
	repSidHost               // sid, host_no
	repHostSid               // host_no, sid
	repSidCid                // sid, cid
	repRecv                  // sid, cid, recv_handle
	repConnError             // sid, cid, error
	repLogin                 // sid, cid, state
	repHost                  // host_no
)

func replyLayoutOf(t UeventType) replyLayout {
	switch t {
	case UeventCreateSession, UeventCreateBoundSession, KeventCreateSession, KeventUnbindSession:
		return repSidHost
	case KeventDestroySession:
		return repHostSid
	case UeventCreateConn:
		return repSidCid
	case KeventRecvPDU:
		return repRecv
	case KeventConnError:
		return repConnError
	case KeventConnLoginState:
		return repLogin
	case KeventPathReq, KeventIfDown:
		return repHost
	case UeventTransportEPConnect, UeventTransportEPConnectThroughHost:
		return repRaw // a 64-bit endpoint handle
	}
	if t.IsRequest() {
		return repRetcode
	}
	return repRaw
}

func encodeReply(t UeventType, r *Reply, b []byte) {
	ne := binary.NativeEndian
	switch replyLayoutOf(t) {
	case repRaw:
		copy(b, r.Raw[:])
	case repRetcode:
		ne.PutUint32(b[0:], uint32(r.Retcode))
	case repSidHost:
		ne.PutUint32(b[0:], r.Sid)
		ne.PutUint32(b[4:], r.HostNo)
	case repHostSid:
		ne.PutUint32(b[0:], r.HostNo)
		ne.PutUint32(b[4:], r.Sid)
	case repHost:
		ne.PutUint32(b[0:], r.HostNo)
	case repSidCid:
		ne.PutUint32(b[0:], r.Sid)
		ne.PutUint32(b[4:], r.Cid)
	case repRecv:
		ne.PutUint32(b[0:], r.Sid)
		ne.PutUint32(b[4:], r.Cid)
		ne.PutUint64(b[8:], r.RecvHandle)
	case repConnError:
		ne.PutUint32(b[0:], r.Sid)
		ne.PutUint32(b[4:], r.Cid)
		ne.PutUint32(b[8:], uint32(r.Error))
	case repLogin:
		ne.PutUint32(b[0:], r.Sid)
		ne.PutUint32(b[4:], r.Cid)
		ne.PutUint32(b[8:], uint32(r.State))
	}
}

func decodeReply(t UeventType, b []byte) Reply {
	ne := binary.NativeEndian
	var r Reply
	switch replyLayoutOf(t) {
	case repRaw:
		copy(r.Raw[:], b)
	case repRetcode:
		r.Retcode = int32(ne.Uint32(b[0:]))
	case repSidHost:
		r.Sid, r.HostNo = ne.Uint32(b[0:]), ne.Uint32(b[4:])
	case repHostSid:
		r.HostNo, r.Sid = ne.Uint32(b[0:]), ne.Uint32(b[4:])
	case repHost:
		r.HostNo = ne.Uint32(b[0:])
	case repSidCid:
		r.Sid, r.Cid = ne.Uint32(b[0:]), ne.Uint32(b[4:])
	case repRecv:
		r.Sid, r.Cid = ne.Uint32(b[0:]), ne.Uint32(b[4:])
		r.RecvHandle = ne.Uint64(b[8:])
	case repConnError:
		r.Sid, r.Cid = ne.Uint32(b[0:]), ne.Uint32(b[4:])
		r.Error = ConnError(ne.Uint32(b[8:]))
	case repLogin:
		r.Sid, r.Cid = ne.Uint32(b[0:]), ne.Uint32(b[4:])
		r.State = ConnState(ne.Uint32(b[8:]))
	}
	return r
}
