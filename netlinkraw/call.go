package netlinkraw

import (
	"bytes"
	"context"
	"fmt"
)

// pendingCall is the call waiting for its reply.
type pendingCall struct {
	typ    UeventType
	echo   []byte // leading bytes of u the reply must repeat
	result chan callResult
}

type callResult struct {
	reply *Uevent
	err   error
}

// matches reports whether m answers the call: a unicast reply has
// nlmsg_type = the request type; a multicast one (GET_STATS) has
// nlmsg_type 0 and uevent type = the request type. Either way the
// kernel repeats the request's union, so the sid and cid it names must
// be ours. An IF_ERROR reply keeps the request type in nlmsg_type.
func (p *pendingCall) matches(m Message) bool {
	switch {
	case m.Type == uint16(p.typ):
	case m.Type == 0 && len(m.Data) >= UeventLen:
		if UeventType(nativeUint32(m.Data[offType:])) != p.typ {
			return false
		}
	default:
		return false
	}
	if len(m.Data) < UeventLen {
		return true // a netlink error quoting a capped request
	}
	return bytes.Equal(m.Data[offRequest:offRequest+len(p.echo)], p.echo)
}

// Call sends req and waits for the kernel's reply to it. Only one call
// runs at a time; others wait their turn, or until ctx ends. A reply
// of type ISCSI_KEVENT_IF_ERROR, or with iferror set, is returned as an
// *IfError; r.retcode is left to the caller (see the typed methods).
// When ctx ends first the late reply, if any, goes to Events.
func (c *Conn) Call(ctx context.Context, req *Uevent) (*Uevent, error) {
	msg, p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	if err := c.acquire(ctx, req.Type); err != nil {
		return nil, err
	}
	defer func() { <-c.sem }()
	if err := c.setPending(p); err != nil {
		return nil, err
	}
	defer c.clearPending(p)
	if err := c.sock.Send(msg); err != nil {
		return nil, fmt.Errorf("%v: send: %w", req.Type, err)
	}
	return c.wait(ctx, p)
}

// prepare frames req and makes the pendingCall that will wait for it.
func (c *Conn) prepare(req *Uevent) ([]byte, *pendingCall, error) {
	if req == nil || !req.Type.IsRequest() {
		return nil, nil, fmt.Errorf("netlinkraw: Call needs a request type, not %v", typeOf(req))
	}
	body, err := req.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	msg, err := Message{Type: uint16(req.Type), Pid: c.pid, Data: body}.Append(nil)
	if err != nil {
		return nil, nil, err
	}
	return msg, &pendingCall{
		typ:    req.Type,
		echo:   body[offRequest : offRequest+echoLen(req.Type)],
		result: make(chan callResult, 1),
	}, nil
}

// acquire waits for the call's turn.
func (c *Conn) acquire(ctx context.Context, t UeventType) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%v: %w", t, err)
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%v: %w", t, ctx.Err())
	}
}

// wait waits for the reply, ctx, or the end of the reader.
func (c *Conn) wait(ctx context.Context, p *pendingCall) (*Uevent, error) {
	select {
	case r := <-p.result:
		return replyOf(p.typ, r)
	case <-ctx.Done():
		return nil, fmt.Errorf("%v: no reply: %w", p.typ, ctx.Err())
	case <-c.done:
		select {
		case r := <-p.result: // the reply came just before the end
			return replyOf(p.typ, r)
		default:
			return nil, fmt.Errorf("%v: %w", p.typ, c.deadErr())
		}
	}
}

func typeOf(u *Uevent) any {
	if u == nil {
		return "nil"
	}
	return u.Type
}

func replyOf(t UeventType, r callResult) (*Uevent, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.reply.Type == KeventIfError || r.reply.IfError != 0 {
		return nil, &IfError{Type: t, Errno: errnoOf(r.reply.IfError)}
	}
	return r.reply, nil
}

func (c *Conn) setPending(p *pendingCall) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.readErr != nil {
		return fmt.Errorf("%v: %w", p.typ, c.deadErrLocked())
	}
	c.pending = p
	return nil
}

func (c *Conn) clearPending(p *pendingCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == p {
		c.pending = nil
	}
}

// deadErr says why the reader stopped.
func (c *Conn) deadErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadErrLocked()
}

func (c *Conn) deadErrLocked() error {
	if c.closed || c.readErr == nil {
		return ErrClosed
	}
	return fmt.Errorf("%w: receive: %w", ErrClosed, c.readErr)
}
