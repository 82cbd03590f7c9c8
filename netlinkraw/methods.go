package netlinkraw

import "context"

// The methods below are the requests the initiator engine makes, each
// a Call of the matching builder. handle is the transport handle from
// sysfs (/sys/class/iscsi_transport/<name>/handle). Besides iferror
// (an *IfError from Call), the methods whose reply carries r.retcode
// return a non-zero retcode as an *IfError with Retcode set.

// CreateSession creates a session and returns its sid and the SCSI
// host number the kernel gave it.
func (c *Conn) CreateSession(ctx context.Context, handle uint64, initialCmdSN uint32, cmdsMax, queueDepth uint16) (sid, hostNo uint32, err error) {
	rep, err := c.Call(ctx, NewCreateSession(handle, initialCmdSN, cmdsMax, queueDepth))
	if err != nil {
		return 0, 0, err
	}
	return rep.Reply.Sid, rep.Reply.HostNo, nil
}

// CreateConn creates connection cid of session sid and returns the ids
// the kernel reports.
func (c *Conn) CreateConn(ctx context.Context, handle uint64, sid, cid uint32) (connSid, connCid uint32, err error) {
	rep, err := c.Call(ctx, NewConnRequest(UeventCreateConn, handle, sid, cid))
	if err != nil {
		return 0, 0, err
	}
	return rep.Reply.Sid, rep.Reply.Cid, nil
}

// BindConn hands the connected TCP socket fd to the connection.
func (c *Conn) BindConn(ctx context.Context, handle uint64, sid, cid uint32, fd int, leading bool) error {
	req, err := NewBindConn(handle, sid, cid, fd, leading)
	if err != nil {
		return err
	}
	return c.callRetcode(ctx, req)
}

// SetParam sets one parameter of the connection (or its session).
func (c *Conn) SetParam(ctx context.Context, handle uint64, sid, cid uint32, p Param, value string) error {
	req, err := setParam(handle, sid, cid, p, value)
	if err != nil {
		return err
	}
	return c.callRetcode(ctx, &req)
}

// StartConn starts the connection: Full Feature Phase in the kernel.
func (c *Conn) StartConn(ctx context.Context, handle uint64, sid, cid uint32) error {
	return c.callRetcode(ctx, NewConnRequest(UeventStartConn, handle, sid, cid))
}

// StopConn stops the connection for the reason flag gives.
func (c *Conn) StopConn(ctx context.Context, handle uint64, sid, cid uint32, flag StopFlag) error {
	return c.callRetcode(ctx, NewStopConn(handle, sid, cid, flag))
}

// SendPDU has the kernel send a PDU (login, text, logout, NOP-Out) on
// the connection; see NewSendPDU for the padding.
func (c *Conn) SendPDU(ctx context.Context, handle uint64, sid, cid uint32, hdr, data []byte) error {
	req, err := NewSendPDU(handle, sid, cid, hdr, data)
	if err != nil {
		return err
	}
	return c.callRetcode(ctx, req)
}

// DestroyConn destroys the connection.
func (c *Conn) DestroyConn(ctx context.Context, handle uint64, sid, cid uint32) error {
	return c.callRetcode(ctx, NewConnRequest(UeventDestroyConn, handle, sid, cid))
}

// DestroySession destroys a session that has no connections left.
func (c *Conn) DestroySession(ctx context.Context, handle uint64, sid uint32) error {
	return c.callRetcode(ctx, NewSessionRequest(UeventDestroySession, handle, sid))
}

// UnbindSession removes the session's SCSI target; the kernel does it
// asynchronously and announces it with ISCSI_KEVENT_UNBIND_SESSION.
func (c *Conn) UnbindSession(ctx context.Context, handle uint64, sid uint32) error {
	return c.callRetcode(ctx, NewSessionRequest(UeventUnbindSession, handle, sid))
}

// GetStats returns the connection's statistics as the kernel sends
// them: struct iscsi_stats and its custom entries, undecoded.
func (c *Conn) GetStats(ctx context.Context, handle uint64, sid, cid uint32) ([]byte, error) {
	rep, err := c.Call(ctx, NewConnRequest(UeventGetStats, handle, sid, cid))
	if err != nil {
		return nil, err
	}
	return rep.Payload, nil
}

// callRetcode is Call for requests whose reply carries r.retcode.
func (c *Conn) callRetcode(ctx context.Context, req *Uevent) error {
	rep, err := c.Call(ctx, req)
	if err != nil {
		return err
	}
	if rep.Reply.Retcode != 0 {
		return &IfError{Type: req.Type, Errno: errnoOf(rep.Reply.Retcode), Retcode: true}
	}
	return nil
}
