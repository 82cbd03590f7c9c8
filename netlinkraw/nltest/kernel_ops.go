package nltest

import (
	"bytes"

	"github.com/goiscsi/goiscsi/netlinkraw"
	"golang.org/x/sys/unix"
)

// statsLen is sizeof(struct iscsi_stats) with no custom entries.
const statsLen = 96

// Answer is the Kernel's Handler.
func (k *Kernel) Answer(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
	k.mu.Lock()
	k.requests = append(k.requests, req)
	k.mu.Unlock()
	if k.Fail != nil {
		if err := k.Fail(req); err != nil {
			return nil, err
		}
	}
	if k.Handle != 0 && req.TransportHandle != k.Handle {
		return nil, IfError(unix.EINVAL)
	}
	k.mu.Lock()
	out, sent, err := k.apply(req)
	k.mu.Unlock()
	if err != nil || sent == nil || k.OnSendPDU == nil {
		return out, err
	}
	for _, pdu := range k.OnSendPDU(req.Request.Sid, req.Request.Cid, bytes.Clone(sent)) {
		out = append(out, RecvPDU(req.Request.Sid, req.Request.Cid, pdu))
	}
	return out, nil
}

// apply changes the model for req and returns the kernel's messages,
// and for SEND_PDU the PDU sent.
func (k *Kernel) apply(req netlinkraw.Uevent) ([]netlinkraw.Uevent, []byte, error) {
	switch req.Type {
	case netlinkraw.UeventCreateSession:
		out := k.createSession(req)
		return out, nil, nil
	case netlinkraw.UeventDestroySession, netlinkraw.UeventUnbindSession:
		out, err := k.sessionOp(req)
		return out, nil, err
	case netlinkraw.UeventCreateConn:
		out, err := k.createConn(req)
		return out, nil, err
	}
	if !connRequest(req.Type) {
		return nil, nil, IfError(unix.ENOSYS)
	}
	r := req.Request
	c := k.connLocked(r.Sid, r.Cid)
	if c == nil {
		return nil, nil, IfError(unix.EINVAL)
	}
	switch req.Type {
	case netlinkraw.UeventDestroyConn:
		delete(k.sessions[r.Sid].Conns, r.Cid)
	case netlinkraw.UeventBindConn:
		c.Bound, c.Fd, c.Leading = true, r.TransportEph, r.IsLeading != 0
	case netlinkraw.UeventSetParam:
		return setParam(c, req)
	case netlinkraw.UeventStartConn:
		if !c.Bound {
			return one(Retcode(req, unix.ENOTCONN)), nil, nil
		}
		c.Started = true
	case netlinkraw.UeventStopConn:
		c.Started, c.Stopped = false, r.Flag
		if r.Flag == netlinkraw.StopConnTerm {
			c.Bound = false
		}
	case netlinkraw.UeventSendPDU:
		return sendPDU(c, req)
	case netlinkraw.UeventGetStats:
		rep := Reply(req)
		rep.Payload = make([]byte, statsLen)
		return one(rep), nil, nil
	}
	return one(Reply(req)), nil, nil
}

// connRequest reports whether the model handles t on a connection.
func connRequest(t netlinkraw.UeventType) bool {
	switch t {
	case netlinkraw.UeventDestroyConn, netlinkraw.UeventBindConn, netlinkraw.UeventSetParam,
		netlinkraw.UeventStartConn, netlinkraw.UeventStopConn, netlinkraw.UeventSendPDU,
		netlinkraw.UeventGetStats:
		return true
	}
	return false
}

func one(u netlinkraw.Uevent) []netlinkraw.Uevent { return []netlinkraw.Uevent{u} }

func (k *Kernel) createSession(req netlinkraw.Uevent) []netlinkraw.Uevent {
	k.nextSid++
	s := &Session{Sid: k.nextSid, HostNo: k.nextHost, Conns: map[uint32]*Connection{}}
	k.nextHost++
	k.sessions[s.Sid] = s
	ret := netlinkraw.Reply{Sid: s.Sid, HostNo: s.HostNo}
	ev := netlinkraw.Uevent{Type: netlinkraw.KeventCreateSession, TransportHandle: req.TransportHandle, Reply: ret}
	rep := Reply(req)
	rep.Reply = ret
	return []netlinkraw.Uevent{ev, rep}
}

func (k *Kernel) sessionOp(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
	s := k.sessions[req.Request.Sid]
	if s == nil {
		return nil, IfError(unix.EINVAL)
	}
	ev := netlinkraw.Uevent{TransportHandle: req.TransportHandle,
		Reply: netlinkraw.Reply{Sid: s.Sid, HostNo: s.HostNo}}
	if req.Type == netlinkraw.UeventUnbindSession {
		s.Unbound = true
		ev.Type = netlinkraw.KeventUnbindSession
		return []netlinkraw.Uevent{Reply(req), ev}, nil // the unbind runs later
	}
	if len(s.Conns) > 0 {
		return nil, IfError(unix.EBUSY)
	}
	delete(k.sessions, s.Sid)
	ev.Type = netlinkraw.KeventDestroySession
	return []netlinkraw.Uevent{ev, Reply(req)}, nil
}

func (k *Kernel) createConn(req netlinkraw.Uevent) ([]netlinkraw.Uevent, error) {
	r := req.Request
	s := k.sessions[r.Sid]
	if s == nil {
		return nil, IfError(unix.EINVAL)
	}
	if s.Conns[r.Cid] != nil {
		return nil, IfError(unix.ENOMEM) // the kernel's answer to a duplicate
	}
	s.Conns[r.Cid] = &Connection{Sid: r.Sid, Cid: r.Cid, Params: map[netlinkraw.Param]string{}}
	rep := Reply(req)
	rep.Reply = netlinkraw.Reply{Sid: r.Sid, Cid: r.Cid}
	return one(rep), nil
}

func setParam(c *Connection, req netlinkraw.Uevent) ([]netlinkraw.Uevent, []byte, error) {
	n := req.Request.Len
	if n == 0 || uint64(n) > uint64(len(req.Payload)) || n > netlinkraw.MaxParamLen {
		return nil, nil, IfError(unix.EINVAL)
	}
	value, _, ok := bytes.Cut(req.Payload[:n], []byte{0})
	if !ok {
		return nil, nil, IfError(unix.EINVAL) // longer than len says
	}
	if !c.Bound && !c.Started && req.Request.Param != netlinkraw.ParamSessRecoveryTmo {
		return nil, nil, IfError(unix.ENOTCONN)
	}
	c.Params[req.Request.Param] = string(value)
	return one(Reply(req)), nil, nil
}

func sendPDU(c *Connection, req netlinkraw.Uevent) ([]netlinkraw.Uevent, []byte, error) {
	r := req.Request
	total := uint64(r.HdrSize) + uint64(r.DataSize)
	if total > uint64(len(req.Payload)) {
		return nil, nil, IfError(unix.EINVAL)
	}
	if !c.Bound {
		return one(Retcode(req, unix.ENOTCONN)), nil, nil
	}
	pdu := bytes.Clone(req.Payload[:total])
	c.PDUs = append(c.PDUs, pdu)
	return one(Reply(req)), pdu, nil
}
