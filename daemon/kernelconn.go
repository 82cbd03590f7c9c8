package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/internal/sock"
	"github.com/goiscsi/goiscsi/netlinkraw"
)

// kernelConn carries login PDUs through the kernel, as open-iscsi does
// once the TCP socket is bound to the kernel connection: each PDU we
// write becomes a SEND_PDU request, each RECV_PDU event for our
// connection becomes bytes to read. It implements io.ReadWriter (and
// SetDeadline) so that daemon/login runs unchanged over it.
type kernelConn struct {
	k        Kernel
	handle   uint64
	sid, cid uint32
	ctx      context.Context
	events   <-chan netlinkraw.Event // the connection's events; nil reads the kernel's directly
	stale    uint64                  // events with an Order up to this are about an earlier socket
	deadline time.Time
	pending  bytes.Buffer // received PDU bytes not read yet
	itt      [4]byte      // the Initiator Task Tag of the last PDU written
}

// errConnFailed is a CONN_ERROR from the kernel during login.
var errConnFailed = errors.New("kernel reported a connection error during login")

// SetDeadline bounds later reads and writes, as on a net.Conn.
func (c *kernelConn) SetDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// opContext is c.ctx bounded by the deadline.
func (c *kernelConn) opContext() (context.Context, context.CancelFunc) {
	if c.deadline.IsZero() {
		return context.WithCancel(c.ctx)
	}
	return context.WithDeadline(c.ctx, c.deadline)
}

// Write sends one whole PDU (daemon/login writes each PDU in one call):
// the 48-byte header, then the data segment with its padding.
func (c *kernelConn) Write(p []byte) (int, error) {
	if len(p) < login.BHSLen {
		return 0, fmt.Errorf("kernel PDU of %d bytes is shorter than a header", len(p))
	}
	copy(c.itt[:], p[16:20])
	ctx, cancel := c.opContext()
	defer cancel()
	if err := c.k.SendPDU(ctx, c.handle, c.sid, c.cid, p[:login.BHSLen], p[login.BHSLen:]); err != nil {
		return 0, fmt.Errorf("SEND_PDU: %w", timeoutErr(ctx, err))
	}
	return len(p), nil
}

// Read returns bytes of received PDUs. The kernel hands up the data
// segment without its padding; the padding is put back so that the
// byte stream is what the target sent.
func (c *kernelConn) Read(p []byte) (int, error) {
	if c.pending.Len() == 0 {
		if err := c.receive(); err != nil {
			return 0, err
		}
	}
	return c.pending.Read(p)
}

func (c *kernelConn) receive() error {
	ctx, cancel := c.opContext()
	defer cancel()
	events := c.events
	if events == nil {
		events = c.k.Events()
	}
	for {
		select {
		case <-ctx.Done():
			return timeoutErr(ctx, ctx.Err())
		case ev, ok := <-events:
			if !ok {
				return io.EOF
			}
			if ev.Sid != c.sid || ev.Cid != c.cid || ev.Order != 0 && ev.Order <= c.stale {
				continue
			}
			switch ev.Type {
			case netlinkraw.KeventRecvPDU:
				if len(ev.PDU) < login.BHSLen {
					return fmt.Errorf("kernel handed up a PDU of %d bytes", len(ev.PDU))
				}
				// The kernel sends our PDUs under an ITT of its own (its task
				// index and the session's age) and hands the answer up with
				// that ITT. Login and logout have one PDU in flight at a
				// time, so the answer is to the PDU written last.
				pdu := bytes.Clone(ev.PDU)
				copy(pdu[16:20], c.itt[:])
				c.pending.Write(pdu)
				if pad := (4 - len(ev.PDU)%4) % 4; pad != 0 {
					c.pending.Write(make([]byte, pad))
				}
				return nil
			case netlinkraw.KeventConnError:
				return fmt.Errorf("%w (error %d)", errConnFailed, ev.Error)
			}
		}
	}
}

// timeoutErr is err as a timeout when ctx's deadline passed, the same
// error a socket's deadline gives, so callers treat both alike.
func timeoutErr(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return sock.TimeoutError{Err: err}
	}
	return err
}
